"""/_gureum/*, /_localstack/health and /moto-api/reset."""

from __future__ import annotations

import json
import os
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

from .. import __version__
from ..aws.http import Request, Response

if TYPE_CHECKING:
    from ..app import App
    from ..runtime import Runtime

ADMIN_PREFIXES = ("/_gureum/", "/_localstack/", "/moto-api/")


def _json(doc: Any, status: int = 200) -> Response:
    return Response(status, [("Content-Type", "application/json")], json.dumps(doc).encode())


async def handle_admin(app: App, request: Request) -> Response | None:
    """Answer an admin request, or None when the path is not an admin route."""
    if not request.raw_path.startswith(ADMIN_PREFIXES):
        return None  # AWS traffic, the common case (services' admin routes live under /_gureum/ too)
    path = request.path.rstrip("/")
    routes: dict[tuple[str, str], Callable[[], Awaitable[Response]]] = {
        ("GET", "/_gureum/health"): lambda: _health(app),
        ("HEAD", "/_gureum/health"): lambda: _health(app),
        ("GET", "/_localstack/health"): lambda: _localstack_health(app),
        ("HEAD", "/_localstack/health"): lambda: _localstack_health(app),
        ("POST", "/_gureum/reset"): lambda: _reset(app),
        ("POST", "/moto-api/reset"): lambda: _reset(app),
        ("POST", "/_localstack/state/reset"): lambda: _reset(app),
    }
    handler = routes.get((request.method, path))
    if handler is not None:
        return await handler()
    if app.loader is not None:
        await app.loader.wake_admin(path)  # a service's own admin routes: loaded on their first request
    for service in app.services:
        service_handler = service.admin_routes.get((request.method, path)) or service.admin_routes.get(
            (request.method, path.rsplit("/", 1)[0] + "/*")  # a route for every name under a path
        )
        if service_handler is not None:
            return await service_handler(_runtime(app), request)
    if any(request.path.startswith(prefix) for prefix in ADMIN_PREFIXES):
        return _json({"error": f"no such endpoint: {request.method} {request.path}"}, 404)
    return None


def _runtime(app: App) -> Runtime:
    assert app.runtime is not None, "admin routes are served after start-up"
    return app.runtime


async def _health(app: App) -> Response:
    runtime = _runtime(app)
    store = "memory" if runtime.config.in_memory else runtime.store.dialect
    from ..containers import engine_state  # httpx, imported when first asked: not at start
    from ..services.lambda_.sandbox import isolation

    status = {
        "status": "running",
        "version": __version__,
        "pid": os.getpid(),  # which process answers (a test harness tells its own server from another on the port)
        "store": store,
        "services": dict(runtime.service_status),
    }
    containers = await engine_state(runtime).status()  # which container engine is in use (cached a few seconds)
    return _json({**status, "isolation": {"lambda": isolation()}, "containers": containers})


async def _localstack_health(app: App) -> Response:
    services = {
        name: ("running" if state == "running" else "available") for name, state in _runtime(app).service_status.items()
    }
    return _json({"services": services, "edition": "community", "version": f"gureum-{__version__}"})


async def _reset(app: App) -> Response:
    await app.reset()
    return _json({"reset": True})
