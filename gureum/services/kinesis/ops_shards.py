"""Kinesis shard operations (list, split, merge, uniform scaling): each calls one KinesisBackend method."""

from __future__ import annotations

from typing import Any

from ...aws.context import RequestContext
from . import SERVICE
from .backend import backend


@SERVICE.op("ListShards")
async def list_shards(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return await backend(ctx).list_shards(
        ctx.account,
        ctx.region,
        req.get("StreamName"),
        req.get("StreamARN"),
        req.get("NextToken"),
        req.get("ExclusiveStartShardId"),
        req.get("MaxResults"),
        req.get("StreamCreationTimestamp"),
        req.get("ShardFilter"),
    )


@SERVICE.op("SplitShard")
async def split_shard(ctx: RequestContext, req: dict[str, Any]) -> None:
    await backend(ctx).split_shard(
        ctx.account,
        ctx.region,
        req.get("StreamName"),
        req.get("StreamARN"),
        req["ShardToSplit"],
        req["NewStartingHashKey"],
    )


@SERVICE.op("MergeShards")
async def merge_shards(ctx: RequestContext, req: dict[str, Any]) -> None:
    await backend(ctx).merge_shards(
        ctx.account,
        ctx.region,
        req.get("StreamName"),
        req.get("StreamARN"),
        req["ShardToMerge"],
        req["AdjacentShardToMerge"],
    )


@SERVICE.op("UpdateShardCount")
async def update_shard_count(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return await backend(ctx).update_shard_count(
        ctx.account, ctx.region, req.get("StreamName"), req.get("StreamARN"), req["TargetShardCount"]
    )
