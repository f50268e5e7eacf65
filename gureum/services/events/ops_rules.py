"""Rules and their targets: PutRule, DescribeRule, Enable/DisableRule, DeleteRule, ListRules,
ListRuleNamesByTarget, PutTargets, RemoveTargets, ListTargetsByRule, and TestEventPattern."""

from __future__ import annotations

import json
from typing import Any

from ...aws.context import RequestContext
from ...patterns import EventPatternError, compile_event_pattern
from ...schedules import ScheduleExpressionError, parse
from ...store.base import Tx
from . import SERVICE, limits, paging, routing, store, timers
from .errors import InvalidEventPatternException, ValidationException, invalid_parameter, limit_exceeded
from .lookups import now_ms, require_bus, require_rule, tags_in
from .names import DEFAULT_BUS, resolve_bus
from .store import Rule

_EVENT_FIELDS = ("id", "account", "source", "time", "region", "detail-type")  # TestEventPattern's mandatory fields


def check_pattern(pattern: str) -> None:
    try:
        compile_event_pattern(pattern)
    except EventPatternError as error:
        raise InvalidEventPatternException(error.message) from None


def _describe(rule: Rule, full: bool = True) -> dict[str, Any]:
    out = {
        "Name": rule.name,
        "Arn": rule.arn,
        "EventPattern": rule.pattern,
        "ScheduleExpression": rule.schedule,
        "State": rule.state,
        "Description": rule.description,
        "RoleArn": rule.role_arn,
        "ManagedBy": rule.managed_by,
        "EventBusName": rule.bus,
    }
    if full:
        out["CreatedBy"] = rule.account
    return out


