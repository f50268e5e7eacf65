"""Metric filters (a part of LogsBackend): stored per log group (put, describe, delete), and TestMetricFilter, which
runs the filter-pattern matcher over sample messages; and the per-group quota of filters holding a regular expression,
which metric and subscription filters share."""

from __future__ import annotations

from typing import Any

from ...store.base import Tx
from . import limits, store
from . import store_subscriptions as sstore
from .errors import InvalidParameterException, LimitExceededException, ResourceNotFoundException
from .events import compile_filter
from .filter_patterns import FilterPattern
from .groups import Parts, require_group
from .paging import page_sorted


def _measures(mf: store.MetricFilter, metric_name: str, namespace: str | None) -> bool:
    return any(t.get("metricName") == metric_name and t.get("metricNamespace") == namespace for t in mf.transformations)


def _order(item: tuple[str, store.MetricFilter]) -> Any:
    return (item[0], item[1].name)


def check_regex_quota(tx: Tx, group_id: int, kind: str, name: str, pattern: FilterPattern) -> None:
    """AWS's "five regular expression patterns per log group", counted over its metric AND subscription filters
    (the filter ``kind`` / ``name`` being put replaces its own)."""
    if pattern.regexes == 0:
        return
    others = [p for k, n, p in sstore.filter_patterns(tx, group_id) if (k, n) != (kind, name)]
    if sum(compile_filter(p).regexes > 0 for p in others) >= limits.REGEX_FILTERS_PER_GROUP:
        raise LimitExceededException(
            f"A log group can have at most {limits.REGEX_FILTERS_PER_GROUP} filters whose pattern holds a "
            "regular expression."
        )


class MetricFilters(Parts):
    async def put_metric_filter(
        self,
        account: str,
        region: str,
        group_name: str,
        name: str,
        pattern: str,
        transformations: list[dict[str, Any]],
    ) -> None:
        compiled = compile_filter(pattern)
        kept = [dict(t) for t in transformations]
        now = self.clock.now_ms()

        def run(tx: Tx) -> None:
            group = require_group(tx, account, region, group_name)
            existing = store.list_metric_filters(tx, account, region, group.id)
            if name not in {mf.name for _, mf in existing} and len(existing) >= limits.METRIC_FILTERS_PER_GROUP:
                raise LimitExceededException("Resource limit exceeded.")
            check_regex_quota(tx, group.id, "metric", name, compiled)
            store.put_metric_filter(tx, store.MetricFilter(group.id, name, pattern, kept, now))

        await self.store.write(run)

    async def delete_metric_filter(self, account: str, region: str, group_name: str, name: str) -> None:
        def run(tx: Tx) -> None:
            group = require_group(tx, account, region, group_name)
            if not store.delete_metric_filter(tx, group.id, name):
                raise ResourceNotFoundException("The specified metric filter does not exist.")

        await self.store.write(run)

    async def describe_metric_filters(
        self,
        account: str,
        region: str,
        group_name: str | None,
        name_prefix: str | None,
        metric_name: str | None,
        metric_namespace: str | None,
        token: str | None,
        limit: int | None,
    ) -> dict[str, Any]:
        """DescribeMetricFilters' answer: {"metricFilters", "nextToken"}."""
        if name_prefix and not group_name:
            raise InvalidParameterException("If you specify filterNamePrefix, you must also specify logGroupName.")
        if bool(metric_name) != bool(metric_namespace):
            raise InvalidParameterException("If you specify metricName or metricNamespace, you must specify both.")

        def read(tx: Tx) -> tuple[list[tuple[str, store.MetricFilter]], str | None]:
            group_id = require_group(tx, account, region, group_name).id if group_name else None
            found = store.list_metric_filters(tx, account, region, group_id)
            found = [(g, mf) for g, mf in found if mf.name.startswith(name_prefix or "")]
            if metric_name:
                found = [(g, mf) for g, mf in found if _measures(mf, metric_name, metric_namespace)]
            return page_sorted(found, _order, token, limit)

        shown, next_token = await self.store.read(read)
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
            "nextToken": next_token,
        }

    async def test_metric_filter(self, pattern: str, messages: list[str]) -> list[dict[str, Any]]:
        """TestMetricFilter's matches: each matching message, numbered from 1, with the values the pattern names."""
        compiled = compile_filter(pattern)
        matches = []
        for number, message in enumerate(messages, 1):
            values = compiled.extract(message)
            if values is not None:
                matches.append({"eventNumber": number, "eventMessage": message, "extractedValues": values})
        return matches
