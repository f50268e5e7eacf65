"""Kinesis tags (per stream, and per resource ARN for streams and consumers) and resource policies: each calls one
KinesisBackend method."""

from __future__ import annotations

from typing import Any

from ...aws.context import RequestContext
from . import SERVICE
from .backend import backend


@SERVICE.op("AddTagsToStream")
async def add_tags_to_stream(ctx: RequestContext, req: dict[str, Any]) -> None:
    await backend(ctx).add_tags(ctx.account, ctx.region, req.get("StreamName"), req.get("StreamARN"), req["Tags"])


@SERVICE.op("RemoveTagsFromStream")
async def remove_tags_from_stream(ctx: RequestContext, req: dict[str, Any]) -> None:
    await backend(ctx).remove_tags(ctx.account, ctx.region, req.get("StreamName"), req.get("StreamARN"), req["TagKeys"])


@SERVICE.op("ListTagsForStream")
async def list_tags_for_stream(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return await backend(ctx).list_tags_for_stream(
        ctx.account,
        ctx.region,
        req.get("StreamName"),
        req.get("StreamARN"),
        req.get("ExclusiveStartTagKey"),
        req.get("Limit"),
    )


@SERVICE.op("TagResource")
async def tag_resource(ctx: RequestContext, req: dict[str, Any]) -> None:
    await backend(ctx).tag_resource(req["ResourceARN"], req["Tags"])


@SERVICE.op("UntagResource")
async def untag_resource(ctx: RequestContext, req: dict[str, Any]) -> None:
    await backend(ctx).untag_resource(req["ResourceARN"], req["TagKeys"])


@SERVICE.op("ListTagsForResource")
async def list_tags_for_resource(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return {"Tags": await backend(ctx).list_tags_for_resource(req["ResourceARN"])}


@SERVICE.op("PutResourcePolicy")
async def put_resource_policy(ctx: RequestContext, req: dict[str, Any]) -> None:
    await backend(ctx).put_resource_policy(req["ResourceARN"], req["Policy"])


@SERVICE.op("GetResourcePolicy")
async def get_resource_policy(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return {"Policy": await backend(ctx).get_resource_policy(req["ResourceARN"])}


@SERVICE.op("DeleteResourcePolicy")
async def delete_resource_policy(ctx: RequestContext, req: dict[str, Any]) -> None:
    await backend(ctx).delete_resource_policy(req["ResourceARN"])
