"""EventBridge's backend: one object (kept with runtime.keep at start) whose methods take plain arguments, so the
operations (ops_*.py), the delivery kinds (delivery_targets.py) and the background sweep call the same code.

It is put together from parts by resource (see base.py); ``backend(runtime)`` finds it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .api_destinations import ApiDestinations
from .archives import Archives
from .buses import Buses
from .connections import Connections
from .endpoints import Endpoints
from .ingest import Ingest
from .rules import Rules

if TYPE_CHECKING:
    from ...runtime import Runtime


class EventsBackend(Buses, Rules, Ingest, Archives, Connections, ApiDestinations, Endpoints):
    """Buses, rules and targets, events in and out, archives and replays, connections, API destinations,
    endpoints; and the per-node state they keep (BackendBase)."""

    async def close(self) -> None:
        """Release what the node holds open (the API destinations' HTTP client)."""
        await self.http.close()


def backend(runtime: Runtime) -> EventsBackend:
    """The backend the events service kept at start."""
    return runtime.state(EventsBackend)
