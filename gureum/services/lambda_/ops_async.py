"""Asynchronous invocation settings: Put/Update/Delete/Get/ListFunctionEventInvokeConfig(s) (retries, event age,
OnSuccess and OnFailure destinations of a function, version or alias)."""

from __future__ import annotations

from typing import Any

from ...aws.context import RequestContext
from . import SERVICE
from .backend import backend


@SERVICE.op("PutFunctionEventInvokeConfig")
async def put_function_event_invoke_config(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return await backend(ctx.runtime).put_function_event_invoke_config(
        ctx.account,
        ctx.region,
        req["FunctionName"],
        req.get("Qualifier"),
        req.get("MaximumRetryAttempts"),
        req.get("MaximumEventAgeInSeconds"),
        req.get("DestinationConfig"),
    )


@SERVICE.op("UpdateFunctionEventInvokeConfig")
async def update_function_event_invoke_config(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return await backend(ctx.runtime).update_function_event_invoke_config(
        ctx.account,
        ctx.region,
        req["FunctionName"],
        req.get("Qualifier"),
        req.get("MaximumRetryAttempts"),
        req.get("MaximumEventAgeInSeconds"),
        req.get("DestinationConfig"),
    )


@SERVICE.op("DeleteFunctionEventInvokeConfig")
async def delete_function_event_invoke_config(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    await backend(ctx.runtime).delete_function_event_invoke_config(
        ctx.account, ctx.region, req["FunctionName"], req.get("Qualifier")
    )
    return {}


@SERVICE.op("GetFunctionEventInvokeConfig")
async def get_function_event_invoke_config(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return await backend(ctx.runtime).get_function_event_invoke_config(
        ctx.account, ctx.region, req["FunctionName"], req.get("Qualifier")
    )


@SERVICE.op("ListFunctionEventInvokeConfigs")
async def list_function_event_invoke_configs(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return await backend(ctx.runtime).list_function_event_invoke_configs(
        ctx.account, ctx.region, req["FunctionName"], req.get("Marker"), req.get("MaxItems")
    )
