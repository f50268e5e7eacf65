"""SES v1 account operations (quota, statistics, sending paused or enabled): each calls one SesBackend method."""

from __future__ import annotations

from typing import Any

from ...aws.context import RequestContext
from . import SERVICE
from .backend import backend


@SERVICE.op("GetSendQuota")
async def get_send_quota(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    state, sent = await backend(ctx).account(ctx.account, ctx.region)
    return {"Max24HourSend": state.max_24_hour_send, "MaxSendRate": state.max_send_rate, "SentLast24Hours": sent}


@SERVICE.op("GetSendStatistics")
async def get_send_statistics(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return {"SendDataPoints": await backend(ctx).send_statistics(ctx.account, ctx.region)}


@SERVICE.op("GetAccountSendingEnabled")
async def get_account_sending_enabled(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    state, _ = await backend(ctx).account(ctx.account, ctx.region)
    return {"Enabled": state.sending_enabled}


@SERVICE.op("UpdateAccountSendingEnabled")
async def update_account_sending_enabled(ctx: RequestContext, req: dict[str, Any]) -> None:
    await backend(ctx).set_sending_enabled(ctx.account, ctx.region, bool(req.get("Enabled", False)))
