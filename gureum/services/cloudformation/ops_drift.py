"""Drift detection operations: each calls one CloudFormationBackend method."""

from __future__ import annotations

from typing import Any

from ...aws.context import RequestContext
from . import SERVICE
from .backend import backend


@SERVICE.op("DetectStackDrift")
async def detect_stack_drift(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    found = await backend(ctx).detect_stack_drift(
        ctx.account, ctx.region, req["StackName"], list(req.get("LogicalResourceIds") or [])
    )
    return {"StackDriftDetectionId": found}


@SERVICE.op("DescribeStackDriftDetectionStatus")
async def describe_stack_drift_detection_status(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return await backend(ctx).describe_stack_drift_detection_status(
        ctx.account, ctx.region, req["StackDriftDetectionId"]
    )


@SERVICE.op("DescribeStackResourceDrifts")
async def describe_stack_resource_drifts(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return await backend(ctx).describe_stack_resource_drifts(
        ctx.account,
        ctx.region,
        req["StackName"],
        list(req.get("StackResourceDriftStatusFilters") or []),
        req.get("NextToken"),
        req.get("MaxResults"),
    )


@SERVICE.op("DetectStackResourceDrift")
async def detect_stack_resource_drift(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return await backend(ctx).detect_stack_resource_drift(
        ctx.account, ctx.region, req["StackName"], req["LogicalResourceId"]
    )
