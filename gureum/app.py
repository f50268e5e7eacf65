"""The ASGI application: admin routes, then the AWS dispatcher; the lifespan opens the store and services."""

from __future__ import annotations

import logging
from typing import Any

from . import delivery, settings
from .admin.routes import handle_admin
from .aws.dispatch import Dispatcher, Service
from .aws.http import Request, Response
from .config import Config
from .runtime import Runtime
from .store.base import Store, open_store

log = logging.getLogger("gureum")

MAX_BODY = 20 * 1024 * 1024  # larger than any AWS payload we serve; beyond it the client gets 413


class App:
    def __init__(self, config: Config, services: list[Service] | None = None) -> None:
        from .services import all_services

        self.config = config
        self.failed_services: dict[str, str] = {}
        self.services = services if services is not None else all_services(self.failed_services)
        self.runtime: Runtime | None = None  # type: ignore[assignment]
        self.dispatcher: Dispatcher | None = None

    # --- lifespan -------------------------------------------------------------------------------

    async def startup(self) -> None:
        store: Store = open_store(self.config.store_url, self.config.data_dir, sync=self.config.sync)
        self.runtime = runtime = Runtime(self.config, store)
        for name, reason in self.failed_services.items():
            runtime.service_status[name] = f"failed to load: {reason}"
        await store.migrate("core", settings.MIGRATIONS)
        runtime.deployment_secret = await settings.deployment_secret(store)
        await store.migrate("delivery", delivery.MIGRATIONS)
        for service in self.services:
            runtime.service_status[service.name] = "starting"
            if service.migrations is not None:
                await store.migrate(service.name, service.migrations)
        runtime.delivery = delivery.Delivery(runtime, {t.kind: t for service in self.services for t in service.targets})
        self.dispatcher = Dispatcher(self.services, runtime)
        for service in self.services:
            for hook in service.starts:
                await hook(runtime)
            runtime.service_status[service.name] = "running"
        if store.dialect == "sqlite":  # one process owns the file: claims of a killed predecessor are void
            await store.write(lambda tx: tx.execute("UPDATE delivery_outbox SET claimed_until = NULL WHERE claimed_until IS NOT NULL"))
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

        def wipe(tx: Any) -> None:
            if tx.dialect == "sqlite":
                names = [row[0] for row in tx.all("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")]
            else:
                names = [row[0] for row in tx.all("SELECT tablename FROM pg_tables WHERE schemaname = current_schema()")]
            for name in names:
                if name != "gureum_migrations":
                    tx.execute(f"DELETE FROM {name}")

        await self.runtime.store.write(wipe)
        for service in self.services:
            for hook in service.resets:
                await hook(self.runtime)

    # --- ASGI -----------------------------------------------------------------------------------

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        kind = scope["type"]
        if kind == "http":
            await self._http(scope, receive, send)
        elif kind == "lifespan":
            await self._lifespan(receive, send)

    async def _lifespan(self, receive: Any, send: Any) -> None:
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                try:
                    await self.startup()
                except BaseException as exc:
                    log.exception("startup failed")
                    await send({"type": "lifespan.startup.failed", "message": str(exc)})
                    return
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                await self.shutdown()
                await send({"type": "lifespan.shutdown.complete"})
                return

    async def _http(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        headers: dict[str, str] = {}
        for raw_name, raw_value in scope["headers"]:
            name = raw_name.decode("latin-1").lower()
            value = raw_value.decode("latin-1")
            headers[name] = f"{headers[name]},{value}" if name in headers else value
        chunks = []
        size = 0
        too_large = False
        while True:
            message = await receive()
            body = message.get("body", b"")
            if body:
                size += len(body)
                if size > MAX_BODY:
                    too_large = True
                else:
                    chunks.append(body)
            if not message.get("more_body"):
                break
        raw_path = scope.get("raw_path")
        path = raw_path.decode("latin-1").split("?", 1)[0] if raw_path else scope["path"]
        request = Request(scope["method"], path, scope.get("query_string", b"").decode("latin-1"), headers, b"".join(chunks), scope.get("scheme", "http"))
        if too_large:
            response = Response(413, [("Content-Type", "text/plain")], b"Request entity too large")
        else:
            response = await handle_admin(self, request)
            if response is None:
                assert self.dispatcher is not None
                response = await self.dispatcher.handle(request)
        await send(
            {
                "type": "http.response.start",
                "status": response.status,
                "headers": [(k.encode("latin-1"), v.encode("latin-1")) for k, v in response.headers]
                + [(b"content-length", str(len(response.body)).encode())],
            }
        )
        await send({"type": "http.response.body", "body": b"" if request.method == "HEAD" else response.body})
