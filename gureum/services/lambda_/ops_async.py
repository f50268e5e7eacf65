"""Asynchronous invocation settings: PutFunctionEventInvokeConfig and friends, the function's DeadLetterConfig,
and the retry policy and dead-letter target an Event invocation is enqueued with
(https://docs.aws.amazon.com/lambda/latest/dg/invocation-async-error-handling.html).
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from ...aws.context import RequestContext
from ...delivery import DeadLetter, RetryPolicy
from ...store.base import Tx
from . import SERVICE, store
from .errors import ResourceNotFoundException, function_not_found, invalid
from .functions import LATEST, Function, function_arn, parse_function_name

DEFAULT_RETRIES = 2  # AWS retries a failed Event invocation twice …
DEFAULT_MAX_AGE = 21_600  # … and keeps it for up to six hours


def async_policy(fn: Function) -> RetryPolicy:
    """One minute, then two minutes between attempts, as AWS waits."""
    config = fn.event_invoke or {}
    retries = config.get("MaximumRetryAttempts", DEFAULT_RETRIES)
    return RetryPolicy(attempts=1 + retries, min_delay=60.0, max_delay=120.0, max_age=float(config.get("MaximumEventAgeInSeconds", DEFAULT_MAX_AGE)))


def async_dead_letter(fn: Function, body: str, request_id: str) -> DeadLetter | None:
    """Where an Event invocation goes when retries are exhausted: the DeadLetterConfig queue or topic, with the
    RequestID, ErrorCode and ErrorMessage message attributes AWS adds."""
    if not fn.dead_letter_arn:
        return None
    kind = fn.dead_letter_arn.split(":")[2]
    attributes = {"RequestID": {"DataType": "String", "StringValue": request_id}}
    payload: dict[str, Any] = {"body" if kind == "sqs" else "message": body, "message_attributes": attributes}
    return DeadLetter(kind, fn.dead_letter_arn, payload, error_attributes={"ErrorCode": "code", "ErrorMessage": "message"})


def _out(fn: Function) -> dict[str, Any]:
    config = dict(fn.event_invoke or {})
    return {"FunctionArn": fn.qualified_arn, **{k: v for k, v in config.items() if k != "LastModified"}, "LastModified": config.get("LastModified", 0)}


def _check(req: dict[str, Any]) -> None:
    if req.get("DestinationConfig"):
        raise invalid("gureum does not send to OnSuccess/OnFailure destinations yet: use the function's DeadLetterConfig.")
    retries = req.get("MaximumRetryAttempts")
    if retries is not None and not 0 <= retries <= 2:
        raise invalid("MaximumRetryAttempts must be between 0 and 2.")
    age = req.get("MaximumEventAgeInSeconds")
    if age is not None and not 60 <= age <= 21_600:
        raise invalid("MaximumEventAgeInSeconds must be between 60 and 21600.")


async def _write(ctx: RequestContext, req: dict[str, Any], mode: str) -> dict[str, Any]:
    """mode: put (replace), update (merge; the config must exist) or delete."""
    ref = parse_function_name(req["FunctionName"], req.get("Qualifier"))
    account, region, version = ref.account or ctx.account, ref.region or ctx.region, ref.qualifier or LATEST
    if mode != "delete":
        _check(req)
    now = ctx.runtime.clock.now()

    def write(tx: Tx) -> Function:
        fn = store.get_function(tx, account, region, ref.name, version)
        if fn is None:
            raise function_not_found(function_arn(region, account, ref.name, ref.qualifier))
        if mode in ("update", "delete") and fn.event_invoke is None:
            raise ResourceNotFoundException(f"The function {fn.qualified_arn} doesn't have an EventInvokeConfig", fields={"Type": "User"})
        if mode == "delete":
            config = None
        else:
            base = dict(fn.event_invoke or {}) if mode == "update" else {}
            for member in ("MaximumRetryAttempts", "MaximumEventAgeInSeconds"):
                if req.get(member) is not None:
                    base[member] = req[member]
            config = {**base, "LastModified": now}
        updated = replace(fn, event_invoke=config)
        store.update_function(tx, updated)
        return updated

    return _out(await ctx.runtime.store.write(write))


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
    account, region, version = ref.account or ctx.account, ref.region or ctx.region, ref.qualifier or LATEST
    fn = await ctx.runtime.store.read(lambda tx: store.get_function(tx, account, region, ref.name, version))
    if fn is None:
        raise function_not_found(function_arn(region, account, ref.name, ref.qualifier))
    if fn.event_invoke is None:
        raise ResourceNotFoundException(f"The function {fn.qualified_arn} doesn't have an EventInvokeConfig", fields={"Type": "User"})
    return _out(fn)

