"""Small helpers shared by the SQS end-to-end tests: error assertions, queue creation, ARNs, draining."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from ...expect import ACCOUNT, REGION, expect_error  # noqa: F401  (re-exported)


def create(sqs: Any, name: str, **attributes: Any) -> str:
    """Create a queue (FIFO when the name ends with .fifo) with string-valued attributes; return its URL."""
    attrs = {k: str(v) for k, v in attributes.items()}
    if name.endswith(".fifo"):
        attrs.setdefault("FifoQueue", "true")
    return sqs.create_queue(QueueName=name, Attributes=attrs)["QueueUrl"]  # type: ignore[no-any-return]


def arn(sqs: Any, url: str) -> str:
    return sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]  # type: ignore[no-any-return]


def attrs(sqs: Any, url: str, *names: str) -> dict[str, str]:
    return sqs.get_queue_attributes(QueueUrl=url, AttributeNames=list(names) or ["All"]).get("Attributes", {})  # type: ignore[no-any-return]


def counts(sqs: Any, url: str) -> tuple[int, int, int]:
    """(visible, in flight, delayed)."""
    got = attrs(
        sqs,
        url,
        "ApproximateNumberOfMessages",
        "ApproximateNumberOfMessagesNotVisible",
        "ApproximateNumberOfMessagesDelayed",
    )
    return (
        int(got["ApproximateNumberOfMessages"]),
        int(got["ApproximateNumberOfMessagesNotVisible"]),
        int(got["ApproximateNumberOfMessagesDelayed"]),
    )


def receive(sqs: Any, url: str, **kwargs: Any) -> list[dict[str, Any]]:
    return sqs.receive_message(QueueUrl=url, **kwargs).get("Messages", [])  # type: ignore[no-any-return]


def bodies(messages: list[dict[str, Any]]) -> list[str]:
    return [m["Body"] for m in messages]


def drain(sqs: Any, url: str, expected: int, timeout: float = 5.0, **kwargs: Any) -> list[dict[str, Any]]:
    """Receive until `expected` messages arrived or the timeout passed (messages stay in flight)."""
    out: list[dict[str, Any]] = []
    deadline = time.monotonic() + timeout
    while len(out) < expected and time.monotonic() < deadline:
        out += receive(sqs, url, MaxNumberOfMessages=min(10, expected - len(out)), WaitTimeSeconds=1, **kwargs)
    return out


def wait_until(check: Callable[[], Any], timeout: float = 5.0, every: float = 0.05) -> Any:
    """Poll check() until it returns something truthy; fail after the timeout."""
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"condition not met within {timeout}s (last value {value!r})")
        time.sleep(every)
