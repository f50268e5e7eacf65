"""Services loaded on first use: a service's modules, model, migrations and start hooks wait until something needs
it — an AWS call naming it, a request its data plane may serve, its admin routes, a delivery addressed to it, a
call through a port it provides, a connection to a port it listens on — or state it keeps in the store (its
migrations were applied: it was used here before, so its work in flight resumes at start).

What wakes each service is data (gureum.services.WAKES); gureum.app owns one ServiceLoader.
"""

from __future__ import annotations

import asyncio
import importlib
import inspect
import logging
import socket
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from .aws.http import Request, Response
from .edge import EdgeRouter
from .services import WAKES, EdgeRoute, Service, available

if TYPE_CHECKING:
    from .runtime import Runtime

log = logging.getLogger("gureum")

CHANNEL = "gureum_services"  # PostgreSQL: a node that loaded a service tells the others, which load it too
PEER_CHECK = 10.0  # seconds between a PostgreSQL node's looks at what the other nodes loaded
AVAILABLE = "available"  # the status of a service not loaded yet (as LocalStack's health names it)


async def _no_answer(_runtime: Runtime, _request: Request) -> Response:  # a trigger only loads; never answers
    raise AssertionError("a trigger route is never served")


class ServiceFailed(Exception):
    """A service could not be loaded (its import, migrations or start failed); the reason is logged."""


