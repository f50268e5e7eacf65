"""X-Ray's configuration (a part of XRayBackend): sampling rules (CreateSamplingRule, UpdateSamplingRule,
DeleteSamplingRule; the Default rule may be changed, never deleted), groups (a filter expression over traces, under
a name) and the tags of both. SDKs read the rules through GetSamplingRules and apply them themselves; gureum's own
components sample by the Default rule."""

from __future__ import annotations

import secrets
import string
from collections.abc import Mapping
from typing import Any

from ...clock import Clock
from ...store import Store, Tx
from ...tracing.recorder import DEFAULT_FIXED_RATE, DEFAULT_RESERVOIR
from . import store as tables
from .errors import (
    InvalidRequestException,
    ResourceNotFoundException,
    RuleLimitExceededException,
    ServiceError,
    TooManyTagsException,
)
from .filters import compile_filter

RULES = 25  # "Sampling rules: 25 per Region per account", the Default rule aside
MAX_TAGS = 50
_RULE, _GROUP = "rule", "group"
_UPDATABLE = (
    "ResourceARN", "Priority", "FixedRate", "ReservoirSize", "Host", "ServiceName", "ServiceType", "HTTPMethod",
    "URLPath", "Attributes",
)  # fmt: skip


def default_rule(account: str, region: str) -> dict[str, Any]:
    """X-Ray's Default rule as it is until changed (1 request a second, then 5 %)."""
    return {
        "RuleName": "Default",
        "RuleARN": f"arn:aws:xray:{region}:{account}:sampling-rule/Default",
        "ResourceARN": "*",
        "Priority": 10000,
        "FixedRate": DEFAULT_FIXED_RATE,
        "ReservoirSize": DEFAULT_RESERVOIR,
        "ServiceName": "*",
        "ServiceType": "*",
        "Host": "*",
        "HTTPMethod": "*",
        "URLPath": "*",
        "Version": 1,
        "Attributes": {},
    }


def _record(resource: tables.Resource) -> dict[str, Any]:
    return {"SamplingRule": resource.doc, "CreatedAt": resource.created_at, "ModifiedAt": resource.modified_at}


def _check_rule(rule: Mapping[str, Any]) -> None:
    if not 0 <= float(rule["FixedRate"]) <= 1:
        raise InvalidRequestException("FixedRate must be between 0 and 1.")
    if rule.get("RuleName") != "Default" and not 1 <= int(rule["Priority"]) <= 9999:
        raise InvalidRequestException("Priority must be between 1 and 9999.")
    if int(rule["ReservoirSize"]) < 0:
        raise InvalidRequestException("ReservoirSize must be at least 0.")


def _tags(given: list[dict[str, str]] | None) -> dict[str, str]:
    tags = {t["Key"]: t["Value"] for t in given or []}
    if any(key.lower().startswith("aws:") for key in tags):
        raise InvalidRequestException("Tag keys prefixed with 'aws:' are reserved.")
    return tags


def _rule_name(name: str | None, arn: str | None) -> str:
    if name:
        return name
    if arn and "sampling-rule/" in arn:
        return arn.rsplit("sampling-rule/", 1)[1]
    raise InvalidRequestException("RuleName or RuleARN must be specified.")


def _no_rule(name: str) -> ServiceError:
    return InvalidRequestException(f"Sampling rule does not exist: {name}")


def _no_group(name: str) -> ServiceError:
    return InvalidRequestException(f"Group not found: {name}")


def _group_view(resource: tables.Resource) -> dict[str, Any]:
    return dict(resource.doc)