@SERVICE.op("PutRule")
async def put_rule(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    pattern, schedule = req.get("EventPattern"), req.get("ScheduleExpression")
    if not pattern and not schedule:
        raise ValidationException("Parameter(s) EventPattern or ScheduleExpression must be specified.")
    if pattern:
        check_pattern(pattern)
    if schedule:
        try:
            parse(schedule)
        except ScheduleExpressionError:
            raise ValidationException("Parameter ScheduleExpression is not valid.") from None
        if resolve_bus(ctx.account, ctx.region, req.get("EventBusName"))[2] != DEFAULT_BUS:
            raise ValidationException("ScheduleExpression is supported only on the default event bus.")
    now = now_ms(ctx)
    runtime = ctx.runtime

    state: str = req.get("State") or "ENABLED"
    tags = tags_in(req.get("Tags"))

    def run(tx: Tx) -> str:
        bus = require_bus(tx, ctx, req.get("EventBusName"))
        if bus.id is None:
            store.ensure_default_bus(tx, bus.account, bus.region, now)
        rule = store.get_rule(tx, bus.account, bus.region, bus.name, req["Name"])
        if rule is None:
            if store.count_rules(tx, bus.account, bus.region, bus.name) >= limits.RULES_PER_BUS:
                raise limit_exceeded()
            rule = Rule(
                0,
                bus.account,
                bus.region,
                bus.name,
                req["Name"],
                None,
                None,
                state,
                None,
                None,
                None,
                tags,
                now,
                None,
                None,
            )
            new_id = store.insert_rule(tx, rule)
            if new_id is None:  # a concurrent PutRule of the same name won; update that one instead
                rule = store.get_rule(tx, bus.account, bus.region, bus.name, req["Name"])
                assert rule is not None
            else:
                rule.id = new_id
        # PutRule replaces the rule: arguments left out are not kept (tags are, and added to)
        rule.pattern, rule.state, rule.description, rule.role_arn = (
            pattern or None,
            state,
            req.get("Description"),
            req.get("RoleArn"),
        )
        rule.tags = {**rule.tags, **tags}
        timers.reschedule(runtime, tx, rule, schedule or None, now)
        store.update_rule(tx, rule)
        return rule.arn

    return {"RuleArn": await runtime.store.write(run)}


@SERVICE.op("DescribeRule")
async def describe_rule(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    rule = await ctx.runtime.store.read(lambda tx: require_rule(tx, ctx, req["Name"], req.get("EventBusName")))
    return _describe(rule)


async def _set_state(ctx: RequestContext, req: dict[str, Any], state: str) -> None:
    now = now_ms(ctx)

    def run(tx: Tx) -> None:
        rule = require_rule(tx, ctx, req["Name"], req.get("EventBusName"))
        rule.state = state
        timers.reschedule(ctx.runtime, tx, rule, rule.schedule, now)
        store.update_rule(tx, rule)

    await ctx.runtime.store.write(run)


@SERVICE.op("EnableRule")
async def enable_rule(ctx: RequestContext, req: dict[str, Any]) -> None:
    await _set_state(ctx, req, "ENABLED")


@SERVICE.op("DisableRule")
async def disable_rule(ctx: RequestContext, req: dict[str, Any]) -> None:
    await _set_state(ctx, req, "DISABLED")


@SERVICE.op("DeleteRule")
async def delete_rule(ctx: RequestContext, req: dict[str, Any]) -> None:
    def run(tx: Tx) -> None:
        bus = require_bus(tx, ctx, req.get("EventBusName"))
        rule = store.get_rule(tx, bus.account, bus.region, bus.name, req["Name"])
        if rule is None:
            return  # deleting a rule that does not exist succeeds, as on AWS
        if store.target_ids(tx, rule.id) and not req.get("Force"):
            raise ValidationException("Rule can't be deleted since it has targets.")
        store.delete_rule(tx, rule)  # a pending scheduled firing finds no rule and does nothing

    await ctx.runtime.store.write(run)


@SERVICE.op("ListRules")
async def list_rules(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    after = paging.decode(req.get("NextToken"))
    limit = req.get("Limit") or limits.DEFAULT_PAGE

    def run(tx: Tx) -> list[Rule]:
        bus = require_bus(tx, ctx, req.get("EventBusName"))
        return store.list_rules(tx, bus.account, bus.region, bus.name, req.get("NamePrefix") or "", after, limit)

    rules = await ctx.runtime.store.read(run)
    shown, token = paging.page(rules, limit, limits.DEFAULT_PAGE, lambda rule: rule.name)
    return {"Rules": [_describe(rule, full=False) for rule in shown], "NextToken": token}


@SERVICE.op("ListRuleNamesByTarget")
async def list_rule_names_by_target(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    after = paging.decode(req.get("NextToken"))
    limit = req.get("Limit") or limits.DEFAULT_PAGE

    def run(tx: Tx) -> list[str]:
        bus = require_bus(tx, ctx, req.get("EventBusName"))
        return store.rule_names_by_target(tx, bus.account, bus.region, bus.name, req["TargetArn"], after, limit)

    names = await ctx.runtime.store.read(run)
    shown, token = paging.page(names, limit, limits.DEFAULT_PAGE, lambda name: name)
    return {"RuleNames": shown, "NextToken": token}


# --- targets -----------------------------------------------------------------------------------------


@SERVICE.op("PutTargets")
async def put_targets(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    targets = req["Targets"]
    for target in targets:
        routing.check_target(target)

    def run(tx: Tx) -> None:
        rule = require_rule(tx, ctx, req["Rule"], req.get("EventBusName"))
        if len(store.target_ids(tx, rule.id) | {t["Id"] for t in targets}) > limits.TARGETS_PER_RULE:
            raise limit_exceeded()
        for target in targets:
            store.put_target(tx, rule.id, target)

    await ctx.runtime.store.write(run)
    return {"FailedEntryCount": 0, "FailedEntries": []}


@SERVICE.op("RemoveTargets")
async def remove_targets(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    def run(tx: Tx) -> None:
        rule = require_rule(tx, ctx, req["Rule"], req.get("EventBusName"))
        for target_id in req["Ids"]:
            store.remove_target(tx, rule.id, target_id)

    await ctx.runtime.store.write(run)
    return {"FailedEntryCount": 0, "FailedEntries": []}


@SERVICE.op("ListTargetsByRule")
async def list_targets_by_rule(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    after = int(paging.decode(req.get("NextToken"), 0))
    limit = req.get("Limit") or limits.DEFAULT_PAGE

    def run(tx: Tx) -> list[tuple[int, dict[str, Any]]]:
        rule = require_rule(tx, ctx, req["Rule"], req.get("EventBusName"))
        return store.targets(tx, rule.id, after, limit + 1)

    rows = await ctx.runtime.store.read(run)
    shown, token = paging.page(rows, limit, limits.DEFAULT_PAGE, lambda row: row[0])
    return {"Targets": [config for _, config in shown], "NextToken": token}


@SERVICE.op("TestEventPattern")
async def test_event_pattern(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    try:
        pattern = compile_event_pattern(req["EventPattern"])
    except EventPatternError as error:
        raise InvalidEventPatternException(error.message) from None
    try:
        event = json.loads(req["Event"])
    except ValueError:
        raise invalid_parameter("Event") from None
    if not isinstance(event, dict) or any(field not in event for field in _EVENT_FIELDS):
        raise invalid_parameter("Event")
    return {"Result": pattern.matches(event)}
