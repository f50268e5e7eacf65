"""PutEvents and PutPartnerEvents: each calls the backend's put_events (ingest.py), which builds AWS's event
envelope per entry and routes the accepted ones in one transaction."""

from __future__ import annotations

from typing import Any

from ...aws.context import RequestContext
from . import SERVICE
from .backend import backend


@SERVICE.op("PutEvents")
async def put_events(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return await backend(ctx.runtime).put_events(ctx.account, ctx.region, req["Entries"], partner=False)


@SERVICE.op("PutPartnerEvents")
async def put_partner_events(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return await backend(ctx.runtime).put_events(ctx.account, ctx.region, req["Entries"], partner=True)
