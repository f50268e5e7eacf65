"""ECR repository operations (create, describe, delete, tags, tag mutability, scanning configuration) and the
authorization token: each calls one EcrBackend method."""

from __future__ import annotations

from typing import Any

from ...aws.context import RequestContext
from . import SERVICE
from .access import registry
from .backend import backend


@SERVICE.op("CreateRepository")
async def create_repository(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    repository = await backend(ctx).create_repository(
        ctx.account,
        ctx.region,
        req["repositoryName"],
        req.get("tags"),
        req.get("imageTagMutability"),
        req.get("imageTagMutabilityExclusionFilters"),
        req.get("imageScanningConfiguration"),
        req.get("encryptionConfiguration"),
        ctx.request.host,
    )
    return {"repository": repository}


@SERVICE.op("DescribeRepositories")
async def describe_repositories(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return await backend(ctx).describe_repositories(
        await registry(ctx, req, "DescribeRepositories"),
        ctx.region,
        req.get("repositoryNames"),
        req.get("nextToken"),
        req.get("maxResults"),
        ctx.request.host,
    )


@SERVICE.op("DeleteRepository")
async def delete_repository(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    repository = await backend(ctx).delete_repository(
        await registry(ctx, req, "DeleteRepository"),
        ctx.region,
        req["repositoryName"],
        bool(req.get("force")),
        ctx.request.host,
    )
    return {"repository": repository}


@SERVICE.op("TagResource")
async def tag_resource(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    await backend(ctx).tag_resource(req["resourceArn"], req["tags"])
    return {}


@SERVICE.op("UntagResource")
async def untag_resource(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    await backend(ctx).untag_resource(req["resourceArn"], req["tagKeys"])
    return {}


@SERVICE.op("ListTagsForResource")
async def list_tags_for_resource(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return {"tags": await backend(ctx).list_tags_for_resource(req["resourceArn"])}


@SERVICE.op("PutImageTagMutability")
async def put_image_tag_mutability(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return await backend(ctx).put_image_tag_mutability(
        await registry(ctx, req, "PutImageTagMutability"),
        ctx.region,
        req["repositoryName"],
        req["imageTagMutability"],
        req.get("imageTagMutabilityExclusionFilters"),
    )


@SERVICE.op("PutImageScanningConfiguration")
async def put_image_scanning_configuration(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return await backend(ctx).put_image_scanning_configuration(
        await registry(ctx, req, "PutImageScanningConfiguration"),
        ctx.region,
        req["repositoryName"],
        req["imageScanningConfiguration"],
    )


@SERVICE.op("GetAuthorizationToken")
async def get_authorization_token(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    data = backend(ctx).authorization_token(ctx.account, ctx.region, ctx.request.host)
    return {"authorizationData": [data]}
