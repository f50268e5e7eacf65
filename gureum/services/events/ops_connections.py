"""Connection and API destination operations. Each calls one backend method (connections.py,
api_destinations.py); Describe* never shows a connection's secrets."""

from __future__ import annotations

from typing import Any

from ...aws.context import RequestContext
from . import SERVICE
from .backend import backend
from .connections import public_auth
from .lookups import seconds
from .store_connections import ApiDestination, Connection


def _times(c: Connection) -> dict[str, Any]:
    return {
        "CreationTime": seconds(c.created_at),
        "LastModifiedTime": seconds(c.modified_at),
        "LastAuthorizedTime": seconds(c.authorized_at),
    }


@SERVICE.op("CreateConnection")
async def create_connection(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    c = await backend(ctx.runtime).create_connection(
        ctx.account,
        ctx.region,
        req["Name"],
        req.get("Description"),
        req["AuthorizationType"],
        req["AuthParameters"],
        req.get("InvocationConnectivityParameters"),
        req.get("KmsKeyIdentifier"),
    )
    return {
        "ConnectionArn": c.arn,
        "ConnectionState": c.state,
        "CreationTime": seconds(c.created_at),
        "LastModifiedTime": seconds(c.modified_at),
    }


@SERVICE.op("DescribeConnection")
async def describe_connection(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    c = await backend(ctx.runtime).describe_connection(ctx.account, ctx.region, req["Name"])
    return {
        "ConnectionArn": c.arn,
        "Name": c.name,
        "Description": c.description,
        "ConnectionState": c.state,
        "AuthorizationType": c.auth_type,
        "SecretArn": c.secret_arn,
        "AuthParameters": public_auth(c.auth),
        **c.extra,
        **_times(c),
    }


@SERVICE.op("UpdateConnection")
async def update_connection(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    c = await backend(ctx.runtime).update_connection(
        ctx.account,
        ctx.region,
        req["Name"],
        req.get("Description"),
        req.get("AuthorizationType"),
        req.get("AuthParameters"),
        req.get("InvocationConnectivityParameters"),
        req.get("KmsKeyIdentifier"),
    )
    return {"ConnectionArn": c.arn, "ConnectionState": c.state, **_times(c)}


@SERVICE.op("DeauthorizeConnection")
async def deauthorize_connection(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    c = await backend(ctx.runtime).deauthorize_connection(ctx.account, ctx.region, req["Name"])
    return {"ConnectionArn": c.arn, "ConnectionState": c.state, **_times(c)}


@SERVICE.op("DeleteConnection")
async def delete_connection(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    c = await backend(ctx.runtime).delete_connection(ctx.account, ctx.region, req["Name"])
    return {"ConnectionArn": c.arn, "ConnectionState": "DELETING", **_times(c)}


@SERVICE.op("ListConnections")
async def list_connections(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    found, token = await backend(ctx.runtime).list_connections(
        ctx.account,
        ctx.region,
        req.get("NamePrefix"),
        req.get("ConnectionState"),
        req.get("NextToken"),
        req.get("Limit"),
    )
    rows = [
        {
            "ConnectionArn": c.arn,
            "Name": c.name,
            "ConnectionState": c.state,
            "AuthorizationType": c.auth_type,
            **_times(c),
        }
        for c in found
    ]
    return {"Connections": rows, "NextToken": token}


# --- API destinations --------------------------------------------------------------------------------


def _destination_out(d: ApiDestination, full: bool = True) -> dict[str, Any]:
    out = {
        "ApiDestinationArn": d.arn,
        "ApiDestinationState": "ACTIVE",
        "CreationTime": seconds(d.created_at),
        "LastModifiedTime": seconds(d.modified_at),
    }
    if full:
        out.update(
            {
                "Name": d.name,
                "Description": d.description,
                "ConnectionArn": d.connection_arn,
                "InvocationEndpoint": d.endpoint,
                "HttpMethod": d.method,
                "InvocationRateLimitPerSecond": d.rate_limit,
            }
        )
    return out


@SERVICE.op("CreateApiDestination")
async def create_api_destination(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    d = await backend(ctx.runtime).create_api_destination(
        ctx.account,
        ctx.region,
        req["Name"],
        req.get("Description"),
        req["ConnectionArn"],
        req["InvocationEndpoint"],
        req["HttpMethod"],
        req.get("InvocationRateLimitPerSecond"),
    )
    return _destination_out(d, full=False)


@SERVICE.op("DescribeApiDestination")
async def describe_api_destination(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return _destination_out(await backend(ctx.runtime).describe_api_destination(ctx.account, ctx.region, req["Name"]))


@SERVICE.op("UpdateApiDestination")
async def update_api_destination(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    d = await backend(ctx.runtime).update_api_destination(
        ctx.account,
        ctx.region,
        req["Name"],
        req.get("Description"),
        req.get("ConnectionArn"),
        req.get("InvocationEndpoint"),
        req.get("HttpMethod"),
        req.get("InvocationRateLimitPerSecond"),
    )
    return _destination_out(d, full=False)


@SERVICE.op("DeleteApiDestination")
async def delete_api_destination(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    await backend(ctx.runtime).delete_api_destination(ctx.account, ctx.region, req["Name"])
    return {}


@SERVICE.op("ListApiDestinations")
async def list_api_destinations(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    found, token = await backend(ctx.runtime).list_api_destinations(
        ctx.account, ctx.region, req.get("NamePrefix"), req.get("ConnectionArn"), req.get("NextToken"), req.get("Limit")
    )
    rows = []
    for d in found:
        row = _destination_out(d)
        row.pop("Description", None)
        rows.append(row)
    return {"ApiDestinations": rows, "NextToken": token}
