"""The backend's event buses: create, describe, update, delete, list; resource policies (PutPermission,
RemovePermission); tags of buses and rules."""

from __future__ import annotations

from typing import Any

from ... import safejson
from ...store.base import Tx
from . import limits, paging, store
from .base import BackendBase
from .errors import (
    ResourceAlreadyExistsException,
    ResourceNotFoundException,
    ValidationException,
    invalid_parameter,
    limit_exceeded,
)
from .lookups import lock_bus, lock_tagged, require_bus, tagged, tags_in
from .names import DEFAULT_BUS
from .store import Bus, Rule

_TAGS_MAX = 50


def _policy_document(text: str) -> dict[str, Any]:
    """A whole resource policy given as PutPermission's Policy."""
    try:
        policy = safejson.loads(text)
    except ValueError:
        raise invalid_parameter("Policy", "The policy is not valid JSON.") from None
    if not isinstance(policy, dict) or not isinstance(policy.get("Statement"), list):
        raise invalid_parameter("Policy", "The policy must have a Statement list.")
    return policy


def _statement(
    bus: Bus, action: str | None, principal: str | None, statement_id: str | None, condition: dict[str, Any] | None
) -> dict[str, Any]:
    """The statement PutPermission adds when no whole Policy is given."""
    for member, value in (("Action", action), ("Principal", principal), ("StatementId", statement_id)):
        if not value:
            raise invalid_parameter(member, f"{member} is required when Policy is not given.")
    statement: dict[str, Any] = {
        "Sid": statement_id,
        "Effect": "Allow",
        "Principal": "*" if principal == "*" else {"AWS": f"arn:aws:iam::{principal}:root"},
        "Action": action,
        "Resource": bus.arn,
    }
    if condition is not None:
        if principal != "*":
            raise ValidationException("Condition can only be specified when the Principal is '*'.")
        statement["Condition"] = {condition["Type"]: {condition["Key"]: condition["Value"]}}
    return statement


def _save_tagged(tx: Tx, resource: Bus | Rule, now: int) -> None:
    if isinstance(resource, Bus):
        store.save_bus(tx, resource, now)
    else:
        store.update_rule(tx, resource)


