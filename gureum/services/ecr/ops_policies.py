"""ECR repository policies and lifecycle policies (and their previews): each calls one EcrBackend method."""

from __future__ import annotations

from typing import Any

from ...aws.context import RequestContext
from . import SERVICE
from .access import registry
from .backend import backend


@SERVICE.op("SetRepositoryPolicy")
async def set_repository_policy(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return await backend(ctx).set_repository_policy(
        await registry(ctx, req, "SetRepositoryPolicy"), ctx.region, req["repositoryName"], req["policyText"]
    )


@SERVICE.op("GetRepositoryPolicy")
async def get_repository_policy(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return await backend(ctx).get_repository_policy(
        await registry(ctx, req, "GetRepositoryPolicy"), ctx.region, req["repositoryName"]
    )


@SERVICE.op("DeleteRepositoryPolicy")
async def delete_repository_policy(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return await backend(ctx).delete_repository_policy(
        await registry(ctx, req, "DeleteRepositoryPolicy"), ctx.region, req["repositoryName"]
    )


@SERVICE.op("PutLifecyclePolicy")
async def put_lifecycle_policy(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return await backend(ctx).put_lifecycle_policy(
        await registry(ctx, req, "PutLifecyclePolicy"), ctx.region, req["repositoryName"], req["lifecyclePolicyText"]
    )


@SERVICE.op("GetLifecyclePolicy")
async def get_lifecycle_policy(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return await backend(ctx).get_lifecycle_policy(
        await registry(ctx, req, "GetLifecyclePolicy"), ctx.region, req["repositoryName"]
    )


@SERVICE.op("DeleteLifecyclePolicy")
async def delete_lifecycle_policy(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return await backend(ctx).delete_lifecycle_policy(
        await registry(ctx, req, "DeleteLifecyclePolicy"), ctx.region, req["repositoryName"]
    )


@SERVICE.op("StartLifecyclePolicyPreview")
async def start_lifecycle_policy_preview(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return await backend(ctx).start_lifecycle_policy_preview(
        await registry(ctx, req, "StartLifecyclePolicyPreview"),
        ctx.region,
        req["repositoryName"],
        req.get("lifecyclePolicyText"),
    )


@SERVICE.op("GetLifecyclePolicyPreview")
async def get_lifecycle_policy_preview(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return await backend(ctx).get_lifecycle_policy_preview(
        await registry(ctx, req, "GetLifecyclePolicyPreview"), ctx.region, req["repositoryName"]
    )
