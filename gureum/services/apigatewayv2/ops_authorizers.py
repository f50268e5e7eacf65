"""Authorizer and model operations, and ResetAuthorizersCache. Thin: each calls one ApiGatewayV2Backend
method."""

from __future__ import annotations

from typing import Any

from ...aws.context import RequestContext
from . import SERVICE
from .backend import backend
from .items import AUTHORIZER, MODEL


@SERVICE.op("CreateAuthorizer")
async def create_authorizer(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return await backend(ctx).create_item(ctx.account, ctx.region, AUTHORIZER, req["ApiId"], req)


@SERVICE.op("GetAuthorizer")
async def get_authorizer(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return await backend(ctx).get_item(ctx.account, ctx.region, AUTHORIZER, req["ApiId"], req["AuthorizerId"])


@SERVICE.op("GetAuthorizers")
async def get_authorizers(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return await backend(ctx).get_items(
        ctx.account, ctx.region, AUTHORIZER, req["ApiId"], req.get("NextToken"), req.get("MaxResults")
    )


@SERVICE.op("UpdateAuthorizer")
async def update_authorizer(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return await backend(ctx).update_item(ctx.account, ctx.region, AUTHORIZER, req["ApiId"], req["AuthorizerId"], req)


@SERVICE.op("DeleteAuthorizer")
async def delete_authorizer(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    await backend(ctx).delete_item(ctx.account, ctx.region, AUTHORIZER, req["ApiId"], req["AuthorizerId"])
    return {}


@SERVICE.op("CreateModel")
async def create_model(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return await backend(ctx).create_item(ctx.account, ctx.region, MODEL, req["ApiId"], req)


@SERVICE.op("GetModel")
async def get_model(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return await backend(ctx).get_item(ctx.account, ctx.region, MODEL, req["ApiId"], req["ModelId"])


@SERVICE.op("GetModels")
async def get_models(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return await backend(ctx).get_items(
        ctx.account, ctx.region, MODEL, req["ApiId"], req.get("NextToken"), req.get("MaxResults")
    )


@SERVICE.op("UpdateModel")
async def update_model(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return await backend(ctx).update_item(ctx.account, ctx.region, MODEL, req["ApiId"], req["ModelId"], req)


@SERVICE.op("DeleteModel")
async def delete_model(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    await backend(ctx).delete_item(ctx.account, ctx.region, MODEL, req["ApiId"], req["ModelId"])
    return {}


@SERVICE.op("ResetAuthorizersCache")
async def reset_authorizers_cache(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    await backend(ctx).reset_authorizers_cache(ctx.account, ctx.region, req["ApiId"])
    return {}
