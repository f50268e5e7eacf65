"""Helpers shared by the EventBridge end-to-end tests: queues as targets, receiving, error assertions."""

from __future__ import annotations

import json
import time
from typing import Any

from ...expect import expect_error  # noqa: F401  (re-exported)


def queue(sqs: Any, name: str, **attributes: str) -> tuple[str, str]:
    """Create a queue (FIFO when the name ends with .fifo); return (url, arn)."""
    if name.endswith(".fifo"):
        attributes.setdefault("FifoQueue", "true")
    url = sqs.create_queue(QueueName=name, Attributes=attributes)["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    return url, arn


def receive(sqs: Any, url: str, expected: int = 1, timeout: float = 5.0, **kwargs: Any) -> list[dict[str, Any]]:
    """Long-poll until ``expected`` messages arrived or the timeout passed (messages stay in flight)."""
    out: list[dict[str, Any]] = []
    deadline = time.monotonic() + timeout
    while len(out) < expected and time.monotonic() < deadline:
        wait = max(1, min(20, int(deadline - time.monotonic() + 0.999)))
        got = sqs.receive_message(
            QueueUrl=url, MaxNumberOfMessages=10, WaitTimeSeconds=wait, VisibilityTimeout=300, **kwargs
        )
        out += got.get("Messages", [])
    return out


def nothing_more(sqs: Any, url: str, wait: int = 1) -> bool:
    return not sqs.receive_message(QueueUrl=url, WaitTimeSeconds=wait).get("Messages")


def bodies(messages: list[dict[str, Any]]) -> list[Any]:
    return [json.loads(m["Body"]) for m in messages]


def rule_to_queue(
    events: Any, sqs: Any, name: str, pattern: dict[str, Any], bus: str = "default", **target: Any
) -> tuple[str, str]:
    """A rule on ``bus`` matching ``pattern`` with one SQS target; returns the queue's (url, arn)."""
    url, arn = queue(sqs, name)
    events.put_rule(Name=name, EventBusName=bus, EventPattern=json.dumps(pattern))
    events.put_targets(Rule=name, EventBusName=bus, Targets=[{"Id": "q", "Arn": arn, **target}])
    return url, arn


def entry(source: str, detail: dict[str, Any] | None = None, detail_type: str = "test", **more: Any) -> dict[str, Any]:
    return {
        "Source": source,
        "DetailType": detail_type,
        "Detail": json.dumps(detail if detail is not None else {"k": "v"}),
        **more,
    }
