"""Connections (API_KEY, BASIC, OAUTH_CLIENT_CREDENTIALS) and API destinations.

A connection is AUTHORIZED as soon as it exists: locally there is no Secrets Manager round trip to wait for
(an OAuth connection fetches its token when the first invocation needs it).
"""

from __future__ import annotations

import copy
import uuid
from typing import Any

from ...aws.context import RequestContext
from ...store.base import Tx
from . import SERVICE, limits, paging, store_connections
from .errors import ResourceAlreadyExistsException, ValidationException, no_api_destination, no_connection
from .lookups import now_ms, seconds
from .names import parse_arn
from .store_connections import ApiDestination, Connection

_AUTH_MEMBER = {
    "BASIC": "BasicAuthParameters",
    "API_KEY": "ApiKeyAuthParameters",
    "OAUTH_CLIENT_CREDENTIALS": "OAuthParameters",
}


def _hide_secret_values(http: dict[str, Any]) -> dict[str, Any]:
    out = {}
    for member, items in http.items():
        out[member] = [
            {k: v for k, v in item.items() if not (k == "Value" and item.get("IsValueSecret"))} for item in items or []
        ]
    return out


def public_auth(auth: dict[str, Any]) -> dict[str, Any]:
    """AuthParameters as DescribeConnection shows them: no password, key value or client secret."""
    out = copy.deepcopy(auth)
    if "BasicAuthParameters" in out:
        out["BasicAuthParameters"].pop("Password", None)
    if "ApiKeyAuthParameters" in out:
        out["ApiKeyAuthParameters"].pop("ApiKeyValue", None)
    oauth = out.get("OAuthParameters")
    if oauth is not None:
        oauth.get("ClientParameters", {}).pop("ClientSecret", None)
        if "OAuthHttpParameters" in oauth:
            oauth["OAuthHttpParameters"] = _hide_secret_values(oauth["OAuthHttpParameters"])
    if "InvocationHttpParameters" in out:
        out["InvocationHttpParameters"] = _hide_secret_values(out["InvocationHttpParameters"])
    return out


def _check_auth(auth_type: str, auth: dict[str, Any]) -> None:
    member = _AUTH_MEMBER[auth_type]
    if member not in auth:
        raise ValidationException(f"{member} must be specified for authorization type {auth_type}.")
    for other in set(_AUTH_MEMBER.values()) - {member}:
        if other in auth:
            raise ValidationException(f"{other} cannot be specified for authorization type {auth_type}.")


def _times(c: Connection) -> dict[str, Any]:
    return {
        "CreationTime": seconds(c.created_at),
        "LastModifiedTime": seconds(c.modified_at),
        "LastAuthorizedTime": seconds(c.authorized_at),
    }


def _require_connection(tx: Tx, ctx: RequestContext, name: str) -> Connection:
    found = store_connections.get_connection(tx, ctx.account, ctx.region, name)
    if found is None:
        raise no_connection(name)
    return found


