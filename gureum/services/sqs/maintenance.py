"""SQS's background work, on the leader node only (exactly one node when several share PostgreSQL): the retention
sweep, and running message move tasks (a task that was running when its node stopped resumes on the leader).
A lifespan task started by the service's start hook; the work itself is SqsBackend's."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from ...runtime import Runtime
from . import store_moves
from .backend import SqsBackend

log = logging.getLogger("gureum.sqs")
_LEADER_ROLE = "sqs-maintenance"
_LEADER_CHECK_SECONDS = 1.0


async def maintain(runtime: Runtime, be: SqsBackend) -> None:
    """Until cancelled: while this node leads, run every RUNNING move task and sweep every
    retention_sweep_seconds; woken early when a task starts."""
    wake = asyncio.Event()
    runtime.store.subscribe(store_moves.MAINTENANCE_CHANNEL, lambda _handle: wake.set())
    running: dict[str, asyncio.Task[Any]] = {}
    every = runtime.config.retention_sweep_seconds
    last_sweep = runtime.clock.monotonic()
    while True:
        try:
            if await runtime.store.is_leader(_LEADER_ROLE):
                for handle in await be.running_move_tasks():
                    if handle not in running or running[handle].done():
                        running[handle] = runtime.spawn(_run_task(be, handle), f"sqs-move-{handle[:12]}")
                if runtime.clock.monotonic() - last_sweep >= every:
                    last_sweep = runtime.clock.monotonic()
                    await be.sweep()
            else:
                for task in running.values():
                    task.cancel()
                running.clear()
        except asyncio.CancelledError:
            raise
        except Exception:
            log.exception("SQS maintenance failed")
        wake.clear()
        try:
            await asyncio.wait_for(wake.wait(), min(every, _LEADER_CHECK_SECONDS))
        except TimeoutError:
            pass


async def _run_task(be: SqsBackend, handle: str) -> None:
    """Move messages at the task's rate until the source is empty, the task is cancelled, or it fails."""
    while True:
        try:
            pause = await be.move_step(handle)
        except Exception:
            log.exception("message move task failed")
            return
        if pause is None:
            return
        await asyncio.sleep(pause)
