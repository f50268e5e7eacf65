"""Log stream operations: create, delete, describe."""

from __future__ import annotations

from typing import Any

from ...aws.context import RequestContext
from . import SERVICE
from .backend import backend


@SERVICE.op("CreateLogStream")
async def create_log_stream(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    await backend(ctx).create_log_stream(ctx.account, ctx.region, req["logGroupName"], req["logStreamName"])
    return {}


@SERVICE.op("DeleteLogStream")
async def delete_log_stream(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    await backend(ctx).delete_log_stream(ctx.account, ctx.region, req["logGroupName"], req["logStreamName"])
    return {}


@SERVICE.op("DescribeLogStreams")
async def describe_log_streams(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return await backend(ctx).describe_log_streams(
        ctx.account,
        ctx.region,
        req.get("logGroupName"),
        req.get("logGroupIdentifier"),
        req.get("logStreamNamePrefix"),
        req.get("orderBy"),
        bool(req.get("descending")),
        req.get("nextToken"),
        req.get("limit"),
    )
