"""ECS account settings: each operation calls one EcsBackend method."""

from __future__ import annotations

from typing import Any

from ...aws.context import RequestContext
from . import SERVICE
from .backend import backend


@SERVICE.op("PutAccountSetting")
async def put_account_setting(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    setting = await backend(ctx).put_account_setting(
        ctx.account, ctx.region, ctx.access_key, req["name"], req["value"], req.get("principalArn")
    )
    return {"setting": setting}


@SERVICE.op("PutAccountSettingDefault")
async def put_account_setting_default(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return {
        "setting": await backend(ctx).put_account_setting_default(ctx.account, ctx.region, req["name"], req["value"])
    }


@SERVICE.op("DeleteAccountSetting")
async def delete_account_setting(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    setting = await backend(ctx).delete_account_setting(
        ctx.account, ctx.region, ctx.access_key, req["name"], req.get("principalArn")
    )
    return {"setting": setting}


@SERVICE.op("ListAccountSettings")
async def list_account_settings(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return await backend(ctx).list_account_settings(
        ctx.account,
        ctx.region,
        ctx.access_key,
        req.get("name"),
        req.get("value"),
        req.get("principalArn"),
        bool(req.get("effectiveSettings")),
        req.get("nextToken"),
        req.get("maxResults"),
    )
