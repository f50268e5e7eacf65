"""Global endpoint operations and the partner event source operations. Each calls one backend method
(endpoints.py)."""

from __future__ import annotations

from typing import Any

from ...aws.context import RequestContext
from . import SERVICE
from .backend import backend

_CREATED = ("Name", "Arn", "RoutingConfig", "ReplicationConfig", "EventBuses", "RoleArn", "State")
_UPDATED = (*_CREATED[:-1], "EndpointId", "EndpointUrl", "State")


@SERVICE.op("CreateEndpoint")
async def create_endpoint(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    body = await backend(ctx.runtime).create_endpoint(
        ctx.account,
        ctx.region,
        req["Name"],
        req.get("Description"),
        req.get("RoutingConfig"),
        req.get("ReplicationConfig"),
        req.get("EventBuses"),
        req.get("RoleArn"),
    )
    return {k: body.get(k) for k in _CREATED}


@SERVICE.op("DescribeEndpoint")
async def describe_endpoint(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return await backend(ctx.runtime).describe_endpoint(ctx.account, ctx.region, req["Name"])


@SERVICE.op("UpdateEndpoint")
async def update_endpoint(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    body = await backend(ctx.runtime).update_endpoint(
        ctx.account,
        ctx.region,
        req["Name"],
        req.get("Description"),
        req.get("RoutingConfig"),
        req.get("ReplicationConfig"),
        req.get("EventBuses"),
        req.get("RoleArn"),
    )
    return {k: body.get(k) for k in _UPDATED}


@SERVICE.op("DeleteEndpoint")
async def delete_endpoint(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    await backend(ctx.runtime).delete_endpoint(ctx.account, ctx.region, req["Name"])
    return {}


@SERVICE.op("ListEndpoints")
async def list_endpoints(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    found, token = await backend(ctx.runtime).list_endpoints(
        ctx.account, ctx.region, req.get("NamePrefix"), req.get("NextToken"), req.get("MaxResults")
    )
    return {"Endpoints": found, "NextToken": token}


# --- partner event sources ---------------------------------------------------------------------------


@SERVICE.op("DescribeEventSource")
async def describe_event_source(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    backend(ctx.runtime).event_source(req["Name"])


@SERVICE.op("ActivateEventSource")
async def activate_event_source(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    backend(ctx.runtime).event_source(req["Name"])


@SERVICE.op("DeactivateEventSource")
async def deactivate_event_source(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    backend(ctx.runtime).event_source(req["Name"])


@SERVICE.op("ListEventSources")
async def list_event_sources(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return {"EventSources": backend(ctx.runtime).list_event_sources(ctx.account, ctx.region)}


@SERVICE.op("CreatePartnerEventSource")
async def create_partner_event_source(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    backend(ctx.runtime).partner_only()


@SERVICE.op("DeletePartnerEventSource")
async def delete_partner_event_source(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    backend(ctx.runtime).partner_only()


@SERVICE.op("DescribePartnerEventSource")
async def describe_partner_event_source(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    backend(ctx.runtime).event_source(req["Name"])


@SERVICE.op("ListPartnerEventSources")
async def list_partner_event_sources(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return {"PartnerEventSources": backend(ctx.runtime).list_partner_event_sources(ctx.account, ctx.region)}


@SERVICE.op("ListPartnerEventSourceAccounts")
async def list_partner_event_source_accounts(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    backend(ctx.runtime).event_source(req["EventSourceName"])
