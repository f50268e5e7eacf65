"""The "ecs" delivery target other services deliver to (EventBridge rule targets, Scheduler targets): RunTask.

Address: the cluster ARN. Payload: RunTask's arguments in ECS's casing ({"cluster", "task_definition", "count",
"launch_type", "capacity_provider_strategy", "network_configuration", "platform_version", "group", "tags",
"propagate_tags", "reference_id", "enable_execute_command", "overrides", "origin": {"service", "arn"}, "role_arn"}).
The role must exist and trust the origin's service (else AccessDeniedException, for good). Tasks are started by
"events-rule/<rule name>" or "scheduler/<group>/<schedule>". A call ECS refuses (no such cluster or task definition,
bad parameters) fails for good; no engine or another node leading it is tried again.
"""

from __future__ import annotations

from typing import Any

from ...delivery import DeliveryError, Target
from ...runtime import Runtime
from .backend import EcsBackend
from .errors import ClientException, ServiceError

_RETRYABLE = ("needs a container engine", "Another gureum node")


def _started_by(origin: dict[str, Any]) -> str | None:
    """Who started the task, as ECS reports it (startedBy is at most 36 characters)."""
    arn = str(origin.get("arn") or "")
    resource = arn.split(":", 5)[-1]
    if origin.get("service") == "events.amazonaws.com" and resource.startswith("rule/"):
        return ("events-rule/" + resource.rsplit("/", 1)[-1])[:36]
    if origin.get("service") == "scheduler.amazonaws.com" and resource.startswith("schedule/"):
        return ("scheduler/" + resource.removeprefix("schedule/"))[:36]
    return None


async def _run(runtime: Runtime, address: str, payload: dict[str, Any]) -> None:
    be = runtime.state(EcsBackend)
    parts = address.split(":", 5)
    if len(parts) != 6 or not parts[5].startswith("cluster/"):
        raise DeliveryError(f"{address} is not an ECS cluster ARN.", code="InvalidParameterException", retryable=False)
    region, account = parts[3], parts[4]
    origin = payload.get("origin") or {}
    try:
        if payload.get("role_arn"):
            await be.check_invoker(str(payload["role_arn"]), str(origin.get("service") or "events.amazonaws.com"))
        await be.run_task(
            account,
            region,
            address,
            str(payload.get("task_definition") or ""),
            payload.get("count"),
            payload.get("launch_type"),
            payload.get("capacity_provider_strategy"),
            payload.get("overrides"),
            _started_by(origin),
            payload.get("group"),
            payload.get("tags") or [],
            payload.get("network_configuration"),
            payload.get("platform_version"),
            payload.get("propagate_tags"),
            bool(payload.get("enable_execute_command")),
            bool(payload.get("enable_ecs_managed_tags")),
        )
    except ServiceError as error:
        retryable = isinstance(error, ClientException) and any(text in error.message for text in _RETRYABLE)
        raise DeliveryError(error.message, code=error.code, retryable=retryable) from None


TARGET = Target("ecs", call=_run, timeout=120.0)
