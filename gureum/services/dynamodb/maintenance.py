"""DynamoDB's background work, on the leader node only: the TTL sweep deleting items whose expiry passed, the
stream sweep dropping records past 24 hours and rolling shards past their lifetime, and the point-in-time log's
folding past each table's window, every
GUREUM_DYNAMODB_TTL_SWEEP_SECONDS; and the exports and imports in progress (transfers), at once when this node
accepted one, else every second. Lifespan tasks started by the service's start hook; the work is the backends'."""

from __future__ import annotations

import asyncio
import logging

from ...leader import every_on_leader
from ...runtime import Runtime
from .backend import DynamoBackend
from .backend_backups import BackupBackend
from .backend_transfers import TransferBackend

log = logging.getLogger("gureum.dynamodb")
_LEADER_ROLE = "dynamodb-ttl"


async def maintain(runtime: Runtime, be: DynamoBackend) -> None:
    """Until cancelled: sweep expired items every sweep period (when this node leads)."""

    async def sweep() -> None:
        await be.sweep_expired()
        await be.sweep_streams()
        await be.roll_shards()
        await runtime.state(BackupBackend).sweep_log()

    await every_on_leader(
        runtime, _LEADER_ROLE, be.settings.ttl_sweep_seconds, sweep, log, "DynamoDB TTL sweep", first_wait=False
    )


async def transfers(runtime: Runtime, worker: TransferBackend) -> None:
    """Until cancelled: do the exports and imports in progress (when this node leads)."""
    while True:
        worker.wake.clear()
        try:
            if await runtime.store.is_leader(_LEADER_ROLE):
                await worker.run_pending()
        except asyncio.CancelledError:
            raise
        except Exception:
            log.exception("DynamoDB exports and imports failed")
        try:
            await asyncio.wait_for(worker.wake.wait(), 1.0)
        except TimeoutError:
            pass
