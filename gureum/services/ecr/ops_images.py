"""ECR image operations (describe, list, get, delete, put) and the API's layer upload path: each calls one
EcrBackend method."""

from __future__ import annotations

from typing import Any

from ...aws.context import RequestContext
from . import SERVICE
from .access import registry
from .backend import backend


@SERVICE.op("DescribeImages")
async def describe_images(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return await backend(ctx).describe_images(
        await registry(ctx, req, "DescribeImages"),
        ctx.region,
        req["repositoryName"],
        req.get("imageIds"),
        (req.get("filter") or {}).get("tagStatus"),
        req.get("nextToken"),
        req.get("maxResults"),
    )


@SERVICE.op("ListImages")
async def list_images(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return await backend(ctx).list_images(
        await registry(ctx, req, "ListImages"),
        ctx.region,
        req["repositoryName"],
        (req.get("filter") or {}).get("tagStatus"),
        req.get("nextToken"),
        req.get("maxResults"),
    )


@SERVICE.op("BatchGetImage")
async def batch_get_image(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return await backend(ctx).batch_get_image(
        await registry(ctx, req, "BatchGetImage"),
        ctx.region,
        req["repositoryName"],
        req["imageIds"],
        req.get("acceptedMediaTypes"),
    )


@SERVICE.op("BatchDeleteImage")
async def batch_delete_image(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return await backend(ctx).batch_delete_image(
        await registry(ctx, req, "BatchDeleteImage"), ctx.region, req["repositoryName"], req["imageIds"]
    )


@SERVICE.op("PutImage")
async def put_image(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    image = await backend(ctx).put_image(
        await registry(ctx, req, "PutImage"),
        ctx.region,
        req["repositoryName"],
        req["imageManifest"],
        req.get("imageManifestMediaType"),
        req.get("imageTag"),
        req.get("imageDigest"),
    )
    return {"image": image}


@SERVICE.op("BatchCheckLayerAvailability")
async def batch_check_layer_availability(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return await backend(ctx).batch_check_layer_availability(
        await registry(ctx, req, "BatchCheckLayerAvailability"), ctx.region, req["repositoryName"], req["layerDigests"]
    )


@SERVICE.op("InitiateLayerUpload")
async def initiate_layer_upload(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return await backend(ctx).initiate_layer_upload(
        await registry(ctx, req, "InitiateLayerUpload"), ctx.region, req["repositoryName"]
    )


@SERVICE.op("UploadLayerPart")
async def upload_layer_part(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return await backend(ctx).upload_layer_part(
        await registry(ctx, req, "UploadLayerPart"),
        ctx.region,
        req["repositoryName"],
        req["uploadId"],
        req["partFirstByte"],
        req["partLastByte"],
        req["layerPartBlob"],
    )


@SERVICE.op("CompleteLayerUpload")
async def complete_layer_upload(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return await backend(ctx).complete_layer_upload(
        await registry(ctx, req, "CompleteLayerUpload"),
        ctx.region,
        req["repositoryName"],
        req["uploadId"],
        req["layerDigests"],
    )


@SERVICE.op("GetDownloadUrlForLayer")
async def get_download_url_for_layer(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return await backend(ctx).download_url(
        await registry(ctx, req, "GetDownloadUrlForLayer"),
        ctx.region,
        req["repositoryName"],
        req["layerDigest"],
        ctx.request.host,
    )
