"""SES's background work, on the leader node only (exactly one node when several share PostgreSQL): every
PRUNE_EVERY seconds, the sends older than GetSendStatistics' two weeks and the quota buckets past the quota window
are deleted (SesBackend.prune_sent), so a long-running gateway's store does not grow with every message sent; and,
when GUREUM_SES_DNS turns them on, pending domain identities' records are looked up in DNS (SesBackend.check_dns).
Lifespan tasks started by the start hook."""

from __future__ import annotations

import asyncio
import logging

from ...runtime import Runtime
from . import limits
from .backend import SesBackend
from .dns_verify import Resolver

log = logging.getLogger("gureum.ses")
_LEADER_ROLE = "ses-prune"
_DNS_ROLE = "ses-dns"


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


async def look_up(runtime: Runtime, be: SesBackend, where: str, every: float) -> None:
    """Until cancelled: every ``every`` seconds, look pending domain identities up in DNS (``where``: Resolver's)."""
    resolver = Resolver(where)
    while True:
        await asyncio.sleep(every)
        try:
            if await runtime.store.is_leader(_DNS_ROLE):
                await be.check_dns(resolver.lookup)
        except asyncio.CancelledError:
            raise
        except Exception:
            log.exception("SES DNS lookups failed")
