"""Glue Data Catalog database operations: CreateDatabase, GetDatabase, GetDatabases, UpdateDatabase, DeleteDatabase."""

from __future__ import annotations

from typing import Any

from ...aws.context import RequestContext
from . import SERVICE
from .backend import backend


@SERVICE.op("CreateDatabase")
async def create_database(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    await backend(ctx).create_database(
        ctx.account, ctx.region, req.get("CatalogId"), req["DatabaseInput"], dict(req.get("Tags") or {})
    )
    return {}


@SERVICE.op("GetDatabase")
async def get_database(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return {"Database": await backend(ctx).get_database(ctx.account, ctx.region, req.get("CatalogId"), req["Name"])}


@SERVICE.op("GetDatabases")
async def get_databases(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return await backend(ctx).get_databases(
        ctx.account, ctx.region, req.get("CatalogId"), req.get("NextToken"), req.get("MaxResults")
    )


@SERVICE.op("UpdateDatabase")
async def update_database(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    await backend(ctx).update_database(ctx.account, ctx.region, req.get("CatalogId"), req["Name"], req["DatabaseInput"])
    return {}


@SERVICE.op("DeleteDatabase")
async def delete_database(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    await backend(ctx).delete_database(ctx.account, ctx.region, req.get("CatalogId"), req["Name"])
    return {}
