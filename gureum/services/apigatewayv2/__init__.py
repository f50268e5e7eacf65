"""Amazon API Gateway v2: HTTP and WebSocket APIs (control plane and data plane).

Layout: model.py, domains.py and openapi.py (pure rules), apis.py and items.py (rules inside one transaction),
store.py (SQL), backend.py (ApiGatewayV2Backend: every operation, and this node's data-plane pieces; VPC links,
custom domain names and API mappings in backend_domains.py), ops_*.py (thin operation handlers), deployed.py
(what a stage serves), routes.py (HTTP route matching), events.py (Lambda proxy events), jwt.py and authorizers.py,
http_api.py and edge.py (HTTP data plane behind the HttpApiEdge port, custom domain names, the management API under
a stage URL), websocket_api.py (WebSocket data plane: the upgrade hook and the WebSocketConnections port the
management API uses)."""

from __future__ import annotations

import socket
from pathlib import Path
from typing import Any

from ... import ports
from ...aws.http import Request, Response
from ...runtime import Runtime
from .. import EdgeRoute, Service

SERVICE = Service("apigatewayv2", migrations=Path(__file__).parent / "migrations")

from . import ops_apis, ops_authorizers, ops_domains, ops_integrations, ops_routes, ops_stages  # noqa: E402,F401
from .backend import ApiGatewayV2Backend, backend  # noqa: E402


async def _upgrade(runtime: Runtime, request: Request, ws: Any) -> bool:
    return await backend(runtime).websockets.upgrade(request, ws)


SERVICE.upgrade = _upgrade


async def _custom_domain(runtime: Runtime, request: Request) -> Response:
    return await backend(runtime).edge.custom_domain(request)


async def _stage_connections(runtime: Runtime, request: Request) -> Response:
    return await backend(runtime).edge.connections(request)


# custom domain names with API mappings; the management API at "/{stage}/@connections/{id}" on gureum's own host
# (requestContext.domainName of a WebSocket event on the path-form URL is that host)
SERVICE.edge_routes += [
    EdgeRoute(_custom_domain, host_names=lambda runtime: backend(runtime).caches.domains),
    EdgeRoute(_stage_connections, path="/{stage}/@connections"),
    EdgeRoute(_stage_connections, path="/{stage}/%40connections"),
]


@SERVICE.on_start
async def _start(runtime: Runtime) -> None:
    gateway = runtime.keep(ApiGatewayV2Backend(runtime, f"{socket.gethostname()}:{runtime.config.port}"))
    await gateway.start()
    runtime.provide(ports.HttpApiEdge, gateway.edge)
    runtime.provide(ports.WebSocketConnections, gateway.websockets)


@SERVICE.on_stop
async def _stop(runtime: Runtime) -> None:
    gateway = runtime.state_or_none(ApiGatewayV2Backend)
    if gateway is not None:
        gateway.stop()


@SERVICE.on_reset
async def _reset(runtime: Runtime) -> None:
    backend(runtime).reset()
