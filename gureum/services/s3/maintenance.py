"""S3's background work, on the leader node only (exactly one node when several share PostgreSQL): the lifecycle
sweep every GUREUM_S3_LIFECYCLE_SECONDS (S3Backend.sweep_lifecycle), and the restores due then (sweep_restores):
copies ready, copies expired. A lifespan task started by the start hook."""

from __future__ import annotations

import asyncio
import logging

from ...runtime import Runtime
from .backend import S3Backend

log = logging.getLogger("gureum.s3")
_LEADER_ROLE = "s3-lifecycle"


async def maintain(runtime: Runtime, be: S3Backend, every: float) -> None:
    """Until cancelled: sweep lifecycle rules every ``every`` seconds."""
    while True:
        await asyncio.sleep(every)
        try:
            if await runtime.store.is_leader(_LEADER_ROLE):
                await be.sweep_lifecycle()
                await be.sweep_restores()
        except asyncio.CancelledError:
            raise
        except Exception:
            log.exception("S3 lifecycle sweep failed")
