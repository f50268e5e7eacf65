"""Operations on API keys, usage plans (throttle, quota, API stages), usage plan keys and usage: each calls one
method of the backend (backend.py)."""

from __future__ import annotations

from typing import Any

from ...aws.context import RequestContext
from . import SERVICE
from .backend import backend

# --- ApiKeys ----------------------------------------------------------------------------------------------------------


@SERVICE.op("CreateApiKey")
async def create_api_key(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return await backend(ctx).create_api_key(
        ctx.account,
        ctx.region,
        value=req.get("value"),
        name=req.get("name"),
        enabled=req.get("enabled"),
        description=req.get("description"),
        customer_id=req.get("customerId"),
        stage_keys=req.get("stageKeys"),
        tags=req.get("tags"),
    )


@SERVICE.op("GetApiKey")
async def get_api_key(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return await backend(ctx).get_api_key(ctx.account, ctx.region, req["apiKey"], bool(req.get("includeValue")))


@SERVICE.op("GetApiKeys")
async def get_api_keys(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return await backend(ctx).get_api_keys(
        ctx.account,
        ctx.region,
        req.get("nameQuery"),
        req.get("customerId"),
        bool(req.get("includeValues")),
        req.get("limit"),
        req.get("position"),
    )


@SERVICE.op("UpdateApiKey")
async def update_api_key(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return await backend(ctx).update_api_key(ctx.account, ctx.region, req["apiKey"], req.get("patchOperations") or [])


@SERVICE.op("DeleteApiKey")
async def delete_api_key(ctx: RequestContext, req: dict[str, Any]) -> None:
    await backend(ctx).delete_api_key(ctx.account, ctx.region, req["apiKey"])


@SERVICE.op("ImportApiKeys")
async def import_api_keys(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return await backend(ctx).import_api_keys(
        ctx.account, ctx.region, req.get("body"), req["format"], bool(req.get("failOnWarnings"))
    )


# --- UsagePlans -------------------------------------------------------------------------------------------------------


@SERVICE.op("CreateUsagePlan")
async def create_usage_plan(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return await backend(ctx).create_usage_plan(
        ctx.account,
        ctx.region,
        req["name"],
        description=req.get("description"),
        api_stages=req.get("apiStages"),
        throttle=req.get("throttle"),
        quota=req.get("quota"),
        tags=req.get("tags"),
    )


@SERVICE.op("GetUsagePlan")
async def get_usage_plan(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return await backend(ctx).get_usage_plan(ctx.account, ctx.region, req["usagePlanId"])


@SERVICE.op("GetUsagePlans")
async def get_usage_plans(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return await backend(ctx).get_usage_plans(
        ctx.account, ctx.region, req.get("keyId"), req.get("limit"), req.get("position")
    )


@SERVICE.op("UpdateUsagePlan")
async def update_usage_plan(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return await backend(ctx).update_usage_plan(
        ctx.account, ctx.region, req["usagePlanId"], req.get("patchOperations") or []
    )


@SERVICE.op("DeleteUsagePlan")
async def delete_usage_plan(ctx: RequestContext, req: dict[str, Any]) -> None:
    await backend(ctx).delete_usage_plan(ctx.account, ctx.region, req["usagePlanId"])


# --- UsagePlanKeys ----------------------------------------------------------------------------------------------------


@SERVICE.op("CreateUsagePlanKey")
async def create_usage_plan_key(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return await backend(ctx).create_usage_plan_key(
        ctx.account, ctx.region, req["usagePlanId"], req["keyId"], req["keyType"]
    )


@SERVICE.op("GetUsagePlanKey")
async def get_usage_plan_key(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return await backend(ctx).get_usage_plan_key(ctx.account, ctx.region, req["usagePlanId"], req["keyId"])


@SERVICE.op("GetUsagePlanKeys")
async def get_usage_plan_keys(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return await backend(ctx).get_usage_plan_keys(
        ctx.account, ctx.region, req["usagePlanId"], req.get("nameQuery"), req.get("limit"), req.get("position")
    )


@SERVICE.op("DeleteUsagePlanKey")
async def delete_usage_plan_key(ctx: RequestContext, req: dict[str, Any]) -> None:
    await backend(ctx).delete_usage_plan_key(ctx.account, ctx.region, req["usagePlanId"], req["keyId"])


# --- usage ------------------------------------------------------------------------------------------------------------


@SERVICE.op("GetUsage")
async def get_usage(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return await backend(ctx).get_usage(
        ctx.account, ctx.region, req["usagePlanId"], req.get("keyId"), req["startDate"], req["endDate"]
    )


@SERVICE.op("UpdateUsage")
async def update_usage(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return await backend(ctx).update_usage(
        ctx.account, ctx.region, req["usagePlanId"], req["keyId"], req.get("patchOperations") or []
    )
