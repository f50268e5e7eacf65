"""Log event operations: PutLogEvents, GetLogEvents, FilterLogEvents."""

from __future__ import annotations

from typing import Any

from ...aws.context import RequestContext
from . import SERVICE
from .backend import backend


@SERVICE.op("PutLogEvents")
async def put_log_events(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return await backend(ctx).put_log_events(
        ctx.account, ctx.region, req["logGroupName"], req["logStreamName"], req["logEvents"]
    )


@SERVICE.op("GetLogEvents")
async def get_log_events(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return await backend(ctx).get_log_events(
        ctx.account,
        ctx.region,
        req.get("logGroupName"),
        req.get("logGroupIdentifier"),
        req["logStreamName"],
        req.get("startTime"),
        req.get("endTime"),
        bool(req.get("startFromHead")),
        req.get("nextToken"),
        req.get("limit"),
    )


@SERVICE.op("FilterLogEvents")
async def filter_log_events(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return await backend(ctx).filter_log_events(
        ctx.account,
        ctx.region,
        req.get("logGroupName"),
        req.get("logGroupIdentifier"),
        req.get("logStreamNames"),
        req.get("logStreamNamePrefix"),
        req.get("startTime"),
        req.get("endTime"),
        req.get("filterPattern"),
        req.get("nextToken"),
        req.get("limit"),
    )
