"""Glue Data Catalog table operations: CreateTable, GetTable, GetTables, UpdateTable, DeleteTable."""

from __future__ import annotations

from typing import Any

from ...aws.context import RequestContext
from . import SERVICE
from .backend import backend


@SERVICE.op("CreateTable")
async def create_table(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    await backend(ctx).create_table(
        ctx.account, ctx.region, req.get("CatalogId"), req["DatabaseName"], req.get("TableInput")
    )
    return {}


@SERVICE.op("GetTable")
async def get_table(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    table = await backend(ctx).get_table(
        ctx.account, ctx.region, req.get("CatalogId"), req["DatabaseName"], req["Name"]
    )
    return {"Table": table}


@SERVICE.op("GetTables")
async def get_tables(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return await backend(ctx).get_tables(
        ctx.account, ctx.region, req.get("CatalogId"), req["DatabaseName"], req.get("Expression"),
        req.get("NextToken"), req.get("MaxResults"),
    )  # fmt: skip


@SERVICE.op("UpdateTable")
async def update_table(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    await backend(ctx).update_table(
        ctx.account, ctx.region, req.get("CatalogId"), req["DatabaseName"], req.get("TableInput"),
        req.get("VersionId"), bool(req.get("SkipArchive")),
    )  # fmt: skip
    return {}


@SERVICE.op("DeleteTable")
async def delete_table(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    await backend(ctx).delete_table(ctx.account, ctx.region, req.get("CatalogId"), req["DatabaseName"], req["Name"])
    return {}
