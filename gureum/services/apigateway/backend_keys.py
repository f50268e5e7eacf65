"""The backend's part for API keys, usage plans (with their API stages and keys) and the usage counted against
their quotas."""

from __future__ import annotations

from typing import Any

from ...store.base import Tx
from . import keys, patches, store
from .backend_base import BackendBase, require_entity
from .errors import BadRequestException, ConflictException, not_found
from .keys import key_view, plan_key_view, plan_view
from .model import apply_patch, page


def _check_plan(tx: Tx, account: str, region: str, item: dict[str, Any]) -> None:
    """The quota's period is valid and every API stage of the plan exists."""
    keys.check_quota(item)
    for api_stage in item.get("apiStages") or []:
        if (
            store.get_api(tx, account, region, api_stage.get("apiId", "")) is None
            or store.get_stage(tx, api_stage["apiId"], api_stage.get("stage", "")) is None
        ):
            raise keys.bad_api_stage(api_stage, item["id"])


def _insert_key(tx: Tx, account: str, region: str, item: dict[str, Any], conflict: str) -> None:
    if store.key_by_value(tx, account, region, item["value"]) is not None:
        raise ConflictException(conflict)
    store.insert_entity(tx, account, region, "apikey", item, item["createdDate"], lookup=item["value"])


class KeyPart(BackendBase):
    # --- ApiKeys ----------------------------------------------------------------------------------------------------

    async def create_api_key(self, account: str, region: str, **members: Any) -> dict[str, Any]:
        """A new API key (members: keys.new_api_key's); its value is generated unless given."""
        item = keys.new_api_key(self.now(), **members)
        await self.store.write(lambda tx: _insert_key(tx, account, region, item, "API Key already exists"))
        return item

    async def get_api_key(self, account: str, region: str, key_id: str, include_value: bool) -> dict[str, Any]:
        item = await self.store.read(lambda tx: require_entity(tx, account, region, "apikey", key_id))
        return key_view(item, include_value)

    async def get_api_keys(
        self,
        account: str,
        region: str,
        name_query: str | None,
        customer_id: str | None,
        include_values: bool,
        limit: int | None,
        position: str | None,
    ) -> dict[str, Any]:
        items = await self.store.read(lambda tx: store.list_entities(tx, account, region, "apikey"))
        selected = keys.select_keys(items, name_query, customer_id)
        return page([key_view(i, include_values) for i in selected], limit, position)

    async def update_api_key(
        self, account: str, region: str, key_id: str, operations: list[dict[str, Any]]
    ) -> dict[str, Any]:
        def update(tx: Tx) -> dict[str, Any]:
            item = apply_patch(require_entity(tx, account, region, "apikey", key_id), operations, patches.API_KEY)
            item["lastUpdatedDate"] = self.now()
            store.save_entity(tx, account, region, "apikey", item, lookup=item["value"])
            return key_view(item, False)

        return await self.store.write(update)

    async def delete_api_key(self, account: str, region: str, key_id: str) -> None:
        """The key, and its place in every usage plan."""

        def delete(tx: Tx) -> None:
            require_entity(tx, account, region, "apikey", key_id)
            store.delete_entity(tx, account, region, "apikey", key_id)
            for plan in store.list_entities(tx, account, region, "usageplan"):
                if key_id in plan.get("_keys", []):
                    plan["_keys"].remove(key_id)
                    store.save_entity(tx, account, region, "usageplan", plan)

        await self.store.write(delete)

    async def import_api_keys(
        self, account: str, region: str, body: bytes | None, file_format: str, fail_on_warnings: bool
    ) -> dict[str, Any]:
        """API keys from a CSV file (keys.parse_key_file), each added to the usage plans it lists."""
        items, warnings = keys.parse_key_file(file_format, bytes(body or b""), self.now(), fail_on_warnings)

        def create(tx: Tx) -> dict[str, Any]:
            for item, plans in items:
                _insert_key(tx, account, region, item, f"API Key already exists: {item['name']}")
                for plan_id in plans:
                    plan = require_entity(tx, account, region, "usageplan", plan_id)
                    plan["_keys"].append(item["id"])
                    store.save_entity(tx, account, region, "usageplan", plan)
            return {"ids": [item["id"] for item, _ in items], "warnings": warnings}

        return await self.store.write(create)

    # --- UsagePlans -------------------------------------------------------------------------------------------------

    async def create_usage_plan(self, account: str, region: str, name: str, **members: Any) -> dict[str, Any]:
        """A new usage plan (members: keys.new_usage_plan's)."""
        item = keys.new_usage_plan(name, **members)

        def create(tx: Tx) -> dict[str, Any]:
            _check_plan(tx, account, region, item)
            store.insert_entity(tx, account, region, "usageplan", item, self.now())
            return plan_view(item)

        return await self.store.write(create)

    async def get_usage_plan(self, account: str, region: str, plan_id: str) -> dict[str, Any]:
        return plan_view(await self.store.read(lambda tx: require_entity(tx, account, region, "usageplan", plan_id)))

    async def get_usage_plans(
        self, account: str, region: str, key_id: str | None, limit: int | None, position: str | None
    ) -> dict[str, Any]:
        items = await self.store.read(lambda tx: store.list_entities(tx, account, region, "usageplan"))
        if key_id:
            items = [i for i in items if key_id in i.get("_keys", [])]
        return page([plan_view(i) for i in items], limit, position)

    async def update_usage_plan(
        self, account: str, region: str, plan_id: str, operations: list[dict[str, Any]]
    ) -> dict[str, Any]:
        def update(tx: Tx) -> dict[str, Any]:
            item = require_entity(tx, account, region, "usageplan", plan_id)
            rest = keys.api_stage_patches(item, operations)
            item = apply_patch(item, rest, patches.USAGE_PLAN)
            _check_plan(tx, account, region, item)
            store.save_entity(tx, account, region, "usageplan", item)
            return plan_view(item)

        return await self.store.write(update)

    async def delete_usage_plan(self, account: str, region: str, plan_id: str) -> None:
        def delete(tx: Tx) -> None:
            require_entity(tx, account, region, "usageplan", plan_id)
            store.delete_entity(tx, account, region, "usageplan", plan_id)

        await self.store.write(delete)

    # --- UsagePlanKeys ----------------------------------------------------------------------------------------------

    async def create_usage_plan_key(
        self, account: str, region: str, plan_id: str, key_id: str, key_type: str
    ) -> dict[str, Any]:
        if key_type != "API_KEY":
            raise BadRequestException("Invalid key type specified. Valid options are API_KEY")

        def create(tx: Tx) -> dict[str, Any]:
            plan = require_entity(tx, account, region, "usageplan", plan_id)
            key = require_entity(tx, account, region, "apikey", key_id)
            if key["id"] in plan["_keys"]:
                raise ConflictException(keys.plan_key_conflict(plan["id"], key["id"]))
            plan["_keys"].append(key["id"])
            store.save_entity(tx, account, region, "usageplan", plan)
            return plan_key_view(key)

        return await self.store.write(create)

    async def get_usage_plan_key(self, account: str, region: str, plan_id: str, key_id: str) -> dict[str, Any]:
        def get(tx: Tx) -> dict[str, Any]:
            if key_id not in require_entity(tx, account, region, "usageplan", plan_id)["_keys"]:
                raise not_found("usageplankey")
            return plan_key_view(require_entity(tx, account, region, "apikey", key_id))

        return await self.store.read(get)

    async def get_usage_plan_keys(
        self, account: str, region: str, plan_id: str, name_query: str | None, limit: int | None, position: str | None
    ) -> dict[str, Any]:
        def get(tx: Tx) -> list[dict[str, Any]]:
            plan = require_entity(tx, account, region, "usageplan", plan_id)
            found = [store.get_entity(tx, account, region, "apikey", k) for k in plan["_keys"]]
            return [
                plan_key_view(k)
                for k in found
                if k is not None and (not name_query or k["name"].startswith(name_query))
            ]

        return page(await self.store.read(get), limit, position)

    async def delete_usage_plan_key(self, account: str, region: str, plan_id: str, key_id: str) -> None:
        def delete(tx: Tx) -> None:
            plan = require_entity(tx, account, region, "usageplan", plan_id)
            if key_id not in plan["_keys"]:
                raise not_found("usageplankey")
            plan["_keys"].remove(key_id)
            store.save_entity(tx, account, region, "usageplan", plan)

        await self.store.write(delete)

    # --- usage --------------------------------------------------------------------------------------------------------

    async def get_usage(
        self, account: str, region: str, plan_id: str, key_id: str | None, start_date: str, end_date: str
    ) -> dict[str, Any]:
        """Requests counted per key and quota period (keys.usage_report)."""

        def get(tx: Tx) -> dict[str, Any]:
            plan = require_entity(tx, account, region, "usageplan", plan_id)
            return keys.usage_report(plan, store.usage(tx, plan["id"]), key_id, start_date, end_date)

        return await self.store.read(get)

    async def update_usage(
        self, account: str, region: str, plan_id: str, key_id: str, operations: list[dict[str, Any]]
    ) -> dict[str, Any]:
        """Grant a key more (or fewer) requests in the current quota period: patch /remaining."""

        def update(tx: Tx) -> dict[str, Any]:
            plan = require_entity(tx, account, region, "usageplan", plan_id)
            require_entity(tx, account, region, "apikey", key_id)
            quota = plan.get("quota") or {}
            if quota.get("limit") is None:
                raise BadRequestException("Usage plan has no quota")
            period = keys.quota_period(quota.get("period", "DAY"), self.clock.now())
            remaining = apply_patch({"remaining": 0}, operations, patches.USAGE).get("remaining")
            used = max(0, int(quota["limit"]) - int(remaining or 0))
            store.set_usage(tx, plan["id"], key_id, period, used)
            day = period.split(":", 1)[1]
            return {
                "usagePlanId": plan["id"],
                "startDate": day,
                "endDate": day,
                "items": {key_id: [[used, int(quota["limit"]) - used]]},
            }

        return await self.store.write(update)
