"""The part of the EventBridge backend every other part builds on: the runtime's store, clock and delivery path,
and the per-node state (compiled rule patterns, the API destinations' HTTP side).

The backend is one object (backend.EventsBackend) made of parts by resource (buses.py, rules.py, ingest.py,
archives.py, connections.py, api_destinations.py, endpoints.py); each part subclasses BackendBase.
"""

from __future__ import annotations

from collections import OrderedDict
from typing import TYPE_CHECKING

from ...patterns import EventPattern, compile_event_pattern
from .fanout import Fanout
from .http_invoke import HttpInvoker

if TYPE_CHECKING:
    from ...delivery import Delivery
    from ...runtime import Runtime
    from ...store.base import Tx

_PATTERN_CACHE_SIZE = 4096


class BackendBase:
    def __init__(self, runtime: Runtime) -> None:
        self.runtime = runtime
        self.store = runtime.store
        self.clock = runtime.clock
        self.http = HttpInvoker(runtime.clock)
        self._patterns: OrderedDict[str, EventPattern] = OrderedDict()  # compiled once per node, by pattern text

    @property
    def delivery(self) -> Delivery:
        return self.runtime.delivery

    def now_ms(self) -> int:
        return self.clock.now_ms()

    def compiled(self, pattern: str) -> EventPattern:
        """The compiled rule or archive pattern (validated when it was stored; the size quota is not checked here)."""
        found = self._patterns.get(pattern)
        if found is None:
            found = self._patterns[pattern] = compile_event_pattern(pattern, max_length=None)
            if len(self._patterns) > _PATTERN_CACHE_SIZE:
                self._patterns.popitem(last=False)
        return found

    def fanout(self, tx: Tx) -> Fanout:
        """The router of events arriving on buses within ``tx`` (rules and archives read once per bus)."""
        return Fanout(self.delivery, tx, self.compiled)
