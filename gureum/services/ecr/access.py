"""Which registry (account) an ECR call names, and whether the caller may use it: a call on another account's
repository (registryId) is allowed only by that repository's policy (gureum.policy), as on AWS; within an account
nothing is checked (identity policies are not evaluated here)."""

from __future__ import annotations

from typing import Any

from ...aws.context import RequestContext
from ...policy import Principal
from .backend import backend


async def registry(ctx: RequestContext, req: dict[str, Any], action: str) -> str:
    """The registry the call names (registryId, else the caller's account), checked for another account's call."""
    named = req.get("registryId") or ctx.account
    if named != ctx.account:
        principal = Principal(ctx.account, await ctx.runtime.principal_arn(ctx.account, ctx.access_key))
        for name in req.get("repositoryNames") or [req.get("repositoryName")]:
            await backend(ctx).check_access(named, ctx.region, name, principal, action)
    return str(named)