class ServiceLoader:
    def __init__(self, runtime: Runtime, names: dict[str, str] | None = None) -> None:
        self.runtime = runtime
        self.modules = names if names is not None else available()  # botocore name → module, start-up order
        self.order = {name: n for n, name in enumerate(self.modules)}
        self.loaded: dict[str, Service] = {}
        self.preloaded: dict[str, Service] = {}  # services made by the caller, not imported (App(services=…))
        self.failed: dict[str, str] = {}
        self._locks: dict[str, asyncio.Lock] = {}
        self._migrated: set[str] = set()
        self._providers = {port: name for name, wake in WAKES.items() for port in wake.ports if name in self.modules}
        self._kinds = {kind: name for name, wake in WAKES.items() for kind in wake.kinds if name in self.modules}
        self._admin = [(wake.admin, name) for name, wake in WAKES.items() if wake.admin and name in self.modules]
        self.on_load: list[Callable[[Service], None]] = []  # told of each service once it runs (App: routes)
        self.edge = EdgeRouter([])  # the loaded services' edge routes
        self.triggers = EdgeRouter([])  # the unloaded services' triggers
        self._trigger_names: dict[int, str] = {}
        self._loop: asyncio.AbstractEventLoop | None = None
        self._booting = False
        for name in self.modules:
            runtime.service_status[name] = AVAILABLE
        self._rebuild_edges()

    # --- what must run at start -------------------------------------------------------------------------

    async def start(self, eager: list[str] | None = None) -> None:
        """Load the services with state in the store (or work addressed to them), the eager ones, and hold the
        sockets of the unloaded ones that listen; ``eager`` given: exactly those."""
        self._loop = asyncio.get_running_loop()
        eager_given = eager
        runtime = self.runtime
        runtime.lazy_port = self._lazy_port
        runtime.store.subscribe(CHANNEL, self._peer_loaded)
        if eager is None:
            used, kinds = await runtime.store.read(_in_use)
            config = runtime.config
            eager = [
                name
                for name in self.modules
                if name in used
                or any(self._kinds.get(kind) == name for kind in kinds)
                or (name in WAKES and WAKES[name].eager is not None and getattr(config, str(WAKES[name].eager)))
            ]
        self._booting = True  # no request is served yet: imports run on the loop, without a thread's hand-off
        for name in eager:
            try:
                await self.load(name)
            except ServiceFailed:
                pass  # logged and shown by /_gureum/health; the other services run
        self._booting = False
        for name in self.modules:
            if name not in self.loaded and name not in self.failed:
                self._hold_sockets(name)
        if eager_given is None and runtime.store.dialect == "postgresql":
            runtime.spawn(self._follow_peers(), "services-follow-peers")

    async def _follow_peers(self) -> None:
        """PostgreSQL: what the other nodes used, loaded here too (their notification may have gone out before
        this node was heard from, or been lost with a connection): one small query every PEER_CHECK seconds."""
        while True:
            await asyncio.sleep(PEER_CHECK)
            try:
                used = await self.runtime.store.read(_used)
            except Exception:  # the store is away for a moment: the next round asks again
                log.debug("services: reading the components in use failed", exc_info=True)
                continue
            for name in used:
                if name in self.modules:
                    self._spawn_load(name)

    async def stop(self) -> None:
        for service in reversed(list(self.loaded.values())):
            for hook in service.stops:
                await hook(self.runtime)
        for sock in self.runtime.held_sockets.values():
            if self._loop is not None:
                self._loop.remove_reader(sock.fileno())  # no reader left: False, nothing else
            sock.close()
        self.runtime.held_sockets.clear()

    # --- loading ----------------------------------------------------------------------------------------

    async def load(self, name: str) -> Service:
        """The service ``name``, loaded now if it was not (one load at a time per service); ServiceFailed when it
        cannot be."""
        service = self.loaded.get(name)
        if service is not None:
            return service
        lock = self._locks.setdefault(name, asyncio.Lock())
        async with lock:
            service = self.loaded.get(name)
            if service is not None:
                return service
            if name in self.failed:
                raise ServiceFailed(f"the {name} service failed to load: {self.failed[name]}")
            if name not in self.modules:
                raise ServiceFailed(f"gureum has no {name} service")
            try:
                return await self._load(name)
            except Exception as exc:
                log.exception("service %s failed to load", name)
                self.failed[name] = f"{type(exc).__name__}: {exc}"
                self.runtime.service_status[name] = f"failed to load: {self.failed[name]}"
                raise ServiceFailed(f"the {name} service failed to load: {self.failed[name]}") from exc

    async def _load(self, name: str) -> Service:
        runtime = self.runtime
        runtime.service_status[name] = "starting"
        service = self.preloaded.get(name)
        if service is None:
            if self._booting:
                module = importlib.import_module(self.modules[name])
            else:  # an import is CPU work (tens of ms for a large service): off the loop, as a request's work is
                module = await asyncio.to_thread(importlib.import_module, self.modules[name])
            service = module.SERVICE
        if service.migrations is not None and name not in self._migrated:
            await runtime.store.migrate(name, service.migrations)
            self._migrated.add(name)
        self._unwatch_sockets(name)  # the service takes them (runtime.take_socket) and serves who waits there
        for hook in service.starts:
            await hook(runtime)
        self._release_sockets(name)
        self.loaded = dict(sorted({**self.loaded, name: service}.items(), key=lambda item: self.order[item[0]]))
        if service.targets:
            runtime.delivery.targets.update({target.kind: target for target in service.targets})
            runtime.delivery.wake()
        self._rebuild_edges()
        for listener in self.on_load:
            listener(service)
        runtime.service_status[name] = "running"
        if runtime.store.dialect == "postgresql" and service.migrations is not None:
            await runtime.store.write(lambda tx: tx.notify(CHANNEL, name))
        return service

    def _spawn_load(self, name: str) -> None:
        if name in self.loaded or name in self.failed or name in self._locks and self._locks[name].locked():
            return
        self.runtime.spawn(self._load_quietly(name), f"load-{name}")

    async def _load_quietly(self, name: str) -> None:
        try:
            await self.load(name)
        except ServiceFailed:
            pass  # logged once, shown by /_gureum/health

    def _peer_loaded(self, name: str) -> None:
        """Another node loaded ``name`` (PostgreSQL): its state may need this node's workers too."""
        if name in self.modules:
            self._spawn_load(name)

    # --- what wakes a service ---------------------------------------------------------------------------

    def kind_waiting(self, kind: str) -> None:
        """An outbox row was written for a kind no loaded service offers (called on a store thread)."""
        name = self._kinds.get(kind)
        if name is not None and name not in self.loaded and self._loop is not None:
            self._loop.call_soon_threadsafe(self._spawn_load, name)

    async def wake_admin(self, path: str) -> None:
        """Load the service whose admin routes live under ``path``."""
        for prefix, name in self._admin:
            if path.startswith(prefix) and name not in self.loaded:
                await self._load_quietly(name)

    async def wake_edges(self, request: Request) -> None:
        """Load the services whose data plane may serve ``request``."""
        for route in self.triggers.matching(self.runtime, request):
            await self._load_quietly(self._trigger_names[id(route)])

    def _rebuild_edges(self) -> None:
        self.edge = EdgeRouter([route for service in self.loaded.values() for route in service.edge_routes])
        triggers: list[EdgeRoute] = []
        names: dict[int, str] = {}
        for name, wake in WAKES.items():
            if name in self.modules and name not in self.loaded and name not in self.failed:
                for trigger in wake.edges:
                    route = EdgeRoute(_no_answer, host=trigger.host, path=trigger.path, accepts=trigger.accepts)
                    triggers.append(route)
                    names[id(route)] = name
        self.triggers = EdgeRouter(triggers)
        self._trigger_names = names

    def _lazy_port(self, kind: type[Any], optional: bool) -> Any:
        """A stand-in for the port ``kind`` of a service not loaded yet: its coroutine methods load the service
        first. None where no service here provides it, or (``optional``) where the protocol has plain methods
        too: a stand-in cannot load the service for those, and a service not loaded holds nothing they would
        find (it has no state in the store, or it would have loaded at start)."""
        name = self._providers.get(kind.__name__)
        if name is None or name in self.loaded or name in self.failed:
            return None
        if optional and not _all_async(kind):
            return None
        return _PortStandIn(self, name, kind)

    # --- sockets held for services that listen ------------------------------------------------------------

    def _hold_sockets(self, name: str) -> None:
        wake = WAKES.get(name)
        if wake is None or self._loop is None:
            return
        host = self.runtime.config.host
        for field in wake.listens:
            port = int(getattr(self.runtime.config, field) or 0)
            if not port:
                continue
            try:
                sock = socket.create_server((host, port), reuse_port=False, backlog=128)
            except OSError as error:
                log.warning("%s: cannot listen on %s:%d (%s)", name, host, port, error.strerror)
                continue
            sock.setblocking(False)
            self.runtime.held_sockets[port] = sock
            self._loop.add_reader(sock.fileno(), self._connected, name, sock)

    def _connected(self, name: str, sock: socket.socket) -> None:
        """A client connected to a socket held for ``name``: load it; it serves the connection waiting."""
        assert self._loop is not None
        self._loop.remove_reader(sock.fileno())
        self._spawn_load(name)

    def _held(self, name: str) -> list[tuple[int, socket.socket]]:
        wake = WAKES.get(name)
        ports = [int(getattr(self.runtime.config, field) or 0) for field in (wake.listens if wake else ())]
        return [(port, self.runtime.held_sockets[port]) for port in ports if port in self.runtime.held_sockets]

    def _unwatch_sockets(self, name: str) -> None:
        for _port, sock in self._held(name):
            if self._loop is not None:
                self._loop.remove_reader(sock.fileno())

    def _release_sockets(self, name: str) -> None:
        """After ``name`` started: the sockets it did not take (it failed to listen, or does not): closed."""
        for port, sock in self._held(name):
            self.runtime.held_sockets.pop(port, None)
            sock.close()


