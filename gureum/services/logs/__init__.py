"""Amazon CloudWatch Logs: log groups, streams, events, filter patterns, retention, tags and metric filters;
and the "logs" delivery target other services write their logs through (target.py)."""

from __future__ import annotations

from pathlib import Path

from ...aws.dispatch import Service

SERVICE = Service("logs", migrations=Path(__file__).parent / "migrations")

from .target import TARGET  # noqa: E402

SERVICE.targets.append(TARGET)
