"""STS operations: each calls one StsBackend method and returns its answer."""

from __future__ import annotations

from typing import Any

from ...aws.authorize import session_token_of
from ...aws.context import RequestContext
from . import SERVICE
from .backend import backend


@SERVICE.op("GetCallerIdentity")
async def get_caller_identity(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return await backend(ctx).get_caller_identity(ctx.account, ctx.access_key, session_token_of(ctx.request))


@SERVICE.op("AssumeRole")
async def assume_role(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return backend(ctx).assume_role(
        req["RoleArn"],
        req.get("RoleSessionName"),
        req.get("DurationSeconds"),
        req.get("Policy"),
        req.get("SourceIdentity"),
        [p["arn"] for p in req.get("PolicyArns") or [] if p.get("arn")],
        req.get("Tags"),
    )


@SERVICE.op("AssumeRoleWithWebIdentity")
async def assume_role_with_web_identity(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return backend(ctx).assume_role_with_web_identity(
        req["RoleArn"],
        req.get("RoleSessionName"),
        req.get("DurationSeconds"),
        req.get("Policy"),
        req.get("ProviderId"),
    )


@SERVICE.op("AssumeRoleWithSAML")
async def assume_role_with_saml(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return backend(ctx).assume_role_with_saml(
        req["RoleArn"], req.get("RoleSessionName"), req.get("DurationSeconds"), req.get("Policy")
    )


@SERVICE.op("GetSessionToken")
async def get_session_token(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return await backend(ctx).get_session_token(ctx.account, ctx.access_key, req.get("DurationSeconds"))


@SERVICE.op("GetFederationToken")
async def get_federation_token(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return await backend(ctx).get_federation_token(
        ctx.account,
        ctx.access_key,
        req["Name"],
        req.get("DurationSeconds"),
        req.get("Policy"),
        [p["arn"] for p in req.get("PolicyArns") or [] if p.get("arn")],
    )


@SERVICE.op("GetAccessKeyInfo")
async def get_access_key_info(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return {"Account": backend(ctx).get_access_key_info(req["AccessKeyId"])}
