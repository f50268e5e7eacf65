"""Concurrent TagResource and UntagResource calls on one schedule group all take effect (each a read-modify-write
of the group's tags; on PostgreSQL several writer connections, and nodes, run them side by side)."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from typing import Any

N = 16


def test_concurrent_tags_of_one_group_all_stay(aws: Any, name: str) -> None:
    scheduler = aws("scheduler")
    arn = scheduler.create_schedule_group(Name=name, Tags=[{"Key": "keep", "Value": "1"}])["ScheduleGroupArn"]
    clients = [aws("scheduler") for _ in range(4)]
    with ThreadPoolExecutor(12) as pool:
        jobs = [
            pool.submit(clients[i % 4].tag_resource, ResourceArn=arn, Tags=[{"Key": f"k{i}", "Value": str(i)}])
            for i in range(N)
        ]
        for job in jobs:
            job.result()
    tags = scheduler.list_tags_for_resource(ResourceArn=arn)["Tags"]
    assert {t["Key"]: t["Value"] for t in tags} == {"keep": "1", **{f"k{i}": str(i) for i in range(N)}}
    with ThreadPoolExecutor(12) as pool:
        jobs = [pool.submit(clients[i % 4].untag_resource, ResourceArn=arn, TagKeys=[f"k{i}"]) for i in range(N // 2)]
        for job in jobs:
            job.result()
    tags = scheduler.list_tags_for_resource(ResourceArn=arn)["Tags"]
    assert {t["Key"]: t["Value"] for t in tags} == {"keep": "1", **{f"k{i}": str(i) for i in range(N // 2, N)}}