def _all_async(kind: type[Any]) -> bool:
    return all(
        inspect.iscoroutinefunction(member)
        for attr, member in vars(kind).items()
        if callable(member) and not attr.startswith("_")
    )


class _PortStandIn:
    """Stands for a port whose service is not loaded: calling one of its coroutine methods loads the service and
    calls the real port; a plain method answers only once the service runs."""

    def __init__(self, loader: ServiceLoader, name: str, kind: type[Any]) -> None:
        self._loader = loader
        self._name = name
        self._kind = kind

    def __getattr__(self, attribute: str) -> Any:
        real = self._loader.runtime.provided(self._kind)
        if real is not None:
            return getattr(real, attribute)
        member = getattr(self._kind, attribute)
        if not inspect.iscoroutinefunction(member):
            raise RuntimeError(f"{self._kind.__name__} is unavailable until the {self._name} service has started")
        loader, name, kind = self._loader, self._name, self._kind

        async def call(*args: Any, **kwargs: Any) -> Any:
            try:
                await loader.load(name)
            except ServiceFailed as failed:
                raise RuntimeError(f"{kind.__name__} is unavailable: {failed}") from None
            return await getattr(loader.runtime.port(kind), attribute)(*args, **kwargs)

        return call


def _used(tx: Any) -> list[str]:
    """Components whose migrations were applied: services used in this store before."""
    return [row[0] for row in tx.all("SELECT DISTINCT component FROM gureum_migrations")]


def _in_use(tx: Any) -> tuple[set[str], set[str]]:
    """The services used in this store before, and the delivery kinds with rows waiting in the outbox."""
    return set(_used(tx)), {row[0] for row in tx.all("SELECT DISTINCT kind FROM delivery_outbox")}
