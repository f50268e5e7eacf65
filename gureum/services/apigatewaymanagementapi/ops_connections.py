"""PostToConnection, GetConnection, DeleteConnection. Thin: each calls one ManagementBackend method (with the
context: the backend authorises the caller for the connection's API)."""

from __future__ import annotations

from typing import Any

from ...aws.context import RequestContext
from . import SERVICE
from .backend import backend


@SERVICE.op("PostToConnection")
async def post_to_connection(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    await backend(ctx).post_to_connection(ctx, req["ConnectionId"], req.get("Data"))
    return {}


@SERVICE.op("GetConnection")
async def get_connection(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return await backend(ctx).get_connection(ctx, req["ConnectionId"])


@SERVICE.op("DeleteConnection")
async def delete_connection(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    await backend(ctx).delete_connection(ctx, req["ConnectionId"])
    return {}
