"""A container's printed output to CloudWatch Logs as it comes (the awslogs driver of ECS tasks and Batch jobs):
lines gathered for a moment, then queued in the durable outbox for the "logs" delivery target in one write."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

from ..clock import Clock
from ..delivery import Delivery
from ..store.base import Store, Tx

FLUSH_AFTER = 0.2  # seconds printed lines wait to go to CloudWatch Logs together


@dataclass(frozen=True)
class LogTarget:
    """Where a container's lines go: the log group's ARN (the delivery address), the stream, whether the group is
    made when missing, and the task or job the lines come from."""

    region: str
    account: str
    group: str
    stream: str
    create_group: bool
    source: str

    @property
    def address(self) -> str:
        return f"arn:aws:logs:{self.region}:{self.account}:log-group:{self.group}"


async def ship(output: AsyncIterator[bytes], target: LogTarget, store: Store, delivery: Delivery, clock: Clock) -> None:
    """Each non-blank printed line as one log event (timestamps never going back), flushed FLUSH_AFTER seconds
    after the first line waiting, and at the end of the output."""
    pending: list[dict[str, Any]] = []
    partial = ""
    last = 0

    async def flush() -> None:
        nonlocal pending
        if not pending:
            return
        events, pending = pending, []
        payload = {"stream": target.stream, "events": events, "create_group": target.create_group}

        def enqueue(tx: Tx) -> None:
            delivery.enqueue(tx, "logs", target.address, payload, source=target.source, traced=False)

        await asyncio.shield(store.write(enqueue))  # the end's cancel of a waiting flush never drops a batch

    async def later() -> None:
        await asyncio.sleep(FLUSH_AFTER)
        await flush()

    flusher: asyncio.Task[None] | None = None
    async for data in output:
        lines = (partial + data.decode("utf-8", "replace")).split("\n")
        partial = lines.pop()
        for line in lines:
            if line.strip():
                last = max(last, clock.now_ms())
                pending.append({"timestamp": last, "message": line})
        if pending and (flusher is None or flusher.done()):
            flusher = asyncio.ensure_future(later())
    if partial.strip():
        pending.append({"timestamp": max(last, clock.now_ms()), "message": partial})
    if flusher is not None and not flusher.done():
        flusher.cancel()
    await flush()
