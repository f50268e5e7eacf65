"""Provisioned concurrency (Put/Get/Delete/ListProvisionedConcurrencyConfigs): a published version or an alias gets
that many initialised execution environments, kept warm and used before on-demand ones (no cold start). Status goes
IN_PROGRESS → READY once every requested environment has initialised (FAILED if one could not)."""

from __future__ import annotations

from typing import Any

from ...aws.context import RequestContext
from . import SERVICE
from .backend import backend


@SERVICE.op("PutProvisionedConcurrencyConfig")
async def put_provisioned_concurrency_config(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return await backend(ctx.runtime).put_provisioned_concurrency_config(
        ctx.account,
        ctx.region,
        req["FunctionName"],
        req.get("Qualifier"),
        int(req["ProvisionedConcurrentExecutions"]),
    )


@SERVICE.op("GetProvisionedConcurrencyConfig")
async def get_provisioned_concurrency_config(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return await backend(ctx.runtime).get_provisioned_concurrency_config(
        ctx.account, ctx.region, req["FunctionName"], req.get("Qualifier")
    )


@SERVICE.op("DeleteProvisionedConcurrencyConfig")
async def delete_provisioned_concurrency_config(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    await backend(ctx.runtime).delete_provisioned_concurrency_config(
        ctx.account, ctx.region, req["FunctionName"], req.get("Qualifier")
    )
    return {}


@SERVICE.op("ListProvisionedConcurrencyConfigs")
async def list_provisioned_concurrency_configs(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return await backend(ctx.runtime).list_provisioned_concurrency_configs(
        ctx.account, ctx.region, req["FunctionName"], req.get("Marker"), req.get("MaxItems")
    )
