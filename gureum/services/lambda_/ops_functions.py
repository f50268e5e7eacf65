"""Lambda function operations: create, read, update, delete, list, publish and list versions.

A create or code update answers with State Pending / LastUpdateStatus InProgress and finishes in the background
(code unpacked on this node), moving the function to Active / Successful, as the SDK waiters expect.
"""

from __future__ import annotations

from typing import Any

from ...aws.context import RequestContext
from . import SERVICE
from .backend import backend


@SERVICE.op("CreateFunction")
async def create_function(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return await backend(ctx.runtime).create_function(ctx.account, ctx.region, req["FunctionName"], req, ctx.access_key)


@SERVICE.op("GetFunction")
async def get_function(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return await backend(ctx.runtime).get_function(
        ctx.account, ctx.region, req["FunctionName"], req.get("Qualifier"), ctx.request.base_url, ctx.access_key
    )


@SERVICE.op("GetFunctionConfiguration")
async def get_function_configuration(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return await backend(ctx.runtime).get_function_configuration(
        ctx.account, ctx.region, req["FunctionName"], req.get("Qualifier"), ctx.access_key
    )


@SERVICE.op("UpdateFunctionCode")
async def update_function_code(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return await backend(ctx.runtime).update_function_code(
        ctx.account,
        ctx.region,
        req["FunctionName"],
        zip_file=req.get("ZipFile"),
        s3_bucket=req.get("S3Bucket"),
        s3_key=req.get("S3Key"),
        image_uri=req.get("ImageUri"),
        revision_id=req.get("RevisionId"),
        dry_run=bool(req.get("DryRun")),
        publish=bool(req.get("Publish")),
        s3_object_version=req.get("S3ObjectVersion"),
        access_key=ctx.access_key,
    )


@SERVICE.op("UpdateFunctionConfiguration")
async def update_function_configuration(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return await backend(ctx.runtime).update_function_configuration(ctx.account, ctx.region, req["FunctionName"], req)


@SERVICE.op("DeleteFunction")
async def delete_function(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    await backend(ctx.runtime).delete_function(ctx.account, ctx.region, req["FunctionName"], req.get("Qualifier"))
    return {}


@SERVICE.op("ListFunctions")
async def list_functions(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return await backend(ctx.runtime).list_functions(
        ctx.account, ctx.region, req.get("MaxItems"), req.get("Marker"), req.get("FunctionVersion")
    )


@SERVICE.op("PublishVersion")
async def publish_version(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return await backend(ctx.runtime).publish_version(
        ctx.account,
        ctx.region,
        req["FunctionName"],
        req.get("CodeSha256"),
        req.get("Description"),
        req.get("RevisionId"),
    )


@SERVICE.op("ListVersionsByFunction")
async def list_versions_by_function(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return await backend(ctx.runtime).list_versions_by_function(ctx.account, ctx.region, req["FunctionName"])
