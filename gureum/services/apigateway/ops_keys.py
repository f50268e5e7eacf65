"""API keys, usage plans (throttle, quota, API stages) and usage plan keys."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import secrets
import string
from typing import Any

from ...aws.context import RequestContext
from ...store.base import Tx
from . import SERVICE, store
from .apis import now
from .errors import BadRequestException, ConflictException, NotFoundException, not_found
from .model import apply_patch, new_id, page

_KEY_ALPHABET = string.ascii_letters + string.digits
_PERIODS = {"DAY", "WEEK", "MONTH"}


def _key_view(item: dict[str, Any], include_value: bool) -> dict[str, Any]:
    return {k: v for k, v in item.items() if include_value or k != "value"}


# --- ApiKeys ---------------------------------------------------------------------------------------------------------


@SERVICE.op("CreateApiKey")
async def create_api_key(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    value = req.get("value") or "".join(secrets.choice(_KEY_ALPHABET) for _ in range(40))
    if len(value) < 20:
        raise BadRequestException("API Key value should be at least 20 characters")
    ts = now(ctx)
    item = {
        "id": new_id(),
        "value": value,
        "name": req.get("name") or new_id(),
        "enabled": bool(req.get("enabled")),
        "createdDate": ts,
        "lastUpdatedDate": ts,
        "stageKeys": [f"{s['restApiId']}/{s['stageName']}" for s in req.get("stageKeys") or []],
        "tags": req.get("tags") or {},
    }
    for member in ("description", "customerId"):
        if req.get(member) is not None:
            item[member] = req[member]

    def create(tx: Tx) -> dict[str, Any]:
        if store.key_by_value(tx, ctx.account, ctx.region, value) is not None:
            raise ConflictException("API Key already exists")
        store.insert_entity(tx, ctx.account, ctx.region, "apikey", item, ts, lookup=value)
        return item

    return await ctx.runtime.store.write(create)


def _api_key(tx: Tx, ctx: RequestContext, key_id: str) -> dict[str, Any]:
    found = store.get_entity(tx, ctx.account, ctx.region, "apikey", key_id)
    if found is None:
        raise not_found("apikey")
    return found


@SERVICE.op("GetApiKey")
async def get_api_key(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    item = await ctx.runtime.store.read(lambda tx: _api_key(tx, ctx, req["apiKey"]))
    return _key_view(item, bool(req.get("includeValue")))


@SERVICE.op("GetApiKeys")
async def get_api_keys(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    items = await ctx.runtime.store.read(lambda tx: store.list_entities(tx, ctx.account, ctx.region, "apikey"))
    if req.get("nameQuery"):
        items = [i for i in items if i["name"].startswith(req["nameQuery"])]
    if req.get("customerId"):
        items = [i for i in items if i.get("customerId") == req["customerId"]]
    return page([_key_view(i, bool(req.get("includeValues"))) for i in items], req)


@SERVICE.op("UpdateApiKey")
async def update_api_key(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    def update(tx: Tx) -> dict[str, Any]:
        item = apply_patch(
            _api_key(tx, ctx, req["apiKey"]),
            req.get("patchOperations") or [],
            allowed={"name", "description", "enabled", "customerId", "stages", "value"},
        )
        item["lastUpdatedDate"] = now(ctx)
        store.save_entity(tx, ctx.account, ctx.region, "apikey", item, lookup=item["value"])
        return _key_view(item, False)

    return await ctx.runtime.store.write(update)


@SERVICE.op("DeleteApiKey")
async def delete_api_key(ctx: RequestContext, req: dict[str, Any]) -> None:
    def delete(tx: Tx) -> None:
        _api_key(tx, ctx, req["apiKey"])
        store.delete_entity(tx, ctx.account, ctx.region, "apikey", req["apiKey"])
        for plan in store.list_entities(tx, ctx.account, ctx.region, "usageplan"):
            if req["apiKey"] in plan.get("_keys", []):
                plan["_keys"].remove(req["apiKey"])
                store.save_entity(tx, ctx.account, ctx.region, "usageplan", plan)

    await ctx.runtime.store.write(delete)


@SERVICE.op("ImportApiKeys")
async def import_api_keys(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    """API keys from CSV (columns name, key, description, enabled, usageplanIds; header row required), each added to
    the usage plans listed (separated by ';' or ',' within the quoted cell)."""
    if req["format"] != "csv":
        raise BadRequestException("Invalid format: only csv is supported")
    rows = list(csv.reader(io.StringIO(bytes(req.get("body") or b"").decode("utf-8-sig"))))
    if not rows:
        raise BadRequestException("Invalid API Key file: no header row")
    header = [h.strip().lower() for h in rows[0]]
    if "key" not in header and "value" not in header:
        raise BadRequestException("Invalid API Key file: the key column is required")
    ts = now(ctx)
    items, warnings = [], []
    for number, row in enumerate(rows[1:], start=2):
        cells = dict(zip(header, (c.strip() for c in row)))
        value = cells.get("key") or cells.get("value") or ""
        if len(value) < 20:
            warnings.append(f"Line {number}: API Key value should be at least 20 characters")
            continue
        item = {
            "id": new_id(),
            "value": value,
            "name": cells.get("name") or new_id(),
            "enabled": cells.get("enabled", "").lower() == "true",
            "createdDate": ts,
            "lastUpdatedDate": ts,
            "stageKeys": [],
            "tags": {},
        }
        if cells.get("description"):
            item["description"] = cells["description"]
        plans = [p for p in re.split(r"[;,]", cells.get("usageplanids", "")) if p.strip()]
        items.append((item, [p.strip() for p in plans]))
    if warnings and req.get("failOnWarnings"):
        raise BadRequestException("; ".join(warnings))

    def create(tx: Tx) -> dict[str, Any]:
        for item, plans in items:
            if store.key_by_value(tx, ctx.account, ctx.region, item["value"]) is not None:
                raise ConflictException(f"API Key already exists: {item['name']}")
            store.insert_entity(tx, ctx.account, ctx.region, "apikey", item, ts, lookup=item["value"])
            for plan_id in plans:
                plan = _plan(tx, ctx, plan_id)
                plan["_keys"].append(item["id"])
                store.save_entity(tx, ctx.account, ctx.region, "usageplan", plan)
        return {"ids": [item["id"] for item, _ in items], "warnings": warnings}

    return await ctx.runtime.store.write(create)


# --- UsagePlans ------------------------------------------------------------------------------------------------------


def _plan_view(item: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in item.items() if not k.startswith("_")}


def _check_plan(tx: Tx, ctx: RequestContext, item: dict[str, Any]) -> None:
    quota = item.get("quota")
    if quota and quota.get("period") not in _PERIODS:
        raise BadRequestException("Invalid quota period specified. Valid options are DAY, WEEK, MONTH")
    for api_stage in item.get("apiStages") or []:
        if (
            store.get_api(tx, ctx.account, ctx.region, api_stage.get("apiId", "")) is None
            or store.get_stage(tx, api_stage["apiId"], api_stage.get("stage", "")) is None
        ):
            raise BadRequestException(
                f"Invalid API Stage {{api: {api_stage.get('apiId')}, stage: {api_stage.get('stage')}}} specified for usageplan {item['id']}"
            )


@SERVICE.op("CreateUsagePlan")
async def create_usage_plan(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    item: dict[str, Any] = {
        "id": new_id(6),
        "name": req["name"],
        "apiStages": req.get("apiStages") or [],
        "tags": req.get("tags") or {},
        "_keys": [],
    }
    for member in ("description", "throttle", "quota"):
        if req.get(member) is not None:
            item[member] = req[member]
    if "quota" in item:
        item["quota"].setdefault("offset", 0)

    def create(tx: Tx) -> dict[str, Any]:
        _check_plan(tx, ctx, item)
        store.insert_entity(tx, ctx.account, ctx.region, "usageplan", item, now(ctx))
        return _plan_view(item)

    return await ctx.runtime.store.write(create)


def _plan(tx: Tx, ctx: RequestContext, plan_id: str) -> dict[str, Any]:
    found = store.get_entity(tx, ctx.account, ctx.region, "usageplan", plan_id)
    if found is None:
        raise not_found("usageplan")
    return found


@SERVICE.op("GetUsagePlan")
async def get_usage_plan(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return _plan_view(await ctx.runtime.store.read(lambda tx: _plan(tx, ctx, req["usagePlanId"])))


@SERVICE.op("GetUsagePlans")
async def get_usage_plans(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    items = await ctx.runtime.store.read(lambda tx: store.list_entities(tx, ctx.account, ctx.region, "usageplan"))
    if req.get("keyId"):
        items = [i for i in items if req["keyId"] in i.get("_keys", [])]
    return page([_plan_view(i) for i in items], req)


def _api_stage_patches(item: dict[str, Any], operations: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """/apiStages with value "apiId:stage" adds or removes an API stage; return the other operations."""
    rest = []
    for operation in operations:
        if operation.get("path") != "/apiStages":
            rest.append(operation)
            continue
        api_id, _, stage = str(operation.get("value") or "").partition(":")
        entry = {"apiId": api_id, "stage": stage}
        stages = [s for s in item.get("apiStages", []) if (s["apiId"], s["stage"]) != (api_id, stage)]
        if operation.get("op") == "add":
            stages.append(entry)
        elif operation.get("op") == "remove" and len(stages) == len(item.get("apiStages", [])):
            raise NotFoundException(
                f"Invalid API Stage {{api: {api_id}, stage: {stage}}} specified for usageplan {item['id']}"
            )
        item["apiStages"] = stages
    return rest


@SERVICE.op("UpdateUsagePlan")
async def update_usage_plan(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    def update(tx: Tx) -> dict[str, Any]:
        item = _plan(tx, ctx, req["usagePlanId"])
        rest = _api_stage_patches(item, req.get("patchOperations") or [])
        item = apply_patch(item, rest, allowed={"name", "description", "throttle", "quota", "productCode"})
        _check_plan(tx, ctx, item)
        store.save_entity(tx, ctx.account, ctx.region, "usageplan", item)
        return _plan_view(item)

    return await ctx.runtime.store.write(update)


@SERVICE.op("DeleteUsagePlan")
async def delete_usage_plan(ctx: RequestContext, req: dict[str, Any]) -> None:
    def delete(tx: Tx) -> None:
        _plan(tx, ctx, req["usagePlanId"])
        store.delete_entity(tx, ctx.account, ctx.region, "usageplan", req["usagePlanId"])

    await ctx.runtime.store.write(delete)


# --- UsagePlanKeys ------------------------------------------------------------------------------------------------------


def _plan_key_view(key: dict[str, Any]) -> dict[str, Any]:
    return {"id": key["id"], "type": "API_KEY", "value": key["value"], "name": key["name"]}


@SERVICE.op("CreateUsagePlanKey")
async def create_usage_plan_key(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    if req["keyType"] != "API_KEY":
        raise BadRequestException("Invalid key type specified. Valid options are API_KEY")

    def create(tx: Tx) -> dict[str, Any]:
        plan = _plan(tx, ctx, req["usagePlanId"])
        key = _api_key(tx, ctx, req["keyId"])
        if key["id"] in plan["_keys"]:
            raise ConflictException(
                f"Usage Plan {plan['id']} cannot be added because API Key {key['id']} cannot reference multiple Usage Plans with the same API Stage"
            )
        plan["_keys"].append(key["id"])
        store.save_entity(tx, ctx.account, ctx.region, "usageplan", plan)
        return _plan_key_view(key)

    return await ctx.runtime.store.write(create)


@SERVICE.op("GetUsagePlanKey")
async def get_usage_plan_key(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    def get(tx: Tx) -> dict[str, Any]:
        if req["keyId"] not in _plan(tx, ctx, req["usagePlanId"])["_keys"]:
            raise not_found("usageplankey")
        return _plan_key_view(_api_key(tx, ctx, req["keyId"]))

    return await ctx.runtime.store.read(get)


@SERVICE.op("GetUsagePlanKeys")
async def get_usage_plan_keys(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    def get(tx: Tx) -> list[dict[str, Any]]:
        keys = [
            store.get_entity(tx, ctx.account, ctx.region, "apikey", k)
            for k in _plan(tx, ctx, req["usagePlanId"])["_keys"]
        ]
        return [
            _plan_key_view(k)
            for k in keys
            if k is not None and (not req.get("nameQuery") or k["name"].startswith(req["nameQuery"]))
        ]

    return page(await ctx.runtime.store.read(get), req)


@SERVICE.op("DeleteUsagePlanKey")
async def delete_usage_plan_key(ctx: RequestContext, req: dict[str, Any]) -> None:
    def delete(tx: Tx) -> None:
        plan = _plan(tx, ctx, req["usagePlanId"])
        if req["keyId"] not in plan["_keys"]:
            raise not_found("usageplankey")
        plan["_keys"].remove(req["keyId"])
        store.save_entity(tx, ctx.account, ctx.region, "usageplan", plan)

    await ctx.runtime.store.write(delete)


@SERVICE.op("GetUsage")
async def get_usage(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    """Requests counted per key and quota period that falls between startDate and endDate (yyyy-MM-dd):
    items {keyId: [[used, remaining], …]} as AWS answers."""

    def get(tx: Tx) -> dict[str, Any]:
        plan = _plan(tx, ctx, req["usagePlanId"])
        limit = (plan.get("quota") or {}).get("limit")
        items: dict[str, list[list[int]]] = {}
        for key_id, period, used in store.usage(tx, plan["id"]):
            if req.get("keyId") and key_id != req["keyId"]:
                continue
            start = period.split(":", 1)[1]
            if req["startDate"] <= start <= req["endDate"]:
                items.setdefault(key_id, []).append([used, max(0, limit - used) if limit is not None else 0])
        return {"usagePlanId": plan["id"], "startDate": req["startDate"], "endDate": req["endDate"], "items": items}

    return await ctx.runtime.store.read(get)


@SERVICE.op("UpdateUsage")
async def update_usage(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    """Grant a key more (or fewer) requests in the current quota period: patch /remaining."""

    def update(tx: Tx) -> dict[str, Any]:
        plan = _plan(tx, ctx, req["usagePlanId"])
        _api_key(tx, ctx, req["keyId"])
        quota = plan.get("quota") or {}
        if quota.get("limit") is None:
            raise BadRequestException("Usage plan has no quota")
        period = quota_period(quota.get("period", "DAY"), ctx.runtime.clock.now())
        remaining = apply_patch({"remaining": 0}, req.get("patchOperations") or [], allowed={"remaining"}).get(
            "remaining"
        )
        used = max(0, int(quota["limit"]) - int(remaining or 0))
        store.set_usage(tx, plan["id"], req["keyId"], period, used)
        day = period.split(":", 1)[1]
        return {
            "usagePlanId": plan["id"],
            "startDate": day,
            "endDate": day,
            "items": {req["keyId"]: [[used, int(quota["limit"]) - used]]},
        }

    return await ctx.runtime.store.write(update)


def quota_period(period: str, when: float, offset: int = 0) -> str:
    """The quota window a moment falls in, named by its first day: "DAY:2026-11-25", "WEEK:…" (Monday), "MONTH:…"."""
    day = dt.datetime.fromtimestamp(when, dt.UTC).date()
    if period == "WEEK":
        day -= dt.timedelta(days=day.weekday())
    elif period == "MONTH":
        day = day.replace(day=1)
    return f"{period}:{day.isoformat()}"
