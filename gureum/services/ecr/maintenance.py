"""The ECR sweep on the leader node: lifecycle policies applied (images expired), stale uploads dropped, and the
files of blobs no repository holds any longer removed."""

from __future__ import annotations

import asyncio
import logging

from ...runtime import Runtime
from .backend import EcrBackend

log = logging.getLogger("gureum")
_LEADER_ROLE = "ecr-maintenance"


async def maintain(runtime: Runtime, be: EcrBackend) -> None:
    while True:
        await asyncio.sleep(be.settings.lifecycle_seconds)
        try:
            if await runtime.store.is_leader(_LEADER_ROLE):
                await be.apply_lifecycle()
                await be.collect()
        except Exception:  # the next sweep tries again
            log.exception("ECR maintenance failed")
