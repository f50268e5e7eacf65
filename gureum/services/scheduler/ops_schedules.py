"""Schedules: CreateSchedule, GetSchedule, UpdateSchedule, DeleteSchedule, ListSchedules."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from ...aws.context import RequestContext
from ...schedules import At, ScheduleExpressionError, parse, zone
from ...store.base import Tx
from . import SERVICE, firing, store
from .errors import ConflictException, ValidationException, no_schedule
from .ops_groups import PAGE, check_name, now_ms, require_group, seconds
from .store import DEFAULT_GROUP, Schedule

_START_GRACE_MS = 5 * 60_000  # "The StartDate you specify cannot be earlier than 5 minutes ago."


def _ms(value: datetime | None) -> int | None:
    return None if value is None else int(value.timestamp() * 1000)


def _check(req: dict[str, Any], now: int) -> None:
    """What CreateSchedule and UpdateSchedule refuse beyond the model's constraints."""
    check_name(req["Name"])
    check_name(req.get("GroupName"), "groupName")
    try:
        expression = parse(req["ScheduleExpression"], allow_at=True)
    except ScheduleExpressionError:
        raise ValidationException(f"Invalid Schedule Expression {req['ScheduleExpression']}.") from None
    try:
        zone(req.get("ScheduleExpressionTimezone"))
    except ScheduleExpressionError:
        raise ValidationException(f"Invalid time zone {req.get('ScheduleExpressionTimezone')}.") from None
    window = req["FlexibleTimeWindow"]
    if window["Mode"] == "FLEXIBLE" and not window.get("MaximumWindowInMinutes"):
        raise ValidationException(
            "MaximumWindowInMinutes must be provided when the FlexibleTimeWindow Mode is FLEXIBLE."
        )
    if window["Mode"] == "OFF" and window.get("MaximumWindowInMinutes"):
        raise ValidationException(
            "MaximumWindowInMinutes must not be provided when the FlexibleTimeWindow Mode is OFF."
        )
    start, end = _ms(req.get("StartDate")), _ms(req.get("EndDate"))
    if not isinstance(expression, At):
        if start is not None and start < now - _START_GRACE_MS:
            raise ValidationException("The StartDate you specify cannot be earlier than 5 minutes ago.")
        if end is not None and end <= now:
            raise ValidationException("The EndDate you specify cannot be earlier than the current time.")
        if start is not None and end is not None and end <= start:
            raise ValidationException("The EndDate you specify cannot be earlier than the StartDate.")
    target = req["Target"]
    if target["Arn"].startswith("arn:aws:scheduler:::aws-sdk:"):
        raise ValidationException(
            "Universal targets (arn:aws:scheduler:::aws-sdk:...) are not supported by gureum yet; use a templated target."
        )
    if firing.target_kind(target["Arn"]) == "events" and not target.get("EventBridgeParameters"):
        raise ValidationException("EventBridgeParameters must be provided for an event bus target.")
    if (
        target["Arn"].startswith("arn:aws:sqs:")
        and target["Arn"].endswith(".fifo")
        and not (target.get("SqsParameters") or {}).get("MessageGroupId")
    ):
        raise ValidationException("SqsParameters.MessageGroupId must be provided for a FIFO queue target.")
    dlq = (target.get("DeadLetterConfig") or {}).get("Arn")
    if dlq is not None and not dlq.startswith("arn:aws:sqs:"):
        raise ValidationException("DeadLetterConfig.Arn must be the ARN of an Amazon SQS queue.")


def _schedule(ctx: RequestContext, req: dict[str, Any], now: int, created_at: int) -> Schedule:
    target = dict(req["Target"])
    target["RetryPolicy"] = {**firing.RETRY_DEFAULT, **(target.get("RetryPolicy") or {})}
    return Schedule(
        0, ctx.account, ctx.region, req.get("GroupName") or DEFAULT_GROUP, req["Name"], req["ScheduleExpression"], req.get("ScheduleExpressionTimezone"),
        _ms(req.get("StartDate")), _ms(req.get("EndDate")), req.get("Description"), req.get("State") or "ENABLED", req.get("KmsKeyArn"), target,
        req["FlexibleTimeWindow"], req.get("ActionAfterCompletion") or "NONE", req.get("ClientToken"), created_at, now, None,
    )  # fmt: skip


