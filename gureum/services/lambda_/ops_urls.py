"""Function URL configurations: Create/Get/Update/Delete/ListFunctionUrlConfigs (the HTTP front serving the URLs
is url_front.py)."""

from __future__ import annotations

from typing import Any

from ...aws.context import RequestContext
from . import SERVICE
from .backend import backend


@SERVICE.op("CreateFunctionUrlConfig")
async def create_function_url_config(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return await backend(ctx.runtime).create_function_url_config(
        ctx.account,
        ctx.region,
        req["FunctionName"],
        req.get("Qualifier"),
        req["AuthType"],
        req.get("Cors"),
        req.get("InvokeMode"),
        ctx.request.base_url,
    )


@SERVICE.op("GetFunctionUrlConfig")
async def get_function_url_config(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return await backend(ctx.runtime).get_function_url_config(
        ctx.account, ctx.region, req["FunctionName"], req.get("Qualifier"), ctx.request.base_url
    )


@SERVICE.op("UpdateFunctionUrlConfig")
async def update_function_url_config(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return await backend(ctx.runtime).update_function_url_config(
        ctx.account,
        ctx.region,
        req["FunctionName"],
        req.get("Qualifier"),
        req.get("AuthType"),
        req.get("Cors"),
        req.get("InvokeMode"),
        ctx.request.base_url,
    )


@SERVICE.op("DeleteFunctionUrlConfig")
async def delete_function_url_config(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    await backend(ctx.runtime).delete_function_url_config(
        ctx.account, ctx.region, req["FunctionName"], req.get("Qualifier")
    )
    return {}


@SERVICE.op("ListFunctionUrlConfigs")
async def list_function_url_configs(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return await backend(ctx.runtime).list_function_url_configs(
        ctx.account, ctx.region, req["FunctionName"], req.get("Marker"), req.get("MaxItems"), ctx.request.base_url
    )
