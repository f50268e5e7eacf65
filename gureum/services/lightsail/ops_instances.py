"""Lightsail instance operations: each calls one LightsailBackend method."""

from __future__ import annotations

from typing import Any

from ...aws.context import RequestContext
from . import SERVICE
from .backend import backend


@SERVICE.op("CreateInstances")
async def create_instances(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return await backend(ctx).create_instances(
        ctx.account,
        ctx.region,
        req["instanceNames"],
        req["availabilityZone"],
        req["blueprintId"],
        req["bundleId"],
        req.get("userData"),
        req.get("keyPairName"),
        req.get("tags"),
        custom_image=req.get("customImageName"),
        ip_address_type=req.get("ipAddressType"),
    )


@SERVICE.op("GetInstance")
async def get_instance(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return await backend(ctx).get_instance(ctx.account, ctx.region, req["instanceName"])


@SERVICE.op("GetInstances")
async def get_instances(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return await backend(ctx).get_instances(ctx.account, ctx.region)


@SERVICE.op("GetInstanceState")
async def get_instance_state(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return await backend(ctx).get_instance_state(ctx.account, ctx.region, req["instanceName"])


@SERVICE.op("StartInstance")
async def start_instance(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return await backend(ctx).start_instance(ctx.account, ctx.region, req["instanceName"])


@SERVICE.op("StopInstance")
async def stop_instance(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return await backend(ctx).stop_instance(ctx.account, ctx.region, req["instanceName"], bool(req.get("force")))


@SERVICE.op("RebootInstance")
async def reboot_instance(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return await backend(ctx).reboot_instance(ctx.account, ctx.region, req["instanceName"])


@SERVICE.op("DeleteInstance")
async def delete_instance(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return await backend(ctx).delete_instance(ctx.account, ctx.region, req["instanceName"])


@SERVICE.op("GetInstanceAccessDetails")
async def get_instance_access_details(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return await backend(ctx).get_instance_access_details(
        ctx.account, ctx.region, req["instanceName"], req.get("protocol")
    )
