"""Log groups, streams, events, retention, tags and metric filters survive a SIGKILL and a restart."""

from __future__ import annotations

import time
from typing import Any

from ...conftest import make_client
from ...server import Server


def test_everything_survives_a_kill(store: Any, name: str) -> None:
    kept = store()
    server = Server(**kept).start()
    try:
        logs = make_client(server.endpoint, "logs")
        logs.create_log_group(logGroupName=name, tags={"k": "v"})
        logs.put_retention_policy(logGroupName=name, retentionInDays=7)
        logs.create_log_stream(logGroupName=name, logStreamName="s")
        now = int(time.time() * 1000) - 5000
        logs.put_log_events(
            logGroupName=name,
            logStreamName="s",
            logEvents=[{"timestamp": now + i, "message": f"ERROR {i}"} for i in range(3)],
        )
        logs.put_metric_filter(
            logGroupName=name,
            filterName="f",
            filterPattern="ERROR",
            metricTransformations=[{"metricName": "E", "metricNamespace": "N", "metricValue": "1"}],
        )
        before = logs.filter_log_events(logGroupName=name, filterPattern="ERROR")["events"]
    finally:
        server.kill()
    server = Server(**kept).start()
    try:
        logs = make_client(server.endpoint, "logs")
        group = logs.describe_log_groups(logGroupNamePrefix=name)["logGroups"][0]
        assert (
            group["retentionInDays"] == 7
            and group["metricFilterCount"] == 1
            and group["storedBytes"] == len("ERROR 0") * 3
        )
        assert logs.list_tags_log_group(logGroupName=name)["tags"] == {"k": "v"}
        assert logs.filter_log_events(logGroupName=name, filterPattern="ERROR")["events"] == before and len(before) == 3
        stream = logs.describe_log_streams(logGroupName=name)["logStreams"][0]
        assert (stream["firstEventTimestamp"], stream["lastEventTimestamp"]) == (now, now + 2)
    finally:
        server.stop()
