"""Invoke (RequestResponse, Event, DryRun) and the delivery targets that invoke functions asynchronously.

Event invocations are outbox rows ("lambda-event"), so they survive a restart. SNS, EventBridge and others
enqueue "lambda" with the event document as payload; as in AWS, that hands the event to the function's own
asynchronous queue (a "lambda-event" row written in the producer's transaction), so the function's retry
settings, DeadLetterConfig and destinations apply to it. A function error or a throttle is a retryable
DeliveryError: the outbox retries per the function's policy; a success is reported to OnSuccess.
"""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import replace
from typing import Any

from ...aws.auth import DEFAULT_ACCOUNT, DEFAULT_REGION
from ...aws.context import RequestContext
from ...delivery import DeliveryError, Target
from ...ids import unique_id
from ...runtime import Runtime
from ...store.base import Tx
from . import SERVICE, ops_async, store
from .backend import Invocation
from .environment import Outcome
from .errors import InvalidRequestContentException, RequestTooLargeException, ServiceError, invalid
from .functions import LATEST, Function, function_arn, parse_function_name
from .limits import LOG_TAIL_BYTES, MAX_ASYNC_PAYLOAD, MAX_SYNC_PAYLOAD
from .ops_aliases import is_alias
from .ops_async import FAILED_ATTEMPTS, async_dead_letter, async_policy, destination, invocation_record, send_record
from .ops_functions import backend, load_function, wait_active

EVENT_KIND = "lambda-event"


def _check_json(payload: bytes) -> None:
    if not payload:
        return
    try:
        json.loads(payload)
    except (ValueError, UnicodeDecodeError) as exc:
        raise InvalidRequestContentException(
            f"Could not parse request body into json: Could not parse payload into json: {exc}", fields={"Type": "User"}
        ) from None


def _client_context(header: str | None) -> str | None:
    """X-Amz-Client-Context is base64 JSON; the runtime receives the JSON itself."""
    if not header:
        return None
    try:
        text = base64.b64decode(header, validate=True).decode()
        json.loads(text)
    except (ValueError, binascii.Error, UnicodeDecodeError):
        raise invalid("Client context must be a valid Base64-encoded JSON object.") from None
    if len(header) > 3583:
        raise invalid("Client context must be at most 3583 bytes (base64).")
    return text


def _tail(log: str) -> str:
    raw = log.encode()[-LOG_TAIL_BYTES:]
    return base64.b64encode(raw).decode()


async def run(runtime: Runtime, fn: Function, inv: Invocation) -> Outcome:
    fn = await wait_active(runtime, fn)
    return await backend(runtime).invoke(fn, inv)


