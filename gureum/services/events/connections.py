"""The backend's connections (API_KEY, BASIC, OAUTH_CLIENT_CREDENTIALS): create, describe, update, deauthorize,
delete, list; and which of their parameters Describe* may show.

A connection is AUTHORIZED as soon as it exists: locally there is no Secrets Manager round trip to wait for
(an OAuth connection fetches its token when the first invocation needs it).
"""

from __future__ import annotations

import copy
import uuid
from typing import Any

from ...store.base import Tx
from . import limits, paging, store_connections
from .base import BackendBase
from .errors import ResourceAlreadyExistsException, ValidationException, no_connection
from .store_connections import Connection

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


def _merged_auth(current: dict[str, Any], given: dict[str, Any]) -> dict[str, Any]:
    """UpdateConnection's AuthParameters laid over the connection's: members merge one level deep."""
    merged = dict(current)
    for member, value in given.items():
        merged[member] = {**merged.get(member, {}), **value} if isinstance(value, dict) else value
    return merged


def _extra(connectivity: dict[str, Any] | None, kms_key: str | None) -> dict[str, Any]:
    given = {"InvocationConnectivityParameters": connectivity, "KmsKeyIdentifier": kms_key}
    return {member: value for member, value in given.items() if value is not None}


def _require_connection(tx: Tx, account: str, region: str, name: str) -> Connection:
    found = store_connections.get_connection(tx, account, region, name)
    if found is None:
        raise no_connection(name)
    return found


class Connections(BackendBase):
    async def create_connection(
        self,
        account: str,
        region: str,
        name: str,
        description: str | None,
        auth_type: str,
        auth: dict[str, Any],
        connectivity: dict[str, Any] | None,
        kms_key: str | None,
    ) -> Connection:
        _check_auth(auth_type, auth)
        now = self.now_ms()
        connection = Connection(0, account, region, name, str(uuid.uuid4()), description, auth_type, auth,
                                _extra(connectivity, kms_key), "AUTHORIZED", now, now, now)  # fmt: skip

        def run(tx: Tx) -> None:
            if not store_connections.insert_connection(tx, connection):
                raise ResourceAlreadyExistsException(f"Connection {connection.name} already exists.")

        await self.store.write(run)
        return connection

    async def describe_connection(self, account: str, region: str, name: str) -> Connection:
        return await self.store.read(lambda tx: _require_connection(tx, account, region, name))

    async def update_connection(
        self,
        account: str,
        region: str,
        name: str,
        description: str | None,
        auth_type: str | None,
        auth: dict[str, Any] | None,
        connectivity: dict[str, Any] | None,
        kms_key: str | None,
    ) -> Connection:
        """Members given (not None) replace the connection's; AuthParameters merge unless the type changes."""
        now = self.now_ms()

        def run(tx: Tx) -> Connection:
            tx.lock("events connection", account, region, name)
            c = _require_connection(tx, account, region, name)
            same_type = auth_type in (None, c.auth_type)
            if description is not None:
                c.description = description
            if auth_type is not None:
                c.auth_type = auth_type
            if auth is not None:
                c.auth = _merged_auth(c.auth if same_type else {}, auth)
            _check_auth(c.auth_type, c.auth)
            c.extra.update(_extra(connectivity, kms_key))
            c.state, c.modified_at, c.authorized_at = "AUTHORIZED", now, now
            store_connections.save_connection(tx, c)
            return c

        return await self.store.write(run)

    async def deauthorize_connection(self, account: str, region: str, name: str) -> Connection:
        now = self.now_ms()

        def run(tx: Tx) -> Connection:
            tx.lock("events connection", account, region, name)
            c = _require_connection(tx, account, region, name)
            c.state, c.modified_at = "DEAUTHORIZED", now
            store_connections.save_connection(tx, c)
            return c

        return await self.store.write(run)

    async def delete_connection(self, account: str, region: str, name: str) -> Connection:
        def run(tx: Tx) -> Connection:
            tx.lock("events connection", account, region, name)
            c = _require_connection(tx, account, region, name)
            store_connections.delete_connection(tx, c)
            return c

        return await self.store.write(run)

    async def list_connections(
        self,
        account: str,
        region: str,
        prefix: str | None,
        state: str | None,
        next_token: str | None,
        limit: int | None,
    ) -> tuple[list[Connection], str | None]:
        after = paging.decode(next_token)
        found = await self.store.read(lambda tx: store_connections.list_connections(tx, account, region, after))
        found = [c for c in found if c.name.startswith(prefix or "") and state in (None, c.state)]
        return paging.page(found, limit, limits.DEFAULT_PAGE, lambda c: c.name)
