"""The application: admin routes, then the AWS dispatcher; startup opens the store, services and delivery.

gureum.server serves it over HTTP (App.handle answers one request).
"""

from __future__ import annotations

import logging
from typing import Any

from . import delivery, deployment
from .admin.routes import handle_admin
from .aws.dispatch import Dispatcher
from .aws.http import MAX_BODY, Request, Response
from .config import Config
from .edge import EdgeRouter
from .ports import AwsDispatch
from .runtime import Runtime
from .services import Service, all_services
from .store import Store, open_store, wipe_all

log = logging.getLogger("gureum")


class App:
    def __init__(self, config: Config, services: list[Service] | None = None) -> None:
        self.config = config
        self.failed_services: dict[str, str] = {}
        self.services = services if services is not None else all_services(self.failed_services)
        self.runtime: Runtime | None = None
        self.dispatcher: Dispatcher | None = None
        self.edge = EdgeRouter([route for service in self.services for route in service.edge_routes])
        self.upgrades = [service.upgrade for service in self.services if service.upgrade is not None]

    # --- lifespan -------------------------------------------------------------------------------

    async def startup(self) -> None:
        store: Store = open_store(self.config.store_url, self.config.data_dir, sync=self.config.sync)
        self.runtime = runtime = Runtime(self.config, store)
        for name, reason in self.failed_services.items():
            runtime.service_status[name] = f"failed to load: {reason}"
        await store.migrate("core", deployment.MIGRATIONS)
        runtime.deployment_secret = await deployment.deployment_secret(store)
        await store.migrate("delivery", delivery.MIGRATIONS)
        for service in self.services:
            runtime.service_status[service.name] = "starting"
            if service.migrations is not None:
                await store.migrate(service.name, service.migrations)
        runtime.delivery = delivery.Delivery(runtime, {t.kind: t for service in self.services for t in service.targets})
        self.dispatcher = Dispatcher(self.services, runtime)
        # an AWS API request made inside gureum (API Gateway's AWS integrations, @connections): routed, parsed and
        # answered exactly as one from outside
        runtime.provide(AwsDispatch, self.dispatcher.handle)
        for service in self.services:
            for hook in service.starts:
                await hook(runtime)
            runtime.service_status[service.name] = "running"
        if store.dialect == "sqlite":  # one process owns the file: claims of a killed predecessor are void
            await store.write(delivery.release_claims)
        runtime.spawn(runtime.delivery.run(), "delivery-dispatcher")

    async def shutdown(self) -> None:
        if self.runtime is None:
            return
        for service in reversed(self.services):
            for hook in service.stops:
                await hook(self.runtime)
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
