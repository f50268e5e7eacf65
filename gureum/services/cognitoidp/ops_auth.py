"""Sign-up, sign-in and what a user does with their own tokens: each calls one CognitoBackend method."""

from __future__ import annotations

from typing import Any

from ...aws.context import RequestContext
from . import SERVICE
from .backend import backend


@SERVICE.op("SignUp")
async def sign_up(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return await backend(ctx).sign_up(
        req["ClientId"],
        req["Username"],
        req.get("Password") or "",
        req.get("SecretHash"),
        req.get("UserAttributes"),
        req.get("ValidationData"),
        req.get("ClientMetadata"),
    )


@SERVICE.op("ConfirmSignUp")
async def confirm_sign_up(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    await backend(ctx).confirm_sign_up(
        req["ClientId"],
        req["Username"],
        req["ConfirmationCode"],
        req.get("SecretHash"),
        bool(req.get("ForceAliasCreation")),
        req.get("ClientMetadata"),
    )
    return {}


@SERVICE.op("ResendConfirmationCode")
async def resend_confirmation_code(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return await backend(ctx).resend_confirmation_code(
        req["ClientId"], req["Username"], req.get("SecretHash"), req.get("ClientMetadata")
    )


@SERVICE.op("ForgotPassword")
async def forgot_password(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return await backend(ctx).forgot_password(
        req["ClientId"], req["Username"], req.get("SecretHash"), req.get("ClientMetadata")
    )


@SERVICE.op("ConfirmForgotPassword")
async def confirm_forgot_password(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    await backend(ctx).confirm_forgot_password(
        req["ClientId"],
        req["Username"],
        req["ConfirmationCode"],
        req["Password"],
        req.get("SecretHash"),
        req.get("ClientMetadata"),
    )
    return {}


@SERVICE.op("InitiateAuth")
async def initiate_auth(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return await backend(ctx).initiate_auth(
        req["ClientId"], req["AuthFlow"], req.get("AuthParameters") or {}, req.get("ClientMetadata")
    )


@SERVICE.op("AdminInitiateAuth")
async def admin_initiate_auth(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return await backend(ctx).initiate_auth(
        req["ClientId"],
        req["AuthFlow"],
        req.get("AuthParameters") or {},
        req.get("ClientMetadata"),
        admin_pool=req["UserPoolId"],
        account=ctx.account,
    )


@SERVICE.op("RespondToAuthChallenge")
async def respond_to_auth_challenge(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return await backend(ctx).respond_to_auth_challenge(
        req["ClientId"],
        req["ChallengeName"],
        req.get("ChallengeResponses") or {},
        req.get("Session"),
        req.get("ClientMetadata"),
    )


@SERVICE.op("AdminRespondToAuthChallenge")
async def admin_respond_to_auth_challenge(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return await backend(ctx).respond_to_auth_challenge(
        req["ClientId"],
        req["ChallengeName"],
        req.get("ChallengeResponses") or {},
        req.get("Session"),
        req.get("ClientMetadata"),
        admin_pool=req["UserPoolId"],
        account=ctx.account,
    )


@SERVICE.op("GetUser")
async def get_user(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return await backend(ctx).get_user(req["AccessToken"])


@SERVICE.op("UpdateUserAttributes")
async def update_user_attributes(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return await backend(ctx).update_user_attributes(
        req["AccessToken"], req["UserAttributes"], req.get("ClientMetadata")
    )


@SERVICE.op("DeleteUserAttributes")
async def delete_user_attributes(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    await backend(ctx).delete_user_attributes(req["AccessToken"], req["UserAttributeNames"])
    return {}


@SERVICE.op("GetUserAttributeVerificationCode")
async def get_user_attribute_verification_code(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return await backend(ctx).get_user_attribute_verification_code(
        req["AccessToken"], req["AttributeName"], req.get("ClientMetadata")
    )


@SERVICE.op("VerifyUserAttribute")
async def verify_user_attribute(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    await backend(ctx).verify_user_attribute(req["AccessToken"], req["AttributeName"], req["Code"])
    return {}


@SERVICE.op("ChangePassword")
async def change_password(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    await backend(ctx).change_password(req["AccessToken"], req.get("PreviousPassword"), req["ProposedPassword"])
    return {}


@SERVICE.op("DeleteUser")
async def delete_user(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    await backend(ctx).delete_user(req["AccessToken"])
    return {}


@SERVICE.op("GlobalSignOut")
async def global_sign_out(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    await backend(ctx).global_sign_out(req["AccessToken"])
    return {}


@SERVICE.op("RevokeToken")
async def revoke_token(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    await backend(ctx).revoke_token(req["Token"], req["ClientId"], req.get("ClientSecret"))
    return {}


@SERVICE.op("SetUserMFAPreference")
async def set_user_mfa_preference(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    await backend(ctx).set_user_mfa_preference(
        req["AccessToken"], req.get("SMSMfaSettings"), req.get("SoftwareTokenMfaSettings")
    )
    return {}


@SERVICE.op("AssociateSoftwareToken")
async def associate_software_token(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return await backend(ctx).associate_software_token(req.get("AccessToken"), req.get("Session"))


@SERVICE.op("VerifySoftwareToken")
async def verify_software_token(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return await backend(ctx).verify_software_token(
        req.get("AccessToken"), req.get("Session"), req["UserCode"], req.get("FriendlyDeviceName")
    )
