"""Segments as X-Ray documents, recorded off the request path: a hop's ``Span.end`` appends its document to a
bounded in-memory buffer (the oldest are dropped when it is full: tracing never blocks a request) and a background
task hands each batch to the segment store (the xray service's, one transaction per batch). A span may end on a
store thread (an outbox delivery inside a transaction): ``add`` is safe from any thread.
"""

from __future__ import annotations

import asyncio
import logging
import random
import threading
from collections import deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from .header import TraceHeader, new_segment_id

if TYPE_CHECKING:
    from ..clock import Clock
    from ..runtime import Runtime

log = logging.getLogger("gureum.tracing")


@dataclass(frozen=True, slots=True)
class Record:
    """One segment as stored: its trace, id, account and Region (X-Ray's traces are per account and Region),
    times and the X-Ray segment document."""

    trace_id: str
    segment_id: str
    account: str
    region: str
    start: float
    end: float
    document: dict[str, Any]


Flush = Callable[[list[Record]], Awaitable[None]]


class Span:
    """A hop in progress; ``end`` records it. ``header`` is what the hop passes downstream (its id as Parent)."""

    __slots__ = ("recorder", "trace_id", "id", "parent_id", "account", "region", "start", "doc", "header")

    def __init__(
        self, recorder: Recorder, trace: TraceHeader, account: str, region: str, start: float, doc: dict[str, Any]
    ) -> None:
        self.recorder = recorder
        self.trace_id = trace.root
        self.id = new_segment_id()
        self.parent_id = trace.parent
        self.account = account
        self.region = region
        self.start = start
        self.doc = doc
        self.header = TraceHeader(trace.root, self.id, "1", trace.extra)

    def end(
        self,
        *,
        status: int | None = None,
        error: bool = False,
        fault: bool = False,
        throttle: bool = False,
        cause: str | None = None,
        attempt: int | None = None,
        fate: str | None = None,
    ) -> None:
        """Record the hop: its HTTP status, error (4xx) / fault (5xx) / throttle, a cause's message, the retry
        attempt (1 is the first) and, for a delivery, the outbox row's fate (delivered, retried, dead-lettered,
        filtered)."""
        end = self.recorder.clock.now()
        doc = self.doc
        doc.update(id=self.id, trace_id=self.trace_id, start_time=self.start, end_time=max(end, self.start))
        if self.parent_id:
            doc["parent_id"] = self.parent_id
        if status is not None:
            doc["http"] = {"response": {"status": status}}
        if error:
            doc["error"] = True
        if fault:
            doc["fault"] = True
        if throttle:
            doc["throttle"] = True
        if cause:
            doc["cause"] = {"exceptions": [{"id": new_segment_id(), "message": cause[:1024]}]}
        aws = doc.setdefault("aws", {})
        if attempt is not None:
            aws["retries"] = max(0, attempt - 1)
        annotations = doc.setdefault("annotations", {})
        if attempt is not None:
            annotations["attempt"] = attempt
        if fate is not None:
            annotations["fate"] = fate
        self.recorder.add(Record(self.trace_id, self.id, self.account, self.region, self.start, doc["end_time"], doc))


# X-Ray's Default sampling rule: a reservoir of one request a second, then 5 % (the xray API serves these numbers)
DEFAULT_RESERVOIR = 1
DEFAULT_FIXED_RATE = 0.05


class Recorder:
    """The process's segment buffer and its flusher (kept in the runtime by the xray service at start)."""

    def __init__(self, clock: Clock, flush: Flush, *, enabled: bool = True, capacity: int = 20_000) -> None:
        self.clock = clock
        self.enabled = enabled
        self._flush = flush
        self._buffer: deque[Record] = deque(maxlen=capacity)
        self._wake = asyncio.Event()
        self._flushing = asyncio.Lock()  # one write at a time, so settle() waits for a batch already being written
        self.dropped = 0  # segments the full buffer lost
        self.daemon_address: str | None = None  # host:port of the X-Ray daemon endpoint (UDP), when it listens
        self._loop: asyncio.AbstractEventLoop | None = None
        self._loop_thread: int | None = None
        self._reservoir_second = -1  # the second whose reservoir is being taken
        self._reservoir_taken = 0
        self._random = random.Random()

    def sample_new(self) -> bool:
        """X-Ray's Default sampling rule for a request that arrives without a decision: the first request of each
        second (the reservoir, per node), then 5 % of the rest."""
        second = int(self.clock.monotonic())
        if second != self._reservoir_second:
            self._reservoir_second, self._reservoir_taken = second, 0
        if self._reservoir_taken < DEFAULT_RESERVOIR:
            self._reservoir_taken += 1
            return True
        return self._random.random() < DEFAULT_FIXED_RATE

    def begin(
        self,
        trace: TraceHeader | None,
        *,
        name: str,
        origin: str,
        operation: str | None,
        account: str,
        region: str,
        resource_arn: str | None = None,
    ) -> Span | None:
        """Start a hop under ``trace`` (a new trace when None); None when tracing is off or the trace unsampled."""
        if not self.enabled:
            return None
        if trace is None:
            trace = TraceHeader.new(self.clock.now())
        elif trace.sampled == "0":
            return None
        aws: dict[str, Any] = {"account_id": account, "region": region}
        if operation:
            aws["operation"] = operation
        doc: dict[str, Any] = {"name": name, "origin": origin, "aws": aws}
        if resource_arn:
            doc["resource_arn"] = resource_arn
        return Span(self, trace, account, region, self.clock.now(), doc)

    def add(self, record: Record) -> None:
        if len(self._buffer) == self._buffer.maxlen:
            self.dropped += 1
        self._buffer.append(record)  # deque.append is atomic: safe from a store thread
        if threading.get_ident() == self._loop_thread or self._loop is None:
            self._wake.set()
        else:
            self._loop.call_soon_threadsafe(self._wake.set)

    async def run(self, interval: float = 0.05) -> None:
        """Flush batches for the server's lifetime: wait for a segment, let a batch gather, write it at once."""
        self._loop, self._loop_thread = asyncio.get_running_loop(), threading.get_ident()
        while True:
            await self._wake.wait()
            await asyncio.sleep(interval)
            await self._flush_now()

    async def _flush_now(self) -> None:
        async with self._flushing:
            self._wake.clear()
            batch = [self._buffer.popleft() for _ in range(len(self._buffer))]  # not clear(): a store thread may append
            if batch:
                try:
                    await self._flush(batch)
                except Exception:  # a store hiccup loses these segments, never a request
                    log.exception("could not store %d trace segments", len(batch))

    async def settle(self) -> None:
        """Store what is buffered now and wait for a batch the flusher is writing (the X-Ray read operations see
        every segment recorded before them)."""
        if self._buffer or self._flushing.locked():
            await self._flush_now()


def recorder(runtime: Runtime) -> Recorder | None:
    """The recorder when tracing is on (the xray service started), else None."""
    rec = runtime.state_or_none(Recorder)
    return rec if rec is not None and rec.enabled else None