@SERVICE.op("Invoke")
async def invoke(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    ref = parse_function_name(req["FunctionName"], req.get("Qualifier"))
    account, region = ref.account or ctx.account, ref.region or ctx.region
    kind = req.get("InvocationType") or "RequestResponse"
    payload = bytes(req.get("Payload") or b"")
    fn = await load_function(ctx.runtime, account, region, ref.name, ref.qualifier, route=True)
    invoked = function_arn(region, account, ref.name, ref.qualifier)
    if kind == "DryRun":
        return {"StatusCode": 204}
    if kind == "Event":
        if len(payload) > MAX_ASYNC_PAYLOAD:
            raise RequestTooLargeException(
                f"Request must be smaller than {MAX_ASYNC_PAYLOAD} bytes for the InvokeAsync operation",
                fields={"Type": "User"},
            )
        _check_json(payload)
        doc = {
            "body": base64.b64encode(payload).decode(),
            "request_id": ctx.request_id,
            "client_context": _client_context(req.get("ClientContext")),
        }

        policy, dead_letter = async_policy(fn), async_dead_letter(fn, payload, ctx.request_id)

        def enqueue(tx: Tx) -> None:
            ctx.runtime.delivery.enqueue(
                tx,
                EVENT_KIND,
                invoked,
                doc,
                policy=policy,
                dead_letter=dead_letter,
                source=invoked,
                timeout=attempt_limit(fn),
            )

        await ctx.runtime.store.write(enqueue)
        return {"StatusCode": 202}
    if kind != "RequestResponse":
        raise invalid(f"Unsupported InvocationType {kind}: use RequestResponse, Event or DryRun.")
    out = await _invoke_sync(
        ctx.runtime, fn, invoked, payload, ctx.request_id, _client_context(req.get("ClientContext"))
    )
    log = out.pop("Log")
    if req.get("LogType") == "Tail":
        out["LogResult"] = _tail(log)
    return out


async def _invoke_sync(
    runtime: Runtime, fn: Function, invoked: str, payload: bytes, request_id: str, client_context: str | None
) -> dict[str, Any]:
    if len(payload) > MAX_SYNC_PAYLOAD:
        raise RequestTooLargeException(
            f"Request must be smaller than {MAX_SYNC_PAYLOAD} bytes for the InvokeFunction operation",
            fields={"Type": "User"},
        )
    _check_json(payload)
    outcome = await run(runtime, fn, Invocation(payload, request_id, invoked, client_context))
    out: dict[str, Any] = {
        "StatusCode": 200,
        "Payload": outcome.body,
        "ExecutedVersion": fn.version,
        "Log": outcome.log,
    }
    if outcome.kind != "ok":
        out["FunctionError"] = "Unhandled"
    return out


class InvokePort:
    """The LambdaInvoker port (gureum.ports): RequestResponse invocations for other services."""

    def __init__(self, runtime: Runtime) -> None:
        self.runtime = runtime

    async def invoke(
        self,
        account: str,
        region: str,
        function: str,
        payload: bytes,
        *,
        qualifier: str | None = None,
        request_id: str | None = None,
        client_context: str | None = None,
    ) -> dict[str, Any]:
        return await invoke_port(
            self.runtime,
            account,
            region,
            function,
            payload,
            qualifier=qualifier,
            request_id=request_id,
            client_context=client_context,
        )


async def invoke_port(
    runtime: Runtime,
    account: str,
    region: str,
    function: str,
    payload: bytes,
    *,
    qualifier: str | None = None,
    request_id: str | None = None,
    client_context: str | None = None,
) -> dict[str, Any]:
    """The "lambda.invoke" port (provided with the runtime bound: callers pass ``(account, region, function, payload,
    qualifier=…, request_id=…, client_context=…)``): a RequestResponse invocation for another service (API Gateway,
    function URLs, event source mappings). ``function`` is a name, partial or full ARN. Returns Invoke's output (StatusCode, Payload,
    ExecutedVersion, FunctionError when the function failed) plus Log, the invocation's log text; raises the same
    ServiceErrors Invoke answers with (ResourceNotFoundException, TooManyRequestsException, …)."""
    ref = parse_function_name(function, qualifier)
    account, region = ref.account or account, ref.region or region
    fn = await load_function(runtime, account, region, ref.name, ref.qualifier, route=True)
    invoked = function_arn(region, account, ref.name, ref.qualifier)
    return await _invoke_sync(runtime, fn, invoked, payload, request_id or unique_id(), client_context)


_MAX_ERROR_DOCUMENT = MAX_ASYNC_PAYLOAD
_START_ALLOWANCE = (
    15  # seconds for an environment to start and initialise (AWS allows 10 s of init) on top of the timeout
)


def attempt_limit(fn: Function) -> float:
    """How long one asynchronous attempt may hold its outbox row: the function's own timeout plus a start, so a node
    that dies mid-invocation delays the retry by about that, not by the longest possible function timeout."""
    return float(fn.timeout + _START_ALLOWANCE)


async def deliver_event(runtime: Runtime, address: str, payload: dict[str, Any]) -> None:
    """One attempt of an Event invocation from the outbox. A function error raises a DeliveryError whose message
    is the function's error document (the failure handler in ops_async builds the dead-letter message and the
    OnFailure record from it); a success sends the OnSuccess record."""
    request_id = payload.get("request_id") or unique_id()
    inv = Invocation(base64.b64decode(payload["body"]), request_id, address, payload.get("client_context"))
    try:
        ref = parse_function_name(address)
        fn = await load_function(
            runtime, ref.account or DEFAULT_ACCOUNT, ref.region or DEFAULT_REGION, ref.name, ref.qualifier, route=True
        )
        outcome = await run(runtime, fn, inv)
    except ServiceError as error:
        FAILED_ATTEMPTS[request_id] = FAILED_ATTEMPTS.get(request_id, 0) + 1
        retryable = error.status == 429 or error.status >= 500 or error.code == "ResourceConflictException"
        raise DeliveryError(error.message, code=error.code, retryable=retryable) from error
    if outcome.kind != "ok":
        FAILED_ATTEMPTS[request_id] = FAILED_ATTEMPTS.get(request_id, 0) + 1
        raise DeliveryError(outcome.body[:_MAX_ERROR_DOCUMENT].decode("utf-8", "replace"), code="Unhandled")
    attempts = FAILED_ATTEMPTS.pop(request_id, 0) + 1
    target = destination(fn, "OnSuccess")
    if target:
        record = invocation_record(runtime, request_id=request_id, function_arn=fn.qualified_arn, condition="Success", attempts=attempts,
                                   request=inv.payload, status=200, version=fn.version, function_error=None, response=outcome.body)  # fmt: skip
        await runtime.store.write(lambda tx: send_record(runtime, tx, target, record))


def _function_in_tx(tx: Tx, address: str) -> Function | None:
    """The function version an address names (an alias names its FunctionVersion), read in the caller's transaction."""
    ref = parse_function_name(address)
    account, region, version = ref.account or DEFAULT_ACCOUNT, ref.region or DEFAULT_REGION, ref.qualifier or LATEST
    if is_alias(ref.qualifier):
        alias = store.get_alias(tx, account, region, ref.name, str(ref.qualifier))
        if alias is None:
            return None
        fn = store.get_function(tx, account, region, ref.name, str(alias["FunctionVersion"]))
        config = (
            store.get_alias_event_invoke(tx, account, region, ref.name, str(ref.qualifier)) if fn is not None else None
        )
        return fn if config is None else replace(fn, event_invoke=config)  # type: ignore[arg-type]
    return store.get_function(tx, account, region, ref.name, version)


def deliver_in_tx(runtime: Runtime, tx: Tx, address: str, payload: dict[str, Any]) -> None:
    """Another service's event (SNS notification, EventBridge event, a destination's record, …) for the function
    at ``address``: accepted into the function's asynchronous queue, as AWS's asynchronous Invoke accepts it.

    A payload of just {"_raw": text} carries input that is not a JSON object (an EventBridge input transformer's
    string, say): the text itself is the invocation payload."""
    raw = payload.get("_raw") if len(payload) == 1 else None
    body = raw.encode() if isinstance(raw, str) else json.dumps(payload).encode()
    try:
        fn = _function_in_tx(tx, address)
    except ServiceError as error:
        raise DeliveryError(error.message, code=error.code, retryable=False) from error
    if fn is None:
        raise DeliveryError(f"Function not found: {address}", code="ResourceNotFoundException", retryable=False)
    if len(body) > MAX_ASYNC_PAYLOAD:
        raise DeliveryError(
            f"Request must be smaller than {MAX_ASYNC_PAYLOAD} bytes for the InvokeAsync operation",
            code="RequestTooLargeException",
            retryable=False,
        )
    request_id = unique_id()
    doc = {"body": base64.b64encode(body).decode(), "request_id": request_id, "client_context": None}
    runtime.delivery.enqueue(
        tx,
        EVENT_KIND,
        address,
        doc,
        policy=async_policy(fn),
        dead_letter=async_dead_letter(fn, body, request_id),
        source=address,
        timeout=attempt_limit(fn),
    )


# a claimed Event invocation may run as long as the longest function timeout (plus an environment's start) unless its
# row carries its own function's bound (attempt_limit)
TARGETS: list[Target] = [
    Target("lambda", in_tx=deliver_in_tx),
    Target(EVENT_KIND, call=deliver_event, timeout=960.0),
    *ops_async.TARGETS,
]
