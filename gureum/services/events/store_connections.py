"""EventBridge's SQL for connections, API destinations and global endpoints (inside one transaction, ``tx``).

A connection keeps its secrets (API key value, password, client secret) in ``auth``: AWS keeps them in a
Secrets Manager secret it manages; Describe* never shows them.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from ...store.base import Tx
from .names import resource_arn

_CONNECTION_COLUMNS = (
    "id, account, region, name, uid, description, auth_type, auth, extra, state, created_at, modified_at, authorized_at"
)
_DESTINATION_COLUMNS = (
    "id, account, region, name, uid, description, connection_arn, endpoint, method, rate_limit, created_at, modified_at"
)


@dataclass(slots=True)
class Connection:
    id: int
    account: str
    region: str
    name: str
    uid: str
    description: str | None
    auth_type: str
    auth: dict[str, Any]  # AuthParameters as given, secrets included
    extra: dict[str, Any]  # InvocationConnectivityParameters, KmsKeyIdentifier
    state: str
    created_at: int
    modified_at: int
    authorized_at: int

    @property
    def arn(self) -> str:
        return resource_arn(self.region, self.account, "connection", f"{self.name}/{self.uid}")

    @property
    def secret_arn(self) -> str:
        return (
            f"arn:aws:secretsmanager:{self.region}:{self.account}:secret:"
            f"events!connection/{self.name}/{self.uid}-{self.uid[-6:]}"
        )


@dataclass(slots=True)
class ApiDestination:
    id: int
    account: str
    region: str
    name: str
    uid: str
    description: str | None
    connection_arn: str
    endpoint: str
    method: str
    rate_limit: int
    created_at: int
    modified_at: int

    @property
    def arn(self) -> str:
        return resource_arn(self.region, self.account, "api-destination", f"{self.name}/{self.uid}")


def _connection(row: tuple[Any, ...] | None) -> Connection | None:
    if row is None:
        return None
    return Connection(
        row[0],
        row[1],
        row[2],
        row[3],
        row[4],
        row[5],
        row[6],
        json.loads(row[7]),
        json.loads(row[8]),
        row[9],
        row[10],
        row[11],
        row[12],
    )


def get_connection(tx: Tx, account: str, region: str, name: str) -> Connection | None:
    return _connection(
        tx.one(
            f"SELECT {_CONNECTION_COLUMNS} FROM events_connections WHERE account = ? AND region = ? AND name = ?",
            (account, region, name),
        )
    )


def insert_connection(tx: Tx, c: Connection) -> bool:
    row = tx.one(
        f"INSERT INTO events_connections ({_CONNECTION_COLUMNS.replace('id, ', '', 1)}) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
        "ON CONFLICT (account, region, name) DO NOTHING RETURNING id",
        (
            c.account,
            c.region,
            c.name,
            c.uid,
            c.description,
            c.auth_type,
            json.dumps(c.auth),
            json.dumps(c.extra),
            c.state,
            c.created_at,
            c.modified_at,
            c.authorized_at,
        ),
    )
    return row is not None


def save_connection(tx: Tx, c: Connection) -> None:
    tx.execute(
        "UPDATE events_connections SET description = ?, auth_type = ?, auth = ?, extra = ?, state = ?, "
        "modified_at = ?, authorized_at = ? WHERE id = ?",
        (
            c.description,
            c.auth_type,
            json.dumps(c.auth),
            json.dumps(c.extra),
            c.state,
            c.modified_at,
            c.authorized_at,
            c.id,
        ),
    )


def delete_connection(tx: Tx, c: Connection) -> None:
    tx.execute("DELETE FROM events_connections WHERE id = ?", (c.id,))


def list_connections(tx: Tx, account: str, region: str, after: str) -> list[Connection]:
    rows = tx.all(
        f"SELECT {_CONNECTION_COLUMNS} FROM events_connections "
        "WHERE account = ? AND region = ? AND name > ? ORDER BY name",
        (account, region, after),
    )
    return [c for c in (_connection(row) for row in rows) if c is not None]


def _destination(row: tuple[Any, ...] | None) -> ApiDestination | None:
    return ApiDestination(*row) if row else None


def get_destination(tx: Tx, account: str, region: str, name: str) -> ApiDestination | None:
    return _destination(
        tx.one(
            f"SELECT {_DESTINATION_COLUMNS} FROM events_api_destinations WHERE account = ? AND region = ? AND name = ?",
            (account, region, name),
        )
    )


def insert_destination(tx: Tx, d: ApiDestination) -> bool:
    row = tx.one(
        f"INSERT INTO events_api_destinations ({_DESTINATION_COLUMNS.replace('id, ', '', 1)}) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
        "ON CONFLICT (account, region, name) DO NOTHING RETURNING id",
        (
            d.account,
            d.region,
            d.name,
            d.uid,
            d.description,
            d.connection_arn,
            d.endpoint,
            d.method,
            d.rate_limit,
            d.created_at,
            d.modified_at,
        ),
    )
    return row is not None


def save_destination(tx: Tx, d: ApiDestination) -> None:
    tx.execute(
        "UPDATE events_api_destinations SET description = ?, connection_arn = ?, endpoint = ?, method = ?, "
        "rate_limit = ?, modified_at = ? WHERE id = ?",
        (d.description, d.connection_arn, d.endpoint, d.method, d.rate_limit, d.modified_at, d.id),
    )


def delete_destination(tx: Tx, d: ApiDestination) -> None:
    tx.execute("DELETE FROM events_api_destinations WHERE id = ?", (d.id,))


def list_destinations(tx: Tx, account: str, region: str, after: str) -> list[ApiDestination]:
    rows = tx.all(
        f"SELECT {_DESTINATION_COLUMNS} FROM events_api_destinations "
        "WHERE account = ? AND region = ? AND name > ? ORDER BY name",
        (account, region, after),
    )
    return [d for d in (_destination(row) for row in rows) if d is not None]


def destinations_using(tx: Tx, connection_arn: str) -> int:
    row = tx.one("SELECT COUNT(*) FROM events_api_destinations WHERE connection_arn = ?", (connection_arn,))
    return int(row[0]) if row else 0


# --- global endpoints --------------------------------------------------------------------------------


def get_endpoint(tx: Tx, account: str, region: str, name: str) -> dict[str, Any] | None:
    row = tx.one(
        "SELECT body FROM events_endpoints WHERE account = ? AND region = ? AND name = ?", (account, region, name)
    )
    return json.loads(row[0]) if row else None


def put_endpoint(tx: Tx, account: str, region: str, name: str, body: dict[str, Any], now: int, create: bool) -> bool:
    if create:
        row = tx.one(
            "INSERT INTO events_endpoints (account, region, name, body, created_at, modified_at) "
            "VALUES (?, ?, ?, ?, ?, ?) "
            "ON CONFLICT (account, region, name) DO NOTHING RETURNING id",
            (account, region, name, json.dumps(body), now, now),
        )
        return row is not None
    tx.execute(
        "UPDATE events_endpoints SET body = ?, modified_at = ? WHERE account = ? AND region = ? AND name = ?",
        (json.dumps(body), now, account, region, name),
    )
    return True


def delete_endpoint(tx: Tx, account: str, region: str, name: str) -> None:
    tx.execute("DELETE FROM events_endpoints WHERE account = ? AND region = ? AND name = ?", (account, region, name))


def list_endpoints(tx: Tx, account: str, region: str) -> list[dict[str, Any]]:
    return [
        json.loads(row[0])
        for row in tx.all(
            "SELECT body FROM events_endpoints WHERE account = ? AND region = ? ORDER BY name", (account, region)
        )
    ]