class Configuration:
    store: Store
    clock: Clock

    # --- sampling rules ---------------------------------------------------------------------------------

    async def sampling_rules(self, account: str, region: str) -> list[dict[str, Any]]:
        """GetSamplingRules' records: the custom rules and the Default rule (as changed, if it was)."""
        found = await self.store.read(lambda tx: tables.list_resources(tx, account, region, _RULE))
        records = [_record(r) for r in found]
        if not any(r.name == "Default" for r in found):
            records.append({"SamplingRule": default_rule(account, region), "CreatedAt": 0.0, "ModifiedAt": 0.0})
        return sorted(records, key=lambda r: (r["SamplingRule"]["Priority"], r["SamplingRule"]["RuleName"]))

    async def create_sampling_rule(
        self, account: str, region: str, rule: dict[str, Any], tags: list[dict[str, str]] | None
    ) -> dict[str, Any]:
        name = rule.get("RuleName")
        if not name:
            raise InvalidRequestException("RuleName must be specified.")
        if rule.get("Version") != 1:
            raise InvalidRequestException("Version must be 1.")
        _check_rule(rule)
        doc = {**rule, "RuleARN": f"arn:aws:xray:{region}:{account}:sampling-rule/{name}"}
        doc.setdefault("Attributes", {})
        now = self.clock.now()
        resource = tables.Resource(_RULE, name, doc["RuleARN"], doc, _tags(tags), now, now)

        def run(tx: Tx) -> None:
            tx.lock("xray-rules", account, region)  # the limit counts every writer's rules
            rules = [r for r in tables.list_resources(tx, account, region, _RULE) if r.name != "Default"]
            if name == "Default" or any(r.name == name for r in rules):
                raise InvalidRequestException(f"A sampling rule with name {name} already exists.")
            if len(rules) >= RULES:
                raise RuleLimitExceededException("Sampling rule limit exceeded.")
            tables.insert_resource(tx, account, region, resource)

        await self.store.write(run)
        return _record(resource)

    async def update_sampling_rule(self, account: str, region: str, update: dict[str, Any]) -> dict[str, Any]:
        name = _rule_name(update.get("RuleName"), update.get("RuleARN"))
        now = self.clock.now()

        def run(tx: Tx) -> tables.Resource:
            tx.lock("xray-rules", account, region)
            found = tables.get_resource(tx, account, region, _RULE, name)
            if found is None:
                if name != "Default":
                    raise _no_rule(name)
                doc = default_rule(account, region)
                found = tables.Resource(_RULE, name, doc["RuleARN"], doc, {}, 0.0, 0.0)
                tables.insert_resource(tx, account, region, found)
            if name == "Default":
                changes = {k: update[k] for k in ("FixedRate", "ReservoirSize") if update.get(k) is not None}
            else:
                changes = {k: update[k] for k in _UPDATABLE if update.get(k) is not None}
            found.doc.update(changes)
            _check_rule(found.doc)
            found.modified_at = now
            tables.save_resource(tx, account, region, found)
            return found

        return _record(await self.store.write(run))

    async def delete_sampling_rule(
        self, account: str, region: str, name: str | None, arn: str | None
    ) -> dict[str, Any]:
        rule = _rule_name(name, arn)
        if rule == "Default":
            raise InvalidRequestException("The Default sampling rule cannot be deleted.")

        def run(tx: Tx) -> tables.Resource:
            found = tables.get_resource(tx, account, region, _RULE, rule)
            if found is None:
                raise _no_rule(rule)
            tables.delete_resource(tx, account, region, _RULE, rule)
            return found

        return _record(await self.store.write(run))

    # --- groups -------------------------------------------------------------------------------------------

    async def create_group(
        self,
        account: str,
        region: str,
        name: str,
        expression: str | None,
        insights: dict[str, Any] | None,
        tags: list[dict[str, str]] | None,
    ) -> dict[str, Any]:
        if name == "Default":
            raise InvalidRequestException("Group name Default is reserved.")
        compile_filter(expression)  # InvalidRequestException for a bad filter expression
        suffix = "".join(secrets.choice(string.ascii_uppercase + string.digits) for _ in range(26))
        doc: dict[str, Any] = {
            "GroupName": name,
            "GroupARN": f"arn:aws:xray:{region}:{account}:group/{name}/{suffix}",
            "InsightsConfiguration": {
                "InsightsEnabled": bool((insights or {}).get("InsightsEnabled")),
                "NotificationsEnabled": bool((insights or {}).get("NotificationsEnabled")),
            },
        }
        if expression:
            doc["FilterExpression"] = expression
        now = self.clock.now()
        resource = tables.Resource(_GROUP, name, doc["GroupARN"], doc, _tags(tags), now, now)

        def run(tx: Tx) -> None:
            if not tables.insert_resource(tx, account, region, resource):
                raise InvalidRequestException(f"Group with name {name} already exists.")

        await self.store.write(run)
        return _group_view(resource)

    def _find_group(self, tx: Tx, account: str, region: str, name: str | None, arn: str | None) -> tables.Resource:
        found = (
            tables.get_resource(tx, account, region, _GROUP, name)
            if name
            else tables.resource_by_arn(tx, account, region, arn or "")
        )
        if found is None or found.kind != _GROUP:
            raise _no_group(name or arn or "")
        return found

    async def get_group(self, account: str, region: str, name: str | None, arn: str | None) -> dict[str, Any]:
        return _group_view(await self.store.read(lambda tx: self._find_group(tx, account, region, name, arn)))

    async def get_groups(self, account: str, region: str) -> list[dict[str, Any]]:
        found = await self.store.read(lambda tx: tables.list_resources(tx, account, region, _GROUP))
        return [_group_view(r) for r in found]

    async def update_group(
        self,
        account: str,
        region: str,
        name: str | None,
        arn: str | None,
        expression: str | None,
        insights: dict[str, Any] | None,
    ) -> dict[str, Any]:
        if expression is not None:
            compile_filter(expression)
        now = self.clock.now()

        def run(tx: Tx) -> tables.Resource:
            tx.lock("xray-group", account, region, name or arn or "")
            found = self._find_group(tx, account, region, name, arn)
            if expression is not None:
                if expression:
                    found.doc["FilterExpression"] = expression
                else:
                    found.doc.pop("FilterExpression", None)
            for key in ("InsightsEnabled", "NotificationsEnabled"):
                if insights and insights.get(key) is not None:
                    found.doc["InsightsConfiguration"][key] = bool(insights[key])
            found.modified_at = now
            tables.save_resource(tx, account, region, found)
            return found

        return _group_view(await self.store.write(run))

    async def delete_group(self, account: str, region: str, name: str | None, arn: str | None) -> None:
        def run(tx: Tx) -> None:
            found = self._find_group(tx, account, region, name, arn)
            tables.delete_resource(tx, account, region, _GROUP, found.name)

        await self.store.write(run)

    # --- tags ---------------------------------------------------------------------------------------------

    def _tagged(self, tx: Tx, account: str, region: str, arn: str) -> tables.Resource:
        found = tables.resource_by_arn(tx, account, region, arn)
        if found is None:
            raise ResourceNotFoundException(f"Resource not found: {arn}", fields={"ResourceName": arn})
        return found

    async def list_tags(self, account: str, region: str, arn: str) -> list[dict[str, str]]:
        found = await self.store.read(lambda tx: self._tagged(tx, account, region, arn))
        return [{"Key": k, "Value": v} for k, v in sorted(found.tags.items())]

    async def retag(self, account: str, region: str, arn: str, add: list[dict[str, str]], remove: list[str]) -> None:
        given = _tags(add)

        def run(tx: Tx) -> None:
            tx.lock("xray-tags", arn)
            found = self._tagged(tx, account, region, arn)
            tags = {k: v for k, v in found.tags.items() if k not in remove}
            tags.update(given)
            if len(tags) > MAX_TAGS:
                raise TooManyTagsException(f"A resource can have no more than {MAX_TAGS} tags.")
            found.tags = tags
            tables.save_resource(tx, account, region, found)

        await self.store.write(run)
