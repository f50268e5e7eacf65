"""DynamoDB Streams operations: each calls one method of the DynamoDbStreams port (provided by package dynamodb)."""

from __future__ import annotations

from typing import Any

from ...aws.context import RequestContext
from ...ports import DynamoDbStreams
from . import SERVICE


def streams(ctx: RequestContext) -> DynamoDbStreams:
    """The streams of the running DynamoDB service."""
    return ctx.runtime.port(DynamoDbStreams)


@SERVICE.op("ListStreams")
async def list_streams(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return await streams(ctx).list_streams(
        ctx.account, ctx.region, req.get("TableName"), req.get("ExclusiveStartStreamArn"), req.get("Limit")
    )


@SERVICE.op("DescribeStream")
async def describe_stream(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return await streams(ctx).describe_stream(
        ctx.account, ctx.region, req["StreamArn"], req.get("Limit"), req.get("ExclusiveStartShardId")
    )


@SERVICE.op("GetShardIterator")
async def get_shard_iterator(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return await streams(ctx).get_shard_iterator(
        ctx.account, ctx.region, req["StreamArn"], req["ShardId"], req["ShardIteratorType"], req.get("SequenceNumber")
    )


@SERVICE.op("GetRecords")
async def get_records(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return await streams(ctx).get_records(req["ShardIterator"], req.get("Limit"))
