"""Lightsail container service operations: each calls one ContainerServiceBackend method."""

from __future__ import annotations

from typing import Any

from ...aws.context import RequestContext
from . import SERVICE
from .container_services import ContainerServiceBackend


def backend(ctx: RequestContext) -> ContainerServiceBackend:
    return ctx.runtime.state(ContainerServiceBackend)


@SERVICE.op("CreateContainerService")
async def create_container_service(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return await backend(ctx).create(
        ctx.account,
        ctx.region,
        req["serviceName"],
        req["power"],
        req["scale"],
        req.get("tags"),
        req.get("deployment"),
        req.get("publicDomainNames"),
    )


@SERVICE.op("GetContainerServices")
async def get_container_services(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return await backend(ctx).get(ctx.account, ctx.region, req.get("serviceName"))


@SERVICE.op("UpdateContainerService")
async def update_container_service(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return await backend(ctx).update(
        ctx.account,
        ctx.region,
        req["serviceName"],
        req.get("power"),
        req.get("scale"),
        req.get("isDisabled"),
        req.get("publicDomainNames"),
    )


@SERVICE.op("DeleteContainerService")
async def delete_container_service(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return await backend(ctx).delete(ctx.account, ctx.region, req["serviceName"])


@SERVICE.op("CreateContainerServiceDeployment")
async def create_container_service_deployment(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    service = await backend(ctx).deploy(
        ctx.account, ctx.region, req["serviceName"], req.get("containers") or {}, req.get("publicEndpoint")
    )
    return {"containerService": service}


@SERVICE.op("GetContainerServiceDeployments")
async def get_container_service_deployments(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return await backend(ctx).deployments(ctx.account, ctx.region, req["serviceName"])


@SERVICE.op("GetContainerServicePowers")
async def get_container_service_powers(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return backend(ctx).get_powers()


@SERVICE.op("RegisterContainerImage")
async def register_container_image(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return await backend(ctx).register_image(ctx.account, ctx.region, req["serviceName"], req["label"], req["digest"])


@SERVICE.op("GetContainerImages")
async def get_container_images(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return await backend(ctx).images(ctx.account, ctx.region, req["serviceName"])


@SERVICE.op("DeleteContainerImage")
async def delete_container_image(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return await backend(ctx).delete_image(ctx.account, ctx.region, req["serviceName"], req["image"])


@SERVICE.op("GetContainerLog")
async def get_container_log(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return await backend(ctx).log(
        ctx.account,
        ctx.region,
        req["serviceName"],
        req["containerName"],
        req.get("startTime"),
        req.get("endTime"),
        req.get("filterPattern"),
    )
