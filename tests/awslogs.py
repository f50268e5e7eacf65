"""Reading CloudWatch Logs in end-to-end tests: services ship their log lines through the outbox after the work that
wrote them (as AWS delivers logs asynchronously), so a test waits for them; the group may appear with its first
lines."""

from __future__ import annotations

import time
from typing import Any


def log_messages(logs: Any, group: str, count: int = 1, stream: str | None = None, timeout: float = 10.0) -> list[str]:
    """The group's (or one stream's) messages, oldest first, once at least ``count`` have arrived."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            if stream is None:
                events = logs.filter_log_events(logGroupName=group)["events"]
            else:
                events = logs.get_log_events(logGroupName=group, logStreamName=stream, startFromHead=True)["events"]
        except logs.exceptions.ResourceNotFoundException:
            events = []
        found = [event["message"] for event in events]
        if len(found) >= count:
            return found
        assert time.monotonic() < deadline, f"{len(found)} of {count} messages in {group}: {found}"
        time.sleep(0.1)
