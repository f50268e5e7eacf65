"""Signaling channel operations: CreateSignalingChannel, DescribeSignalingChannel, ListSignalingChannels,
UpdateSignalingChannel, DeleteSignalingChannel, GetSignalingChannelEndpoint, and the channel's media storage
configuration."""

from __future__ import annotations

from typing import Any

from ...aws.context import RequestContext
from . import SERVICE
from .backend import backend


@SERVICE.op("CreateSignalingChannel")
async def create_signaling_channel(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    config = req.get("SingleMasterConfiguration") or {}
    tags = {tag["Key"]: tag.get("Value", "") for tag in req.get("Tags") or []}
    arn = await backend(ctx).create_channel(
        ctx.account, ctx.region, req["ChannelName"], req.get("ChannelType"), config.get("MessageTtlSeconds"), tags
    )
    return {"ChannelARN": arn}


@SERVICE.op("DescribeSignalingChannel")
async def describe_signaling_channel(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    channel = await backend(ctx).describe_channel(
        ctx.account, ctx.region, req.get("ChannelName"), req.get("ChannelARN")
    )
    return {"ChannelInfo": channel.info()}


@SERVICE.op("ListSignalingChannels")
async def list_signaling_channels(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    condition = req.get("ChannelNameCondition") or {}
    return await backend(ctx).list_channels(
        ctx.account, ctx.region, req.get("MaxResults"), req.get("NextToken"), condition.get("ComparisonValue")
    )


@SERVICE.op("UpdateSignalingChannel")
async def update_signaling_channel(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    config = req.get("SingleMasterConfiguration") or {}
    await backend(ctx).update_channel(
        ctx.account, ctx.region, req["ChannelARN"], req["CurrentVersion"], config.get("MessageTtlSeconds")
    )
    return {}


@SERVICE.op("DeleteSignalingChannel")
async def delete_signaling_channel(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    await backend(ctx).delete_channel(ctx.account, ctx.region, req["ChannelARN"], req.get("CurrentVersion"))
    return {}


@SERVICE.op("GetSignalingChannelEndpoint")
async def get_signaling_channel_endpoint(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    config = req.get("SingleMasterChannelEndpointConfiguration") or {}
    endpoints = await backend(ctx).channel_endpoints(
        ctx.account, ctx.region, req["ChannelARN"], config.get("Protocols"), config.get("Role"), ctx.request.base_url
    )
    return {"ResourceEndpointList": endpoints}


@SERVICE.op("UpdateMediaStorageConfiguration")
async def update_media_storage_configuration(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    await backend(ctx).put_media_storage(ctx.account, ctx.region, req["ChannelARN"], req["MediaStorageConfiguration"])
    return {}


@SERVICE.op("DescribeMediaStorageConfiguration")
async def describe_media_storage_configuration(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    config = await backend(ctx).media_storage(ctx.account, ctx.region, req.get("ChannelName"), req.get("ChannelARN"))
    return {"MediaStorageConfiguration": config}
