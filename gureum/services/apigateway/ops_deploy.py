"""Operations on Deployments and Stages (and the stage caches): each calls one method of the backend
(backend.py)."""

from __future__ import annotations

from typing import Any

from ...aws.context import RequestContext
from . import SERVICE
from .backend import backend

# --- Deployments ------------------------------------------------------------------------------------------------------


@SERVICE.op("CreateDeployment")
async def create_deployment(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return await backend(ctx).create_deployment(
        ctx.account,
        ctx.region,
        req["restApiId"],
        req.get("description"),
        req.get("stageName"),
        req.get("stageDescription"),
        variables=req.get("variables"),
        cache_cluster_enabled=req.get("cacheClusterEnabled"),
        cache_cluster_size=req.get("cacheClusterSize"),
        tracing_enabled=req.get("tracingEnabled"),
        canary_settings=req.get("canarySettings"),
    )


@SERVICE.op("GetDeployment")
async def get_deployment(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return await backend(ctx).get_deployment(ctx.account, ctx.region, req["restApiId"], req["deploymentId"])


@SERVICE.op("GetDeployments")
async def get_deployments(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return await backend(ctx).get_deployments(
        ctx.account, ctx.region, req["restApiId"], req.get("limit"), req.get("position")
    )


@SERVICE.op("UpdateDeployment")
async def update_deployment(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return await backend(ctx).update_deployment(
        ctx.account, ctx.region, req["restApiId"], req["deploymentId"], req.get("patchOperations") or []
    )


@SERVICE.op("DeleteDeployment")
async def delete_deployment(ctx: RequestContext, req: dict[str, Any]) -> None:
    await backend(ctx).delete_deployment(ctx.account, ctx.region, req["restApiId"], req["deploymentId"])


# --- Stages -----------------------------------------------------------------------------------------------------------


@SERVICE.op("CreateStage")
async def create_stage(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return await backend(ctx).create_stage(
        ctx.account,
        ctx.region,
        req["restApiId"],
        req["stageName"],
        req["deploymentId"],
        description=req.get("description"),
        variables=req.get("variables"),
        cache_cluster_enabled=req.get("cacheClusterEnabled"),
        cache_cluster_size=req.get("cacheClusterSize"),
        tracing_enabled=req.get("tracingEnabled"),
        canary_settings=req.get("canarySettings"),
        documentation_version=req.get("documentationVersion"),
        tags=req.get("tags"),
    )


@SERVICE.op("GetStage")
async def get_stage(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return await backend(ctx).get_stage(ctx.account, ctx.region, req["restApiId"], req["stageName"])


@SERVICE.op("GetStages")
async def get_stages(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return {"item": await backend(ctx).get_stages(ctx.account, ctx.region, req["restApiId"], req.get("deploymentId"))}


@SERVICE.op("UpdateStage")
async def update_stage(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return await backend(ctx).update_stage(
        ctx.account, ctx.region, req["restApiId"], req["stageName"], req.get("patchOperations") or []
    )


@SERVICE.op("DeleteStage")
async def delete_stage(ctx: RequestContext, req: dict[str, Any]) -> None:
    await backend(ctx).delete_stage(ctx.account, ctx.region, req["restApiId"], req["stageName"])


@SERVICE.op("FlushStageAuthorizersCache")
async def flush_stage_authorizers_cache(ctx: RequestContext, req: dict[str, Any]) -> None:
    await backend(ctx).flush_stage_authorizers_cache(ctx.account, ctx.region, req["restApiId"], req["stageName"])


@SERVICE.op("FlushStageCache")
async def flush_stage_cache(ctx: RequestContext, req: dict[str, Any]) -> None:
    await backend(ctx).flush_stage_cache(ctx.account, ctx.region, req["restApiId"], req["stageName"])
