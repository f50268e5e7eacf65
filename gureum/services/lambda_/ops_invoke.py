"""Invoke (RequestResponse, Event, DryRun) and the delivery targets that invoke functions asynchronously.

Event invocations are outbox rows ("lambda-event"), so they survive a restart; SNS, EventBridge and others
enqueue "lambda" with the event document as payload.  A function error or a throttle is a retryable
DeliveryError: the outbox retries per the producer's policy.
"""

from __future__ import annotations

import base64
import binascii
import json
from typing import Any

from ...aws.auth import DEFAULT_ACCOUNT, DEFAULT_REGION
from ...aws.context import RequestContext
from ...delivery import DeliveryError, Target
from ...ids import unique_id
from ...runtime import Runtime
from ...store.base import Tx
from . import SERVICE
from .backend import Invocation
from .environment import Outcome
from .errors import InvalidRequestContentException, RequestTooLargeException, ServiceError, invalid
from .functions import Function, function_arn, parse_function_name
from .limits import LOG_TAIL_BYTES, MAX_ASYNC_PAYLOAD, MAX_SYNC_PAYLOAD
from .ops_async import async_dead_letter, async_policy
from .ops_functions import backend, load_function, wait_active

EVENT_KIND = "lambda-event"


def _check_json(payload: bytes) -> None:
    if not payload:
        return
    try:
        json.loads(payload)
    except (ValueError, UnicodeDecodeError) as exc:
        raise InvalidRequestContentException(f"Could not parse request body into json: Could not parse payload into json: {exc}", fields={"Type": "User"}) from None


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
            raise RequestTooLargeException(f"Request must be smaller than {MAX_ASYNC_PAYLOAD} bytes for the InvokeAsync operation", fields={"Type": "User"})
        _check_json(payload)
        doc = {"body": base64.b64encode(payload).decode(), "request_id": ctx.request_id, "client_context": _client_context(req.get("ClientContext"))}

        policy, dead_letter = async_policy(fn), async_dead_letter(fn, payload.decode("utf-8", "replace"), ctx.request_id)

        def enqueue(tx: Tx) -> None:
            ctx.runtime.delivery.enqueue(tx, EVENT_KIND, invoked, doc, policy=policy, dead_letter=dead_letter, source=invoked)

        await ctx.runtime.store.write(enqueue)
        return {"StatusCode": 202}
    if kind != "RequestResponse":
        raise invalid(f"Unsupported InvocationType {kind}: use RequestResponse, Event or DryRun.")
    out = await _invoke_sync(ctx.runtime, fn, invoked, payload, ctx.request_id, _client_context(req.get("ClientContext")))
    log = out.pop("Log")
    if req.get("LogType") == "Tail":
        out["LogResult"] = _tail(log)
    return out


async def _invoke_sync(runtime: Runtime, fn: Function, invoked: str, payload: bytes, request_id: str, client_context: str | None) -> dict[str, Any]:
    if len(payload) > MAX_SYNC_PAYLOAD:
        raise RequestTooLargeException(f"Request must be smaller than {MAX_SYNC_PAYLOAD} bytes for the InvokeFunction operation", fields={"Type": "User"})
    _check_json(payload)
    outcome = await run(runtime, fn, Invocation(payload, request_id, invoked, client_context))
    out: dict[str, Any] = {"StatusCode": 200, "Payload": outcome.body, "ExecutedVersion": fn.version, "Log": outcome.log}
    if outcome.kind != "ok":
        out["FunctionError"] = "Unhandled"
    return out


async def invoke_port(runtime: Runtime, account: str, region: str, function: str, payload: bytes, *, qualifier: str | None = None, request_id: str | None = None, client_context: str | None = None) -> dict[str, Any]:
    """The "lambda.invoke" port: a RequestResponse invocation for another service (API Gateway, function URLs, event
    source mappings). ``function`` is a name, partial or full ARN. Returns Invoke's output (StatusCode, Payload,
    ExecutedVersion, FunctionError when the function failed) plus Log, the invocation's log text; raises the same
    ServiceErrors Invoke answers with (ResourceNotFoundException, TooManyRequestsException, …)."""
    ref = parse_function_name(function, qualifier)
    account, region = ref.account or account, ref.region or region
    fn = await load_function(runtime, account, region, ref.name, ref.qualifier, route=True)
    invoked = function_arn(region, account, ref.name, ref.qualifier)
    return await _invoke_sync(runtime, fn, invoked, payload, request_id or unique_id(), client_context)


async def _deliver(runtime: Runtime, address: str, inv: Invocation) -> None:
    try:
        ref = parse_function_name(address)
        fn = await load_function(runtime, ref.account or DEFAULT_ACCOUNT, ref.region or DEFAULT_REGION, ref.name, ref.qualifier, route=True)
        outcome = await run(runtime, fn, inv)
    except ServiceError as error:
        retryable = error.status == 429 or error.status >= 500 or error.code == "ResourceConflictException"
        raise DeliveryError(error.message, code=error.code, retryable=retryable) from error
    if outcome.kind != "ok":
        try:
            message = json.loads(outcome.body).get("errorMessage", "")
        except (ValueError, AttributeError):
            message = outcome.body.decode("utf-8", "replace")
        raise DeliveryError(f"{outcome.error_type or 'Unhandled'}: {message}"[:1000], code="Unhandled")


async def deliver_event(runtime: Runtime, address: str, payload: dict[str, Any]) -> None:
    """An Event invocation from the outbox (our own Invoke)."""
    inv = Invocation(base64.b64decode(payload["body"]), payload.get("request_id") or unique_id(), address, payload.get("client_context"))
    await _deliver(runtime, address, inv)


async def deliver(runtime: Runtime, address: str, payload: dict[str, Any]) -> None:
    """Another service's event (SNS notification, EventBridge event, …) for the function at ``address``.

    A payload of just {"_raw": text} carries input that is not a JSON object (an EventBridge input transformer's
    string, say): the text itself is the invocation payload."""
    raw = payload.get("_raw") if len(payload) == 1 else None
    body = raw.encode() if isinstance(raw, str) else json.dumps(payload).encode()
    await _deliver(runtime, address, Invocation(body, unique_id(), address))


# a claimed delivery may run as long as the longest function timeout (plus an environment's start)
TARGETS: list[Target] = [Target("lambda", call=deliver, timeout=960.0), Target(EVENT_KIND, call=deliver_event, timeout=960.0)]
