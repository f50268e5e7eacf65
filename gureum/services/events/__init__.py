"""Amazon EventBridge: buses, rules, targets, PutEvents, scheduled rules, archives and replays, API destinations.

Events are routed inside the transaction that accepts them (fanout.py) and delivered through gureum.delivery;
scheduled rules and replays advance as delayed outbox rows of this package's own kinds (timers.py), so the
outbox's claims make them exactly-once across nodes and restarts.
"""

from __future__ import annotations

from pathlib import Path

from ...aws.validate import Rules
from .. import Service

# the model's patterns, except where EventBridge reports them per entry (PutEvents, PutPartnerEvents) or not at all
_VALIDATION = Rules(patterns=True, pattern_exempt=frozenset({"PutEvents", "PutPartnerEvents", "TestEventPattern"}))
SERVICE = Service("events", migrations=Path(__file__).parent / "migrations", validation=_VALIDATION)

from . import ops_archives, ops_buses, ops_connections, ops_endpoints, ops_events, ops_rules  # noqa: E402,F401  (registers the operations)
from .api_destinations import TARGET as HTTP_TARGET  # noqa: E402
from .api_destinations import close as close_http  # noqa: E402
from .fanout import TARGETS  # noqa: E402
from .timers import TARGETS as TIMER_TARGETS  # noqa: E402

SERVICE.targets.extend([*TARGETS, *TIMER_TARGETS, HTTP_TARGET])


@SERVICE.on_stop
async def _close_http(runtime: object) -> None:
    await close_http()
