"""Inline policies and managed-policy attachments of roles, users and groups: each AWS operation written out,
calling the one backend method of its family with the kind it is about."""

from __future__ import annotations

from typing import Any

from ...aws.context import RequestContext
from . import SERVICE
from .backend import backend

# --- roles -----------------------------------------------------------------------------------------------------------


@SERVICE.op("PutRolePolicy")
async def put_role_policy(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    await backend(ctx).put_inline_policy(ctx.account, "role", req["RoleName"], req["PolicyName"], req["PolicyDocument"])
    return {}


@SERVICE.op("GetRolePolicy")
async def get_role_policy(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    owner, name, document = await backend(ctx).get_inline_policy(
        ctx.account, "role", req["RoleName"], req["PolicyName"]
    )
    return {"RoleName": owner, "PolicyName": name, "PolicyDocument": document}


@SERVICE.op("DeleteRolePolicy")
async def delete_role_policy(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    await backend(ctx).delete_inline_policy(ctx.account, "role", req["RoleName"], req["PolicyName"])
    return {}


@SERVICE.op("ListRolePolicies")
async def list_role_policies(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return await backend(ctx).list_inline_policies(
        ctx.account, "role", req["RoleName"], req.get("Marker"), req.get("MaxItems")
    )


@SERVICE.op("AttachRolePolicy")
async def attach_role_policy(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    await backend(ctx).attach_policy(ctx.account, "role", req["RoleName"], req["PolicyArn"])
    return {}


@SERVICE.op("DetachRolePolicy")
async def detach_role_policy(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    await backend(ctx).detach_policy(ctx.account, "role", req["RoleName"], req["PolicyArn"])
    return {}


@SERVICE.op("ListAttachedRolePolicies")
async def list_attached_role_policies(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return await backend(ctx).list_attached_policies(
        ctx.account, "role", req["RoleName"], req.get("PathPrefix"), req.get("Marker"), req.get("MaxItems")
    )


# --- users -----------------------------------------------------------------------------------------------------------


@SERVICE.op("PutUserPolicy")
async def put_user_policy(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    await backend(ctx).put_inline_policy(ctx.account, "user", req["UserName"], req["PolicyName"], req["PolicyDocument"])
    return {}


@SERVICE.op("GetUserPolicy")
async def get_user_policy(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    owner, name, document = await backend(ctx).get_inline_policy(
        ctx.account, "user", req["UserName"], req["PolicyName"]
    )
    return {"UserName": owner, "PolicyName": name, "PolicyDocument": document}


@SERVICE.op("DeleteUserPolicy")
async def delete_user_policy(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    await backend(ctx).delete_inline_policy(ctx.account, "user", req["UserName"], req["PolicyName"])
    return {}


@SERVICE.op("ListUserPolicies")
async def list_user_policies(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return await backend(ctx).list_inline_policies(
        ctx.account, "user", req["UserName"], req.get("Marker"), req.get("MaxItems")
    )


@SERVICE.op("AttachUserPolicy")
async def attach_user_policy(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    await backend(ctx).attach_policy(ctx.account, "user", req["UserName"], req["PolicyArn"])
    return {}


@SERVICE.op("DetachUserPolicy")
async def detach_user_policy(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    await backend(ctx).detach_policy(ctx.account, "user", req["UserName"], req["PolicyArn"])
    return {}


@SERVICE.op("ListAttachedUserPolicies")
async def list_attached_user_policies(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return await backend(ctx).list_attached_policies(
        ctx.account, "user", req["UserName"], req.get("PathPrefix"), req.get("Marker"), req.get("MaxItems")
    )


# --- groups ----------------------------------------------------------------------------------------------------------


@SERVICE.op("PutGroupPolicy")
async def put_group_policy(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    await backend(ctx).put_inline_policy(
        ctx.account, "group", req["GroupName"], req["PolicyName"], req["PolicyDocument"]
    )
    return {}


@SERVICE.op("GetGroupPolicy")
async def get_group_policy(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    owner, name, document = await backend(ctx).get_inline_policy(
        ctx.account, "group", req["GroupName"], req["PolicyName"]
    )
    return {"GroupName": owner, "PolicyName": name, "PolicyDocument": document}


@SERVICE.op("DeleteGroupPolicy")
async def delete_group_policy(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    await backend(ctx).delete_inline_policy(ctx.account, "group", req["GroupName"], req["PolicyName"])
    return {}


@SERVICE.op("ListGroupPolicies")
async def list_group_policies(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return await backend(ctx).list_inline_policies(
        ctx.account, "group", req["GroupName"], req.get("Marker"), req.get("MaxItems")
    )


@SERVICE.op("AttachGroupPolicy")
async def attach_group_policy(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    await backend(ctx).attach_policy(ctx.account, "group", req["GroupName"], req["PolicyArn"])
    return {}


@SERVICE.op("DetachGroupPolicy")
async def detach_group_policy(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    await backend(ctx).detach_policy(ctx.account, "group", req["GroupName"], req["PolicyArn"])
    return {}


@SERVICE.op("ListAttachedGroupPolicies")
async def list_attached_group_policies(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return await backend(ctx).list_attached_policies(
        ctx.account, "group", req["GroupName"], req.get("PathPrefix"), req.get("Marker"), req.get("MaxItems")
    )
