"""The running server's shared parts: config, store, clock, per-service state and background tasks."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Coroutine
from typing import Any

from .aws.auth import known_secret
from .clock import Clock, SystemClock
from .config import Config
from .store.base import Store

log = logging.getLogger("gureum")


class Runtime:
    def __init__(self, config: Config, store: Store, clock: Clock | None = None) -> None:
        self.config = config
        self.store = store
        self.clock = clock or SystemClock()
        self.states: dict[str, Any] = {}
        self.delivery: Any = None  # gureum.delivery.Delivery, set at start
        self.deployment_secret = ""  # set at start (gureum.settings)
        self.service_status: dict[str, str] = {}
        # in-process calls one service offers others without importing it ("lambda.invoke", "sqs.consumer", …)
        self.ports: dict[str, Any] = {}
        self._credentials = dict(config.credentials)
        self._tasks: set[asyncio.Task[Any]] = set()

    def secret_for(self, access_key: str) -> str | None:
        """The secret strict mode verifies this key's signatures with (None: a key gureum does not know)."""
        return known_secret(self._credentials, self.deployment_secret, access_key)

    def provide(self, name: str, port: Any) -> None:
        self.ports[name] = port

    def port(self, name: str) -> Any:
        """A port another service provides; a clear error when that service is not running."""
        try:
            return self.ports[name]
        except KeyError:
            owner = name.split(".", 1)[0]
            raise RuntimeError(
                f"{name} is unavailable: the {owner} service is not running (see /_gureum/health)"
            ) from None

    def spawn(self, coro: Coroutine[Any, Any, Any], name: str) -> asyncio.Task[Any]:
        """Start a background task owned by the server's lifespan (cancelled at shutdown)."""
        task = asyncio.get_running_loop().create_task(coro, name=name)
        self._tasks.add(task)
        task.add_done_callback(self._finished)
        return task

    def _finished(self, task: asyncio.Task[Any]) -> None:
        self._tasks.discard(task)
        if not task.cancelled() and task.exception() is not None:
            log.error("background task %s failed", task.get_name(), exc_info=task.exception())

    async def stop_tasks(self) -> None:
        tasks = list(self._tasks)
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
