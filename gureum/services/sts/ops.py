"""STS operations. Issued access keys encode their account (gureum.aws.auth), so they work on any node."""

from __future__ import annotations

import base64
import re
import secrets
from typing import Any

from ...aws.auth import DEFAULT_ACCOUNT, account_for_key, issue_access_key, issued_secret
from ...aws.context import RequestContext
from ...aws.errors import ServiceError
from ...ports import KeyOwner
from . import SERVICE

_ROLE_ARN = re.compile(r"^arn:aws[\w-]*:iam::(\d{12}):role/(?:[\w+=,.@/-]*/)?([\w+=,.@-]+)$")
_DEFAULT_SECONDS = 3600


def _credentials(ctx: RequestContext, account: str, seconds: int) -> dict[str, Any]:
    now = ctx.runtime.clock.now()
    token = base64.b64encode(secrets.token_bytes(96)).decode()
    key = issue_access_key(account)
    return {
        "AccessKeyId": key,
        "SecretAccessKey": issued_secret(ctx.runtime.deployment_secret, key),
        "SessionToken": f"FQoGZXIvYXdzE{token}",
        "Expiration": now + seconds,
    }


def _unique_id(seed: str) -> str:
    return "AROA" + base64.b32encode(seed.encode()[:10].ljust(10, b"\0")).decode()[:17]


def _check_duration(req: dict[str, Any], maximum: int = 43_200) -> int:
    seconds = req.get("DurationSeconds") or _DEFAULT_SECONDS
    if not 900 <= seconds <= maximum:
        raise ServiceError(
            f"1 validation error detected: Value '{seconds}' at 'durationSeconds' failed to satisfy constraint: "
            f"Member must have value {'greater than or equal to 900' if seconds < 900 else f'less than or equal to {maximum}'}",
            code="ValidationError",
        )
    return seconds


@SERVICE.op("GetCallerIdentity")
async def get_caller_identity(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    key = ctx.access_key
    account = ctx.account
    key_owner = ctx.runtime.optional_port(KeyOwner)  # without IAM, no key belongs to a user
    owner = await key_owner.owner(account, key) if key and key_owner is not None else None
    if owner is not None:  # an IAM user's access key (CreateAccessKey)
        return {"UserId": owner["UserId"], "Account": account, "Arn": owner["Arn"]}
    if key.startswith("ASIA") and account_for_key(key) != DEFAULT_ACCOUNT:
        return {
            "UserId": f"{_unique_id(key)}:session",
            "Account": account,
            "Arn": f"arn:aws:sts::{account}:assumed-role/gureum/session",
        }
    return {"UserId": key or account, "Account": account, "Arn": f"arn:aws:iam::{account}:root"}


def _assumed(ctx: RequestContext, req: dict[str, Any], maximum: int = 43_200) -> dict[str, Any]:
    match = _ROLE_ARN.match(req["RoleArn"])
    if not match:
        raise ServiceError(f"{req['RoleArn']} is invalid", code="ValidationError")
    account, role = match.group(1), match.group(2)
    seconds = _check_duration(req, maximum)
    session = req.get("RoleSessionName") or "session"
    role_id = _unique_id(f"{account}{role}")
    return {
        "Credentials": _credentials(ctx, account, seconds),
        "AssumedRoleUser": {
            "AssumedRoleId": f"{role_id}:{session}",
            "Arn": f"arn:aws:sts::{account}:assumed-role/{role}/{session}",
        },
        "PackedPolicySize": 6 if req.get("Policy") else None,
    }


@SERVICE.op("AssumeRole")
async def assume_role(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    out = _assumed(ctx, req)
    if req.get("SourceIdentity"):
        out["SourceIdentity"] = req["SourceIdentity"]
    return out


@SERVICE.op("AssumeRoleWithWebIdentity")
async def assume_role_with_web_identity(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    out = _assumed(ctx, req)
    out.update(
        SubjectFromWebIdentityToken="gureum-subject",
        Audience=req.get("ProviderId") or "sts.amazonaws.com",
        Provider=req.get("ProviderId") or "gureum",
    )
    return out


@SERVICE.op("AssumeRoleWithSAML")
async def assume_role_with_saml(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    out = _assumed(ctx, req)
    out.update(
        Subject="gureum-subject",
        SubjectType="persistent",
        Issuer="gureum",
        Audience="https://signin.aws.amazon.com/saml",
        NameQualifier="gureum",
    )
    return out


@SERVICE.op("GetSessionToken")
async def get_session_token(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    seconds = req.get("DurationSeconds") or 43_200
    if not 900 <= seconds <= 129_600:
        raise ServiceError(
            f"1 validation error detected: Value '{seconds}' at 'durationSeconds' failed to satisfy constraint: Member must have value between 900 and 129600",
            code="ValidationError",
        )
    return {"Credentials": _credentials(ctx, ctx.account, seconds)}


@SERVICE.op("GetFederationToken")
async def get_federation_token(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    seconds = req.get("DurationSeconds") or 43_200
    name = req["Name"]
    return {
        "Credentials": _credentials(ctx, ctx.account, seconds),
        "FederatedUser": {
            "FederatedUserId": f"{ctx.account}:{name}",
            "Arn": f"arn:aws:sts::{ctx.account}:federated-user/{name}",
        },
    }


@SERVICE.op("GetAccessKeyInfo")
async def get_access_key_info(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return {"Account": account_for_key(req["AccessKeyId"])}
