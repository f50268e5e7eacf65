"""The administrator's user operations (Admin*, ListUsers): each calls one CognitoBackend method."""

from __future__ import annotations

from typing import Any

from ...aws.context import RequestContext
from . import SERVICE
from .backend import backend


@SERVICE.op("AdminCreateUser")
async def admin_create_user(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return {"User": await backend(ctx).admin_create_user(ctx.account, req["UserPoolId"], req)}


@SERVICE.op("AdminGetUser")
async def admin_get_user(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return await backend(ctx).admin_get_user(ctx.account, req["UserPoolId"], req["Username"])


@SERVICE.op("AdminDeleteUser")
async def admin_delete_user(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    await backend(ctx).admin_delete_user(ctx.account, req["UserPoolId"], req["Username"])
    return {}


@SERVICE.op("AdminEnableUser")
async def admin_enable_user(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    await backend(ctx).admin_set_enabled(ctx.account, req["UserPoolId"], req["Username"], True)
    return {}


@SERVICE.op("AdminDisableUser")
async def admin_disable_user(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    await backend(ctx).admin_set_enabled(ctx.account, req["UserPoolId"], req["Username"], False)
    return {}


@SERVICE.op("AdminUpdateUserAttributes")
async def admin_update_user_attributes(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    await backend(ctx).admin_update_user_attributes(
        ctx.account, req["UserPoolId"], req["Username"], req["UserAttributes"]
    )
    return {}


@SERVICE.op("AdminDeleteUserAttributes")
async def admin_delete_user_attributes(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    await backend(ctx).admin_delete_user_attributes(
        ctx.account, req["UserPoolId"], req["Username"], req["UserAttributeNames"]
    )
    return {}


@SERVICE.op("AdminSetUserPassword")
async def admin_set_user_password(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    await backend(ctx).admin_set_user_password(
        ctx.account, req["UserPoolId"], req["Username"], req["Password"], bool(req.get("Permanent"))
    )
    return {}


@SERVICE.op("AdminResetUserPassword")
async def admin_reset_user_password(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    await backend(ctx).admin_reset_user_password(
        ctx.account, req["UserPoolId"], req["Username"], req.get("ClientMetadata")
    )
    return {}


@SERVICE.op("AdminConfirmSignUp")
async def admin_confirm_sign_up(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    await backend(ctx).admin_confirm_sign_up(ctx.account, req["UserPoolId"], req["Username"], req.get("ClientMetadata"))
    return {}


@SERVICE.op("AdminUserGlobalSignOut")
async def admin_user_global_sign_out(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    await backend(ctx).admin_user_global_sign_out(ctx.account, req["UserPoolId"], req["Username"])
    return {}


@SERVICE.op("AdminSetUserMFAPreference")
async def admin_set_user_mfa_preference(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    await backend(ctx).admin_set_user_mfa_preference(
        ctx.account, req["UserPoolId"], req["Username"], req.get("SMSMfaSettings"), req.get("SoftwareTokenMfaSettings")
    )
    return {}


@SERVICE.op("ListUsers")
async def list_users(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return await backend(ctx).list_users(
        ctx.account,
        req["UserPoolId"],
        req.get("Filter"),
        req.get("AttributesToGet"),
        req.get("PaginationToken"),
        req.get("Limit") or 60,
    )
