"""ECS service operations (CreateService, DescribeServices, ListServices, UpdateService, DeleteService): each calls
one EcsBackend method; the scheduler (the service's start hook) keeps them running."""

from __future__ import annotations

from typing import Any

from ...aws.context import RequestContext
from . import SERVICE
from .backend import backend


@SERVICE.op("CreateService")
async def create_service(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    service = await backend(ctx).create_service(
        ctx.account,
        ctx.region,
        ctx.access_key,
        req.get("cluster"),
        req["serviceName"],
        req.get("taskDefinition"),
        req.get("desiredCount"),
        req.get("launchType"),
        req.get("capacityProviderStrategy"),
        req.get("deploymentConfiguration"),
        req.get("networkConfiguration"),
        req.get("tags"),
        req.get("schedulingStrategy"),
        req.get("platformVersion"),
        propagate_tags=req.get("propagateTags"),
        managed_tags=req.get("enableECSManagedTags"),
        az_rebalancing=req.get("availabilityZoneRebalancing"),
        execute_command=req.get("enableExecuteCommand"),
    )
    return {"service": service}


@SERVICE.op("DescribeServices")
async def describe_services(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return await backend(ctx).describe_services(
        ctx.account, ctx.region, req.get("cluster"), req["services"], req.get("include")
    )


@SERVICE.op("ListServices")
async def list_services(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return await backend(ctx).list_services(
        ctx.account, ctx.region, req.get("cluster"), req.get("launchType"), req.get("nextToken"), req.get("maxResults")
    )


@SERVICE.op("UpdateService")
async def update_service(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    service = await backend(ctx).update_service(
        ctx.account,
        ctx.region,
        req.get("cluster"),
        req["service"],
        req.get("desiredCount"),
        req.get("taskDefinition"),
        req.get("deploymentConfiguration"),
        req.get("networkConfiguration"),
        bool(req.get("forceNewDeployment")),
        propagate_tags=req.get("propagateTags"),
        managed_tags=req.get("enableECSManagedTags"),
        az_rebalancing=req.get("availabilityZoneRebalancing"),
        execute_command=req.get("enableExecuteCommand"),
    )
    return {"service": service}


@SERVICE.op("DeleteService")
async def delete_service(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    service = await backend(ctx).delete_service(
        ctx.account, ctx.region, req.get("cluster"), req["service"], bool(req.get("force"))
    )
    return {"service": service}
