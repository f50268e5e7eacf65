"""Firehose delivery stream operations: create, delete, describe, list, update the destination, tags and
server-side encryption; each calls one FirehoseBackend method."""

from __future__ import annotations

from typing import Any

from ...aws.context import RequestContext
from . import SERVICE
from .backend import backend


@SERVICE.op("CreateDeliveryStream")
async def create_delivery_stream(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return await backend(ctx).create_delivery_stream(
        ctx.account, ctx.region, req["DeliveryStreamName"], req.get("DeliveryStreamType"), req
    )


@SERVICE.op("DeleteDeliveryStream")
async def delete_delivery_stream(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    await backend(ctx).delete_delivery_stream(ctx.account, ctx.region, req["DeliveryStreamName"])
    return {}


@SERVICE.op("DescribeDeliveryStream")
async def describe_delivery_stream(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return await backend(ctx).describe_delivery_stream(ctx.account, ctx.region, req["DeliveryStreamName"])


@SERVICE.op("ListDeliveryStreams")
async def list_delivery_streams(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return await backend(ctx).list_delivery_streams(
        ctx.account, ctx.region, req.get("Limit"), req.get("DeliveryStreamType"),
        req.get("ExclusiveStartDeliveryStreamName"),
    )  # fmt: skip


@SERVICE.op("UpdateDestination")
async def update_destination(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    await backend(ctx).update_destination(
        ctx.account, ctx.region, req["DeliveryStreamName"], req["CurrentDeliveryStreamVersionId"],
        req["DestinationId"], req,
    )  # fmt: skip
    return {}


@SERVICE.op("TagDeliveryStream")
async def tag_delivery_stream(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    await backend(ctx).tag_delivery_stream(ctx.account, ctx.region, req["DeliveryStreamName"], req["Tags"])
    return {}


@SERVICE.op("UntagDeliveryStream")
async def untag_delivery_stream(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    await backend(ctx).untag_delivery_stream(ctx.account, ctx.region, req["DeliveryStreamName"], req["TagKeys"])
    return {}


@SERVICE.op("ListTagsForDeliveryStream")
async def list_tags_for_delivery_stream(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return await backend(ctx).list_tags(
        ctx.account, ctx.region, req["DeliveryStreamName"], req.get("ExclusiveStartTagKey"), req.get("Limit")
    )


@SERVICE.op("StartDeliveryStreamEncryption")
async def start_delivery_stream_encryption(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    await backend(ctx).start_encryption(
        ctx.account, ctx.region, req["DeliveryStreamName"], req.get("DeliveryStreamEncryptionConfigurationInput")
    )
    return {}


@SERVICE.op("StopDeliveryStreamEncryption")
async def stop_delivery_stream_encryption(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    await backend(ctx).stop_encryption(ctx.account, ctx.region, req["DeliveryStreamName"])
    return {}
