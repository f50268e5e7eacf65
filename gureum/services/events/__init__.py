"""Amazon EventBridge: buses, rules, targets, PutEvents, scheduled rules, archives and replays, API destinations.

Events are routed inside the transaction that accepts them (fanout.py) and delivered through gureum.delivery;
scheduled rules and replays advance as delayed outbox rows of this package's own kinds (timers.py), so the
outbox's claims make them exactly-once across nodes and restarts. Operations (ops_*.py) and delivery kinds
(delivery_targets.py) call one backend object (backend.py).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from ...aws.validate import Rules
from .. import Service

if TYPE_CHECKING:
    from ...runtime import Runtime

# the model's patterns, except where EventBridge reports them per entry (PutEvents, PutPartnerEvents) or not at all
_VALIDATION = Rules(patterns=True, pattern_exempt=frozenset({"PutEvents", "PutPartnerEvents", "TestEventPattern"}))
SERVICE = Service("events", migrations=Path(__file__).parent / "migrations", validation=_VALIDATION)

# importing the ops modules registers the operations
from . import ops_archives, ops_buses, ops_connections, ops_endpoints, ops_events, ops_rules  # noqa: E402,F401
from .backend import EventsBackend  # noqa: E402
from .delivery_targets import TARGETS  # noqa: E402
from .iam import register as register_iam  # noqa: E402

SERVICE.targets.extend(TARGETS)


@SERVICE.on_start
async def _start(runtime: Runtime) -> None:
    kept = runtime.keep(EventsBackend(runtime))
    register_iam(runtime)  # IAM enforcement reads bus policies
    runtime.spawn(kept.run_retention(), "events-maintenance")  # archive retention, on the leader node only


@SERVICE.on_stop
async def _stop(runtime: Runtime) -> None:
    kept = runtime.state_or_none(EventsBackend)
    if kept is not None:
        await kept.close()
