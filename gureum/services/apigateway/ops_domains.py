"""Operations on custom domain names and their base path mappings: each calls one method of the backend
(backend.py). The edge serves a mapped domain by its Host header (edge.py)."""

from __future__ import annotations

from typing import Any

from ...aws.context import RequestContext
from . import SERVICE
from .backend import backend

# --- DomainNames ------------------------------------------------------------------------------------------------------


@SERVICE.op("CreateDomainName")
async def create_domain_name(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return await backend(ctx).create_domain_name(
        ctx.account,
        ctx.region,
        req["domainName"],
        endpoint_configuration=req.get("endpointConfiguration"),
        security_policy=req.get("securityPolicy"),
        certificate_arn=req.get("certificateArn"),
        certificate_name=req.get("certificateName"),
        regional_certificate_arn=req.get("regionalCertificateArn"),
        regional_certificate_name=req.get("regionalCertificateName"),
        tags=req.get("tags"),
    )


@SERVICE.op("GetDomainName")
async def get_domain_name(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return await backend(ctx).get_domain_name(ctx.account, ctx.region, req["domainName"])


@SERVICE.op("GetDomainNames")
async def get_domain_names(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return await backend(ctx).get_domain_names(ctx.account, ctx.region, req.get("limit"), req.get("position"))


@SERVICE.op("UpdateDomainName")
async def update_domain_name(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return await backend(ctx).update_domain_name(
        ctx.account, ctx.region, req["domainName"], req.get("patchOperations") or []
    )


@SERVICE.op("DeleteDomainName")
async def delete_domain_name(ctx: RequestContext, req: dict[str, Any]) -> None:
    await backend(ctx).delete_domain_name(ctx.account, ctx.region, req["domainName"])


# --- BasePathMappings -------------------------------------------------------------------------------------------------


@SERVICE.op("CreateBasePathMapping")
async def create_base_path_mapping(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return await backend(ctx).create_base_path_mapping(
        ctx.account, ctx.region, req["domainName"], req.get("basePath"), req["restApiId"], req.get("stage")
    )


@SERVICE.op("GetBasePathMapping")
async def get_base_path_mapping(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return await backend(ctx).get_base_path_mapping(ctx.account, ctx.region, req["domainName"], req["basePath"])


@SERVICE.op("GetBasePathMappings")
async def get_base_path_mappings(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return await backend(ctx).get_base_path_mappings(
        ctx.account, ctx.region, req["domainName"], req.get("limit"), req.get("position")
    )


@SERVICE.op("UpdateBasePathMapping")
async def update_base_path_mapping(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return await backend(ctx).update_base_path_mapping(
        ctx.account, ctx.region, req["domainName"], req["basePath"], req.get("patchOperations") or []
    )


@SERVICE.op("DeleteBasePathMapping")
async def delete_base_path_mapping(ctx: RequestContext, req: dict[str, Any]) -> None:
    await backend(ctx).delete_base_path_mapping(ctx.account, ctx.region, req["domainName"], req["basePath"])
