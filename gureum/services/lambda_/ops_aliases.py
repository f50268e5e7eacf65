"""Lambda aliases: CreateAlias, GetAlias, UpdateAlias, DeleteAlias, ListAliases."""

from __future__ import annotations

from typing import Any

from ...aws.context import RequestContext
from . import SERVICE
from .backend import backend


@SERVICE.op("CreateAlias")
async def create_alias(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return await backend(ctx.runtime).create_alias(
        ctx.account,
        ctx.region,
        req["FunctionName"],
        req["Name"],
        req["FunctionVersion"],
        req.get("Description"),
        req.get("RoutingConfig"),
    )


@SERVICE.op("GetAlias")
async def get_alias(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return await backend(ctx.runtime).get_alias(ctx.account, ctx.region, req["FunctionName"], req["Name"])


@SERVICE.op("UpdateAlias")
async def update_alias(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return await backend(ctx.runtime).update_alias(
        ctx.account,
        ctx.region,
        req["FunctionName"],
        req["Name"],
        req.get("FunctionVersion"),
        req.get("Description"),
        req.get("RoutingConfig"),
        req.get("RevisionId"),
    )


@SERVICE.op("DeleteAlias")
async def delete_alias(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    await backend(ctx.runtime).delete_alias(ctx.account, ctx.region, req["FunctionName"], req["Name"])
    return {}


@SERVICE.op("ListAliases")
async def list_aliases(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return await backend(ctx.runtime).list_aliases(
        ctx.account,
        ctx.region,
        req["FunctionName"],
        req.get("FunctionVersion"),
        req.get("Marker"),
        req.get("MaxItems"),
    )
