"""Lambda's per-function settings beside the configuration: tags, reserved concurrency; and GetAccountSettings."""

from __future__ import annotations

from typing import Any

from ...aws.context import RequestContext
from . import SERVICE
from .backend import backend


@SERVICE.op("TagResource")
async def tag_resource(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    await backend(ctx.runtime).tag_resource(ctx.account, ctx.region, req["Resource"], req.get("Tags"))
    return {}


@SERVICE.op("UntagResource")
async def untag_resource(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    await backend(ctx.runtime).untag_resource(ctx.account, ctx.region, req["Resource"], req.get("TagKeys"))
    return {}


@SERVICE.op("ListTags")
async def list_tags(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return await backend(ctx.runtime).list_tags(ctx.account, ctx.region, req["Resource"])


@SERVICE.op("PutFunctionConcurrency")
async def put_function_concurrency(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    value = req["ReservedConcurrentExecutions"]
    await backend(ctx.runtime).put_function_concurrency(ctx.account, ctx.region, req["FunctionName"], value)
    return {"ReservedConcurrentExecutions": value}


@SERVICE.op("DeleteFunctionConcurrency")
async def delete_function_concurrency(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    await backend(ctx.runtime).delete_function_concurrency(ctx.account, ctx.region, req["FunctionName"])
    return {}


@SERVICE.op("GetFunctionConcurrency")
async def get_function_concurrency(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return await backend(ctx.runtime).get_function_concurrency(ctx.account, ctx.region, req["FunctionName"])


@SERVICE.op("GetAccountSettings")
async def get_account_settings(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return await backend(ctx.runtime).get_account_settings(ctx.account, ctx.region)
