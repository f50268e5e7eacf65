"""Rule and target operations: PutRule, DescribeRule, Enable/DisableRule, DeleteRule, ListRules,
ListRuleNamesByTarget, PutTargets, RemoveTargets, ListTargetsByRule, and TestEventPattern. Each calls one backend
method (rules.py)."""

from __future__ import annotations

from typing import Any

from ...aws.context import RequestContext
from . import SERVICE
from .backend import backend
from .store import Rule


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
    arn = await backend(ctx.runtime).put_rule(
        ctx.account,
        ctx.region,
        req["Name"],
        req.get("EventBusName"),
        req.get("EventPattern"),
        req.get("ScheduleExpression"),
        req.get("State"),
        req.get("Description"),
        req.get("RoleArn"),
        req.get("Tags"),
    )
    return {"RuleArn": arn}


@SERVICE.op("DescribeRule")
async def describe_rule(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    rule = await backend(ctx.runtime).describe_rule(ctx.account, ctx.region, req["Name"], req.get("EventBusName"))
    return _describe(rule)


@SERVICE.op("EnableRule")
async def enable_rule(ctx: RequestContext, req: dict[str, Any]) -> None:
    await backend(ctx.runtime).set_rule_state(ctx.account, ctx.region, req["Name"], req.get("EventBusName"), "ENABLED")


@SERVICE.op("DisableRule")
async def disable_rule(ctx: RequestContext, req: dict[str, Any]) -> None:
    await backend(ctx.runtime).set_rule_state(ctx.account, ctx.region, req["Name"], req.get("EventBusName"), "DISABLED")


@SERVICE.op("DeleteRule")
async def delete_rule(ctx: RequestContext, req: dict[str, Any]) -> None:
    await backend(ctx.runtime).delete_rule(
        ctx.account, ctx.region, req["Name"], req.get("EventBusName"), bool(req.get("Force"))
    )


@SERVICE.op("ListRules")
async def list_rules(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    rules, token = await backend(ctx.runtime).list_rules(
        ctx.account, ctx.region, req.get("EventBusName"), req.get("NamePrefix"), req.get("NextToken"), req.get("Limit")
    )
    return {"Rules": [_describe(rule, full=False) for rule in rules], "NextToken": token}


@SERVICE.op("ListRuleNamesByTarget")
async def list_rule_names_by_target(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    names, token = await backend(ctx.runtime).list_rule_names_by_target(
        ctx.account, ctx.region, req.get("EventBusName"), req["TargetArn"], req.get("NextToken"), req.get("Limit")
    )
    return {"RuleNames": names, "NextToken": token}


# --- targets -----------------------------------------------------------------------------------------


@SERVICE.op("PutTargets")
async def put_targets(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    await backend(ctx.runtime).put_targets(
        ctx.account, ctx.region, req["Rule"], req.get("EventBusName"), req["Targets"]
    )
    return {"FailedEntryCount": 0, "FailedEntries": []}


@SERVICE.op("RemoveTargets")
async def remove_targets(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    await backend(ctx.runtime).remove_targets(ctx.account, ctx.region, req["Rule"], req.get("EventBusName"), req["Ids"])
    return {"FailedEntryCount": 0, "FailedEntries": []}


@SERVICE.op("ListTargetsByRule")
async def list_targets_by_rule(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    targets, token = await backend(ctx.runtime).list_targets_by_rule(
        ctx.account, ctx.region, req["Rule"], req.get("EventBusName"), req.get("NextToken"), req.get("Limit")
    )
    return {"Targets": targets, "NextToken": token}


@SERVICE.op("TestEventPattern")
async def test_event_pattern(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return {"Result": backend(ctx.runtime).test_event_pattern(req["EventPattern"], req["Event"])}
