"""ECR's registry settings: the registry policy (Put/Get/Delete) and the replication configuration
(PutReplicationConfiguration, DescribeRegistry): each calls one EcrBackend method."""

from __future__ import annotations

from typing import Any

from ...aws.context import RequestContext
from . import SERVICE
from .backend import backend


@SERVICE.op("PutRegistryPolicy")
async def put_registry_policy(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return await backend(ctx).put_registry_policy(ctx.account, ctx.region, req["policyText"])


@SERVICE.op("GetRegistryPolicy")
async def get_registry_policy(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return await backend(ctx).get_registry_policy(ctx.account, ctx.region)


@SERVICE.op("DeleteRegistryPolicy")
async def delete_registry_policy(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return await backend(ctx).delete_registry_policy(ctx.account, ctx.region)


@SERVICE.op("PutReplicationConfiguration")
async def put_replication_configuration(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return await backend(ctx).put_replication_configuration(ctx.account, ctx.region, req["replicationConfiguration"])


@SERVICE.op("DescribeRegistry")
async def describe_registry(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return await backend(ctx).describe_registry(ctx.account, ctx.region)
