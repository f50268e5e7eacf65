"""A stream's stored configurations: image generation, notifications, storage tier, edge (kept as AWS keeps them;
no edge agent runs here), mapped resources."""

from __future__ import annotations

from typing import Any

from ...aws.context import RequestContext
from . import SERVICE
from .backend import backend


@SERVICE.op("UpdateImageGenerationConfiguration")
async def update_image_generation_configuration(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    await backend(ctx).put_stream_config(
        ctx.account,
        ctx.region,
        req.get("StreamName"),
        req.get("StreamARN"),
        "ImageGenerationConfiguration",
        req.get("ImageGenerationConfiguration"),
        None,
    )
    return {}


@SERVICE.op("DescribeImageGenerationConfiguration")
async def describe_image_generation_configuration(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    _, configs = await backend(ctx).stream_config(ctx.account, ctx.region, req.get("StreamName"), req.get("StreamARN"))
    found = configs.get("ImageGenerationConfiguration")
    return {"ImageGenerationConfiguration": found} if found else {}


@SERVICE.op("UpdateNotificationConfiguration")
async def update_notification_configuration(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    await backend(ctx).put_stream_config(
        ctx.account,
        ctx.region,
        req.get("StreamName"),
        req.get("StreamARN"),
        "NotificationConfiguration",
        req.get("NotificationConfiguration"),
        None,
    )
    return {}


@SERVICE.op("DescribeNotificationConfiguration")
async def describe_notification_configuration(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    _, configs = await backend(ctx).stream_config(ctx.account, ctx.region, req.get("StreamName"), req.get("StreamARN"))
    found = configs.get("NotificationConfiguration")
    return {"NotificationConfiguration": found} if found else {}


@SERVICE.op("UpdateStreamStorageConfiguration")
async def update_stream_storage_configuration(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    await backend(ctx).put_stream_config(
        ctx.account,
        ctx.region,
        req.get("StreamName"),
        req.get("StreamARN"),
        "StreamStorageConfiguration",
        req["StreamStorageConfiguration"],
        req["CurrentVersion"],
    )
    return {}


@SERVICE.op("DescribeStreamStorageConfiguration")
async def describe_stream_storage_configuration(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    stream, configs = await backend(ctx).stream_config(
        ctx.account, ctx.region, req.get("StreamName"), req.get("StreamARN")
    )
    return {
        "StreamName": stream.name,
        "StreamARN": stream.arn,
        "StreamStorageConfiguration": configs.get("StreamStorageConfiguration") or {"DefaultStorageTier": "HOT"},
    }


@SERVICE.op("StartEdgeConfigurationUpdate")
async def start_edge_configuration_update(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return await backend(ctx).start_edge_update(
        ctx.account, ctx.region, req.get("StreamName"), req.get("StreamARN"), req["EdgeConfig"]
    )


@SERVICE.op("DescribeEdgeConfiguration")
async def describe_edge_configuration(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return await backend(ctx).edge_config(ctx.account, ctx.region, req.get("StreamName"), req.get("StreamARN"))


@SERVICE.op("DeleteEdgeConfiguration")
async def delete_edge_configuration(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    await backend(ctx).delete_edge_config(ctx.account, ctx.region, req.get("StreamName"), req.get("StreamARN"))
    return {}


@SERVICE.op("ListEdgeAgentConfigurations")
async def list_edge_agent_configurations(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return {"EdgeConfigs": await backend(ctx).edge_configs(ctx.account, ctx.region, req["HubDeviceArn"])}


@SERVICE.op("DescribeMappedResourceConfiguration")
async def describe_mapped_resource_configuration(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    """A stream's mapped resources (the signaling channels whose media storage writes to it)."""
    return {
        "MappedResourceConfigurationList": await backend(ctx).mapped_resources(
            ctx.account, ctx.region, req.get("StreamName"), req.get("StreamARN")
        )
    }
