"""S3's background work, on the leader node only (gureum.leader): every GUREUM_S3_LIFECYCLE_SECONDS, the lifecycle
sweep (S3Backend.sweep_lifecycle) and the restores due then (sweep_restores): copies ready, copies expired. A lifespan
task started by the start hook."""

from __future__ import annotations

import logging

from ...leader import every_on_leader
from ...runtime import Runtime
from .backend import S3Backend

log = logging.getLogger("gureum.s3")


async def maintain(runtime: Runtime, be: S3Backend, every: float) -> None:
    async def sweep() -> None:
        await be.sweep_lifecycle()
        await be.sweep_restores()

    await every_on_leader(runtime, "s3-lifecycle", every, sweep, log, "S3 lifecycle sweep")
