"""Schedule group operations (the default group exists implicitly) and tags, which Scheduler keeps on groups only.
Thin: each calls one SchedulerBackend method and shapes its answer."""

from __future__ import annotations

from typing import Any

from ...aws.context import RequestContext
from . import SERVICE
from .backend import backend
from .model import group_summary


@SERVICE.op("CreateScheduleGroup")
async def create_schedule_group(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    group = await backend(ctx).create_schedule_group(ctx.account, ctx.region, req["Name"], req.get("Tags"))
    return {"ScheduleGroupArn": group.arn}


@SERVICE.op("GetScheduleGroup")
async def get_schedule_group(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return group_summary(await backend(ctx).get_schedule_group(ctx.account, ctx.region, req["Name"]))


@SERVICE.op("DeleteScheduleGroup")
async def delete_schedule_group(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    await backend(ctx).delete_schedule_group(ctx.account, ctx.region, req["Name"])
    return {}


@SERVICE.op("ListScheduleGroups")
async def list_schedule_groups(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    groups, token = await backend(ctx).list_schedule_groups(
        ctx.account, ctx.region, req.get("NamePrefix"), req.get("NextToken"), req.get("MaxResults")
    )
    return {"ScheduleGroups": [group_summary(g) for g in groups], "NextToken": token}


@SERVICE.op("ListTagsForResource")
async def list_tags_for_resource(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    tags = await backend(ctx).list_tags_for_resource(req["ResourceArn"])
    return {"Tags": [{"Key": k, "Value": v} for k, v in tags.items()]}


@SERVICE.op("TagResource")
async def tag_resource(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    await backend(ctx).tag_resource(req["ResourceArn"], req["Tags"])
    return {}


@SERVICE.op("UntagResource")
async def untag_resource(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    await backend(ctx).untag_resource(req["ResourceArn"], req["TagKeys"])
    return {}
