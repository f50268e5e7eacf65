"""X-Ray's group operations and the tags of groups and sampling rules."""

from __future__ import annotations

from typing import Any

from ...aws.context import RequestContext
from . import SERVICE
from .backend import XRayBackend


def _backend(ctx: RequestContext) -> XRayBackend:
    return ctx.runtime.state(XRayBackend)


@SERVICE.op("CreateGroup")
async def create_group(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    group = await _backend(ctx).create_group(
        ctx.account, ctx.region, req["GroupName"], req.get("FilterExpression"), req.get("InsightsConfiguration"),
        req.get("Tags"),
    )  # fmt: skip
    return {"Group": group}


@SERVICE.op("GetGroup")
async def get_group(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return {"Group": await _backend(ctx).get_group(ctx.account, ctx.region, req.get("GroupName"), req.get("GroupARN"))}


@SERVICE.op("GetGroups")
async def get_groups(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return {"Groups": await _backend(ctx).get_groups(ctx.account, ctx.region)}


@SERVICE.op("UpdateGroup")
async def update_group(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    group = await _backend(ctx).update_group(
        ctx.account, ctx.region, req.get("GroupName"), req.get("GroupARN"), req.get("FilterExpression"),
        req.get("InsightsConfiguration"),
    )  # fmt: skip
    return {"Group": group}


@SERVICE.op("DeleteGroup")
async def delete_group(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    await _backend(ctx).delete_group(ctx.account, ctx.region, req.get("GroupName"), req.get("GroupARN"))
    return {}


@SERVICE.op("TagResource")
async def tag_resource(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    await _backend(ctx).retag(ctx.account, ctx.region, req["ResourceARN"], req["Tags"], [])
    return {}


@SERVICE.op("UntagResource")
async def untag_resource(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    await _backend(ctx).retag(ctx.account, ctx.region, req["ResourceARN"], [], req["TagKeys"])
    return {}


@SERVICE.op("ListTagsForResource")
async def list_tags_for_resource(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return {"Tags": await _backend(ctx).list_tags(ctx.account, ctx.region, req["ResourceARN"])}
