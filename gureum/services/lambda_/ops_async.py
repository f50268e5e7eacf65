"""Asynchronous invocation settings: PutFunctionEventInvokeConfig and friends, the function's DeadLetterConfig,
the retry policy and failure handling an Event invocation is enqueued with, and the OnSuccess / OnFailure
destinations that receive AWS's invocation record
(https://docs.aws.amazon.com/lambda/latest/dg/invocation-async-error-handling.html,
https://docs.aws.amazon.com/lambda/latest/dg/invocation-async-retain-records.html).

A failed Event invocation whose retries are exhausted (or whose age passed MaximumEventAgeInSeconds) goes to the
"lambda-async-failure" kind offered here, which sends the dead-letter message and the OnFailure record.
"""

from __future__ import annotations

import base64
import datetime as dt
import json
import re
import uuid
from dataclasses import replace
from typing import Any

from ...aws.context import RequestContext
from ...delivery import DeadLetter, DeliveryError, RetryPolicy, Target
from ...runtime import Runtime
from ...store.base import Tx
from . import SERVICE, store
from .errors import ResourceNotFoundException, function_not_found, invalid
from .functions import LATEST, Function, function_arn, parse_function_name
from .ops_aliases import is_alias

DEFAULT_RETRIES = 2  # AWS retries a failed Event invocation twice …
DEFAULT_MAX_AGE = 21_600  # … and keeps it for up to six hours
FAILURE_KIND = "lambda-async-failure"
_DESTINATION = re.compile(r"^arn:aws[a-zA-Z-]*:(sqs|sns|lambda|events):[a-z0-9-]+:\d{12}:(.+)$")
# the DLQ message's ErrorCode is the HTTP status of the failed invocation (200 for a function error)
FAILED_ATTEMPTS: dict[
    str, int
] = {}  # request id → failed attempts on this node, for a success's approximateInvokeCount
_STATUS = {
    "Unhandled": 200,
    "TooManyRequestsException": 429,
    "ResourceNotFoundException": 404,
    "ResourceConflictException": 409,
}


def async_policy(fn: Function) -> RetryPolicy:
    """One minute, then two minutes between attempts, as AWS waits."""
    config = fn.event_invoke or {}
    retries = config.get("MaximumRetryAttempts", DEFAULT_RETRIES)
    return RetryPolicy(
        attempts=1 + retries,
        min_delay=60.0,
        max_delay=120.0,
        max_age=float(config.get("MaximumEventAgeInSeconds", DEFAULT_MAX_AGE)),
    )


def destination(fn: Function, condition: str) -> str | None:
    """The OnSuccess or OnFailure destination ARN of the function version's event invoke config."""
    config = ((fn.event_invoke or {}).get("DestinationConfig") or {}).get(condition) or {}
    return config.get("Destination") or None


def async_dead_letter(fn: Function, body: bytes, request_id: str) -> DeadLetter | None:
    """Where an Event invocation goes when retries are exhausted: FAILURE_KIND, carrying what the dead-letter
    message and the OnFailure record need (None when the function has neither)."""
    on_failure = destination(fn, "OnFailure")
    if not fn.dead_letter_arn and not on_failure:
        return None
    payload = {
        "request_id": request_id,
        "body": base64.b64encode(body).decode(),
        "function_arn": fn.qualified_arn,
        "version": fn.version,
        "dead_letter": fn.dead_letter_arn,
        "on_failure": on_failure,
        "max_attempts": async_policy(fn).attempts,
    }
    return DeadLetter(
        FAILURE_KIND,
        fn.qualified_arn,
        payload,
        error_attributes={"code": "code", "message": "message", "attempts": "attempts"},
    )


