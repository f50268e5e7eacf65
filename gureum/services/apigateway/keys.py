"""API keys, usage plans (throttle, quota, API stages), usage plan keys and quota periods: new items, their
checks and views, CSV key imports and usage reports. Pure: no HTTP, no SQL."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import secrets
import string
from typing import Any

from .apis import given
from .errors import BadRequestException, NotFoundException, ServiceError
from .model import new_id

_KEY_ALPHABET = string.ascii_letters + string.digits
_PERIODS = {"DAY", "WEEK", "MONTH"}


# --- ApiKeys ----------------------------------------------------------------------------------------------------------


def key_view(item: dict[str, Any], include_value: bool) -> dict[str, Any]:
    return {k: v for k, v in item.items() if include_value or k != "value"}


def new_api_key(
    now: int,
    *,
    value: str | None = None,
    name: str | None = None,
    enabled: bool | None = None,
    description: str | None = None,
    customer_id: str | None = None,
    stage_keys: list[dict[str, str]] | None = None,
    tags: dict[str, str] | None = None,
) -> dict[str, Any]:
    value = value or "".join(secrets.choice(_KEY_ALPHABET) for _ in range(40))
    if len(value) < 20:
        raise BadRequestException("API Key value should be at least 20 characters")
    return {
        "id": new_id(),
        "value": value,
        "name": name or new_id(),
        "enabled": bool(enabled),
        "createdDate": now,
        "lastUpdatedDate": now,
        "stageKeys": [f"{s['restApiId']}/{s['stageName']}" for s in stage_keys or []],
        "tags": tags or {},
        **given(description=description, customerId=customer_id),
    }


def select_keys(items: list[dict[str, Any]], name_query: str | None, customer_id: str | None) -> list[dict[str, Any]]:
    """GetApiKeys' filters: a name prefix and a customer id."""
    if name_query:
        items = [i for i in items if i["name"].startswith(name_query)]
    if customer_id:
        items = [i for i in items if i.get("customerId") == customer_id]
    return items


def parse_key_file(
    file_format: str, body: bytes, now: int, fail_on_warnings: bool
) -> tuple[list[tuple[dict[str, Any], list[str]]], list[str]]:
    """ImportApiKeys: API keys from CSV (columns name, key, description, enabled, usageplanIds; header row required),
    each with the usage plans listed (separated by ';' or ',' within the quoted cell). ([(key, plan ids)], warnings)"""
    if file_format != "csv":
        raise BadRequestException("Invalid format: only csv is supported")
    try:
        text = body.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise BadRequestException("Invalid API Key file: the file is not UTF-8 text") from None
    try:
        rows = list(csv.reader(io.StringIO(text)))
    except csv.Error as error:  # a NUL byte, a field past the csv module's size limit
        raise BadRequestException(f"Invalid API Key file: {error}") from None
    if not rows:
        raise BadRequestException("Invalid API Key file: no header row")
    header = [h.strip().lower() for h in rows[0]]
    if "key" not in header and "value" not in header:
        raise BadRequestException("Invalid API Key file: the key column is required")
    items: list[tuple[dict[str, Any], list[str]]] = []
    warnings: list[str] = []
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
            "createdDate": now,
            "lastUpdatedDate": now,
            "stageKeys": [],
            "tags": {},
        }
        if cells.get("description"):
            item["description"] = cells["description"]
        plans = [p for p in re.split(r"[;,]", cells.get("usageplanids", "")) if p.strip()]
        items.append((item, [p.strip() for p in plans]))
    if warnings and fail_on_warnings:
        raise BadRequestException("; ".join(warnings))
    return items, warnings


# --- UsagePlans -------------------------------------------------------------------------------------------------------


def plan_view(item: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in item.items() if not k.startswith("_")}


def new_usage_plan(
    name: str,
    *,
    description: str | None = None,
    api_stages: list[dict[str, Any]] | None = None,
    throttle: dict[str, Any] | None = None,
    quota: dict[str, Any] | None = None,
    tags: dict[str, str] | None = None,
) -> dict[str, Any]:
    item: dict[str, Any] = {
        "id": new_id(6),
        "name": name,
        "apiStages": api_stages or [],
        "tags": tags or {},
        "_keys": [],
        **given(description=description, throttle=throttle, quota=quota),
    }
    if "quota" in item:
        item["quota"].setdefault("offset", 0)
    return item


def check_quota(item: dict[str, Any]) -> None:
    quota = item.get("quota")
    if quota and quota.get("period") not in _PERIODS:
        raise BadRequestException("Invalid quota period specified. Valid options are DAY, WEEK, MONTH")


def bad_api_stage(api_stage: dict[str, Any], plan_id: str) -> ServiceError:
    return BadRequestException(
        f"Invalid API Stage {{api: {api_stage.get('apiId')}, stage: {api_stage.get('stage')}}} "
        f"specified for usageplan {plan_id}"
    )


def api_stage_patches(item: dict[str, Any], operations: list[dict[str, Any]]) -> list[dict[str, Any]]:
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


def plan_key_view(key: dict[str, Any]) -> dict[str, Any]:
    return {"id": key["id"], "type": "API_KEY", "value": key["value"], "name": key["name"]}


def plan_key_conflict(plan_id: str, key_id: str) -> str:
    return (
        f"Usage Plan {plan_id} cannot be added because API Key {key_id} cannot reference multiple Usage Plans "
        "with the same API Stage"
    )


# --- quotas -----------------------------------------------------------------------------------------------------------


def quota_period(period: str, when: float, offset: int = 0) -> str:
    """The quota window a moment falls in, named by its first day: "DAY:2026-11-25", "WEEK:…" (Monday), "MONTH:…"."""
    day = dt.datetime.fromtimestamp(when, dt.UTC).date()
    if period == "WEEK":
        day -= dt.timedelta(days=day.weekday())
    elif period == "MONTH":
        day = day.replace(day=1)
    return f"{period}:{day.isoformat()}"


def usage_report(
    plan: dict[str, Any],
    counts: list[tuple[str, str, int]],
    key_id: str | None,
    start_date: str,
    end_date: str,
) -> dict[str, Any]:
    """GetUsage: requests counted per key and quota period that falls between startDate and endDate (yyyy-MM-dd),
    items {keyId: [[used, remaining], …]} as AWS answers."""
    limit = (plan.get("quota") or {}).get("limit")
    items: dict[str, list[list[int]]] = {}
    for counted_key, period, used in counts:
        if key_id and counted_key != key_id:
            continue
        start = period.split(":", 1)[1]
        if start_date <= start <= end_date:
            items.setdefault(counted_key, []).append([used, max(0, limit - used) if limit is not None else 0])
    return {"usagePlanId": plan["id"], "startDate": start_date, "endDate": end_date, "items": items}
