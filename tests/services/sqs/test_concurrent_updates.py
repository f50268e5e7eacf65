"""Concurrent changes to one queue all stay: AddPermission, TagQueue and SetQueueAttributes at once, each a
read-modify-write of the queue's row (on PostgreSQL several writer connections, and nodes, run them side by side)."""

from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor
from typing import Any

N = 12


def test_concurrent_changes_to_one_queue_all_stay(aws: Any, name: str) -> None:
    sqs = aws("sqs")
    url = sqs.create_queue(QueueName=name)["QueueUrl"]
    clients = [aws("sqs") for _ in range(4)]

    def permission(i: int) -> None:
        clients[i % 4].add_permission(
            QueueUrl=url, Label=f"p{i}", AWSAccountIds=["111122223333"], Actions=["SendMessage"]
        )

    def tag(i: int) -> None:
        clients[i % 4].tag_queue(QueueUrl=url, Tags={f"k{i}": str(i)})

    def attribute(i: int) -> None:
        clients[i % 4].set_queue_attributes(QueueUrl=url, Attributes={"DelaySeconds": str(i)})

    with ThreadPoolExecutor(12) as pool:
        list(pool.map(lambda job: job[0](job[1]), [(f, i) for i in range(N) for f in (permission, tag, attribute)]))
    policy = json.loads(sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["Policy"])["Attributes"]["Policy"])
    assert sorted(s["Sid"] for s in policy["Statement"]) == sorted(f"p{i}" for i in range(N))
    assert sqs.list_queue_tags(QueueUrl=url)["Tags"] == {f"k{i}": str(i) for i in range(N)}

    with ThreadPoolExecutor(12) as pool:
        list(pool.map(lambda i: clients[i % 4].remove_permission(QueueUrl=url, Label=f"p{i}"), range(N // 2)))
    policy = json.loads(sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["Policy"])["Attributes"]["Policy"])
    assert sorted(s["Sid"] for s in policy["Statement"]) == sorted(f"p{i}" for i in range(N // 2, N))
