"""Kinesis record operations (PutRecord, PutRecords, GetShardIterator, GetRecords, SubscribeToShard): each calls one
KinesisBackend method. SubscribeToShard answers an async iterator of events, which the protocol engine writes as
AWS's event stream (gureum.aws.eventstream)."""

from __future__ import annotations

from typing import Any

from ...aws.context import RequestContext
from . import SERVICE
from .backend import backend


@SERVICE.op("PutRecord")
async def put_record(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return await backend(ctx).put_record(
        ctx.account,
        ctx.region,
        req.get("StreamName"),
        req.get("StreamARN"),
        req["PartitionKey"],
        req["Data"],
        req.get("ExplicitHashKey"),
        req.get("SequenceNumberForOrdering"),
    )


@SERVICE.op("PutRecords")
async def put_records(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return await backend(ctx).put_records(
        ctx.account, ctx.region, req.get("StreamName"), req.get("StreamARN"), req["Records"]
    )


@SERVICE.op("GetShardIterator")
async def get_shard_iterator(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    iterator = await backend(ctx).get_shard_iterator(
        ctx.account,
        ctx.region,
        req.get("StreamName"),
        req.get("StreamARN"),
        req["ShardId"],
        req["ShardIteratorType"],
        req.get("StartingSequenceNumber"),
        req.get("Timestamp"),
    )
    return {"ShardIterator": iterator}


@SERVICE.op("GetRecords")
async def get_records(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    json_body = ctx.request.content_type != "application/x-amz-cbor-1.1"  # the protocol engine's rule (get_protocol)
    return await backend(ctx).get_records(req["ShardIterator"], req.get("Limit"), json_body)


@SERVICE.op("SubscribeToShard")
async def subscribe_to_shard(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    events = await backend(ctx).subscribe_to_shard(req["ConsumerARN"], req["ShardId"], req["StartingPosition"])
    return {"EventStream": events}
