"""PolicyBackend: resource policies of tables and streams (PutResourcePolicy / GetResourcePolicy /
DeleteResourcePolicy with AWS's revision ids, kept in the table's schema) and their evaluation for calls from
another account (admit: gureum.policy, as SQS evaluates queue policies; IAM enforcement reads them through
resource_policy), and Contributor Insights' settings per table and global secondary index (stored and answered as
AWS answers; no CloudWatch rules or metrics exist here)."""

from __future__ import annotations

import copy
from collections.abc import Callable, Mapping
from typing import Any, TypeVar

from ...policy import ContextValue, Decision, Principal, Request, evaluate, not_authorized
from ...store.base import Tx
from . import store, tables
from .backend import DynamoBackend
from .errors import (
    AccessDeniedException,
    PolicyNotFoundException,
    ResourceNotFoundException,
    ServiceError,
    ValidationException,
)
from .tables import Table

T = TypeVar("T")
NO_POLICY = "NO_POLICY"  # ExpectedRevisionId: succeed only where no policy exists yet
ENABLE_STATES = {"ENABLE": ("ENABLING", "ENABLED"), "DISABLE": ("DISABLING", "DISABLED")}


def _split(arn: str) -> tuple[str, str, str, str | None]:
    """(region, account, table name, stream label or None) of a table or stream ARN."""
    region, account, name = tables.parse_arn(arn)
    rest = arn.split(":", 5)[5][len("table/") + len(name) :]
    if rest.startswith("/stream/") and len(rest) > len("/stream/"):
        return region, account, name, rest[len("/stream/") :]
    if rest and not rest.startswith("/index/"):
        raise ValidationException(f"Invalid ResourceArn provided as input {arn}")
    return region, account, name, None


