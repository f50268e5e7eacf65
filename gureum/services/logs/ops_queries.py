"""Query definition operations: PutQueryDefinition, DescribeQueryDefinitions, DeleteQueryDefinition."""

from __future__ import annotations

from typing import Any

from ...aws.context import RequestContext
from . import SERVICE
from .backend import backend


@SERVICE.op("PutQueryDefinition")
async def put_query_definition(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    members = {k: req.get(k) for k in ("queryLanguage", "logGroupNames", "parameters")}
    definition_id = await backend(ctx).put_query_definition(
        ctx.account, ctx.region, req.get("queryDefinitionId"), req["name"], req["queryString"], members
    )
    return {"queryDefinitionId": definition_id}


@SERVICE.op("DescribeQueryDefinitions")
async def describe_query_definitions(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return await backend(ctx).describe_query_definitions(
        ctx.account,
        ctx.region,
        req.get("queryDefinitionNamePrefix"),
        req.get("queryLanguage"),
        req.get("nextToken"),
        req.get("maxResults"),
    )


@SERVICE.op("DeleteQueryDefinition")
async def delete_query_definition(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    await backend(ctx).delete_query_definition(ctx.account, ctx.region, req["queryDefinitionId"])
    return {"success": True}