class Buses(BackendBase):
    async def create_event_bus(
        self,
        account: str,
        region: str,
        name: str,
        event_source: str | None,
        description: str | None,
        kms_key: str | None,
        dead_letter: dict[str, Any] | None,
        log_config: dict[str, Any] | None,
        tags: list[dict[str, str]] | None,
    ) -> Bus:
        if "/" in name and not name.startswith("aws.partner/"):
            raise ValidationException("Event bus name must not contain '/'.")
        if event_source is not None and event_source != name:
            raise ValidationException("Event source name must match the event bus name.")
        if event_source is not None:
            raise ResourceNotFoundException(f"Event source {event_source} does not exist.")
        now = self.now_ms()
        bus = Bus(None, account, region, name, description, kms_key, dead_letter, None, event_source, tags_in(tags),
                  now, now, log_config)  # fmt: skip

        def run(tx: Tx) -> None:
            if name == DEFAULT_BUS:
                raise ResourceAlreadyExistsException(f"Event bus {name} already exists.")
            if store.count_buses(tx, account, region) >= limits.BUSES_PER_ACCOUNT:
                raise limit_exceeded()
            if not store.insert_bus(tx, bus):
                raise ResourceAlreadyExistsException(f"Event bus {name} already exists.")

        await self.store.write(run)
        return bus

    async def _default_bus_row(self, account: str, region: str) -> None:
        """Give the implicit default bus its row (and so its CreationTime) the first time it is looked at."""
        now = self.now_ms()
        await self.store.write(lambda tx: store.ensure_default_bus(tx, account, region, now))

    async def describe_event_bus(self, account: str, region: str, name_or_arn: str | None) -> Bus:
        bus = await self.store.read(lambda tx: require_bus(tx, account, region, name_or_arn))
        if bus.id is None:
            await self._default_bus_row(account, region)
            bus = await self.store.read(lambda tx: require_bus(tx, account, region, name_or_arn))
        return bus

    async def update_event_bus(
        self,
        account: str,
        region: str,
        name_or_arn: str | None,
        description: str | None,
        kms_key: str | None,
        dead_letter: dict[str, Any] | None,
        log_config: dict[str, Any] | None,
    ) -> Bus:
        """Members given (not None) replace the bus's; an empty one clears it."""
        now = self.now_ms()

        def run(tx: Tx) -> Bus:
            lock_bus(tx, account, region, name_or_arn)
            bus = require_bus(tx, account, region, name_or_arn)
            if description is not None:
                bus.description = description or None
            if kms_key is not None:
                bus.kms_key = kms_key or None
            if dead_letter is not None:
                bus.dead_letter = dead_letter or None
            if log_config is not None:
                bus.log_config = log_config or None
            store.save_bus(tx, bus, now)
            return bus

        return await self.store.write(run)

    async def delete_event_bus(self, account: str, region: str, name: str) -> None:
        if name == DEFAULT_BUS:
            raise ValidationException("Cannot delete event bus default.")

        def run(tx: Tx) -> None:
            lock_bus(tx, account, region, name)
            bus = store.get_bus(tx, account, region, name)
            if bus is not None:  # deleting a bus that does not exist succeeds, as on AWS
                store.delete_bus(tx, bus)

        await self.store.write(run)

    async def list_event_buses(
        self, account: str, region: str, prefix: str | None, next_token: str | None, limit: int | None
    ) -> tuple[list[Bus], str | None]:
        after = paging.decode(next_token)
        size = limit or limits.DEFAULT_PAGE
        buses = await self.store.read(lambda tx: store.list_buses(tx, account, region, prefix or "", after, size + 1))
        if any(bus.id is None for bus in buses):
            await self._default_bus_row(account, region)
            buses = await self.store.read(
                lambda tx: store.list_buses(tx, account, region, prefix or "", after, size + 1)
            )
        return paging.page(buses, size, limits.DEFAULT_PAGE, lambda bus: bus.name)

    # --- resource policy -----------------------------------------------------------------------------

    async def put_permission(
        self,
        account: str,
        region: str,
        bus_name_or_arn: str | None,
        policy_text: str | None,
        action: str | None,
        principal: str | None,
        statement_id: str | None,
        condition: dict[str, Any] | None,
    ) -> None:
        """Replace the bus's policy (``policy_text``) or add one statement to it (the other arguments)."""
        policy = _policy_document(policy_text) if policy_text is not None else None
        now = self.now_ms()

        def run(tx: Tx) -> None:
            lock_bus(tx, account, region, bus_name_or_arn)
            bus = require_bus(tx, account, region, bus_name_or_arn)
            if policy is not None:
                bus.policy = policy
            else:
                statement = _statement(bus, action, principal, statement_id, condition)
                current = bus.policy or {"Version": "2012-10-17", "Statement": []}
                kept = [s for s in current.get("Statement", []) if s.get("Sid") != statement["Sid"]]
                current["Statement"] = [*kept, statement]
                bus.policy = current
            store.save_bus(tx, bus, now)

        await self.store.write(run)

    async def remove_permission(
        self, account: str, region: str, bus_name_or_arn: str | None, statement_id: str | None, remove_all: bool
    ) -> None:
        now = self.now_ms()
        if not remove_all and not statement_id:
            raise ValidationException("Parameter StatementId is required.")

        def run(tx: Tx) -> None:
            lock_bus(tx, account, region, bus_name_or_arn)
            bus = require_bus(tx, account, region, bus_name_or_arn)
            if remove_all:
                bus.policy = None
            else:
                statements = (bus.policy or {}).get("Statement", [])
                kept = [s for s in statements if s.get("Sid") != statement_id]
                if len(kept) == len(statements):
                    raise ResourceNotFoundException("Statement with the provided id does not exist.")
                bus.policy = {**(bus.policy or {}), "Statement": kept} if kept else None
            store.save_bus(tx, bus, now)

        await self.store.write(run)

    # --- tags (event buses and rules) ----------------------------------------------------------------

    async def list_tags_for_resource(self, arn: str) -> dict[str, str]:
        resource = await self.store.read(lambda tx: tagged(tx, arn))
        return resource.tags

    async def tag_resource(self, arn: str, tags: list[dict[str, str]]) -> None:
        new = tags_in(tags)
        now = self.now_ms()

        def run(tx: Tx) -> None:
            lock_tagged(tx, arn)
            resource = tagged(tx, arn)
            resource.tags = {**resource.tags, **new}
            if len(resource.tags) > _TAGS_MAX:
                raise limit_exceeded()
            _save_tagged(tx, resource, now)

        await self.store.write(run)

    async def untag_resource(self, arn: str, keys: list[str]) -> None:
        now = self.now_ms()
        removed = set(keys)

        def run(tx: Tx) -> None:
            lock_tagged(tx, arn)
            resource = tagged(tx, arn)
            resource.tags = {k: v for k, v in resource.tags.items() if k not in removed}
            _save_tagged(tx, resource, now)

        await self.store.write(run)
