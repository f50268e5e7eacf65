"""Background work that only the leader node does (exactly one node when several share PostgreSQL; the one node on
SQLite), at a steady pace: a lifespan task a service's start hook spawns."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from .runtime import Runtime


async def every_on_leader(
    runtime: Runtime,
    role: str,
    seconds: float,
    work: Callable[[], Awaitable[Any]],
    log: logging.Logger,
    what: str,
    *,
    first_wait: bool = True,
) -> None:
    """Until cancelled: every ``seconds`` (the first wait before the first round unless ``first_wait`` is false),
    ``work`` when this node leads ``role``; a round that fails is logged (``what`` failed) and the next one comes."""
    if first_wait:
        await asyncio.sleep(seconds)
    while True:
        try:
            if await runtime.store.is_leader(role):
                await work()
        except asyncio.CancelledError:
            raise
        except Exception:
            log.exception("%s failed", what)
        await asyncio.sleep(seconds)
