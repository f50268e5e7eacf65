"""Stage and deployment operations. Thin: each calls one ApiGatewayV2Backend method."""

from __future__ import annotations

from typing import Any

from ...aws.context import RequestContext
from . import SERVICE
from .backend import backend

# --- Stages ----------------------------------------------------------------------------------------------


@SERVICE.op("CreateStage")
async def create_stage(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return await backend(ctx).create_stage(ctx.account, ctx.region, req["ApiId"], req["StageName"], req)


@SERVICE.op("GetStage")
async def get_stage(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return await backend(ctx).get_stage(ctx.account, ctx.region, req["ApiId"], req["StageName"])


@SERVICE.op("GetStages")
async def get_stages(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return await backend(ctx).get_stages(
        ctx.account, ctx.region, req["ApiId"], req.get("NextToken"), req.get("MaxResults")
    )


@SERVICE.op("UpdateStage")
async def update_stage(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return await backend(ctx).update_stage(ctx.account, ctx.region, req["ApiId"], req["StageName"], req)


@SERVICE.op("DeleteStage")
async def delete_stage(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    await backend(ctx).delete_stage(ctx.account, ctx.region, req["ApiId"], req["StageName"])
    return {}


@SERVICE.op("DeleteAccessLogSettings")
async def delete_access_log_settings(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    await backend(ctx).delete_access_log_settings(ctx.account, ctx.region, req["ApiId"], req["StageName"])
    return {}


@SERVICE.op("DeleteRouteSettings")
async def delete_route_settings(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    await backend(ctx).delete_route_settings(ctx.account, ctx.region, req["ApiId"], req["StageName"], req["RouteKey"])
    return {}


# --- Deployments -----------------------------------------------------------------------------------------


@SERVICE.op("CreateDeployment")
async def create_deployment(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return await backend(ctx).create_deployment(
        ctx.account, ctx.region, req["ApiId"], req.get("StageName"), req.get("Description")
    )


@SERVICE.op("GetDeployment")
async def get_deployment(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return await backend(ctx).get_deployment(ctx.account, ctx.region, req["ApiId"], req["DeploymentId"])


@SERVICE.op("GetDeployments")
async def get_deployments(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return await backend(ctx).get_deployments(
        ctx.account, ctx.region, req["ApiId"], req.get("NextToken"), req.get("MaxResults")
    )


@SERVICE.op("UpdateDeployment")
async def update_deployment(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return await backend(ctx).update_deployment(
        ctx.account, ctx.region, req["ApiId"], req["DeploymentId"], req.get("Description")
    )


@SERVICE.op("DeleteDeployment")
async def delete_deployment(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    await backend(ctx).delete_deployment(ctx.account, ctx.region, req["ApiId"], req["DeploymentId"])
    return {}
