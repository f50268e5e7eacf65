"""Subscription operations: PutSubscriptionFilter, DescribeSubscriptionFilters, DeleteSubscriptionFilter; the
account-level policies (PutAccountPolicy, DescribeAccountPolicies, DeleteAccountPolicy); resource policies
(PutResourcePolicy, DescribeResourcePolicies, DeleteResourcePolicy); destinations
(PutDestination, PutDestinationPolicy, DescribeDestinations, DeleteDestination)."""

from __future__ import annotations

from typing import Any

from ...aws.context import RequestContext
from . import SERVICE
from .backend import backend


@SERVICE.op("PutSubscriptionFilter")
async def put_subscription_filter(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    await backend(ctx).put_subscription_filter(
        ctx.account,
        ctx.region,
        req["logGroupName"],
        req["filterName"],
        req["filterPattern"],
        req["destinationArn"],
        req.get("roleArn"),
        req.get("distribution"),
        {k: req.get(k) for k in ("applyOnTransformedLogs", "fieldSelectionCriteria", "emitSystemFields")},
    )
    return {}


@SERVICE.op("DescribeSubscriptionFilters")
async def describe_subscription_filters(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return await backend(ctx).describe_subscription_filters(
        ctx.account, ctx.region, req["logGroupName"], req.get("filterNamePrefix"), req.get("nextToken"),
        req.get("limit"),
    )  # fmt: skip


@SERVICE.op("DeleteSubscriptionFilter")
async def delete_subscription_filter(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    await backend(ctx).delete_subscription_filter(ctx.account, ctx.region, req["logGroupName"], req["filterName"])
    return {}


@SERVICE.op("PutAccountPolicy")
async def put_account_policy(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    policy = await backend(ctx).put_account_policy(
        ctx.account, ctx.region, req["policyName"], req["policyDocument"], req["policyType"], req.get("scope"),
        req.get("selectionCriteria"),
    )  # fmt: skip
    return {"accountPolicy": policy}


@SERVICE.op("DescribeAccountPolicies")
async def describe_account_policies(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return await backend(ctx).describe_account_policies(
        ctx.account, ctx.region, req["policyType"], req.get("policyName"), req.get("accountIdentifiers")
    )


@SERVICE.op("DeleteAccountPolicy")
async def delete_account_policy(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    await backend(ctx).delete_account_policy(ctx.account, ctx.region, req["policyName"], req["policyType"])
    return {}


@SERVICE.op("PutDestination")
async def put_destination(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    destination = await backend(ctx).put_destination(
        ctx.account, ctx.region, req["destinationName"], req["targetArn"], req["roleArn"], dict(req.get("tags") or {})
    )
    return {"destination": destination}


@SERVICE.op("PutDestinationPolicy")
async def put_destination_policy(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    await backend(ctx).put_destination_policy(ctx.account, ctx.region, req["destinationName"], req["accessPolicy"])
    return {}


@SERVICE.op("DescribeDestinations")
async def describe_destinations(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return await backend(ctx).describe_destinations(
        ctx.account, ctx.region, req.get("DestinationNamePrefix"), req.get("nextToken"), req.get("limit")
    )


@SERVICE.op("DeleteDestination")
async def delete_destination(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    await backend(ctx).delete_destination(ctx.account, ctx.region, req["destinationName"])
    return {}


@SERVICE.op("PutResourcePolicy")
async def put_resource_policy(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return await backend(ctx).put_resource_policy(
        ctx.account, ctx.region, req.get("policyName"), req.get("policyDocument"), req.get("resourceArn"),
        req.get("expectedRevisionId"),
    )  # fmt: skip


@SERVICE.op("DescribeResourcePolicies")
async def describe_resource_policies(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return await backend(ctx).describe_resource_policies(
        ctx.account, ctx.region, req.get("resourceArn"), req.get("policyScope"), req.get("nextToken"),
        req.get("limit"),
    )  # fmt: skip


@SERVICE.op("DeleteResourcePolicy")
async def delete_resource_policy(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    await backend(ctx).delete_resource_policy(
        ctx.account, ctx.region, req.get("policyName"), req.get("resourceArn"), req.get("expectedRevisionId")
    )
    return {}
