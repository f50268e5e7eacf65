"""Console password operations: the account's password policy and users' login profiles; and the listings of the
user credentials gureum cannot issue (each empty)."""

from __future__ import annotations

from typing import Any

from ...aws.context import RequestContext
from . import SERVICE
from .backend import backend

_POLICY_MEMBERS = (
    "MinimumPasswordLength",
    "RequireSymbols",
    "RequireNumbers",
    "RequireUppercaseCharacters",
    "RequireLowercaseCharacters",
    "AllowUsersToChangePassword",
    "MaxPasswordAge",
    "PasswordReusePrevention",
    "HardExpiry",
)


@SERVICE.op("UpdateAccountPasswordPolicy")
async def update_account_password_policy(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    await backend(ctx).update_account_password_policy(ctx.account, {k: req.get(k) for k in _POLICY_MEMBERS})
    return {}


@SERVICE.op("GetAccountPasswordPolicy")
async def get_account_password_policy(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return {"PasswordPolicy": await backend(ctx).get_account_password_policy(ctx.account)}


@SERVICE.op("DeleteAccountPasswordPolicy")
async def delete_account_password_policy(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    await backend(ctx).delete_account_password_policy(ctx.account)
    return {}


@SERVICE.op("CreateLoginProfile")
async def create_login_profile(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    iam = backend(ctx)
    user = await iam.user_or_caller(ctx.account, req.get("UserName"), ctx.access_key)
    profile = await iam.create_login_profile(ctx.account, user, req.get("Password"), req.get("PasswordResetRequired"))
    return {"LoginProfile": profile}


@SERVICE.op("GetLoginProfile")
async def get_login_profile(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    iam = backend(ctx)
    user = await iam.user_or_caller(ctx.account, req.get("UserName"), ctx.access_key)
    return {"LoginProfile": await iam.get_login_profile(ctx.account, user)}


@SERVICE.op("UpdateLoginProfile")
async def update_login_profile(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    iam = backend(ctx)
    user = await iam.user_or_caller(ctx.account, req.get("UserName"), ctx.access_key)
    await iam.update_login_profile(ctx.account, user, req.get("Password"), req.get("PasswordResetRequired"))
    return {}


@SERVICE.op("DeleteLoginProfile")
async def delete_login_profile(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    iam = backend(ctx)
    user = await iam.user_or_caller(ctx.account, req.get("UserName"), ctx.access_key)
    await iam.delete_login_profile(ctx.account, user)
    return {}


@SERVICE.op("ListSSHPublicKeys")
async def list_ssh_public_keys(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    await backend(ctx).require_user(ctx.account, req.get("UserName"))
    return {"SSHPublicKeys": [], "IsTruncated": False}


@SERVICE.op("ListSigningCertificates")
async def list_signing_certificates(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    await backend(ctx).require_user(ctx.account, req.get("UserName"))
    return {"Certificates": [], "IsTruncated": False}


@SERVICE.op("ListServiceSpecificCredentials")
async def list_service_specific_credentials(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    await backend(ctx).require_user(ctx.account, req.get("UserName"))
    return {"ServiceSpecificCredentials": []}


@SERVICE.op("ListMFADevices")
async def list_mfa_devices(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    await backend(ctx).require_user(ctx.account, req.get("UserName"))
    return {"MFADevices": [], "IsTruncated": False}


@SERVICE.op("ListVirtualMFADevices")
async def list_virtual_mfa_devices(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return {"VirtualMFADevices": [], "IsTruncated": False}
