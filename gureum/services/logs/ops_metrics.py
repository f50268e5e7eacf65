"""Metric filter operations: PutMetricFilter, DeleteMetricFilter, DescribeMetricFilters, TestMetricFilter."""

from __future__ import annotations

from typing import Any

from ...aws.context import RequestContext
from . import SERVICE
from .backend import backend


@SERVICE.op("PutMetricFilter")
async def put_metric_filter(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    await backend(ctx).put_metric_filter(
        ctx.account,
        ctx.region,
        req["logGroupName"],
        req["filterName"],
        req["filterPattern"],
        req["metricTransformations"],
    )
    return {}


@SERVICE.op("DeleteMetricFilter")
async def delete_metric_filter(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    await backend(ctx).delete_metric_filter(ctx.account, ctx.region, req["logGroupName"], req["filterName"])
    return {}


@SERVICE.op("DescribeMetricFilters")
async def describe_metric_filters(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return await backend(ctx).describe_metric_filters(
        ctx.account,
        ctx.region,
        req.get("logGroupName"),
        req.get("filterNamePrefix"),
        req.get("metricName"),
        req.get("metricNamespace"),
        req.get("nextToken"),
        req.get("limit"),
    )


@SERVICE.op("TestMetricFilter")
async def test_metric_filter(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return {"matches": await backend(ctx).test_metric_filter(req["filterPattern"], req["logEventMessages"])}
