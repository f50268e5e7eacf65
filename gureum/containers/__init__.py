"""Containers on an existing engine (Docker, or Podman's compatible service) through the Docker Engine API.

``engine_state(runtime)`` is the one Containers object of the running server: which engine is in use (discovered
from GUREUM_CONTAINER_HOST, DOCKER_HOST, CONTAINER_HOST or the usual sockets), its client, and the status
/_gureum/health shows. Services that run containers (ECS, Lambda images) call ``require()``; without an engine
they get NoEngine, whose message names what to install.
"""

from __future__ import annotations

import asyncio
import os
from typing import TYPE_CHECKING, Any

from .engine import Engine, EngineError, NoEngine, discover

if TYPE_CHECKING:
    from ..runtime import Runtime

__all__ = ["Containers", "Engine", "EngineError", "NoEngine", "engine_state"]

_RECHECK = 5.0  # seconds a health answer about the engine is reused


class Containers:
    """The engine in use (or None) and a cached view of its health."""

    def __init__(self, address: str | None, monotonic: Any) -> None:
        self.address = address
        self._monotonic = monotonic
        self._engine: Engine | None = None
        self._status: dict[str, Any] | None = None
        self._checked = 0.0
        self._probe: asyncio.Future[dict[str, Any]] | None = None

    def engine(self) -> Engine:
        """The engine's client (no call made); NoEngine when none is configured or found."""
        if self.address is None:
            raise NoEngine()
        if self._engine is None:
            self._engine = Engine(self.address)
        return self._engine

    async def require(self) -> Engine:
        """The engine's client after a successful ping; NoEngine (naming what to install) otherwise."""
        engine = self.engine()
        if not await engine.ping():
            raise NoEngine(f"{self.address} does not answer")
        return engine

    async def status(self) -> dict[str, Any]:
        """{"engine": "podman"|"docker"|None, "host", "version", "apiVersion", "os"} or {"engine": None, "error"}."""
        now = self._monotonic()
        if self._status is not None and now - self._checked < _RECHECK:
            return self._status
        if self._probe is None or self._probe.done():  # one probe at a time, however many ask
            self._probe = asyncio.ensure_future(self._check())
        return await asyncio.shield(self._probe)

    async def _check(self) -> dict[str, Any]:
        status: dict[str, Any]
        try:
            engine = self.engine()
            if not await engine.ping():
                raise NoEngine(f"{self.address} does not answer")
            status = {**(await engine.info()).doc(), "host": self.address}
        except EngineError as exc:
            status = {"engine": None, "host": self.address, "error": str(exc)}
        self._status, self._checked = status, self._monotonic()
        return status

    async def close(self) -> None:
        if self._engine is not None:
            await self._engine.close()
            self._engine = None


def engine_state(runtime: Runtime) -> Containers:
    """The server's Containers (made on first use, from the process environment)."""
    found = runtime.state_or_none(Containers)
    if found is None:
        found = runtime.keep(Containers(discover(os.environ), runtime.clock.monotonic))
    return found
