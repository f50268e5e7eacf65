"""Lightsail instance public ports and static IPs: each calls one LightsailBackend method."""

from __future__ import annotations

from typing import Any

from ...aws.context import RequestContext
from . import SERVICE
from .backend import backend


@SERVICE.op("OpenInstancePublicPorts")
async def open_instance_public_ports(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return await backend(ctx).open_ports(ctx.account, ctx.region, req["instanceName"], req["portInfo"])


@SERVICE.op("CloseInstancePublicPorts")
async def close_instance_public_ports(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return await backend(ctx).close_ports(ctx.account, ctx.region, req["instanceName"], req["portInfo"])


@SERVICE.op("PutInstancePublicPorts")
async def put_instance_public_ports(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return await backend(ctx).put_ports(ctx.account, ctx.region, req["instanceName"], req["portInfos"])


@SERVICE.op("GetInstancePortStates")
async def get_instance_port_states(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return await backend(ctx).get_port_states(ctx.account, ctx.region, req["instanceName"])


@SERVICE.op("AllocateStaticIp")
async def allocate_static_ip(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return await backend(ctx).allocate_static_ip(ctx.account, ctx.region, req["staticIpName"])


@SERVICE.op("GetStaticIp")
async def get_static_ip(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return await backend(ctx).get_static_ip(ctx.account, ctx.region, req["staticIpName"])


@SERVICE.op("GetStaticIps")
async def get_static_ips(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return await backend(ctx).get_static_ips(ctx.account, ctx.region)


@SERVICE.op("AttachStaticIp")
async def attach_static_ip(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return await backend(ctx).attach_static_ip(ctx.account, ctx.region, req["staticIpName"], req["instanceName"])


@SERVICE.op("DetachStaticIp")
async def detach_static_ip(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return await backend(ctx).detach_static_ip(ctx.account, ctx.region, req["staticIpName"])


@SERVICE.op("ReleaseStaticIp")
async def release_static_ip(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return await backend(ctx).release_static_ip(ctx.account, ctx.region, req["staticIpName"])
