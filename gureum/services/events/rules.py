"""The backend's rules and their targets: PutRule … ListRuleNamesByTarget, PutTargets, RemoveTargets,
ListTargetsByRule, TestEventPattern, and a scheduled rule's firing (run by its "events-schedule" row)."""

from __future__ import annotations

from typing import Any

from ... import safejson
from ...patterns import EventPatternError, compile_event_pattern
from ...schedules import ScheduleExpressionError, parse
from ...store.base import Tx
from . import limits, paging, routing, store, timers
from .base import BackendBase
from .errors import InvalidEventPatternException, ValidationException, invalid_parameter, limit_exceeded
from .fanout import iso_time
from .lookups import lock_bus, require_bus, require_rule, tags_in
from .names import DEFAULT_BUS, resolve_bus
from .store import Rule

_EVENT_FIELDS = ("id", "account", "source", "time", "region", "detail-type")  # TestEventPattern's mandatory fields


def check_pattern(pattern: str) -> None:
    """An event pattern as PutRule, CreateArchive and UpdateArchive accept it (or InvalidEventPatternException)."""
    try:
        compile_event_pattern(pattern)
    except EventPatternError as error:
        raise InvalidEventPatternException(error.message) from None


def _check_schedule(account: str, region: str, schedule: str, bus_name_or_arn: str | None) -> None:
    try:
        parse(schedule)
    except ScheduleExpressionError:
        raise ValidationException("Parameter ScheduleExpression is not valid.") from None
    if resolve_bus(account, region, bus_name_or_arn)[2] != DEFAULT_BUS:
        raise ValidationException("ScheduleExpression is supported only on the default event bus.")


