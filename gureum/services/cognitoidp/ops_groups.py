"""Group operations and group membership: each calls one CognitoBackend method."""

from __future__ import annotations

from typing import Any

from ...aws.context import RequestContext
from . import SERVICE
from .backend import backend


@SERVICE.op("CreateGroup")
async def create_group(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return {"Group": await backend(ctx).create_group(ctx.account, req["UserPoolId"], req)}


@SERVICE.op("GetGroup")
async def get_group(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return {"Group": await backend(ctx).get_group(ctx.account, req["UserPoolId"], req["GroupName"])}


@SERVICE.op("UpdateGroup")
async def update_group(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return {"Group": await backend(ctx).update_group(ctx.account, req["UserPoolId"], req)}


@SERVICE.op("DeleteGroup")
async def delete_group(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    await backend(ctx).delete_group(ctx.account, req["UserPoolId"], req["GroupName"])
    return {}


@SERVICE.op("ListGroups")
async def list_groups(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return await backend(ctx).list_groups(ctx.account, req["UserPoolId"], req.get("NextToken"), req.get("Limit") or 60)


@SERVICE.op("AdminAddUserToGroup")
async def admin_add_user_to_group(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    await backend(ctx).admin_add_user_to_group(ctx.account, req["UserPoolId"], req["Username"], req["GroupName"])
    return {}


@SERVICE.op("AdminRemoveUserFromGroup")
async def admin_remove_user_from_group(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    await backend(ctx).admin_remove_user_from_group(ctx.account, req["UserPoolId"], req["Username"], req["GroupName"])
    return {}


@SERVICE.op("AdminListGroupsForUser")
async def admin_list_groups_for_user(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return await backend(ctx).admin_list_groups_for_user(
        ctx.account, req["UserPoolId"], req["Username"], req.get("NextToken"), req.get("Limit") or 60
    )


@SERVICE.op("ListUsersInGroup")
async def list_users_in_group(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return await backend(ctx).list_users_in_group(
        ctx.account, req["UserPoolId"], req["GroupName"], req.get("NextToken"), req.get("Limit") or 60
    )
