"""Batch job definition operations: each calls one BatchBackend method."""

from __future__ import annotations

from typing import Any

from ...aws.context import RequestContext
from . import SERVICE
from .backend import backend


@SERVICE.op("RegisterJobDefinition")
async def register_job_definition(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return await backend(ctx).register_job_definition(
        ctx.account,
        ctx.region,
        req["jobDefinitionName"],
        req["type"],
        req.get("parameters"),
        req.get("schedulingPriority"),
        req.get("containerProperties"),
        req.get("nodeProperties"),
        req.get("retryStrategy"),
        req.get("propagateTags"),
        req.get("timeout"),
        req.get("tags"),
        req.get("platformCapabilities"),
        req.get("eksProperties"),
        req.get("ecsProperties"),
        req.get("consumableResourceProperties"),
    )


@SERVICE.op("DeregisterJobDefinition")
async def deregister_job_definition(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    await backend(ctx).deregister_job_definition(ctx.account, ctx.region, req["jobDefinition"])
    return {}


@SERVICE.op("DescribeJobDefinitions")
async def describe_job_definitions(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return await backend(ctx).describe_job_definitions(
        ctx.account,
        ctx.region,
        req.get("jobDefinitions"),
        req.get("jobDefinitionName"),
        req.get("status"),
        req.get("maxResults"),
        req.get("nextToken"),
    )
