"""Amazon EventBridge Scheduler: schedule groups and schedules (at, rate, cron in a time zone) whose
invocations are delayed outbox rows of this package's "scheduler-fire" kind (see firing.py)."""

from __future__ import annotations

from pathlib import Path

from .. import Service

SERVICE = Service("scheduler", migrations=Path(__file__).parent / "migrations")

from . import ops_groups, ops_schedules  # noqa: E402,F401  (registers the operations)
from .firing import TARGETS  # noqa: E402

SERVICE.targets.extend(TARGETS)