@SERVICE.op("CreateConnection")
async def create_connection(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    _check_auth(req["AuthorizationType"], req["AuthParameters"])
    now = now_ms(ctx)
    extra = {k: req[k] for k in ("InvocationConnectivityParameters", "KmsKeyIdentifier") if req.get(k) is not None}
    connection = Connection(0, ctx.account, ctx.region, req["Name"], str(uuid.uuid4()), req.get("Description"), req["AuthorizationType"],
                            req["AuthParameters"], extra, "AUTHORIZED", now, now, now)  # fmt: skip

    def run(tx: Tx) -> None:
        if not store_connections.insert_connection(tx, connection):
            raise ResourceAlreadyExistsException(f"Connection {connection.name} already exists.")

    await ctx.runtime.store.write(run)
    return {
        "ConnectionArn": connection.arn,
        "ConnectionState": connection.state,
        "CreationTime": seconds(now),
        "LastModifiedTime": seconds(now),
    }


@SERVICE.op("DescribeConnection")
async def describe_connection(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    c = await ctx.runtime.store.read(lambda tx: _require_connection(tx, ctx, req["Name"]))
    return {
        "ConnectionArn": c.arn,
        "Name": c.name,
        "Description": c.description,
        "ConnectionState": c.state,
        "AuthorizationType": c.auth_type,
        "SecretArn": c.secret_arn,
        "AuthParameters": public_auth(c.auth),
        **{k: v for k, v in c.extra.items()},
        **_times(c),
    }


@SERVICE.op("UpdateConnection")
async def update_connection(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    now = now_ms(ctx)

    def run(tx: Tx) -> Connection:
        c = _require_connection(tx, ctx, req["Name"])
        if req.get("Description") is not None:
            c.description = req["Description"]
        if req.get("AuthorizationType") is not None:
            c.auth_type = req["AuthorizationType"]
        if req.get("AuthParameters") is not None:
            merged = dict(c.auth) if req.get("AuthorizationType") in (None, c.auth_type) else {}
            for member, value in req["AuthParameters"].items():
                merged[member] = {**merged.get(member, {}), **value} if isinstance(value, dict) else value
            c.auth = merged
        _check_auth(c.auth_type, c.auth)
        for member in ("InvocationConnectivityParameters", "KmsKeyIdentifier"):
            if req.get(member) is not None:
                c.extra[member] = req[member]
        c.state, c.modified_at, c.authorized_at = "AUTHORIZED", now, now
        store_connections.save_connection(tx, c)
        return c

    c = await ctx.runtime.store.write(run)
    return {"ConnectionArn": c.arn, "ConnectionState": c.state, **_times(c)}


@SERVICE.op("DeauthorizeConnection")
async def deauthorize_connection(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    now = now_ms(ctx)

    def run(tx: Tx) -> Connection:
        c = _require_connection(tx, ctx, req["Name"])
        c.state, c.modified_at = "DEAUTHORIZED", now
        store_connections.save_connection(tx, c)
        return c

    c = await ctx.runtime.store.write(run)
    return {"ConnectionArn": c.arn, "ConnectionState": c.state, **_times(c)}


@SERVICE.op("DeleteConnection")
async def delete_connection(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    def run(tx: Tx) -> Connection:
        c = _require_connection(tx, ctx, req["Name"])
        store_connections.delete_connection(tx, c)
        return c

    c = await ctx.runtime.store.write(run)
    return {"ConnectionArn": c.arn, "ConnectionState": "DELETING", **_times(c)}


@SERVICE.op("ListConnections")
async def list_connections(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    after = paging.decode(req.get("NextToken"))
    found = await ctx.runtime.store.read(
        lambda tx: store_connections.list_connections(tx, ctx.account, ctx.region, after)
    )
    prefix, state = req.get("NamePrefix") or "", req.get("ConnectionState")
    found = [c for c in found if c.name.startswith(prefix) and state in (None, c.state)]
    shown, token = paging.page(found, req.get("Limit"), limits.DEFAULT_PAGE, lambda c: c.name)
    rows = [
        {
            "ConnectionArn": c.arn,
            "Name": c.name,
            "ConnectionState": c.state,
            "AuthorizationType": c.auth_type,
            **_times(c),
        }
        for c in shown
    ]
    return {"Connections": rows, "NextToken": token}


# --- API destinations --------------------------------------------------------------------------------


def _connection_of(tx: Tx, ctx: RequestContext, arn: str) -> Connection:
    parts = parse_arn(arn)
    name = parts[2].split("/")[1] if parts and parts[2].startswith("connection/") else arn
    found = store_connections.get_connection(
        tx, parts[1] if parts else ctx.account, parts[0] if parts else ctx.region, name
    )
    if found is None or found.arn != arn:
        raise no_connection(name)
    return found


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
            }
        )
        out.update({"HttpMethod": d.method, "InvocationRateLimitPerSecond": d.rate_limit})
    return out


def _require_destination(tx: Tx, ctx: RequestContext, name: str) -> ApiDestination:
    found = store_connections.get_destination(tx, ctx.account, ctx.region, name)
    if found is None:
        raise no_api_destination(name)
    return found


@SERVICE.op("CreateApiDestination")
async def create_api_destination(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    now = now_ms(ctx)
    d = ApiDestination(0, ctx.account, ctx.region, req["Name"], str(uuid.uuid4()), req.get("Description"), req["ConnectionArn"], req["InvocationEndpoint"],
                       req["HttpMethod"], req.get("InvocationRateLimitPerSecond") or limits.HTTP_RATE_DEFAULT, now, now)  # fmt: skip

    def run(tx: Tx) -> None:
        _connection_of(tx, ctx, d.connection_arn)
        if not store_connections.insert_destination(tx, d):
            raise ResourceAlreadyExistsException(f"An api-destination '{d.name}' already exists.")

    await ctx.runtime.store.write(run)
    return _destination_out(d, full=False)


@SERVICE.op("DescribeApiDestination")
async def describe_api_destination(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return _destination_out(await ctx.runtime.store.read(lambda tx: _require_destination(tx, ctx, req["Name"])))


@SERVICE.op("UpdateApiDestination")
async def update_api_destination(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    now = now_ms(ctx)

    def run(tx: Tx) -> ApiDestination:
        d = _require_destination(tx, ctx, req["Name"])
        for member, attribute in (("Description", "description"), ("ConnectionArn", "connection_arn"), ("InvocationEndpoint", "endpoint"),
                                  ("HttpMethod", "method"), ("InvocationRateLimitPerSecond", "rate_limit")):  # fmt: skip
            if req.get(member) is not None:
                setattr(d, attribute, req[member])
        _connection_of(tx, ctx, d.connection_arn)
        d.modified_at = now
        store_connections.save_destination(tx, d)
        return d

    return _destination_out(await ctx.runtime.store.write(run), full=False)


@SERVICE.op("DeleteApiDestination")
async def delete_api_destination(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    await ctx.runtime.store.write(
        lambda tx: store_connections.delete_destination(tx, _require_destination(tx, ctx, req["Name"]))
    )
    return {}


@SERVICE.op("ListApiDestinations")
async def list_api_destinations(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    after = paging.decode(req.get("NextToken"))
    found = await ctx.runtime.store.read(
        lambda tx: store_connections.list_destinations(tx, ctx.account, ctx.region, after)
    )
    prefix, connection = req.get("NamePrefix") or "", req.get("ConnectionArn")
    found = [d for d in found if d.name.startswith(prefix) and connection in (None, d.connection_arn)]
    shown, token = paging.page(found, req.get("Limit"), limits.DEFAULT_PAGE, lambda d: d.name)
    rows = []
    for d in shown:
        row = _destination_out(d)
        row.pop("Description", None)
        rows.append(row)
    return {"ApiDestinations": rows, "NextToken": token}