class Rules(BackendBase):
    async def put_rule(
        self,
        account: str,
        region: str,
        name: str,
        bus_name_or_arn: str | None,
        pattern: str | None,
        schedule: str | None,
        state: str | None,
        description: str | None,
        role_arn: str | None,
        tags: list[dict[str, str]] | None,
    ) -> str:
        """Create or replace the rule; its ARN."""
        if not pattern and not schedule:
            raise ValidationException("Parameter(s) EventPattern or ScheduleExpression must be specified.")
        if "\x00" in (description or ""):  # a 400 on both backends (PostgreSQL text cannot hold NUL)
            raise invalid_parameter("Description", "Description must not contain NUL characters.")
        if pattern:
            check_pattern(pattern)
        if schedule:
            _check_schedule(account, region, schedule, bus_name_or_arn)
        now = self.now_ms()
        new_state = state or "ENABLED"
        new_tags = tags_in(tags)

        def run(tx: Tx) -> str:
            lock_bus(tx, account, region, bus_name_or_arn)
            bus = require_bus(tx, account, region, bus_name_or_arn)
            if bus.id is None:
                store.ensure_default_bus(tx, bus.account, bus.region, now)
            rule = store.get_rule(tx, bus.account, bus.region, bus.name, name)
            if rule is None:
                if store.count_rules(tx, bus.account, bus.region, bus.name) >= limits.RULES_PER_BUS:
                    raise limit_exceeded()
                rule = Rule(0, bus.account, bus.region, bus.name, name, None, None, new_state, None, None, None,
                            new_tags, now, None, None)  # fmt: skip
                new_id = store.insert_rule(tx, rule)
                if new_id is None:  # a concurrent PutRule of the same name won; update that one instead
                    rule = store.get_rule(tx, bus.account, bus.region, bus.name, name)
                    assert rule is not None
                else:
                    rule.id = new_id
            # PutRule replaces the rule: arguments left out are not kept (tags are, and added to)
            rule.pattern, rule.state, rule.description, rule.role_arn = (
                pattern or None,
                new_state,
                description,
                role_arn,
            )
            rule.tags = {**rule.tags, **new_tags}
            timers.reschedule(self.delivery, tx, rule, schedule or None, now)
            store.update_rule(tx, rule)
            return rule.arn

        return await self.store.write(run)

    async def describe_rule(self, account: str, region: str, name: str, bus_name_or_arn: str | None) -> Rule:
        return await self.store.read(lambda tx: require_rule(tx, account, region, name, bus_name_or_arn))

    async def set_rule_state(
        self, account: str, region: str, name: str, bus_name_or_arn: str | None, state: str
    ) -> None:
        """EnableRule ("ENABLED") and DisableRule ("DISABLED"): a scheduled rule's firings start again or stop."""
        now = self.now_ms()

        def run(tx: Tx) -> None:
            lock_bus(tx, account, region, bus_name_or_arn)
            rule = require_rule(tx, account, region, name, bus_name_or_arn)
            rule.state = state
            timers.reschedule(self.delivery, tx, rule, rule.schedule, now)
            store.update_rule(tx, rule)

        await self.store.write(run)

    async def delete_rule(self, account: str, region: str, name: str, bus_name_or_arn: str | None, force: bool) -> None:
        def run(tx: Tx) -> None:
            lock_bus(tx, account, region, bus_name_or_arn)
            bus = require_bus(tx, account, region, bus_name_or_arn)
            rule = store.get_rule(tx, bus.account, bus.region, bus.name, name)
            if rule is None:
                return  # deleting a rule that does not exist succeeds, as on AWS
            if store.target_ids(tx, rule.id) and not force:
                raise ValidationException("Rule can't be deleted since it has targets.")
            store.delete_rule(tx, rule)  # a pending scheduled firing finds no rule and does nothing

        await self.store.write(run)

    async def list_rules(
        self,
        account: str,
        region: str,
        bus_name_or_arn: str | None,
        prefix: str | None,
        next_token: str | None,
        limit: int | None,
    ) -> tuple[list[Rule], str | None]:
        after = paging.decode(next_token)
        size = limit or limits.DEFAULT_PAGE

        def run(tx: Tx) -> list[Rule]:
            bus = require_bus(tx, account, region, bus_name_or_arn)
            return store.list_rules(tx, bus.account, bus.region, bus.name, prefix or "", after, size)

        rules = await self.store.read(run)
        return paging.page(rules, size, limits.DEFAULT_PAGE, lambda rule: rule.name)

    async def list_rule_names_by_target(
        self,
        account: str,
        region: str,
        bus_name_or_arn: str | None,
        target_arn: str,
        next_token: str | None,
        limit: int | None,
    ) -> tuple[list[str], str | None]:
        after = paging.decode(next_token)
        size = limit or limits.DEFAULT_PAGE

        def run(tx: Tx) -> list[str]:
            bus = require_bus(tx, account, region, bus_name_or_arn)
            return store.rule_names_by_target(tx, bus.account, bus.region, bus.name, target_arn, after, size)

        names = await self.store.read(run)
        return paging.page(names, size, limits.DEFAULT_PAGE, lambda name: name)

    # --- targets -------------------------------------------------------------------------------------

    async def put_targets(
        self, account: str, region: str, rule_name: str, bus_name_or_arn: str | None, targets: list[dict[str, Any]]
    ) -> None:
        for target in targets:
            routing.check_target(target)

        def run(tx: Tx) -> None:
            lock_bus(tx, account, region, bus_name_or_arn)
            rule = require_rule(tx, account, region, rule_name, bus_name_or_arn)
            if len(store.target_ids(tx, rule.id) | {t["Id"] for t in targets}) > limits.TARGETS_PER_RULE:
                raise limit_exceeded()
            for target in targets:
                store.put_target(tx, rule.id, target)

        await self.store.write(run)

    async def remove_targets(
        self, account: str, region: str, rule_name: str, bus_name_or_arn: str | None, target_ids: list[str]
    ) -> None:
        def run(tx: Tx) -> None:
            lock_bus(tx, account, region, bus_name_or_arn)
            rule = require_rule(tx, account, region, rule_name, bus_name_or_arn)
            for target_id in target_ids:
                store.remove_target(tx, rule.id, target_id)

        await self.store.write(run)

    async def list_targets_by_rule(
        self,
        account: str,
        region: str,
        rule_name: str,
        bus_name_or_arn: str | None,
        next_token: str | None,
        limit: int | None,
    ) -> tuple[list[dict[str, Any]], str | None]:
        """The targets as PutTargets took them, in the order they were first put."""
        after = int(paging.decode(next_token, 0))
        size = limit or limits.DEFAULT_PAGE

        def run(tx: Tx) -> list[tuple[int, dict[str, Any]]]:
            rule = require_rule(tx, account, region, rule_name, bus_name_or_arn)
            return store.targets(tx, rule.id, after, size + 1)

        rows = await self.store.read(run)
        shown, token = paging.page(rows, size, limits.DEFAULT_PAGE, lambda row: row[0])
        return [config for _, config in shown], token

    def test_event_pattern(self, pattern: str, event_text: str) -> bool:
        """Whether the event (JSON text with AWS's mandatory envelope fields) matches the pattern."""
        try:
            compiled = compile_event_pattern(pattern)
        except EventPatternError as error:
            raise InvalidEventPatternException(error.message) from None
        try:
            event = safejson.loads(event_text)
        except ValueError:
            raise invalid_parameter("Event") from None
        if not isinstance(event, dict) or any(field not in event for field in _EVENT_FIELDS):
            raise invalid_parameter("Event")
        return compiled.matches(event)

    # --- scheduled rules -----------------------------------------------------------------------------

    def fire_schedule(self, tx: Tx, rule_id: int, due: int) -> None:
        """The firing of a scheduled rule due at ``due`` (epoch ms), inside the transaction that claimed its row:
        the rule moves on to its following firing only if it still expects this one (a conditional update), its
        targets' deliveries are enqueued, and the following firing becomes a new delayed row. A PutRule,
        DisableRule or DeleteRule in between strands the row, which then does nothing."""
        rule = store.get_rule_by_id(tx, rule_id)
        if rule is None or rule.next_fire_at != due or not rule.schedule or not rule.enabled:
            return  # the schedule changed (or the rule went) after this firing was planned
        now = self.now_ms()
        following = timers.next_firing(rule, max(now, due))  # firings missed while no node ran collapse into this one
        if not store.take_firing(tx, rule.id, due, following):
            return
        if following is not None:
            timers.enqueue_firing(self.delivery, tx, rule, following, now)
        targets = [config for _, config in store.targets(tx, rule.id)]
        event = timers.scheduled_event(rule, due)
        self.fanout(tx).deliver(targets, event, rule.arn, rule.name, iso_time(now), due)
