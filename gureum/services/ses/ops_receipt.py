"""SES v1 receiving operations: receipt rule sets (one active), receipt rules in order, IP address filters. Each
calls one SesBackend method and shapes its answer."""

from __future__ import annotations

from typing import Any

from ...aws.context import RequestContext
from . import SERVICE
from .backend import backend


def _metadata(name: str, created: float) -> dict[str, Any]:
    return {"Name": name, "CreatedTimestamp": created}


@SERVICE.op("CreateReceiptRuleSet")
async def create_receipt_rule_set(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    await backend(ctx).create_rule_set(ctx.account, ctx.region, req["RuleSetName"])
    return {}


@SERVICE.op("CloneReceiptRuleSet")
async def clone_receipt_rule_set(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    await backend(ctx).clone_rule_set(ctx.account, ctx.region, req["RuleSetName"], req["OriginalRuleSetName"])
    return {}


@SERVICE.op("DescribeReceiptRuleSet")
async def describe_receipt_rule_set(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    created, rules = await backend(ctx).describe_rule_set(ctx.account, ctx.region, req["RuleSetName"])
    return {"Metadata": _metadata(req["RuleSetName"], created), "Rules": rules}


@SERVICE.op("DescribeActiveReceiptRuleSet")
async def describe_active_receipt_rule_set(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    found = await backend(ctx).active_rule_set(ctx.account, ctx.region)
    if found is None:
        return {}
    name, created, rules = found
    return {"Metadata": _metadata(name, created), "Rules": rules}


@SERVICE.op("ListReceiptRuleSets")
async def list_receipt_rule_sets(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    found = await backend(ctx).list_rule_sets(ctx.account, ctx.region)
    return {"RuleSets": [_metadata(name, created) for name, created in found]}


@SERVICE.op("SetActiveReceiptRuleSet")
async def set_active_receipt_rule_set(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    await backend(ctx).set_active_rule_set(ctx.account, ctx.region, req.get("RuleSetName") or None)
    return {}


@SERVICE.op("DeleteReceiptRuleSet")
async def delete_receipt_rule_set(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    await backend(ctx).delete_rule_set(ctx.account, ctx.region, req["RuleSetName"])
    return {}


@SERVICE.op("CreateReceiptRule")
async def create_receipt_rule(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    await backend(ctx).create_rule(ctx.account, ctx.region, req["RuleSetName"], req["Rule"], req.get("After"))
    return {}


@SERVICE.op("UpdateReceiptRule")
async def update_receipt_rule(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    await backend(ctx).update_rule(ctx.account, ctx.region, req["RuleSetName"], req["Rule"])
    return {}


@SERVICE.op("DescribeReceiptRule")
async def describe_receipt_rule(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return {"Rule": await backend(ctx).describe_rule(ctx.account, ctx.region, req["RuleSetName"], req["RuleName"])}


@SERVICE.op("DeleteReceiptRule")
async def delete_receipt_rule(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    await backend(ctx).delete_rule(ctx.account, ctx.region, req["RuleSetName"], req["RuleName"])
    return {}


@SERVICE.op("SetReceiptRulePosition")
async def set_receipt_rule_position(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    await backend(ctx).set_rule_position(
        ctx.account, ctx.region, req["RuleSetName"], req["RuleName"], req.get("After") or None
    )
    return {}


@SERVICE.op("ReorderReceiptRuleSet")
async def reorder_receipt_rule_set(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    await backend(ctx).reorder_rules(ctx.account, ctx.region, req["RuleSetName"], list(req["RuleNames"]))
    return {}


@SERVICE.op("CreateReceiptFilter")
async def create_receipt_filter(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    found = req["Filter"]
    ip = found["IpFilter"]
    await backend(ctx).create_filter(ctx.account, ctx.region, found["Name"], ip["Policy"], ip["Cidr"])
    return {}


@SERVICE.op("ListReceiptFilters")
async def list_receipt_filters(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    found = await backend(ctx).list_filters(ctx.account, ctx.region)
    return {"Filters": [{"Name": n, "IpFilter": {"Policy": p, "Cidr": c}} for n, p, c in found]}


@SERVICE.op("DeleteReceiptFilter")
async def delete_receipt_filter(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    await backend(ctx).delete_filter(ctx.account, ctx.region, req["FilterName"])
    return {}
