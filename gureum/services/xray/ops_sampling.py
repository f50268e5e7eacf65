"""X-Ray's sampling operations: the Default rule and the quotas SDKs ask for under it."""

from __future__ import annotations

from typing import Any

from ...aws.context import RequestContext
from . import SERVICE
from .backend import XRayBackend


@SERVICE.op("GetSamplingRules")
async def get_sampling_rules(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return {"SamplingRuleRecords": ctx.runtime.state(XRayBackend).sampling_rules(ctx.account, ctx.region)}


@SERVICE.op("GetSamplingTargets")
async def get_sampling_targets(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return ctx.runtime.state(XRayBackend).sampling_targets(req["SamplingStatisticsDocuments"])
