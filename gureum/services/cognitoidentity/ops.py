"""Cognito identity pool operations: each calls one IdentityBackend method."""

from __future__ import annotations

from typing import Any

from ...aws.context import RequestContext
from . import SERVICE
from .backend import backend


@SERVICE.op("CreateIdentityPool")
async def create_identity_pool(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return await backend(ctx).create_pool(ctx.account, ctx.region, req)


@SERVICE.op("DescribeIdentityPool")
async def describe_identity_pool(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return await backend(ctx).describe_pool(ctx.account, req["IdentityPoolId"])


@SERVICE.op("UpdateIdentityPool")
async def update_identity_pool(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return await backend(ctx).update_pool(ctx.account, req)


@SERVICE.op("DeleteIdentityPool")
async def delete_identity_pool(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    await backend(ctx).delete_pool(ctx.account, req["IdentityPoolId"])
    return {}


@SERVICE.op("ListIdentityPools")
async def list_identity_pools(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return await backend(ctx).list_pools(ctx.account, ctx.region, req["MaxResults"], req.get("NextToken"))


@SERVICE.op("SetIdentityPoolRoles")
async def set_identity_pool_roles(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    await backend(ctx).set_roles(ctx.account, req["IdentityPoolId"], req["Roles"], req.get("RoleMappings"))
    return {}


@SERVICE.op("GetIdentityPoolRoles")
async def get_identity_pool_roles(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return await backend(ctx).get_roles(ctx.account, req["IdentityPoolId"])


@SERVICE.op("GetId")
async def get_id(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return {"IdentityId": await backend(ctx).get_id(req.get("AccountId"), req["IdentityPoolId"], req.get("Logins"))}


@SERVICE.op("GetCredentialsForIdentity")
async def get_credentials_for_identity(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return await backend(ctx).credentials(req["IdentityId"], req.get("Logins"), req.get("CustomRoleArn"))


@SERVICE.op("GetOpenIdToken")
async def get_open_id_token(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return await backend(ctx).open_id_token(req["IdentityId"], req.get("Logins"))


@SERVICE.op("DescribeIdentity")
async def describe_identity(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return await backend(ctx).describe_identity(req["IdentityId"])


@SERVICE.op("ListIdentities")
async def list_identities(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return await backend(ctx).list_identities(
        ctx.account, req["IdentityPoolId"], req["MaxResults"], req.get("NextToken")
    )


@SERVICE.op("DeleteIdentities")
async def delete_identities(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return {"UnprocessedIdentityIds": await backend(ctx).delete_identities(req["IdentityIdsToDelete"])}


@SERVICE.op("TagResource")
async def tag_resource(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    await backend(ctx).tag(req["ResourceArn"], req.get("Tags"), None)
    return {}


@SERVICE.op("UntagResource")
async def untag_resource(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    await backend(ctx).tag(req["ResourceArn"], None, req.get("TagKeys"))
    return {}


@SERVICE.op("ListTagsForResource")
async def list_tags_for_resource(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return {"Tags": await backend(ctx).tag(req["ResourceArn"], None, None)}
