"""SES's background work, on the leader node only (gureum.leader): every PRUNE_EVERY seconds, the sends older than
GetSendStatistics' two weeks and the quota buckets past the quota window are deleted (SesBackend.prune_sent), so a
long-running gateway's store does not grow with every message sent; and, when GUREUM_SES_DNS turns them on, pending
domain identities' records are looked up in DNS (SesBackend.check_dns). Lifespan tasks started by the start hook."""

from __future__ import annotations

import logging

from ...leader import every_on_leader
from ...runtime import Runtime
from . import limits
from .backend import SesBackend
from .dns_verify import Resolver

log = logging.getLogger("gureum.ses")


async def maintain(runtime: Runtime, be: SesBackend) -> None:
    await every_on_leader(runtime, "ses-prune", limits.PRUNE_EVERY, be.prune_sent, log, "SES prune")


async def look_up(runtime: Runtime, be: SesBackend, where: str, every: float) -> None:
    """Look pending domain identities up in DNS every ``every`` seconds (``where``: Resolver's)."""
    resolver = Resolver(where)
    await every_on_leader(runtime, "ses-dns", every, lambda: be.check_dns(resolver.lookup), log, "SES DNS lookups")
