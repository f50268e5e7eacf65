"""Access Analyzer's operations: each calls one AccessAnalyzerBackend method and returns its answer."""

from __future__ import annotations

from typing import Any

from ...aws.context import RequestContext
from . import SERVICE
from .backend import backend


@SERVICE.op("ValidatePolicy")
async def validate_policy(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return backend(ctx).validate_policy(
        req["policyDocument"],
        req["policyType"],
        req.get("validatePolicyResourceType"),
        req.get("locale"),
        req.get("maxResults"),
        req.get("nextToken"),
    )
