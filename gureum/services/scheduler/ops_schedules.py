"""Schedule operations: CreateSchedule, GetSchedule, UpdateSchedule, DeleteSchedule, ListSchedules.
Thin: each calls one SchedulerBackend method and shapes its answer."""

from __future__ import annotations

from typing import Any

from ...aws.context import RequestContext
from . import SERVICE
from .backend import backend
from .model import schedule_detail, schedule_summary


@SERVICE.op("CreateSchedule")
async def create_schedule(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return {"ScheduleArn": await backend(ctx).create_schedule(ctx.account, ctx.region, req)}


@SERVICE.op("GetSchedule")
async def get_schedule(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    schedule = await backend(ctx).get_schedule(ctx.account, ctx.region, req["Name"], req.get("GroupName"))
    return schedule_detail(schedule)


@SERVICE.op("UpdateSchedule")
async def update_schedule(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return {"ScheduleArn": await backend(ctx).update_schedule(ctx.account, ctx.region, req)}


@SERVICE.op("DeleteSchedule")
async def delete_schedule(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    await backend(ctx).delete_schedule(ctx.account, ctx.region, req["Name"], req.get("GroupName"))
    return {}


@SERVICE.op("ListSchedules")
async def list_schedules(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    schedules, token = await backend(ctx).list_schedules(
        ctx.account,
        ctx.region,
        req.get("GroupName"),
        req.get("NamePrefix"),
        req.get("State"),
        req.get("NextToken"),
        req.get("MaxResults"),
    )
    return {"Schedules": [schedule_summary(s) for s in schedules], "NextToken": token}
