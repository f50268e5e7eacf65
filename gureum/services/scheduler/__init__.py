"""Amazon EventBridge Scheduler: schedule groups and schedules (at, rate, cron in a time zone) whose
invocations are delayed outbox rows of this package's "scheduler-fire" kind (see firing.py).

Layout: model.py (values, rules, output shapes), store.py (SQL), firing.py (invocations on the delivery path),
backend.py (SchedulerBackend: every operation), ops_groups.py / ops_schedules.py (thin operation handlers)."""

from __future__ import annotations

from pathlib import Path

from ...runtime import Runtime
from .. import Service

SERVICE = Service("scheduler", migrations=Path(__file__).parent / "migrations")

from . import ops_groups, ops_schedules  # noqa: E402,F401  (registers the operations)
from .backend import SchedulerBackend  # noqa: E402
from .firing import TARGETS  # noqa: E402

SERVICE.targets.extend(TARGETS)


@SERVICE.on_start
async def _start(runtime: Runtime) -> None:
    runtime.keep(SchedulerBackend(runtime))
