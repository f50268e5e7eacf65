"""Route and route response operations (route responses: WebSocket APIs only). Thin: each calls one
ApiGatewayV2Backend method."""

from __future__ import annotations

from typing import Any

from ...aws.context import RequestContext
from . import SERVICE
from .backend import backend
from .items import ROUTE, ROUTE_RESPONSE


@SERVICE.op("CreateRoute")
async def create_route(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return await backend(ctx).create_item(ctx.account, ctx.region, ROUTE, req["ApiId"], req)


@SERVICE.op("GetRoute")
async def get_route(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return await backend(ctx).get_item(ctx.account, ctx.region, ROUTE, req["ApiId"], req["RouteId"])


@SERVICE.op("GetRoutes")
async def get_routes(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return await backend(ctx).get_items(
        ctx.account, ctx.region, ROUTE, req["ApiId"], req.get("NextToken"), req.get("MaxResults")
    )


@SERVICE.op("UpdateRoute")
async def update_route(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return await backend(ctx).update_item(ctx.account, ctx.region, ROUTE, req["ApiId"], req["RouteId"], req)


@SERVICE.op("DeleteRoute")
async def delete_route(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    await backend(ctx).delete_item(ctx.account, ctx.region, ROUTE, req["ApiId"], req["RouteId"])
    return {}


@SERVICE.op("CreateRouteResponse")
async def create_route_response(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return await backend(ctx).create_item(
        ctx.account, ctx.region, ROUTE_RESPONSE, req["ApiId"], req, parent_id=req["RouteId"]
    )


@SERVICE.op("GetRouteResponse")
async def get_route_response(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return await backend(ctx).get_item(
        ctx.account, ctx.region, ROUTE_RESPONSE, req["ApiId"], req["RouteResponseId"], parent_id=req["RouteId"]
    )


@SERVICE.op("GetRouteResponses")
async def get_route_responses(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return await backend(ctx).get_items(
        ctx.account,
        ctx.region,
        ROUTE_RESPONSE,
        req["ApiId"],
        req.get("NextToken"),
        req.get("MaxResults"),
        parent_id=req["RouteId"],
    )


@SERVICE.op("UpdateRouteResponse")
async def update_route_response(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return await backend(ctx).update_item(
        ctx.account, ctx.region, ROUTE_RESPONSE, req["ApiId"], req["RouteResponseId"], req, parent_id=req["RouteId"]
    )


@SERVICE.op("DeleteRouteResponse")
async def delete_route_response(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    await backend(ctx).delete_item(
        ctx.account, ctx.region, ROUTE_RESPONSE, req["ApiId"], req["RouteResponseId"], parent_id=req["RouteId"]
    )
    return {}


@SERVICE.op("DeleteRouteRequestParameter")
async def delete_route_request_parameter(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    await backend(ctx).delete_route_request_parameter(
        ctx.account, ctx.region, req["ApiId"], req["RouteId"], req["RequestParameterKey"]
    )
    return {}
