"""Stream operations: CreateStream, DescribeStream, ListStreams, UpdateStream, UpdateDataRetention, DeleteStream,
GetDataEndpoint, and the stream and resource tag operations."""

from __future__ import annotations

from typing import Any

from ...aws.context import RequestContext
from . import SERVICE
from .backend import backend
from .media import media


@SERVICE.op("CreateStream")
async def create_stream(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    arn = await backend(ctx).create_stream(
        ctx.account,
        ctx.region,
        req["StreamName"],
        device_name=req.get("DeviceName"),
        media_type=req.get("MediaType"),
        kms_key_id=req.get("KmsKeyId"),
        retention_hours=req.get("DataRetentionInHours"),
        tags=dict(req.get("Tags") or {}),
        storage=req.get("StreamStorageConfiguration"),
    )
    return {"StreamARN": arn}


@SERVICE.op("DescribeStream")
async def describe_stream(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    info = await backend(ctx).describe_stream(ctx.account, ctx.region, req.get("StreamName"), req.get("StreamARN"))
    return {"StreamInfo": info}


@SERVICE.op("ListStreams")
async def list_streams(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    condition = req.get("StreamNameCondition") or {}
    return await backend(ctx).list_streams(
        ctx.account, ctx.region, req.get("MaxResults"), req.get("NextToken"), condition.get("ComparisonValue")
    )


@SERVICE.op("UpdateStream")
async def update_stream(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    await backend(ctx).update_stream(
        ctx.account,
        ctx.region,
        req.get("StreamName"),
        req.get("StreamARN"),
        req["CurrentVersion"],
        req.get("DeviceName"),
        req.get("MediaType"),
    )
    return {}


@SERVICE.op("UpdateDataRetention")
async def update_data_retention(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    await backend(ctx).update_data_retention(
        ctx.account,
        ctx.region,
        req.get("StreamName"),
        req.get("StreamARN"),
        req["CurrentVersion"],
        req["Operation"],
        req["DataRetentionChangeInHours"],
    )
    return {}


@SERVICE.op("DeleteStream")
async def delete_stream(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    await media(ctx).delete_stream(ctx.account, ctx.region, req["StreamARN"], req.get("CurrentVersion"))
    return {}


@SERVICE.op("GetDataEndpoint")
async def get_data_endpoint(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    endpoint = await backend(ctx).data_endpoint(
        ctx.account, ctx.region, req.get("StreamName"), req.get("StreamARN"), req["APIName"], ctx.request.base_url
    )
    return {"DataEndpoint": endpoint}


@SERVICE.op("TagStream")
async def tag_stream(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    await backend(ctx).tag_stream(ctx.account, ctx.region, req.get("StreamName"), req.get("StreamARN"), req["Tags"])
    return {}


@SERVICE.op("UntagStream")
async def untag_stream(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    await backend(ctx).untag_stream(
        ctx.account, ctx.region, req.get("StreamName"), req.get("StreamARN"), list(req["TagKeyList"])
    )
    return {}


@SERVICE.op("ListTagsForStream")
async def list_tags_for_stream(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    tags = await backend(ctx).stream_tags(ctx.account, ctx.region, req.get("StreamName"), req.get("StreamARN"))
    return {"Tags": tags}


@SERVICE.op("TagResource")
async def tag_resource(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    tags = {tag["Key"]: tag.get("Value", "") for tag in req["Tags"]}
    await backend(ctx).tag_resource(ctx.account, ctx.region, req["ResourceARN"], tags)
    return {}


@SERVICE.op("UntagResource")
async def untag_resource(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    await backend(ctx).untag_resource(ctx.account, ctx.region, req["ResourceARN"], list(req["TagKeyList"]))
    return {}


@SERVICE.op("ListTagsForResource")
async def list_tags_for_resource(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return {"Tags": await backend(ctx).resource_tags(ctx.account, ctx.region, req["ResourceARN"])}