def _timestamp(seconds: float) -> str:
    return dt.datetime.fromtimestamp(seconds, dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


def _json_or_text(raw: bytes) -> Any:
    try:
        return json.loads(raw) if raw.strip() else None
    except (ValueError, UnicodeDecodeError):
        return raw.decode("utf-8", "replace")


def invocation_record(runtime: Runtime, *, request_id: str, function_arn: str, condition: str, attempts: int, request: bytes,
                      status: int, version: str, function_error: str | None, response: bytes | None) -> dict[str, Any]:  # fmt: skip
    """AWS's invocation record, as destinations receive it."""
    context: dict[str, Any] = {"statusCode": status, "executedVersion": version}
    if function_error:
        context["functionError"] = function_error
    record: dict[str, Any] = {
        "version": "1.0",
        "timestamp": _timestamp(runtime.clock.now()),
        "requestContext": {
            "requestId": request_id,
            "functionArn": function_arn,
            "condition": condition,
            "approximateInvokeCount": attempts,
        },
        "requestPayload": _json_or_text(request),
        "responseContext": context,
    }
    if response is not None:
        record["responsePayload"] = _json_or_text(response)
    return record


def send_record(runtime: Runtime, tx: Tx, target: str, record: dict[str, Any]) -> None:
    """Enqueue an invocation record for a destination: an SQS queue, SNS topic, function or EventBridge bus."""
    match = _DESTINATION.match(target)
    if match is None:
        return
    service, text = match.group(1), json.dumps(record)
    function = record["requestContext"]["functionArn"]
    if service == "sqs":
        runtime.delivery.enqueue(tx, "sqs", target, {"body": text}, source=function)
    elif service == "sns":
        runtime.delivery.enqueue(tx, "sns", target, {"message": text}, source=function)
    elif service == "lambda":
        runtime.delivery.enqueue(tx, "lambda", target, record, source=function)
    else:
        parts = target.split(":")
        success = record["requestContext"]["condition"] == "Success"
        event = {
            "version": "0",
            "id": str(uuid.uuid4()),
            "detail-type": f"Lambda Function Invocation Result - {'Success' if success else 'Failure'}",
            "source": "lambda",
            "account": parts[4],
            "time": record["timestamp"][:19] + "Z",
            "region": parts[3],
            "resources": [target, function],
            "detail": record,
        }
        runtime.delivery.enqueue(tx, "events", target, {"event": event, "hops": 1}, source=function)


def _failed(runtime: Runtime, tx: Tx, address: str, payload: dict[str, Any]) -> None:
    """FAILURE_KIND: an Event invocation failed for good. The DeadLetterConfig target gets the request payload
    with RequestID, ErrorCode and ErrorMessage attributes; OnFailure gets the invocation record."""
    given = {name: value.get("StringValue", "") for name, value in (payload.get("message_attributes") or {}).items()}
    code, message, attempts = given.get("code", ""), given.get("message", ""), int(given.get("attempts") or 1)
    FAILED_ATTEMPTS.pop(payload["request_id"], None)
    request = base64.b64decode(payload["body"])
    response = (
        message.encode() if code == "Unhandled" else None
    )  # a function error carries the function's error document
    parsed = _json_or_text(response) if response is not None else None
    error_message = parsed.get("errorMessage", message) if isinstance(parsed, dict) else message
    status = _STATUS.get(code, 500)
    dead = payload.get("dead_letter")
    if dead:
        attributes = {
            "RequestID": {"DataType": "String", "StringValue": payload["request_id"]},
            "ErrorCode": {"DataType": "String", "StringValue": str(status)},
            "ErrorMessage": {"DataType": "String", "StringValue": str(error_message)[:1024] or code},
        }
        text = request.decode("utf-8", "replace")
        kind = dead.split(":")[2]
        runtime.delivery.enqueue(
            tx,
            kind,
            dead,
            {"body" if kind == "sqs" else "message": text, "message_attributes": attributes},
            source=address,
        )
    on_failure = payload.get("on_failure")
    if on_failure:
        condition = (
            "RetriesExhausted"
            if attempts >= int(payload.get("max_attempts") or 1) or status in (404, 409)
            else "EventAgeExceeded"
        )
        record = invocation_record(runtime, request_id=payload["request_id"], function_arn=payload["function_arn"], condition=condition, attempts=attempts,
                                   request=request, status=status, version=payload.get("version") or LATEST,
                                   function_error="Unhandled" if code == "Unhandled" else None, response=response)  # fmt: skip
        send_record(runtime, tx, on_failure, record)


def _on_failure_error(runtime: Runtime, tx: Tx, address: str, payload: dict[str, Any]) -> None:
    try:
        _failed(runtime, tx, address, payload)
    except (KeyError, ValueError, TypeError) as error:
        raise DeliveryError(f"malformed failure record: {error}", code="InvalidPayload", retryable=False) from error


TARGETS = [Target(FAILURE_KIND, in_tx=_on_failure_error)]


def _out(arn: str, event_invoke: dict[str, Any] | None) -> dict[str, Any]:
    config = dict(event_invoke or {})
    out = {
        "FunctionArn": arn,
        **{k: v for k, v in config.items() if k != "LastModified"},
        "LastModified": config.get("LastModified", 0),
    }
    out["DestinationConfig"] = {"OnSuccess": {}, "OnFailure": {}, **(config.get("DestinationConfig") or {})}
    return out


def _check_destination(fn: Function, condition: str, target: str | None) -> None:
    if not target:
        return
    match = _DESTINATION.match(target)
    problem = None
    if match is None:
        problem = "it is not the ARN of an SQS queue, SNS topic, Lambda function or EventBridge event bus"
    elif match.group(1) == "sqs" and target.endswith(".fifo"):
        problem = "FIFO queues are not supported as destinations"
    elif match.group(1) == "events" and not match.group(2).startswith("event-bus/"):
        problem = "an EventBridge destination must be an event bus"
    elif match.group(1) == "lambda" and target.split(":")[6:7] == [fn.name] and target.split(":")[4] == fn.account:
        problem = "a function cannot be its own destination"
    if problem:
        raise invalid(f"The destination ARN {target} is invalid for {condition}: {problem}.")


def _check(req: dict[str, Any]) -> None:
    retries = req.get("MaximumRetryAttempts")
    if retries is not None and not 0 <= retries <= 2:
        raise invalid("MaximumRetryAttempts must be between 0 and 2.")
    age = req.get("MaximumEventAgeInSeconds")
    if age is not None and not 60 <= age <= 21_600:
        raise invalid("MaximumEventAgeInSeconds must be between 60 and 21600.")


def _holder(
    tx: Tx, account: str, region: str, name: str, qualifier: str | None
) -> tuple[Function, str, dict[str, Any] | None]:
    """(the function version, the ARN the config belongs to, the config) for a function, version or alias; an
    alias's config is its own (a version's lives in the version's row)."""
    if is_alias(qualifier):
        alias = store.get_alias(tx, account, region, name, str(qualifier))
        fn = None if alias is None else store.get_function(tx, account, region, name, str(alias["FunctionVersion"]))
        if fn is None:
            raise function_not_found(function_arn(region, account, name, qualifier))
        return (
            fn,
            function_arn(region, account, name, qualifier),
            store.get_alias_event_invoke(tx, account, region, name, str(qualifier)),
        )
    fn = store.get_function(tx, account, region, name, qualifier or LATEST)
    if fn is None:
        raise function_not_found(function_arn(region, account, name, qualifier))
    return fn, fn.qualified_arn, fn.event_invoke


def _no_config(arn: str) -> Exception:
    return ResourceNotFoundException(f"The function {arn} doesn't have an EventInvokeConfig", fields={"Type": "User"})


async def _write(ctx: RequestContext, req: dict[str, Any], mode: str) -> dict[str, Any]:
    """mode: put (replace), update (merge; the config must exist) or delete."""
    ref = parse_function_name(req["FunctionName"], req.get("Qualifier"))
    account, region = ref.account or ctx.account, ref.region or ctx.region
    if mode != "delete":
        _check(req)
    now = ctx.runtime.clock.now()

    def write(tx: Tx) -> tuple[str, dict[str, Any] | None]:
        fn, arn, current = _holder(tx, account, region, ref.name, ref.qualifier)
        if mode in ("update", "delete") and current is None:
            raise _no_config(arn)
        if mode == "delete":
            config = None
        else:
            base = dict(current or {}) if mode == "update" else {}
            for member in ("MaximumRetryAttempts", "MaximumEventAgeInSeconds"):
                if req.get(member) is not None:
                    base[member] = req[member]
            if req.get("DestinationConfig") is not None:
                merged = dict(base.get("DestinationConfig") or {})
                for condition in ("OnSuccess", "OnFailure"):
                    if condition in req["DestinationConfig"]:
                        given = req["DestinationConfig"][condition] or {}
                        _check_destination(fn, condition, given.get("Destination"))
                        merged[condition] = {"Destination": given["Destination"]} if given.get("Destination") else {}
                base["DestinationConfig"] = {k: v for k, v in merged.items() if v}
            config = {**base, "LastModified": now}
        if is_alias(ref.qualifier):
            store.put_alias_event_invoke(tx, account, region, ref.name, str(ref.qualifier), config)
        else:
            store.update_function(tx, replace(fn, event_invoke=config))
        return arn, config

    return _out(*await ctx.runtime.store.write(write))


@SERVICE.op("PutFunctionEventInvokeConfig")
async def put_function_event_invoke_config(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return await _write(ctx, req, "put")


@SERVICE.op("UpdateFunctionEventInvokeConfig")
async def update_function_event_invoke_config(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return await _write(ctx, req, "update")


@SERVICE.op("DeleteFunctionEventInvokeConfig")
async def delete_function_event_invoke_config(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    await _write(ctx, req, "delete")
    return {}


@SERVICE.op("GetFunctionEventInvokeConfig")
async def get_function_event_invoke_config(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    ref = parse_function_name(req["FunctionName"], req.get("Qualifier"))
    account, region = ref.account or ctx.account, ref.region or ctx.region
    _fn, arn, config = await ctx.runtime.store.read(lambda tx: _holder(tx, account, region, ref.name, ref.qualifier))
    if config is None:
        raise _no_config(arn)
    return _out(arn, config)


@SERVICE.op("ListFunctionEventInvokeConfigs")
async def list_function_event_invoke_configs(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    ref = parse_function_name(req["FunctionName"])
    account, region = ref.account or ctx.account, ref.region or ctx.region
    limit = req.get("MaxItems") or 50
    versions, aliases = await ctx.runtime.store.read(
        lambda tx: (
            store.list_versions(tx, account, region, ref.name),
            store.alias_event_invokes(tx, account, region, ref.name),
        )
    )
    if not versions:
        raise function_not_found(function_arn(region, account, ref.name))
    configs = [_out(fn.qualified_arn, fn.event_invoke) for fn in versions if fn.event_invoke is not None]
    configs += [_out(function_arn(region, account, ref.name, alias), config) for alias, config in aliases]
    start = int(req["Marker"]) if str(req.get("Marker") or "").isdigit() else 0
    out: dict[str, Any] = {"FunctionEventInvokeConfigs": configs[start : start + limit]}
    if start + limit < len(configs):
        out["NextMarker"] = str(start + limit)
    return out
