"""Concurrent writes to one log group and stream all take effect: TagResource calls at once keep every tag, and
PutLogEvents calls at once leave the stream's first and last event timestamps spanning all of them (each was a
read-modify-write of one row; on PostgreSQL several writer connections, and nodes, run them side by side)."""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any

N = 16


def test_concurrent_tags_of_one_group_all_stay(aws: Any, name: str) -> None:
    logs = aws("logs")
    logs.create_log_group(logGroupName=name)
    arn = logs.describe_log_groups(logGroupNamePrefix=name)["logGroups"][0]["arn"].removesuffix(":*")
    clients = [aws("logs") for _ in range(4)]
    with ThreadPoolExecutor(12) as pool:
        jobs = [pool.submit(clients[i % 4].tag_resource, resourceArn=arn, tags={f"k{i}": str(i)}) for i in range(N)]
        for job in jobs:
            job.result()
    assert logs.list_tags_for_resource(resourceArn=arn)["tags"] == {f"k{i}": str(i) for i in range(N)}


def test_concurrent_puts_to_one_stream_keep_its_bounds(aws: Any, name: str) -> None:
    logs = aws("logs")
    logs.create_log_group(logGroupName=name)
    logs.create_log_stream(logGroupName=name, logStreamName="s")
    clients = [aws("logs") for _ in range(4)]
    base = int(time.time() * 1000) - 60_000
    # the first call holds the earliest event, the last the latest: every order of commits must keep both
    stamps = [base + i * 1000 for i in range(N)]

    def put(i: int) -> None:
        clients[i % 4].put_log_events(
            logGroupName=name, logStreamName="s", logEvents=[{"timestamp": stamps[i], "message": f"m{i}"}]
        )

    with ThreadPoolExecutor(12) as pool:
        for job in [pool.submit(put, i) for i in range(N)]:
            job.result()
    stream = logs.describe_log_streams(logGroupName=name)["logStreams"][0]
    assert (stream["firstEventTimestamp"], stream["lastEventTimestamp"]) == (stamps[0], stamps[-1])
