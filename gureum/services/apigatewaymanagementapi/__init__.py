"""Amazon API Gateway Management API: PostToConnection, GetConnection, DeleteConnection for WebSocket APIs.

Reaches the sockets through the WebSocketConnections port (post/get/delete by connection id). Served at
gureum's root (SigV4 scope execute-api) and under a stage's URL (the apigatewayv2 edge rewrites the path).
Layout: backend.py (ManagementBackend), ops_connections.py (thin operation handlers), errors.py."""

from __future__ import annotations

from ...runtime import Runtime
from .. import Service

SERVICE = Service("apigatewaymanagementapi")

from . import ops_connections  # noqa: E402,F401  (registers the operations)
from .backend import ManagementBackend  # noqa: E402


@SERVICE.on_start
async def _start(runtime: Runtime) -> None:
    runtime.keep(ManagementBackend(runtime))
