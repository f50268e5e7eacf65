"""Helpers shared by the EventBridge Scheduler end-to-end tests."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

ROLE = "arn:aws:iam::000000000000:role/scheduler"
OFF = {"Mode": "OFF"}


def at_in(seconds: float) -> str:
    """An at() expression ``seconds`` from now (UTC, whole seconds, rounded up)."""
    when = datetime.now(UTC) + timedelta(seconds=seconds + 0.999)
    return f"at({when.strftime('%Y-%m-%dT%H:%M:%S')})"


def target(arn: str, **more: Any) -> dict[str, Any]:
    return {"Arn": arn, "RoleArn": ROLE, **more}
