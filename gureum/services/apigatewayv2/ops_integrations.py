"""Integration and integration response operations (integration responses: WebSocket APIs only). Thin:
each calls one ApiGatewayV2Backend method."""

from __future__ import annotations

from typing import Any

from ...aws.context import RequestContext
from . import SERVICE
from .backend import backend
from .items import INTEGRATION, INTEGRATION_RESPONSE


@SERVICE.op("CreateIntegration")
async def create_integration(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return await backend(ctx).create_item(ctx.account, ctx.region, INTEGRATION, req["ApiId"], req)


@SERVICE.op("GetIntegration")
async def get_integration(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return await backend(ctx).get_item(ctx.account, ctx.region, INTEGRATION, req["ApiId"], req["IntegrationId"])


@SERVICE.op("GetIntegrations")
async def get_integrations(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return await backend(ctx).get_items(
        ctx.account, ctx.region, INTEGRATION, req["ApiId"], req.get("NextToken"), req.get("MaxResults")
    )


@SERVICE.op("UpdateIntegration")
async def update_integration(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return await backend(ctx).update_item(ctx.account, ctx.region, INTEGRATION, req["ApiId"], req["IntegrationId"], req)


@SERVICE.op("DeleteIntegration")
async def delete_integration(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    await backend(ctx).delete_item(ctx.account, ctx.region, INTEGRATION, req["ApiId"], req["IntegrationId"])
    return {}


@SERVICE.op("CreateIntegrationResponse")
async def create_integration_response(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return await backend(ctx).create_item(
        ctx.account, ctx.region, INTEGRATION_RESPONSE, req["ApiId"], req, parent_id=req["IntegrationId"]
    )


@SERVICE.op("GetIntegrationResponse")
async def get_integration_response(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return await backend(ctx).get_item(
        ctx.account,
        ctx.region,
        INTEGRATION_RESPONSE,
        req["ApiId"],
        req["IntegrationResponseId"],
        parent_id=req["IntegrationId"],
    )


@SERVICE.op("GetIntegrationResponses")
async def get_integration_responses(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return await backend(ctx).get_items(
        ctx.account,
        ctx.region,
        INTEGRATION_RESPONSE,
        req["ApiId"],
        req.get("NextToken"),
        req.get("MaxResults"),
        parent_id=req["IntegrationId"],
    )


@SERVICE.op("UpdateIntegrationResponse")
async def update_integration_response(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return await backend(ctx).update_item(
        ctx.account,
        ctx.region,
        INTEGRATION_RESPONSE,
        req["ApiId"],
        req["IntegrationResponseId"],
        req,
        parent_id=req["IntegrationId"],
    )


@SERVICE.op("DeleteIntegrationResponse")
async def delete_integration_response(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    await backend(ctx).delete_item(
        ctx.account,
        ctx.region,
        INTEGRATION_RESPONSE,
        req["ApiId"],
        req["IntegrationResponseId"],
        parent_id=req["IntegrationId"],
    )
    return {}
