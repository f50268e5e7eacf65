"""SES's background work, on the leader node only (exactly one node when several share PostgreSQL): every
PRUNE_EVERY seconds, the sends older than GetSendStatistics' two weeks and the quota buckets past the quota window
are deleted (SesBackend.prune_sent), so a long-running gateway's store does not grow with every message sent.
A lifespan task started by the start hook."""

from __future__ import annotations

import asyncio
import logging

from ...runtime import Runtime
from . import limits
from .backend import SesBackend

log = logging.getLogger("gureum.ses")
_LEADER_ROLE = "ses-prune"


async def maintain(runtime: Runtime, be: SesBackend) -> None:
    """Until cancelled: prune every PRUNE_EVERY seconds."""
    while True:
        await asyncio.sleep(limits.PRUNE_EVERY)
        try:
            if await runtime.store.is_leader(_LEADER_ROLE):
                await be.prune_sent()
        except asyncio.CancelledError:
            raise
        except Exception:
            log.exception("SES prune failed")
