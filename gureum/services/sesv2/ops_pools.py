"""SES v2 dedicated IP pools (CreateDedicatedIpPool, GetDedicatedIpPool, ListDedicatedIpPools,
PutDedicatedIpPoolScalingAttributes, DeleteDedicatedIpPool) and GetDedicatedIps: each calls one SesMail method.
gureum has no dedicated IPs, so a pool holds none."""

from __future__ import annotations

from typing import Any

from ...aws.context import RequestContext
from . import SERVICE
from .mail import mail, paged, translated


@SERVICE.op("CreateDedicatedIpPool")
@translated
async def create_dedicated_ip_pool(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    tags = {t["Key"]: t["Value"] for t in req.get("Tags") or []}
    await mail(ctx).create_dedicated_ip_pool(
        ctx.account, ctx.region, req["PoolName"], req.get("ScalingMode"), tags or None
    )
    return {}


@SERVICE.op("GetDedicatedIpPool")
@translated
async def get_dedicated_ip_pool(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return {"DedicatedIpPool": await mail(ctx).dedicated_ip_pool(ctx.account, ctx.region, req["PoolName"])}


@SERVICE.op("ListDedicatedIpPools")
@translated
async def list_dedicated_ip_pools(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return paged(await mail(ctx).dedicated_ip_pools(ctx.account, ctx.region), req, "DedicatedIpPools", 100)


@SERVICE.op("PutDedicatedIpPoolScalingAttributes")
@translated
async def put_dedicated_ip_pool_scaling_attributes(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    await mail(ctx).put_dedicated_ip_pool_scaling(ctx.account, ctx.region, req["PoolName"], req["ScalingMode"])
    return {}


@SERVICE.op("DeleteDedicatedIpPool")
@translated
async def delete_dedicated_ip_pool(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    await mail(ctx).delete_dedicated_ip_pool(ctx.account, ctx.region, req["PoolName"])
    return {}


@SERVICE.op("GetDedicatedIps")
@translated
async def get_dedicated_ips(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return {"DedicatedIps": await mail(ctx).dedicated_ips(ctx.account, ctx.region, req.get("PoolName"))}
