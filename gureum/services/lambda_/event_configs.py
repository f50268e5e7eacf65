"""Event invoke configs (retries, event age, destinations of asynchronous invocations) as transaction bodies: a
version's config lives in the version's row, an alias's in its own table. No HTTP."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from ...store.base import Tx
from . import store
from .aliases import is_alias
from .async_invoke import DESTINATION
from .errors import ResourceNotFoundException, function_not_found, invalid
from .functions import LATEST, Function, function_arn


def doc(arn: str, event_invoke: dict[str, Any] | None) -> dict[str, Any]:
    """A FunctionEventInvokeConfig."""
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
    match = DESTINATION.match(target)
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


def check_limits(retries: int | None, age: int | None) -> None:
    if retries is not None and not 0 <= retries <= 2:
        raise invalid("MaximumRetryAttempts must be between 0 and 2.")
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
        config = store.get_alias_event_invoke(tx, account, region, name, str(qualifier))
        return fn, function_arn(region, account, name, qualifier), config
    fn = store.get_function(tx, account, region, name, qualifier or LATEST)
    if fn is None:
        raise function_not_found(function_arn(region, account, name, qualifier))
    return fn, fn.qualified_arn, fn.event_invoke


def _no_config(arn: str) -> Exception:
    return ResourceNotFoundException(f"The function {arn} doesn't have an EventInvokeConfig", fields={"Type": "User"})


def write(
    tx: Tx,
    account: str,
    region: str,
    name: str,
    qualifier: str | None,
    mode: str,
    values: dict[str, Any],
    now: float,
) -> dict[str, Any]:
    """mode: put (replace with ``values``), update (merge them; the config must exist) or delete. ``values``:
    MaximumRetryAttempts, MaximumEventAgeInSeconds, DestinationConfig (None: not given)."""
    store.lock_function(tx, account, region, name)
    fn, arn, current = _holder(tx, account, region, name, qualifier)
    if mode in ("update", "delete") and current is None:
        raise _no_config(arn)
    config: dict[str, Any] | None = None
    if mode != "delete":
        base = dict(current or {}) if mode == "update" else {}
        for member in ("MaximumRetryAttempts", "MaximumEventAgeInSeconds"):
            if values.get(member) is not None:
                base[member] = values[member]
        if values.get("DestinationConfig") is not None:
            merged = dict(base.get("DestinationConfig") or {})
            for condition in ("OnSuccess", "OnFailure"):
                if condition in values["DestinationConfig"]:
                    given = values["DestinationConfig"][condition] or {}
                    _check_destination(fn, condition, given.get("Destination"))
                    merged[condition] = {"Destination": given["Destination"]} if given.get("Destination") else {}
            base["DestinationConfig"] = {k: v for k, v in merged.items() if v}
        config = {**base, "LastModified": now}
    if is_alias(qualifier):
        store.put_alias_event_invoke(tx, account, region, name, str(qualifier), config)
    else:
        store.update_function(tx, replace(fn, event_invoke=config))
    return doc(arn, config)


def get(tx: Tx, account: str, region: str, name: str, qualifier: str | None) -> dict[str, Any]:
    _fn, arn, config = _holder(tx, account, region, name, qualifier)
    if config is None:
        raise _no_config(arn)
    return doc(arn, config)


def listing(tx: Tx, account: str, region: str, name: str, marker: str | None, limit: int) -> dict[str, Any]:
    """ListFunctionEventInvokeConfigs' page: the versions' configs, then the aliases' (the marker is an offset)."""
    versions = store.list_versions(tx, account, region, name)
    aliases = store.alias_event_invokes(tx, account, region, name)
    if not versions:
        raise function_not_found(function_arn(region, account, name))
    configs = [doc(fn.qualified_arn, fn.event_invoke) for fn in versions if fn.event_invoke is not None]
    configs += [doc(function_arn(region, account, name, alias), config) for alias, config in aliases]
    start = int(marker) if marker and marker.isdigit() else 0
    out: dict[str, Any] = {"FunctionEventInvokeConfigs": configs[start : start + limit]}
    if start + limit < len(configs):
        out["NextMarker"] = str(start + limit)
    return out
