"""The running server's shared parts: config, store, clock, ports, per-service state and background tasks."""

from __future__ import annotations

import asyncio
import logging
import socket
from collections.abc import Callable, Coroutine
from typing import TYPE_CHECKING, Any, TypeVar

from .aws.auth import known_secret
from .clock import Clock, SystemClock
from .config import Config
from .ports import KeyOwner
from .store.base import Store

if TYPE_CHECKING:
    from .delivery import Delivery

T = TypeVar("T")

log = logging.getLogger("gureum")


class Runtime:
    def __init__(self, config: Config, store: Store, clock: Clock | None = None) -> None:
        self.config = config
        self.store = store
        self.clock = clock or SystemClock()
        self.deployment_secret = ""  # set at start (gureum.deployment)
        self.service_status: dict[str, str] = {}
        self._delivery: Delivery | None = None
        # in-process calls one service offers others without importing it (gureum.ports), keyed by protocol
        self._ports: dict[type[Any], Any] = {}
        # each service's own state object (its backend), keyed by its class
        self._states: dict[type[Any], Any] = {}
        self._credentials = dict(config.credentials)
        self._tasks: set[asyncio.Task[Any]] = set()
        # a port of a service not loaded yet (gureum.loader): (protocol, optional) → a stand-in that loads it, or None
        self.lazy_port: Callable[[type[Any], bool], Any] | None = None
        # listening sockets gureum holds for services not loaded yet (SES's SMTP ports), by port number
        self.held_sockets: dict[int, socket.socket] = {}

    def secret_for(self, access_key: str) -> str | None:
        """The secret strict mode verifies this key's signatures with (None: a key gureum does not know)."""
        return known_secret(self._credentials, self.deployment_secret, access_key)

    @property
    def delivery(self) -> Delivery:
        """The durable delivery path (gureum.delivery), set at start."""
        assert self._delivery is not None, "delivery is set before any service starts"
        return self._delivery

    @delivery.setter
    def delivery(self, delivery: Delivery) -> None:
        self._delivery = delivery

    def provide(self, kind: type[T], port: T) -> None:
        """Offer ``port`` (an object satisfying the protocol ``kind`` of gureum.ports) to the other services."""
        self._ports[kind] = port

    def port(self, kind: type[T]) -> T:
        """The port of protocol ``kind``; a clear error when the service providing it is not running."""
        found = self._ports.get(kind)
        if found is None and self.lazy_port is not None:
            found = self.lazy_port(kind, False)
        if found is None:
            raise RuntimeError(
                f"{kind.__name__} is unavailable: the service providing it is not running (see /_gureum/health)"
            )
        return found  # type: ignore[no-any-return]

    def optional_port(self, kind: type[T]) -> T | None:
        """The port of protocol ``kind``, or None where no service here provides it."""
        found = self._ports.get(kind)
        if found is None and self.lazy_port is not None:
            return self.lazy_port(kind, True)  # type: ignore[no-any-return]
        return found

    def provided(self, kind: type[T]) -> T | None:
        """The port of protocol ``kind`` if its service has provided it (never loads a service)."""
        return self._ports.get(kind)

    def take_socket(self, port: int) -> socket.socket | None:
        """The listening socket gureum held on ``port`` until the service serving it loaded, if any."""
        return self.held_sockets.pop(port, None)

    def keep(self, state: T) -> T:
        """Keep a service's state object (made by its start hook); ``state(type(obj))`` finds it again."""
        self._states[type(state)] = state
        return state

    def state(self, kind: type[T]) -> T:
        """The state object of class ``kind`` a service kept at start."""
        found = self._states.get(kind)
        if found is None:
            raise RuntimeError(f"{kind.__name__} is unavailable: its service has not started")
        return found  # type: ignore[no-any-return]

    def state_or_none(self, kind: type[T]) -> T | None:
        """The state object of class ``kind``, or None before its service started (or where it failed to)."""
        return self._states.get(kind)

    async def principal_arn(self, account: str, access_key: str) -> str:
        """The IAM principal an access key acts as: an IAM user's key names the user (through IAM's KeyOwner port),
        any other key the account's root (as STS GetCallerIdentity answers). Resource policies are evaluated
        against it."""
        key_owner = self.optional_port(KeyOwner)
        owner = await key_owner.owner(account, access_key) if access_key and key_owner is not None else None
        return owner["Arn"] if owner is not None else f"arn:aws:iam::{account}:root"

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
