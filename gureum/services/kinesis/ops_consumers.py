"""Kinesis enhanced fan-out consumers (register, describe, list, deregister): each calls one KinesisBackend
method."""

from __future__ import annotations

from typing import Any

from ...aws.context import RequestContext
from . import SERVICE
from .backend import backend


@SERVICE.op("RegisterStreamConsumer")
async def register_stream_consumer(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return await backend(ctx).register_stream_consumer(req["StreamARN"], req["ConsumerName"], req.get("Tags"))


@SERVICE.op("DescribeStreamConsumer")
async def describe_stream_consumer(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    description = await backend(ctx).describe_stream_consumer(
        req.get("StreamARN"), req.get("ConsumerName"), req.get("ConsumerARN")
    )
    return {"ConsumerDescription": description}


@SERVICE.op("ListStreamConsumers")
async def list_stream_consumers(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return await backend(ctx).list_stream_consumers(
        req["StreamARN"], req.get("NextToken"), req.get("MaxResults"), req.get("StreamCreationTimestamp")
    )


@SERVICE.op("DeregisterStreamConsumer")
async def deregister_stream_consumer(ctx: RequestContext, req: dict[str, Any]) -> None:
    await backend(ctx).deregister_stream_consumer(req.get("StreamARN"), req.get("ConsumerName"), req.get("ConsumerARN"))
