"""Account-wide IAM operations: the account alias and GetAccountSummary."""

from __future__ import annotations

from typing import Any

from ...aws.context import RequestContext
from . import SERVICE
from .backend import backend


@SERVICE.op("CreateAccountAlias")
async def create_account_alias(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    await backend(ctx).create_account_alias(ctx.account, req["AccountAlias"])
    return {}


@SERVICE.op("DeleteAccountAlias")
async def delete_account_alias(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    await backend(ctx).delete_account_alias(ctx.account, req["AccountAlias"])
    return {}


@SERVICE.op("ListAccountAliases")
async def list_account_aliases(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return {"AccountAliases": await backend(ctx).list_account_aliases(ctx.account), "IsTruncated": False}


@SERVICE.op("GetAccountSummary")
async def get_account_summary(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return {"SummaryMap": await backend(ctx).account_summary(ctx.account)}


@SERVICE.op("SetSecurityTokenServicePreferences")
async def set_security_token_service_preferences(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    await backend(ctx).set_sts_preferences(ctx.account, req["GlobalEndpointTokenVersion"])
    return {}
