"""Invoke: RequestResponse, Event (an outbox row, so it survives a restart) and DryRun; InvokeWithResponseStream."""

from __future__ import annotations

from typing import Any

from ...aws.context import RequestContext
from . import SERVICE
from .backend import backend


@SERVICE.op("Invoke")
async def invoke(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return await backend(ctx.runtime).invoke_request(
        ctx.account,
        ctx.region,
        req["FunctionName"],
        req.get("Qualifier"),
        req.get("InvocationType"),
        bytes(req.get("Payload") or b""),
        req.get("LogType"),
        req.get("ClientContext"),
        ctx.request_id,
        ctx.access_key,
    )


@SERVICE.op("InvokeWithResponseStream")
async def invoke_with_response_stream(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return await backend(ctx.runtime).invoke_stream_request(
        ctx.account,
        ctx.region,
        req["FunctionName"],
        req.get("Qualifier"),
        req.get("InvocationType"),
        bytes(req.get("Payload") or b""),
        req.get("LogType"),
        req.get("ClientContext"),
        ctx.request_id,
        ctx.access_key,
    )
