"""X-Ray's trace operations: segments in, traces, summaries and graphs out."""

from __future__ import annotations

from typing import Any

from ...aws.context import RequestContext
from . import SERVICE
from .backend import XRayBackend


def backend(ctx: RequestContext) -> XRayBackend:
    return ctx.runtime.state(XRayBackend)


@SERVICE.op("PutTraceSegments")
async def put_trace_segments(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    unprocessed = backend(ctx).put_trace_segments(ctx.account, ctx.region, req["TraceSegmentDocuments"])
    return {"UnprocessedTraceSegments": unprocessed}


@SERVICE.op("PutTelemetryRecords")
async def put_telemetry_records(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    backend(ctx).put_telemetry_records(req["TelemetryRecords"])
    return {}


@SERVICE.op("BatchGetTraces")
async def batch_get_traces(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return await backend(ctx).batch_get_traces(ctx.account, ctx.region, req["TraceIds"])


@SERVICE.op("GetTraceSummaries")
async def get_trace_summaries(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return await backend(ctx).get_trace_summaries(
        ctx.account, ctx.region, req["StartTime"], req["EndTime"], req.get("FilterExpression")
    )


@SERVICE.op("GetServiceGraph")
async def get_service_graph(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return await backend(ctx).get_service_graph(ctx.account, ctx.region, req["StartTime"], req["EndTime"])


@SERVICE.op("GetTraceGraph")
async def get_trace_graph(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return await backend(ctx).get_trace_graph(ctx.account, ctx.region, req["TraceIds"])
