"""The retention sweeper: deletes events past their group's retention, on the one node that leads
"logs-retention", batch by batch; woken early when a retention changes (LogsBackend.retention_wake)."""

from __future__ import annotations

import asyncio
import functools
import logging

from ...runtime import Runtime
from . import store

log = logging.getLogger("gureum.logs")
LEADER_ROLE = "logs-retention"
_SWEEP_BATCH = 5_000


async def expire_all(runtime: Runtime) -> int:
    """Delete every event past its group's retention, in batches so writers never wait long behind the sweep."""
    expire = functools.partial(store.expire, now_ms=runtime.clock.now_ms(), batch=_SWEEP_BATCH)
    total = 0
    while True:
        removed = await runtime.store.write(expire)
        total += removed
        if removed < _SWEEP_BATCH:
            return total


async def sweep(runtime: Runtime, wake: asyncio.Event) -> None:
    """Sweep every retention_sweep_seconds, or when woken, while this node leads "logs-retention"."""
    while True:
        try:
            if await runtime.store.is_leader(LEADER_ROLE):
                total = await expire_all(runtime)
                if total:
                    log.info("log retention: %d events expired", total)
        except asyncio.CancelledError:
            raise
        except Exception:
            log.exception("CloudWatch Logs retention sweep failed")
        try:
            await asyncio.wait_for(wake.wait(), runtime.config.retention_sweep_seconds)
        except TimeoutError:
            pass
        wake.clear()
