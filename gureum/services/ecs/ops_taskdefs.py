"""ECS task definition operations: each calls one EcsBackend method."""

from __future__ import annotations

from typing import Any

from ...aws.context import RequestContext
from . import SERVICE
from .backend import backend


@SERVICE.op("RegisterTaskDefinition")
async def register_task_definition(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return await backend(ctx).register_task_definition(ctx.account, ctx.region, ctx.access_key, req)


@SERVICE.op("DescribeTaskDefinition")
async def describe_task_definition(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return await backend(ctx).describe_task_definition(
        ctx.account, ctx.region, req["taskDefinition"], req.get("include")
    )


@SERVICE.op("ListTaskDefinitions")
async def list_task_definitions(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return await backend(ctx).list_task_definitions(
        ctx.account,
        ctx.region,
        req.get("familyPrefix"),
        req.get("status"),
        req.get("sort"),
        req.get("nextToken"),
        req.get("maxResults"),
    )


@SERVICE.op("ListTaskDefinitionFamilies")
async def list_task_definition_families(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return await backend(ctx).list_task_definition_families(
        ctx.account, ctx.region, req.get("familyPrefix"), req.get("status"), req.get("nextToken"), req.get("maxResults")
    )


@SERVICE.op("DeregisterTaskDefinition")
async def deregister_task_definition(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return await backend(ctx).deregister_task_definition(ctx.account, ctx.region, req["taskDefinition"])


@SERVICE.op("DeleteTaskDefinitions")
async def delete_task_definitions(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return await backend(ctx).delete_task_definitions(ctx.account, ctx.region, req["taskDefinitions"])
