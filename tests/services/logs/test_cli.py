"""The AWS CLI (v1) reading logs: get-log-events and filter-log-events with their automatic paging.
(`aws logs tail` is CLI v2 only; it drives DescribeLogGroups and paged FilterLogEvents with startTime, as here.)"""

from __future__ import annotations

import json
import time

import pytest

from tests.awscli import aws as cli

pytest.importorskip("awscli")


def test_cli_reads_logs(endpoint: str, name: str) -> None:
    cli(endpoint, "logs", "create-log-group", "--log-group-name", name)
    cli(endpoint, "logs", "create-log-stream", "--log-group-name", name, "--log-stream-name", "s")
    now = int(time.time() * 1000) - 10_000
    events = [{"timestamp": now + i, "message": f"{'ERROR' if i % 3 == 0 else 'INFO'} line {i}"} for i in range(12)]
    cli(
        endpoint,
        "logs",
        "put-log-events",
        "--log-group-name",
        name,
        "--log-stream-name",
        "s",
        "--log-events",
        json.dumps(events),
    )

    got = cli(
        endpoint,
        "logs",
        "get-log-events",
        "--log-group-name",
        name,
        "--log-stream-name",
        "s",
        "--start-from-head",
        "--limit",
        "5",
    )
    assert [e["message"] for e in got["events"]] == [f"{e['message']}" for e in events[:5]]
    # the CLI pages through filter-log-events by itself (--page-size per call)
    found = cli(
        endpoint,
        "logs",
        "filter-log-events",
        "--log-group-name",
        name,
        "--filter-pattern",
        "ERROR",
        "--start-time",
        str(now),
        "--interleaved",
        "--page-size",
        "2",
    )
    assert [e["message"] for e in found["events"]] == [f"ERROR line {i}" for i in (0, 3, 6, 9)]
    groups = cli(endpoint, "logs", "describe-log-groups", "--log-group-name-prefix", name)["logGroups"]
    assert [g["logGroupName"] for g in groups] == [name]
