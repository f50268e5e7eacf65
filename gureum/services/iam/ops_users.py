"""User, group and access-key operations."""

from __future__ import annotations

from typing import Any

from ...aws.context import RequestContext
from . import SERVICE
from .backend import backend


@SERVICE.op("CreateUser")
async def create_user(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    user = await backend(ctx).create_user(
        ctx.account, req["UserName"], req.get("Path"), req.get("Tags") or [], req.get("PermissionsBoundary")
    )
    return {"User": user}


@SERVICE.op("GetUser")
async def get_user(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return {"User": await backend(ctx).get_user(ctx.account, req.get("UserName"), ctx.access_key)}


@SERVICE.op("PutUserPermissionsBoundary")
async def put_user_permissions_boundary(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    await backend(ctx).put_user_permissions_boundary(ctx.account, req["UserName"], req["PermissionsBoundary"])
    return {}


@SERVICE.op("DeleteUserPermissionsBoundary")
async def delete_user_permissions_boundary(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    await backend(ctx).delete_user_permissions_boundary(ctx.account, req["UserName"])
    return {}


@SERVICE.op("UpdateUser")
async def update_user(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    await backend(ctx).rename(ctx.account, "user", req["UserName"], req.get("NewUserName"), req.get("NewPath"))
    return {}


@SERVICE.op("DeleteUser")
async def delete_user(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    await backend(ctx).delete_user(ctx.account, req["UserName"])
    return {}


@SERVICE.op("ListUsers")
async def list_users(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return await backend(ctx).list_users(ctx.account, req.get("PathPrefix"), req.get("Marker"), req.get("MaxItems"))


@SERVICE.op("TagUser")
async def tag_user(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    await backend(ctx).tag_entity(ctx.account, "user", req["UserName"], req["Tags"])
    return {}


@SERVICE.op("UntagUser")
async def untag_user(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    await backend(ctx).untag_entity(ctx.account, "user", req["UserName"], req["TagKeys"])
    return {}


@SERVICE.op("ListUserTags")
async def list_user_tags(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return await backend(ctx).list_entity_tags(
        ctx.account, "user", req["UserName"], req.get("Marker"), req.get("MaxItems")
    )


# --- groups -----------------------------------------------------------------------------------------------------


@SERVICE.op("CreateGroup")
async def create_group(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return {"Group": await backend(ctx).create_group(ctx.account, req["GroupName"], req.get("Path"))}


@SERVICE.op("GetGroup")
async def get_group(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return await backend(ctx).get_group(ctx.account, req["GroupName"], req.get("Marker"), req.get("MaxItems"))


@SERVICE.op("UpdateGroup")
async def update_group(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    await backend(ctx).rename(ctx.account, "group", req["GroupName"], req.get("NewGroupName"), req.get("NewPath"))
    return {}


@SERVICE.op("DeleteGroup")
async def delete_group(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    await backend(ctx).delete_group(ctx.account, req["GroupName"])
    return {}


@SERVICE.op("ListGroups")
async def list_groups(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return await backend(ctx).list_groups(ctx.account, req.get("PathPrefix"), req.get("Marker"), req.get("MaxItems"))


@SERVICE.op("AddUserToGroup")
async def add_user_to_group(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    await backend(ctx).add_user_to_group(ctx.account, req["GroupName"], req["UserName"])
    return {}


@SERVICE.op("RemoveUserFromGroup")
async def remove_user_from_group(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    await backend(ctx).remove_user_from_group(ctx.account, req["GroupName"], req["UserName"])
    return {}


@SERVICE.op("ListGroupsForUser")
async def list_groups_for_user(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return await backend(ctx).list_groups_for_user(ctx.account, req["UserName"], req.get("Marker"), req.get("MaxItems"))


# --- access keys ------------------------------------------------------------------------------------------------


@SERVICE.op("CreateAccessKey")
async def create_access_key(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return {"AccessKey": await backend(ctx).create_access_key(ctx.account, req.get("UserName"))}


@SERVICE.op("ListAccessKeys")
async def list_access_keys(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return await backend(ctx).list_access_keys(ctx.account, req.get("UserName"), req.get("Marker"), req.get("MaxItems"))


@SERVICE.op("UpdateAccessKey")
async def update_access_key(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    await backend(ctx).update_access_key(ctx.account, req.get("UserName"), req["AccessKeyId"], req["Status"])
    return {}


@SERVICE.op("DeleteAccessKey")
async def delete_access_key(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    await backend(ctx).delete_access_key(ctx.account, req.get("UserName"), req["AccessKeyId"])
    return {}


@SERVICE.op("GetAccessKeyLastUsed")
async def get_access_key_last_used(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return await backend(ctx).access_key_last_used(ctx.account, req.get("UserName"), req["AccessKeyId"])
