"""One execution environment's log stream on its way to CloudWatch Logs: each line the runtime prints is stamped when
it is read and sent through the outbox ("logs" delivery target) in small batches while the function runs, so lines
reach CloudWatch Logs as they are printed, and a running, timed-out or killed environment's lines are already there.
Batches of one stream are written one after another, in order; timestamps never go back within a stream.
"""

from __future__ import annotations

import asyncio
from typing import Any

from ...runtime import Runtime
from ...store.base import Tx
from .functions import Function

FLUSH_DELAY = 0.05  # seconds lines printed together wait, to go to the store in one write
MAX_PENDING = 10_000  # lines waiting for the store beyond this (a runaway logger outpacing it): the oldest are dropped


class LogStream:
    """The lines of one environment's stream (a LogSink for environment.Environment)."""

    def __init__(self, runtime: Runtime, fn: Function, stream: str) -> None:
        self.runtime = runtime
        self.source = fn.qualified_arn
        self.address = f"arn:aws:logs:{fn.region}:{fn.account}:log-group:{fn.log_group}"
        self.stream = stream
        self._pending: list[dict[str, Any]] = []
        self._last_ms = 0
        self._writer: asyncio.Task[None] | None = None

    def add(self, message: str) -> None:
        """A line as printed now (blank lines are not logged, as CloudWatch Logs keeps no empty events)."""
        now = max(self._last_ms, self.runtime.clock.now_ms())
        self._last_ms = now
        if not message.strip():
            return
        self._pending.append({"timestamp": now, "message": message})
        if len(self._pending) > MAX_PENDING:
            del self._pending[: len(self._pending) - MAX_PENDING]
        if self._writer is None or self._writer.done():
            self._writer = self.runtime.spawn(self._write(FLUSH_DELAY), "lambda-log")

    async def close(self) -> None:
        """Write what is still pending (the environment has stopped; nothing is added after)."""
        writer = self._writer
        if writer is not None and not writer.done():
            await asyncio.gather(writer, return_exceptions=True)
        if self._pending:
            await self._write(0.0)

    async def _write(self, delay: float) -> None:
        if delay:
            await asyncio.sleep(delay)
        while self._pending:
            events, self._pending = self._pending, []
            payload: dict[str, Any] = {"stream": self.stream, "events": events}

            def enqueue(tx: Tx, payload: dict[str, Any] = payload) -> None:
                self.runtime.delivery.enqueue(tx, "logs", self.address, payload, source=self.source, traced=False)

            await self.runtime.store.write(enqueue)