class PolicyBackend:
    """Resource policies and contributor insights over one DynamoBackend."""

    def __init__(self, core: DynamoBackend) -> None:
        self.core = core

    def _not_found(self, arn: str) -> ServiceError:
        return ResourceNotFoundException(f"Requested resource not found: ResourceArn: {arn} not found")

    async def _on(self, arn: str, change: Callable[[Tx, Table, str | None], T], write: bool = True) -> T:
        region, account, name, label = _split(arn)

        def run(tx: Tx) -> T:
            found = store.get_table(tx, account, region, name)
            if found is None or (label is not None and store.get_stream(tx, account, region, name, label) is None):
                raise self._not_found(arn)
            table = copy.deepcopy(found)
            out = change(tx, table, label)
            if write:
                store.save_table(tx, table)
            return out

        return await (self.core.store.write(run) if write else self.core.store.read(run))

    @staticmethod
    def _current(table: Table, label: str | None) -> tuple[str | None, str | None]:
        if label is None:
            return table.policy, table.policy_revision
        found = table.stream_policies.get(label)
        return (found[0], found[1]) if found else (None, None)

    @staticmethod
    def _expect(arn: str, current: str | None, expected: str | None) -> None:
        if expected is None:
            return
        if expected == NO_POLICY:
            if current is not None:
                raise PolicyNotFoundException(
                    f"Resource-based policy not found for the provided ResourceArn: Requested update for policy "
                    f"revision id {expected}, but the policy associated to target resource {arn} has revision id "
                    f"{current}."
                )
            return
        if current != expected:
            raise PolicyNotFoundException(
                f"Resource-based policy not found for the provided ResourceArn: Requested update for policy revision "
                f"id {expected}, but the policy associated to target resource {arn} has revision id {current}."
            )

    def _revision(self, previous: str | None) -> str:
        revision = self.core.clock.now_ms()
        if previous is not None and previous.isdigit() and revision <= int(previous):
            revision = int(previous) + 1
        return str(revision)

    async def put_policy(self, arn: str, policy: str, expected: str | None) -> dict[str, Any]:
        tables.check_policy(policy)

        def change(_tx: Tx, table: Table, label: str | None) -> dict[str, Any]:
            _text, revision = self._current(table, label)
            self._expect(arn, revision, expected)
            new = self._revision(revision)
            if label is None:
                table.policy, table.policy_revision = policy, new
            else:
                table.stream_policies[label] = [policy, new]
            return {"RevisionId": new}

        return await self._on(arn, change)

    async def get_policy(self, arn: str) -> dict[str, Any]:
        def read(_tx: Tx, table: Table, label: str | None) -> dict[str, Any]:
            text, revision = self._current(table, label)
            if text is None:
                raise PolicyNotFoundException(f"Resource-based policy not found for the provided ResourceArn: {arn}")
            return {"Policy": text, "RevisionId": revision}

        return await self._on(arn, read, write=False)

    async def delete_policy(self, arn: str, expected: str | None) -> dict[str, Any]:
        def change(_tx: Tx, table: Table, label: str | None) -> dict[str, Any]:
            text, revision = self._current(table, label)
            if text is None:
                raise PolicyNotFoundException(f"Resource-based policy not found for the provided ResourceArn: {arn}")
            self._expect(arn, revision, expected)
            if label is None:
                table.policy, table.policy_revision = None, None
            else:
                table.stream_policies.pop(label, None)
            return {"RevisionId": revision}

        return await self._on(arn, change)

    async def resource_policy(self, arn: str) -> str | None:
        """The policy that governs a table, index or stream ARN (None: none, or no such resource)."""
        try:
            region, account, name, label = _split(arn)
        except ValidationException:
            return None
        table = await self.core.store.read(lambda tx: store.get_table(tx, account, region, name))
        return self._current(table, label)[0] if table is not None else None

    async def admit(
        self, principal: str, account: str, needs: list[tuple[str, str]], context: Mapping[str, ContextValue]
    ) -> None:
        """Raise AccessDeniedException unless every (action, resource ARN) of another account's resource is allowed
        to ``principal`` by that resource's policy (a missing resource allows nothing: no probing of names)."""
        for action, resource in needs:
            policy = await self.resource_policy(resource)
            decision = evaluate(policy, Request(Principal(account, principal), action, resource, dict(context)))
            if not decision.allowed:
                raise AccessDeniedException(
                    not_authorized(principal, action, resource, decision if policy else Decision.IMPLICIT_DENY)
                )

    # --- contributor insights ------------------------------------------------------------------------------------

    def _insights_state(self, table: Table, index: str | None) -> tuple[str, str | None, float | None]:
        found = table.insights.get(index or "")
        if not found:
            return "DISABLED", None, None
        action, mode, when = found
        busy, done = ENABLE_STATES[action]
        return (busy if self.core._busy(when) else done), mode, when

    @staticmethod
    def _index(table: Table, index: str | None) -> None:
        if index is not None and not any(i.name == index and i.kind == "GSI" for i in table.indexes):
            raise ResourceNotFoundException(f"Requested resource not found: Index: {index} not found")

    async def update_insights(
        self, account: str, region: str, name: str, index: str | None, action: str, mode: str | None
    ) -> dict[str, Any]:
        now = round(self.core.clock.now(), 3)

        def run(tx: Tx) -> dict[str, Any]:
            found = self.core._find(tx, account, region, name)
            if found is None:
                raise ResourceNotFoundException(f"Requested resource not found: Table: {name} not found")
            table = copy.deepcopy(found)
            self._index(table, index)
            keep = mode or (table.insights.get(index or "") or [None, "ACCESSED_AND_THROTTLED_KEYS"])[1]
            table.insights[index or ""] = [action, keep, now]
            store.save_table(tx, table)
            out: dict[str, Any] = {"TableName": table.name, "ContributorInsightsStatus": ENABLE_STATES[action][0]}
            if index is not None:
                out["IndexName"] = index
            if keep is not None:
                out["ContributorInsightsMode"] = keep
            return out

        return await self.core.store.write(run)

    def _rules(self, table: Table, index: str | None, when: float) -> list[str]:
        target = f"{table.name}-{index}" if index else table.name
        stamp = int(when * 1000)
        kinds = ["PKC", "PKT"]
        key_range = next((i.range for i in table.indexes if i.name == index), None) if index else table.range
        if key_range:
            kinds += ["SKC", "SKT"]
        return [f"DynamoDBContributorInsights-{kind}-{target}-{stamp}" for kind in kinds]

    async def describe_insights(self, account: str, region: str, name: str, index: str | None) -> dict[str, Any]:
        def run(tx: Tx) -> dict[str, Any]:
            table = self.core._find(tx, account, region, name)
            if table is None:
                raise ResourceNotFoundException(f"Requested resource not found: Table: {name} not found")
            self._index(table, index)
            status, mode, when = self._insights_state(table, index)
            out: dict[str, Any] = {"TableName": table.name, "ContributorInsightsStatus": status}
            if index is not None:
                out["IndexName"] = index
            if when is not None:
                out["LastUpdateDateTime"] = when
                if status in ("ENABLED", "ENABLING"):
                    out["ContributorInsightsRuleList"] = self._rules(table, index, when)
            if mode is not None:
                out["ContributorInsightsMode"] = mode
            return out

        return await self.core.store.read(run)

    async def list_insights(
        self, account: str, region: str, name: str | None, limit: int | None, token: str | None
    ) -> dict[str, Any]:
        limit = limit or 100

        def run(tx: Tx) -> list[dict[str, Any]]:
            if name is not None:
                table = self.core._find(tx, account, region, name)
                if table is None:
                    raise ResourceNotFoundException(f"Requested resource not found: Table: {name} not found")
                found = [table]
            else:
                names = store.list_tables(tx, account, region, None, 10_000)
                found = [t for t in (store.get_table(tx, account, region, n) for n in names) if t is not None]
            out = []
            for table in found:
                for index in [None] + [i.name for i in table.indexes if i.kind == "GSI"]:
                    if name is None and not table.insights.get(index or ""):
                        continue
                    status, mode, _when = self._insights_state(table, index)
                    entry: dict[str, Any] = {"TableName": table.name, "ContributorInsightsStatus": status}
                    if index is not None:
                        entry["IndexName"] = index
                    if mode is not None:
                        entry["ContributorInsightsMode"] = mode
                    out.append(entry)
            return out

        summaries = await self.core.store.read(run)
        start = int(token) if token and token.isdigit() else 0
        page = summaries[start : start + limit]
        result: dict[str, Any] = {"ContributorInsightsSummaries": page}
        if start + limit < len(summaries):
            result["NextToken"] = str(start + limit)
        return result
