"""Event source mapping operations (SQS queues): Create, Get, Update, Delete, List.

Answers carry the state AWS answers with (Creating, Enabling, Disabling, Updating, Deleting); the leader's
pollers (esm.py) move the mapping on within a moment.
"""

from __future__ import annotations

from typing import Any

from ...aws.context import RequestContext
from . import SERVICE
from .backend import backend


@SERVICE.op("CreateEventSourceMapping")
async def create_event_source_mapping(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return await backend(ctx.runtime).create_event_source_mapping(
        ctx.account, ctx.region, req["FunctionName"], req.get("EventSourceArn"), req
    )


@SERVICE.op("GetEventSourceMapping")
async def get_event_source_mapping(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return await backend(ctx.runtime).get_event_source_mapping(ctx.account, ctx.region, req["UUID"])


@SERVICE.op("UpdateEventSourceMapping")
async def update_event_source_mapping(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return await backend(ctx.runtime).update_event_source_mapping(
        ctx.account, ctx.region, req["UUID"], req.get("FunctionName"), req
    )


@SERVICE.op("DeleteEventSourceMapping")
async def delete_event_source_mapping(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return await backend(ctx.runtime).delete_event_source_mapping(ctx.account, ctx.region, req["UUID"])


@SERVICE.op("ListEventSourceMappings")
async def list_event_source_mappings(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return await backend(ctx.runtime).list_event_source_mappings(
        ctx.account,
        ctx.region,
        req.get("FunctionName"),
        req.get("EventSourceArn"),
        req.get("Marker"),
        req.get("MaxItems"),
    )
