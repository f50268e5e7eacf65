"""OpenID Connect identity provider operations (GitHub Actions, EKS, …): create, read, list, delete, client ids,
thumbprints, tags."""

from __future__ import annotations

from typing import Any

from ...aws.context import RequestContext
from . import SERVICE
from .backend import backend


@SERVICE.op("CreateOpenIDConnectProvider")
async def create_open_id_connect_provider(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    arn, tags = await backend(ctx).create_oidc_provider(
        ctx.account, req["Url"], req.get("ClientIDList") or [], req.get("ThumbprintList") or [], req.get("Tags") or []
    )
    return {"OpenIDConnectProviderArn": arn, "Tags": tags or None}


@SERVICE.op("GetOpenIDConnectProvider")
async def get_open_id_connect_provider(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return await backend(ctx).get_oidc_provider(ctx.account, req["OpenIDConnectProviderArn"])


@SERVICE.op("ListOpenIDConnectProviders")
async def list_open_id_connect_providers(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    arns = await backend(ctx).list_oidc_providers(ctx.account)
    return {"OpenIDConnectProviderList": [{"Arn": arn} for arn in arns]}


@SERVICE.op("DeleteOpenIDConnectProvider")
async def delete_open_id_connect_provider(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    await backend(ctx).delete_oidc_provider(ctx.account, req["OpenIDConnectProviderArn"])
    return {}


@SERVICE.op("AddClientIDToOpenIDConnectProvider")
async def add_client_id(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    await backend(ctx).add_oidc_client_id(ctx.account, req["OpenIDConnectProviderArn"], req["ClientID"])
    return {}


@SERVICE.op("RemoveClientIDFromOpenIDConnectProvider")
async def remove_client_id(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    await backend(ctx).remove_oidc_client_id(ctx.account, req["OpenIDConnectProviderArn"], req["ClientID"])
    return {}


@SERVICE.op("UpdateOpenIDConnectProviderThumbprint")
async def update_thumbprint(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    await backend(ctx).update_oidc_thumbprints(ctx.account, req["OpenIDConnectProviderArn"], req["ThumbprintList"])
    return {}


@SERVICE.op("TagOpenIDConnectProvider")
async def tag_open_id_connect_provider(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    await backend(ctx).tag_oidc_provider(ctx.account, req["OpenIDConnectProviderArn"], req["Tags"])
    return {}


@SERVICE.op("UntagOpenIDConnectProvider")
async def untag_open_id_connect_provider(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    await backend(ctx).untag_oidc_provider(ctx.account, req["OpenIDConnectProviderArn"], req["TagKeys"])
    return {}


@SERVICE.op("ListOpenIDConnectProviderTags")
async def list_open_id_connect_provider_tags(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return await backend(ctx).list_oidc_provider_tags(
        ctx.account, req["OpenIDConnectProviderArn"], req.get("Marker"), req.get("MaxItems")
    )
