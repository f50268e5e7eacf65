"""Amazon API Gateway Management API: PostToConnection, GetConnection, DeleteConnection for WebSocket APIs.

Reaches the sockets through the WebSocketConnections port (post/get/delete by connection id). Served at
gureum's root (SigV4 scope execute-api) and under a stage's URL (the apigatewayv2 edge rewrites the path)."""

from __future__ import annotations

from typing import Any

from ...aws.context import RequestContext
from ...aws.errors import error_class
from ...ports import WebSocketConnections
from .. import Service

SERVICE = Service("apigatewaymanagementapi")

GoneException = error_class("GoneException", 410)


def _connections(ctx: RequestContext) -> WebSocketConnections:
    return ctx.runtime.port(WebSocketConnections)


def _gone(connection_id: str) -> Exception:
    return GoneException("")  # AWS answers 410 with an empty message


@SERVICE.op("PostToConnection")
async def post_to_connection(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    data = bytes(req.get("Data") or b"")  # the model limits it to 128 KB, the WebSocket message quota
    if not await _connections(ctx).post(req["ConnectionId"], data):
        raise _gone(req["ConnectionId"])
    return {}


@SERVICE.op("GetConnection")
async def get_connection(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    found = await _connections(ctx).get(req["ConnectionId"])
    if found is None:
        raise _gone(req["ConnectionId"])
    return dict(found)


@SERVICE.op("DeleteConnection")
async def delete_connection(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    if not await _connections(ctx).delete(req["ConnectionId"]):
        raise _gone(req["ConnectionId"])
    return {}
