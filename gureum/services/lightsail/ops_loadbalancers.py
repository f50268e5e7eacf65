"""Lightsail load balancer operations: each calls one LoadBalancerBackend method."""

from __future__ import annotations

from typing import Any

from ...aws.context import RequestContext
from . import SERVICE
from .loadbalancers import LoadBalancerBackend


def backend(ctx: RequestContext) -> LoadBalancerBackend:
    return ctx.runtime.state(LoadBalancerBackend)


@SERVICE.op("CreateLoadBalancer")
async def create_load_balancer(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return await backend(ctx).create(
        ctx.account,
        ctx.region,
        req["loadBalancerName"],
        req["instancePort"],
        req.get("healthCheckPath"),
        req.get("certificateName"),
        req.get("tags"),
        req.get("ipAddressType"),
    )


@SERVICE.op("GetLoadBalancer")
async def get_load_balancer(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return await backend(ctx).get(ctx.account, ctx.region, req["loadBalancerName"])


@SERVICE.op("GetLoadBalancers")
async def get_load_balancers(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return await backend(ctx).get(ctx.account, ctx.region, None)


@SERVICE.op("AttachInstancesToLoadBalancer")
async def attach_instances_to_load_balancer(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return await backend(ctx).attach(ctx.account, ctx.region, req["loadBalancerName"], req["instanceNames"])


@SERVICE.op("DetachInstancesFromLoadBalancer")
async def detach_instances_from_load_balancer(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return await backend(ctx).detach(ctx.account, ctx.region, req["loadBalancerName"], req["instanceNames"])


@SERVICE.op("UpdateLoadBalancerAttribute")
async def update_load_balancer_attribute(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return await backend(ctx).update_attribute(
        ctx.account, ctx.region, req["loadBalancerName"], req["attributeName"], req["attributeValue"]
    )


@SERVICE.op("DeleteLoadBalancer")
async def delete_load_balancer(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return await backend(ctx).delete(ctx.account, ctx.region, req["loadBalancerName"])


@SERVICE.op("GetLoadBalancerTlsCertificates")
async def get_load_balancer_tls_certificates(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    await backend(ctx).get(ctx.account, ctx.region, req["loadBalancerName"])
    return {"tlsCertificates": []}