@SERVICE.op("CreateSchedule")
async def create_schedule(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    now = now_ms(ctx)
    _check(req, now)
    schedule = _schedule(ctx, req, now, now)
    runtime = ctx.runtime

    def run(tx: Tx) -> str:
        require_group(tx, ctx, schedule.group_name)
        new_id = store.insert_schedule(tx, schedule)
        if new_id is None:
            existing = store.get_schedule(tx, ctx.account, ctx.region, schedule.group_name, schedule.name)
            if existing is not None and schedule.client_token and existing.client_token == schedule.client_token:
                return existing.arn  # a retried request (same ClientToken): the schedule it made
            raise ConflictException(f"Schedule {schedule.name} already exists.")
        schedule.id = new_id
        firing.arm(runtime, tx, schedule, now)
        store.save_schedule(tx, schedule)
        return schedule.arn

    return {"ScheduleArn": await runtime.store.write(run)}


def _require(tx: Tx, ctx: RequestContext, name: str, group: str | None) -> Schedule:
    require_group(tx, ctx, group)
    schedule = store.get_schedule(tx, ctx.account, ctx.region, group or DEFAULT_GROUP, name)
    if schedule is None:
        raise no_schedule(name)
    return schedule


@SERVICE.op("GetSchedule")
async def get_schedule(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    check_name(req["Name"])
    s = await ctx.runtime.store.read(lambda tx: _require(tx, ctx, req["Name"], req.get("GroupName")))
    return {
        "Arn": s.arn,
        "Name": s.name,
        "GroupName": s.group_name,
        "ScheduleExpression": s.expression,
        "ScheduleExpressionTimezone": s.timezone or "UTC",
        "StartDate": seconds(s.start_date),
        "EndDate": seconds(s.end_date),
        "Description": s.description,
        "State": s.state,
        "KmsKeyArn": s.kms_key,
        "Target": s.target,
        "FlexibleTimeWindow": s.flexible,
        "ActionAfterCompletion": s.after_completion,
        "CreationDate": seconds(s.created_at),
        "LastModificationDate": seconds(s.modified_at),
    }


@SERVICE.op("UpdateSchedule")
async def update_schedule(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    now = now_ms(ctx)
    _check(req, now)
    runtime = ctx.runtime

    def run(tx: Tx) -> str:
        current = _require(tx, ctx, req["Name"], req.get("GroupName"))
        updated = _schedule(ctx, req, now, current.created_at)  # UpdateSchedule replaces every setting
        updated.id = current.id
        firing.arm(runtime, tx, updated, now)  # a new chain; the old pending firing no longer matches
        store.save_schedule(tx, updated)
        return updated.arn

    return {"ScheduleArn": await runtime.store.write(run)}


@SERVICE.op("DeleteSchedule")
async def delete_schedule(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    check_name(req["Name"])
    await ctx.runtime.store.write(
        lambda tx: store.delete_schedule(tx, _require(tx, ctx, req["Name"], req.get("GroupName")).id)
    )
    return {}


@SERVICE.op("ListSchedules")
async def list_schedules(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    check_name(req.get("NamePrefix"), "namePrefix")
    group = req.get("GroupName")
    after = req.get("NextToken") or ""

    def run(tx: Tx) -> list[Schedule]:
        if group is not None:
            require_group(tx, ctx, group)
        return store.list_schedules(
            tx, ctx.account, ctx.region, group, req.get("NamePrefix") or "", req.get("State"), after
        )

    found = await ctx.runtime.store.read(run)
    limit = req.get("MaxResults") or PAGE
    token = f"{found[limit - 1].group_name}/{found[limit - 1].name}" if len(found) > limit else None
    rows = [
        {
            "Arn": s.arn,
            "Name": s.name,
            "GroupName": s.group_name,
            "State": s.state,
            "CreationDate": seconds(s.created_at),
            "LastModificationDate": seconds(s.modified_at),
            "Target": {"Arn": s.target["Arn"]},
        }  # fmt: skip
        for s in found[:limit]
    ]
    return {"Schedules": rows, "NextToken": token}
