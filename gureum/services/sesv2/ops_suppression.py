"""SES v2 account-level suppression list: each calls one SesMail method and shapes SES v2's answer."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from ...aws.context import RequestContext
from . import SERVICE
from .mail import mail, paged, translated


def _epoch(value: Any) -> float | None:
    if value is None:
        return None
    return value.timestamp() if isinstance(value, datetime) else float(value)


@SERVICE.op("PutSuppressedDestination")
@translated
async def put_suppressed_destination(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    await mail(ctx).put_suppressed(ctx.account, ctx.region, req["EmailAddress"], req["Reason"])
    return {}


@SERVICE.op("GetSuppressedDestination")
@translated
async def get_suppressed_destination(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    reason, message_id, at = await mail(ctx).get_suppressed(ctx.account, ctx.region, req["EmailAddress"])
    out: dict[str, Any] = {"EmailAddress": req["EmailAddress"].lower(), "Reason": reason, "LastUpdateTime": at}
    if message_id:
        out["Attributes"] = {"MessageId": message_id}
    return {"SuppressedDestination": out}


@SERVICE.op("ListSuppressedDestinations")
@translated
async def list_suppressed_destinations(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    found = await mail(ctx).list_suppressed(
        ctx.account, ctx.region, list(req.get("Reasons") or []), _epoch(req.get("StartDate")),
        _epoch(req.get("EndDate")),
    )  # fmt: skip
    summaries = [{"EmailAddress": a, "Reason": r, "LastUpdateTime": at} for a, r, at in found]
    return paged(summaries, req, "SuppressedDestinationSummaries")


@SERVICE.op("DeleteSuppressedDestination")
@translated
async def delete_suppressed_destination(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    await mail(ctx).delete_suppressed(ctx.account, ctx.region, req["EmailAddress"])
    return {}
