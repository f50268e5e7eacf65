"""Global endpoints (stored and described; there is one Region here, so no failover happens), and the partner
event source operations, which answer as they do for an account that is not a SaaS partner and has no
partner event sources."""

from __future__ import annotations

import secrets
import string
from typing import Any

from ...aws.context import RequestContext
from ...store.base import Tx
from . import SERVICE, limits, paging, store_connections
from .errors import AccessDeniedException, ResourceAlreadyExistsException, ResourceNotFoundException, ServiceError
from .lookups import now_ms, seconds
from .names import resource_arn

_CONFIG = ("Description", "RoutingConfig", "ReplicationConfig", "EventBuses", "RoleArn")


def _endpoint_id() -> str:
    alphabet = string.ascii_lowercase + string.digits
    return (
        "".join(secrets.choice(alphabet) for _ in range(8)) + "." + "".join(secrets.choice(alphabet) for _ in range(3))
    )


def _no_endpoint(name: str) -> ServiceError:
    return ResourceNotFoundException(f"Endpoint {name} does not exist.")


@SERVICE.op("CreateEndpoint")
async def create_endpoint(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    now = now_ms(ctx)
    endpoint_id = _endpoint_id()
    body = {
        "Name": req["Name"],
        "Arn": resource_arn(ctx.region, ctx.account, "endpoint", req["Name"]),
        "EndpointId": endpoint_id,
        "EndpointUrl": f"https://{endpoint_id}.endpoint.events.amazonaws.com",
        "State": "ACTIVE",
        "ReplicationConfig": {"State": "ENABLED"},
        **{member: req[member] for member in _CONFIG if req.get(member) is not None},
        "CreationTime": seconds(now),
        "LastModifiedTime": seconds(now),
    }

    def run(tx: Tx) -> None:
        if not store_connections.put_endpoint(tx, ctx.account, ctx.region, req["Name"], body, now, create=True):
            raise ResourceAlreadyExistsException(f"Endpoint {req['Name']} already exists.")

    await ctx.runtime.store.write(run)
    return {
        k: body.get(k) for k in ("Name", "Arn", "RoutingConfig", "ReplicationConfig", "EventBuses", "RoleArn", "State")
    }


async def _get(ctx: RequestContext, name: str) -> dict[str, Any]:
    found = await ctx.runtime.store.read(lambda tx: store_connections.get_endpoint(tx, ctx.account, ctx.region, name))
    if found is None:
        raise _no_endpoint(name)
    return found


@SERVICE.op("DescribeEndpoint")
async def describe_endpoint(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return await _get(ctx, req["Name"])


@SERVICE.op("UpdateEndpoint")
async def update_endpoint(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    now = now_ms(ctx)

    def run(tx: Tx) -> dict[str, Any]:
        body = store_connections.get_endpoint(tx, ctx.account, ctx.region, req["Name"])
        if body is None:
            raise _no_endpoint(req["Name"])
        body.update({member: req[member] for member in _CONFIG if req.get(member) is not None})
        body["LastModifiedTime"] = seconds(now)
        store_connections.put_endpoint(tx, ctx.account, ctx.region, req["Name"], body, now, create=False)
        return body

    body = await ctx.runtime.store.write(run)
    return {
        k: body.get(k)
        for k in (
            "Name",
            "Arn",
            "RoutingConfig",
            "ReplicationConfig",
            "EventBuses",
            "RoleArn",
            "EndpointId",
            "EndpointUrl",
            "State",
        )
    }


@SERVICE.op("DeleteEndpoint")
async def delete_endpoint(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    await _get(ctx, req["Name"])
    await ctx.runtime.store.write(
        lambda tx: store_connections.delete_endpoint(tx, ctx.account, ctx.region, req["Name"])
    )
    return {}


@SERVICE.op("ListEndpoints")
async def list_endpoints(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    after = paging.decode(req.get("NextToken"))
    found = await ctx.runtime.store.read(lambda tx: store_connections.list_endpoints(tx, ctx.account, ctx.region))
    found = [e for e in found if e["Name"].startswith(req.get("NamePrefix") or "") and e["Name"] > after]
    shown, token = paging.page(found, req.get("MaxResults"), limits.DEFAULT_PAGE, lambda e: e["Name"])
    return {"Endpoints": shown, "NextToken": token}


# --- partner event sources ---------------------------------------------------------------------------


def _no_source(name: str) -> ServiceError:
    return ResourceNotFoundException(f"Event source {name} does not exist.")


@SERVICE.op("DescribeEventSource")
async def describe_event_source(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    raise _no_source(req["Name"])


@SERVICE.op("ActivateEventSource")
async def activate_event_source(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    raise _no_source(req["Name"])


@SERVICE.op("DeactivateEventSource")
async def deactivate_event_source(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    raise _no_source(req["Name"])


@SERVICE.op("ListEventSources")
async def list_event_sources(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return {"EventSources": []}


def _not_partner() -> ServiceError:
    return AccessDeniedException(
        "This operation is only available to SaaS partners registered with Amazon EventBridge."
    )


@SERVICE.op("CreatePartnerEventSource")
async def create_partner_event_source(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    raise _not_partner()


@SERVICE.op("DeletePartnerEventSource")
async def delete_partner_event_source(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    raise _not_partner()


@SERVICE.op("DescribePartnerEventSource")
async def describe_partner_event_source(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    raise _no_source(req["Name"])


@SERVICE.op("ListPartnerEventSources")
async def list_partner_event_sources(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return {"PartnerEventSources": []}


@SERVICE.op("ListPartnerEventSourceAccounts")
async def list_partner_event_source_accounts(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    raise _no_source(req["EventSourceName"])
