"""VPC link, custom domain name and API mapping operations. Thin: each calls one ApiGatewayV2Backend method."""

from __future__ import annotations

from typing import Any

from ...aws.context import RequestContext
from . import SERVICE
from .backend import backend

# --- VpcLinks --------------------------------------------------------------------------------------------


@SERVICE.op("CreateVpcLink")
async def create_vpc_link(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return await backend(ctx).create_vpc_link(ctx.account, ctx.region, req)


@SERVICE.op("GetVpcLink")
async def get_vpc_link(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return await backend(ctx).get_vpc_link(ctx.account, ctx.region, req["VpcLinkId"])


@SERVICE.op("GetVpcLinks")
async def get_vpc_links(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return await backend(ctx).get_vpc_links(ctx.account, ctx.region, req.get("NextToken"), req.get("MaxResults"))


@SERVICE.op("UpdateVpcLink")
async def update_vpc_link(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return await backend(ctx).update_vpc_link(ctx.account, ctx.region, req["VpcLinkId"], req.get("Name"))


@SERVICE.op("DeleteVpcLink")
async def delete_vpc_link(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    await backend(ctx).delete_vpc_link(ctx.account, ctx.region, req["VpcLinkId"])
    return {}


# --- DomainNames -----------------------------------------------------------------------------------------


@SERVICE.op("CreateDomainName")
async def create_domain_name(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return await backend(ctx).create_domain_name(ctx.account, ctx.region, req["DomainName"], req)


@SERVICE.op("GetDomainName")
async def get_domain_name(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return await backend(ctx).get_domain_name(ctx.account, ctx.region, req["DomainName"])


@SERVICE.op("GetDomainNames")
async def get_domain_names(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return await backend(ctx).get_domain_names(ctx.account, ctx.region, req.get("NextToken"), req.get("MaxResults"))


@SERVICE.op("UpdateDomainName")
async def update_domain_name(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return await backend(ctx).update_domain_name(ctx.account, ctx.region, req["DomainName"], req)


@SERVICE.op("DeleteDomainName")
async def delete_domain_name(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    await backend(ctx).delete_domain_name(ctx.account, ctx.region, req["DomainName"])
    return {}


# --- ApiMappings -----------------------------------------------------------------------------------------


@SERVICE.op("CreateApiMapping")
async def create_api_mapping(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return await backend(ctx).create_api_mapping(ctx.account, ctx.region, req["DomainName"], req)


@SERVICE.op("GetApiMapping")
async def get_api_mapping(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return await backend(ctx).get_api_mapping(ctx.account, ctx.region, req["DomainName"], req["ApiMappingId"])


@SERVICE.op("GetApiMappings")
async def get_api_mappings(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return await backend(ctx).get_api_mappings(
        ctx.account, ctx.region, req["DomainName"], req.get("NextToken"), req.get("MaxResults")
    )


@SERVICE.op("UpdateApiMapping")
async def update_api_mapping(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return await backend(ctx).update_api_mapping(ctx.account, ctx.region, req["DomainName"], req["ApiMappingId"], req)


@SERVICE.op("DeleteApiMapping")
async def delete_api_mapping(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    await backend(ctx).delete_api_mapping(ctx.account, ctx.region, req["DomainName"], req["ApiMappingId"])
    return {}
