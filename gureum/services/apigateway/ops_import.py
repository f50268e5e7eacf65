"""ImportRestApi, PutRestApi (overwrite or merge) and GetExport (OpenAPI 3 / Swagger 2 with API Gateway's
extensions): each calls one method of the backend (backend.py)."""

from __future__ import annotations

from typing import Any

from ...aws.context import RequestContext
from . import SERVICE
from .backend import backend


@SERVICE.op("ImportRestApi")
async def import_rest_api(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return await backend(ctx).import_rest_api(ctx.account, ctx.region, req.get("body"), req.get("parameters"))


@SERVICE.op("PutRestApi")
async def put_rest_api(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return await backend(ctx).put_rest_api(
        ctx.account, ctx.region, req["restApiId"], req.get("body"), req.get("mode"), req.get("parameters")
    )


@SERVICE.op("GetExport")
async def get_export(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return await backend(ctx).get_export(
        ctx.account,
        ctx.region,
        req["restApiId"],
        req["stageName"],
        req["exportType"],
        req.get("parameters"),
        req.get("accepts"),
    )
