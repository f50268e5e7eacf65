"""Metric filters: stored per log group (PutMetricFilter, DescribeMetricFilters, DeleteMetricFilter) and
TestMetricFilter, which runs the filter-pattern matcher over sample messages."""

from __future__ import annotations

from typing import Any

from ...aws.context import RequestContext
from ...store.base import Tx
from . import SERVICE, limits, store
from .common import compile_filter, now_ms, page_sorted, require_group
from .errors import InvalidParameterException, LimitExceededException, ResourceNotFoundException


@SERVICE.op("PutMetricFilter")
async def put_metric_filter(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    compile_filter(req["filterPattern"])
    transformations = [dict(t) for t in req["metricTransformations"]]
    now = now_ms(ctx)

    def run(tx: Tx) -> None:
        group = require_group(tx, ctx, req["logGroupName"])
        existing = store.list_metric_filters(tx, ctx.account, ctx.region, group.id)
        if (
            req["filterName"] not in {mf.name for _, mf in existing}
            and len(existing) >= limits.METRIC_FILTERS_PER_GROUP
        ):
            raise LimitExceededException("Resource limit exceeded.")
        store.put_metric_filter(
            tx, store.MetricFilter(group.id, req["filterName"], req["filterPattern"], transformations, now)
        )

    await ctx.runtime.store.write(run)
    return {}


@SERVICE.op("DeleteMetricFilter")
async def delete_metric_filter(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    def run(tx: Tx) -> None:
        group = require_group(tx, ctx, req["logGroupName"])
        if not store.delete_metric_filter(tx, group.id, req["filterName"]):
            raise ResourceNotFoundException("The specified metric filter does not exist.")

    await ctx.runtime.store.write(run)
    return {}


@SERVICE.op("DescribeMetricFilters")
async def describe_metric_filters(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    if req.get("filterNamePrefix") and not req.get("logGroupName"):
        raise InvalidParameterException("If you specify filterNamePrefix, you must also specify logGroupName.")
    if bool(req.get("metricName")) != bool(req.get("metricNamespace")):
        raise InvalidParameterException("If you specify metricName or metricNamespace, you must specify both.")

    def read(tx: Tx) -> tuple[list[tuple[str, store.MetricFilter]], str | None]:
        group_id = require_group(tx, ctx, req["logGroupName"]).id if req.get("logGroupName") else None
        found = store.list_metric_filters(tx, ctx.account, ctx.region, group_id)
        prefix = req.get("filterNamePrefix") or ""
        found = [(g, mf) for g, mf in found if mf.name.startswith(prefix)]
        if req.get("metricName"):
            found = [
                (g, mf)
                for g, mf in found
                if any(
                    t.get("metricName") == req["metricName"] and t.get("metricNamespace") == req["metricNamespace"]
                    for t in mf.transformations
                )
            ]
        return page_sorted(found, lambda item: (item[0], item[1].name), req.get("nextToken"), req.get("limit"))

    shown, token = await ctx.runtime.store.read(read)
    return {
        "metricFilters": [
            {
                "filterName": mf.name,
                "filterPattern": mf.pattern,
                "metricTransformations": mf.transformations,
                "creationTime": mf.created_at,
                "logGroupName": g,
            }
            for g, mf in shown
        ],
        "nextToken": token,
    }


@SERVICE.op("TestMetricFilter")
async def test_metric_filter(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    pattern = compile_filter(req["filterPattern"])
    matches = []
    for number, message in enumerate(req["logEventMessages"], 1):
        values = pattern.extract(message)
        if values is not None:
            matches.append({"eventNumber": number, "eventMessage": message, "extractedValues": values})
    return {"matches": matches}
