"""User pool, app client, resource server, domain, MFA configuration and tag operations: each calls one
CognitoBackend method."""

from __future__ import annotations

from typing import Any

from ...aws.context import RequestContext
from . import SERVICE
from .backend import backend


@SERVICE.op("CreateUserPool")
async def create_user_pool(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return {"UserPool": await backend(ctx).create_user_pool(ctx.account, ctx.region, req)}


@SERVICE.op("DescribeUserPool")
async def describe_user_pool(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return {"UserPool": await backend(ctx).describe_user_pool(ctx.account, req["UserPoolId"])}


@SERVICE.op("UpdateUserPool")
async def update_user_pool(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    await backend(ctx).update_user_pool(ctx.account, req["UserPoolId"], req)
    return {}


@SERVICE.op("DeleteUserPool")
async def delete_user_pool(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    await backend(ctx).delete_user_pool(ctx.account, req["UserPoolId"])
    return {}


@SERVICE.op("ListUserPools")
async def list_user_pools(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return await backend(ctx).list_user_pools(ctx.account, ctx.region, req.get("NextToken"), req["MaxResults"])


@SERVICE.op("AddCustomAttributes")
async def add_custom_attributes(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    await backend(ctx).add_custom_attributes(ctx.account, req["UserPoolId"], req["CustomAttributes"])
    return {}


@SERVICE.op("SetUserPoolMfaConfig")
async def set_user_pool_mfa_config(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return await backend(ctx).set_mfa_config(ctx.account, req["UserPoolId"], req)


@SERVICE.op("GetUserPoolMfaConfig")
async def get_user_pool_mfa_config(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return await backend(ctx).get_mfa_config(ctx.account, req["UserPoolId"])


@SERVICE.op("TagResource")
async def tag_resource(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    await backend(ctx).tag_resource(ctx.account, ctx.region, req["ResourceArn"], req["Tags"])
    return {}


@SERVICE.op("UntagResource")
async def untag_resource(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    await backend(ctx).untag_resource(ctx.account, ctx.region, req["ResourceArn"], req["TagKeys"])
    return {}


@SERVICE.op("ListTagsForResource")
async def list_tags_for_resource(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return {"Tags": await backend(ctx).list_tags(ctx.account, ctx.region, req["ResourceArn"])}


@SERVICE.op("CreateUserPoolClient")
async def create_user_pool_client(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return {"UserPoolClient": await backend(ctx).create_user_pool_client(ctx.account, req["UserPoolId"], req)}


@SERVICE.op("DescribeUserPoolClient")
async def describe_user_pool_client(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    found = await backend(ctx).describe_user_pool_client(ctx.account, req["UserPoolId"], req["ClientId"])
    return {"UserPoolClient": found}


@SERVICE.op("UpdateUserPoolClient")
async def update_user_pool_client(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return {"UserPoolClient": await backend(ctx).update_user_pool_client(ctx.account, req["UserPoolId"], req)}


@SERVICE.op("DeleteUserPoolClient")
async def delete_user_pool_client(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    await backend(ctx).delete_user_pool_client(ctx.account, req["UserPoolId"], req["ClientId"])
    return {}


@SERVICE.op("ListUserPoolClients")
async def list_user_pool_clients(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return await backend(ctx).list_user_pool_clients(
        ctx.account, req["UserPoolId"], req.get("NextToken"), req.get("MaxResults") or 60
    )


@SERVICE.op("CreateResourceServer")
async def create_resource_server(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    found = await backend(ctx).put_resource_server(
        ctx.account, req["UserPoolId"], req["Identifier"], req["Name"], req.get("Scopes") or [], True
    )
    return {"ResourceServer": found}


@SERVICE.op("UpdateResourceServer")
async def update_resource_server(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    found = await backend(ctx).put_resource_server(
        ctx.account, req["UserPoolId"], req["Identifier"], req["Name"], req.get("Scopes") or [], False
    )
    return {"ResourceServer": found}


@SERVICE.op("DescribeResourceServer")
async def describe_resource_server(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return {
        "ResourceServer": await backend(ctx).describe_resource_server(ctx.account, req["UserPoolId"], req["Identifier"])
    }


@SERVICE.op("ListResourceServers")
async def list_resource_servers(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return {"ResourceServers": await backend(ctx).list_resource_servers(ctx.account, req["UserPoolId"])}


@SERVICE.op("DeleteResourceServer")
async def delete_resource_server(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    await backend(ctx).delete_resource_server(ctx.account, req["UserPoolId"], req["Identifier"])
    return {}


@SERVICE.op("CreateUserPoolDomain")
async def create_user_pool_domain(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return await backend(ctx).create_domain(
        ctx.account, req["UserPoolId"], req["Domain"], req.get("CustomDomainConfig"), req.get("ManagedLoginVersion")
    )


@SERVICE.op("UpdateUserPoolDomain")
async def update_user_pool_domain(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return await backend(ctx).update_domain(
        ctx.account, req["UserPoolId"], req["Domain"], req.get("CustomDomainConfig"), req.get("ManagedLoginVersion")
    )


@SERVICE.op("DescribeUserPoolDomain")
async def describe_user_pool_domain(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return {"DomainDescription": await backend(ctx).describe_domain(req["Domain"])}


@SERVICE.op("DeleteUserPoolDomain")
async def delete_user_pool_domain(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    await backend(ctx).delete_domain(ctx.account, req["UserPoolId"], req["Domain"])
    return {}


@SERVICE.op("SetUICustomization")
async def set_ui_customization(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    found = await backend(ctx).set_ui_customization(
        ctx.account, req["UserPoolId"], req.get("ClientId"), req.get("CSS"), req.get("ImageFile")
    )
    return {"UICustomization": found}


@SERVICE.op("GetUICustomization")
async def get_ui_customization(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return {
        "UICustomization": await backend(ctx).get_ui_customization(ctx.account, req["UserPoolId"], req.get("ClientId"))
    }
