"""X-Ray's sampling operations: the rules (the Default one and the account's own) and the quotas SDKs ask for under
them."""

from __future__ import annotations

from typing import Any

from ...aws.context import RequestContext
from . import SERVICE
from .backend import XRayBackend


def _backend(ctx: RequestContext) -> XRayBackend:
    return ctx.runtime.state(XRayBackend)


@SERVICE.op("GetSamplingRules")
async def get_sampling_rules(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return {"SamplingRuleRecords": await _backend(ctx).sampling_rules(ctx.account, ctx.region)}


@SERVICE.op("GetSamplingTargets")
async def get_sampling_targets(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return await _backend(ctx).sampling_targets(ctx.account, ctx.region, req["SamplingStatisticsDocuments"])


@SERVICE.op("CreateSamplingRule")
async def create_sampling_rule(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    record = await _backend(ctx).create_sampling_rule(ctx.account, ctx.region, req["SamplingRule"], req.get("Tags"))
    return {"SamplingRuleRecord": record}


@SERVICE.op("UpdateSamplingRule")
async def update_sampling_rule(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    record = await _backend(ctx).update_sampling_rule(ctx.account, ctx.region, req["SamplingRuleUpdate"])
    return {"SamplingRuleRecord": record}


@SERVICE.op("DeleteSamplingRule")
async def delete_sampling_rule(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    record = await _backend(ctx).delete_sampling_rule(ctx.account, ctx.region, req.get("RuleName"), req.get("RuleARN"))
    return {"SamplingRuleRecord": record}
