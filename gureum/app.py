"""The application: admin routes, then the AWS dispatcher; startup opens the store, services and delivery.

gureum.server serves it over HTTP (App.handle answers one request).
"""

from __future__ import annotations

import logging
from typing import Any

from . import delivery, deployment
from .admin.routes import handle_admin
from .aws.dispatch import Dispatcher
from .aws.errors import ServiceError
from .aws.http import MAX_BODY, Request, Response
from .config import Config
from .edge import EdgeRouter
from .loader import ServiceFailed, ServiceLoader
from .ports import AwsDispatch
from .runtime import Runtime
from .services import Service
from .store import Store, open_store, wipe_all

log = logging.getLogger("gureum")


class App:
    def __init__(self, config: Config, services: list[Service] | None = None) -> None:
        """``services``: exactly these, loaded at start (else every service present, each loaded on first use:
        gureum.loader)."""
        self.config = config
        self.given = services
        self.runtime: Runtime | None = None
        self.dispatcher: Dispatcher | None = None
        self.loader: ServiceLoader | None = None
        self.edge = EdgeRouter([])
        self.upgrades: list[Any] = []

    @property
    def services(self) -> list[Service]:
        """The services loaded so far, in start-up order."""
        return list(self.loader.loaded.values()) if self.loader is not None else []

    # --- lifespan -------------------------------------------------------------------------------

    async def startup(self) -> None:
        store: Store = open_store(self.config.store_url, self.config.data_dir, sync=self.config.sync)
        self.runtime = runtime = Runtime(self.config, store)
        await store.migrate("core", deployment.MIGRATIONS)
        runtime.deployment_secret = await deployment.deployment_secret(store)
        await store.migrate("delivery", delivery.MIGRATIONS)
        given = None if self.given is None else {service.name: service for service in self.given}
        self.loader = loader = ServiceLoader(runtime, None if given is None else {name: "" for name in given})
        if given is not None:  # made, not imported: the loader imports nothing for them
            loader.preloaded.update(given)
        runtime.delivery = delivery.Delivery(runtime, {})  # each service's targets join when it loads
        runtime.delivery.missing = loader.kind_waiting
        self.dispatcher = Dispatcher([], runtime, names=list(loader.modules), load=self._serve)
        # an AWS API request made inside gureum (API Gateway's AWS integrations, @connections): routed, parsed and
        # answered exactly as one from outside
        runtime.provide(AwsDispatch, self.dispatcher.handle)
        loader.on_load.append(self._loaded)
        await loader.start(None if given is None else list(given))
        if store.dialect == "sqlite":  # one process owns the file: claims of a killed predecessor are void
            await store.write(delivery.release_claims)
        runtime.spawn(runtime.delivery.run(), "delivery-dispatcher")

    def _loaded(self, service: Service) -> None:
        assert self.loader is not None and self.dispatcher is not None
        self.dispatcher.services[service.name] = service
        self.edge = self.loader.edge
        self.upgrades = [s.upgrade for s in self.loader.loaded.values() if s.upgrade is not None]

    async def _serve(self, name: str) -> Service:
        """The service an AWS request names, loaded now if need be (gureum.aws.dispatch asks)."""
        assert self.loader is not None
        try:
            return await self.loader.load(name)
        except ServiceFailed as failed:
            raise ServiceError(
                f"{failed}; see gureum's log", code="ServiceUnavailable", status=503, sender_fault=False
            ) from None

    async def shutdown(self) -> None:
        if self.runtime is None:
            return
        if self.loader is not None:
            await self.loader.stop()
        await self.runtime.stop_tasks()
        await self.runtime.store.close()

    async def reset(self) -> None:
        assert self.runtime is not None

        await self.runtime.store.write(wipe_all)
        for service in self.services:
            for hook in service.resets:
                await hook(self.runtime)

    async def handle(self, request: Request) -> Response:
        """Answer one HTTP request: admin routes first, then the services' edge routes, then AWS. A body still
        arriving is read whole first unless the request is an AWS operation that streams it (S3's PutObject) or an
        edge route that does (the ECR registry's blob uploads)."""
        if request.stream is not None and not self._takes_stream(request):
            if not await request.load(MAX_BODY):
                return Response(413, [("Content-Type", "text/plain")], b"Request entity too large")
        response = await handle_admin(self, request)
        loader = self.loader
        if response is None and loader is not None and loader.triggers:
            assert self.runtime is not None
            if loader.triggers.may_match(self.runtime, request):
                await loader.wake_edges(request)  # a data plane of a service not loaded yet may serve it
        if response is None and self.edge:
            assert self.runtime is not None
            if self.edge.may_match(self.runtime, request):
                response = await self.edge.handle(self.runtime, request)
        if response is None:
            assert self.dispatcher is not None
            response = await self.dispatcher.handle(request)
        return response

    def _takes_stream(self, request: Request) -> bool:
        if self.edge and self.runtime is not None and self.edge.takes_stream(self.runtime, request):
            return True
        return self.dispatcher is not None and self.dispatcher.takes_stream(request)

    async def upgrade(self, request: Request, ws: Any) -> None:
        """A WebSocket upgrade (gureum.websocket.WebSocket): the service that claims its URL serves it; else 404."""
        assert self.runtime is not None
        for upgrade in self.upgrades:
            if await upgrade(self.runtime, request, ws):
                return
        ws.reject(Response(404, [("Content-Type", "application/json")], b'{"message":"Not Found"}'))
