"""API operations: Apis, CORS, OpenAPI import/export and tags. Thin: each calls one ApiGatewayV2Backend method."""

from __future__ import annotations

from typing import Any

from ...aws.context import RequestContext
from . import SERVICE
from .backend import backend


@SERVICE.op("CreateApi")
async def create_api(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return await backend(ctx).create_api(ctx.account, ctx.region, ctx.request.host, req)


@SERVICE.op("GetApi")
async def get_api(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return await backend(ctx).get_api(ctx.account, ctx.region, ctx.request.host, req["ApiId"])


@SERVICE.op("GetApis")
async def get_apis(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return await backend(ctx).get_apis(
        ctx.account, ctx.region, ctx.request.host, req.get("NextToken"), req.get("MaxResults")
    )


@SERVICE.op("UpdateApi")
async def update_api(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return await backend(ctx).update_api(ctx.account, ctx.region, ctx.request.host, req["ApiId"], req)


@SERVICE.op("DeleteApi")
async def delete_api(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    await backend(ctx).delete_api(ctx.account, ctx.region, req["ApiId"])
    return {}


@SERVICE.op("DeleteCorsConfiguration")
async def delete_cors_configuration(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    await backend(ctx).delete_cors_configuration(ctx.account, ctx.region, req["ApiId"])
    return {}


@SERVICE.op("ImportApi")
async def import_api(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return await backend(ctx).import_api(
        ctx.account, ctx.region, ctx.request.host, req["Body"], req.get("FailOnWarnings")
    )


@SERVICE.op("ReimportApi")
async def reimport_api(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return await backend(ctx).reimport_api(
        ctx.account, ctx.region, ctx.request.host, req["ApiId"], req["Body"], req.get("FailOnWarnings")
    )


@SERVICE.op("ExportApi")
async def export_api(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    body = await backend(ctx).export_api(
        ctx.account,
        ctx.region,
        ctx.request.host,
        req["ApiId"],
        req["Specification"],
        req["OutputType"],
        req.get("StageName"),
        req.get("IncludeExtensions"),
    )
    return {"body": body}


@SERVICE.op("GetTags")
async def get_tags(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return {"Tags": await backend(ctx).get_tags(ctx.account, ctx.region, req["ResourceArn"])}


@SERVICE.op("TagResource")
async def tag_resource(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    await backend(ctx).tag_resource(ctx.account, ctx.region, req["ResourceArn"], req.get("Tags"))
    return {}


@SERVICE.op("UntagResource")
async def untag_resource(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    await backend(ctx).untag_resource(ctx.account, ctx.region, req["ResourceArn"], req.get("TagKeys"))
    return {}
