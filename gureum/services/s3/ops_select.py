"""SelectObjectContent (S3 Select): calls one S3Backend method; the answer is an event stream."""

from __future__ import annotations

from typing import Any

from ...aws.context import RequestContext
from . import SERVICE
from .access import caller
from .backend import backend


@SERVICE.op("SelectObjectContent")
async def select_object_content(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return await backend(ctx).select_object_content(
        await caller(ctx, req),
        req["Bucket"],
        req["Key"],
        req.get("Expression") or "",
        req.get("ExpressionType") or "",
        req.get("InputSerialization") or {},
        req.get("OutputSerialization") or {},
        req.get("ScanRange"),
        bool((req.get("RequestProgress") or {}).get("Enabled")),
    )
