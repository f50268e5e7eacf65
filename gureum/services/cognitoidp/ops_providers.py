"""A user pool's identity provider operations."""

from __future__ import annotations

from typing import Any

from ...aws.context import RequestContext
from . import SERVICE
from .backend import backend


@SERVICE.op("CreateIdentityProvider")
async def create_identity_provider(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    provider = await backend(ctx).create_identity_provider(
        ctx.account, req["UserPoolId"], req["ProviderName"], req["ProviderType"], dict(req["ProviderDetails"]),
        req.get("AttributeMapping"), req.get("IdpIdentifiers"),
    )  # fmt: skip
    return {"IdentityProvider": provider}


@SERVICE.op("DescribeIdentityProvider")
async def describe_identity_provider(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    provider = await backend(ctx).describe_identity_provider(ctx.account, req["UserPoolId"], req["ProviderName"])
    return {"IdentityProvider": provider}


@SERVICE.op("GetIdentityProviderByIdentifier")
async def get_identity_provider_by_identifier(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    provider = await backend(ctx).identity_provider_by_identifier(ctx.account, req["UserPoolId"], req["IdpIdentifier"])
    return {"IdentityProvider": provider}


@SERVICE.op("UpdateIdentityProvider")
async def update_identity_provider(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    provider = await backend(ctx).update_identity_provider(
        ctx.account, req["UserPoolId"], req["ProviderName"], req.get("ProviderDetails"), req.get("AttributeMapping"),
        req.get("IdpIdentifiers"),
    )  # fmt: skip
    return {"IdentityProvider": provider}


@SERVICE.op("DeleteIdentityProvider")
async def delete_identity_provider(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    await backend(ctx).delete_identity_provider(ctx.account, req["UserPoolId"], req["ProviderName"])
    return {}


@SERVICE.op("ListIdentityProviders")
async def list_identity_providers(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return await backend(ctx).list_identity_providers(
        ctx.account, req["UserPoolId"], req.get("NextToken"), req.get("MaxResults")
    )
