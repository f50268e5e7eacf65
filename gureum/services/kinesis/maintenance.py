"""Kinesis's background work, on the leader node only (exactly one node when several share PostgreSQL): completing
the changes that fell due (streams and consumers leaving CREATING, UPDATING, DELETING) and the retention sweep. A
lifespan task started by the service's start hook; it sleeps until the next change falls due, the next sweep, or a
new change is scheduled (lifecycle.CHANNEL wakes it), so an idle server spends nothing on it. The work is
KinesisBackend's."""

from __future__ import annotations

import asyncio
import logging

from ...runtime import Runtime
from .backend import KinesisBackend

log = logging.getLogger("gureum.kinesis")
_LEADER_ROLE = "kinesis-maintenance"
_LEADER_CHECK_SECONDS = 1.0  # how often a node that does not lead asks again (PostgreSQL)


async def maintain(runtime: Runtime, be: KinesisBackend) -> None:
    """Until cancelled: complete due changes as they fall due and sweep expired records every sweep period."""
    every = be.settings.sweep_seconds or runtime.config.retention_sweep_seconds
    clock = runtime.clock
    last_sweep = clock.monotonic()
    while True:
        be.wake.clear()  # before looking: a change scheduled while we look wakes the wait below at once
        timeout = _LEADER_CHECK_SECONDS
        try:
            if await runtime.store.is_leader(_LEADER_ROLE):
                next_due = await be.complete_due()
                if clock.monotonic() - last_sweep >= every:
                    last_sweep = clock.monotonic()
                    await be.sweep()
                timeout = max(0.0, every - (clock.monotonic() - last_sweep))
                if next_due is not None:
                    timeout = min(timeout, max(0.0, next_due - clock.now()) + 0.001)
        except asyncio.CancelledError:
            raise
        except Exception:
            log.exception("Kinesis maintenance failed")
        try:
            await asyncio.wait_for(be.wake.wait(), timeout)
        except TimeoutError:
            pass
