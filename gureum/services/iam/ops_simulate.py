"""The policy simulator's operations (IamBackend's Simulator part)."""

from __future__ import annotations

from typing import Any

from ...aws.context import RequestContext
from . import SERVICE
from .backend import backend


@SERVICE.op("SimulatePrincipalPolicy")
async def simulate_principal_policy(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return await backend(ctx).simulate_principal_policy(
        ctx.account,
        req["PolicySourceArn"],
        req.get("PolicyInputList"),
        req.get("PermissionsBoundaryPolicyInputList"),
        req["ActionNames"],
        req.get("ResourceArns"),
        req.get("ResourcePolicy"),
        req.get("ResourceOwner"),
        req.get("CallerArn"),
        req.get("ContextEntries"),
    )


@SERVICE.op("SimulateCustomPolicy")
async def simulate_custom_policy(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return await backend(ctx).simulate_custom_policy(
        ctx.account,
        req["PolicyInputList"],
        req.get("PermissionsBoundaryPolicyInputList"),
        req["ActionNames"],
        req.get("ResourceArns"),
        req.get("ResourcePolicy"),
        req.get("ResourceOwner"),
        req.get("CallerArn"),
        req.get("ContextEntries"),
    )
