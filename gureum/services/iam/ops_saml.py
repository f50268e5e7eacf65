"""SAML 2.0 identity provider operations: create, read, list, update, delete, tags."""

from __future__ import annotations

from typing import Any

from ...aws.context import RequestContext
from . import SERVICE
from .backend import backend


@SERVICE.op("CreateSAMLProvider")
async def create_saml_provider(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    arn, tags = await backend(ctx).create_saml_provider(
        ctx.account, req["Name"], req["SAMLMetadataDocument"], req.get("Tags") or [],
        req.get("AssertionEncryptionMode"), req.get("AddPrivateKey"),
    )  # fmt: skip
    return {"SAMLProviderArn": arn, "Tags": tags or None}


@SERVICE.op("GetSAMLProvider")
async def get_saml_provider(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return await backend(ctx).get_saml_provider(ctx.account, req["SAMLProviderArn"])


@SERVICE.op("ListSAMLProviders")
async def list_saml_providers(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return {"SAMLProviderList": await backend(ctx).list_saml_providers(ctx.account)}


@SERVICE.op("UpdateSAMLProvider")
async def update_saml_provider(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    arn = await backend(ctx).update_saml_provider(
        ctx.account, req["SAMLProviderArn"], req.get("SAMLMetadataDocument"), req.get("AssertionEncryptionMode"),
        req.get("AddPrivateKey"), req.get("RemovePrivateKey"),
    )  # fmt: skip
    return {"SAMLProviderArn": arn}


@SERVICE.op("DeleteSAMLProvider")
async def delete_saml_provider(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    await backend(ctx).delete_saml_provider(ctx.account, req["SAMLProviderArn"])
    return {}


@SERVICE.op("TagSAMLProvider")
async def tag_saml_provider(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    await backend(ctx).tag_saml_provider(ctx.account, req["SAMLProviderArn"], req["Tags"])
    return {}


@SERVICE.op("UntagSAMLProvider")
async def untag_saml_provider(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    await backend(ctx).untag_saml_provider(ctx.account, req["SAMLProviderArn"], req["TagKeys"])
    return {}


@SERVICE.op("ListSAMLProviderTags")
async def list_saml_provider_tags(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return await backend(ctx).list_saml_provider_tags(
        ctx.account, req["SAMLProviderArn"], req.get("Marker"), req.get("MaxItems")
    )
