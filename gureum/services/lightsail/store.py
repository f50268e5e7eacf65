"""Lightsail's SQL: resources as JSON documents by (account, region, kind, name), and operation records. Every
function runs inside one store transaction (``tx``) on the store's thread."""

from __future__ import annotations

import json
from typing import Any

from ...store.base import Tx


def get(tx: Tx, account: str, region: str, kind: str, name: str) -> dict[str, Any] | None:
    row = tx.one(
        "SELECT body FROM lightsail_resources WHERE account = ? AND region = ? AND kind = ? AND name = ?",
        (account, region, kind, name),
    )
    return json.loads(row[0]) if row else None


def listed(tx: Tx, account: str, region: str, kind: str) -> list[dict[str, Any]]:
    rows = tx.all(
        "SELECT body FROM lightsail_resources WHERE account = ? AND region = ? AND kind = ? ORDER BY created_at, name",
        (account, region, kind),
    )
    return [json.loads(row[0]) for row in rows]


def every(tx: Tx, kind: str) -> list[tuple[str, str, dict[str, Any]]]:
    """Every account's and region's resources of one kind: (account, region, body)."""
    rows = tx.all("SELECT account, region, body FROM lightsail_resources WHERE kind = ? ORDER BY created_at", (kind,))
    return [(row[0], row[1], json.loads(row[2])) for row in rows]


def named(tx: Tx, account: str, region: str, name: str) -> list[tuple[str, dict[str, Any]]]:
    """Resources of any kind called ``name``: (kind, body)."""
    rows = tx.all(
        "SELECT kind, body FROM lightsail_resources WHERE account = ? AND region = ? AND name = ?",
        (account, region, name),
    )
    return [(row[0], json.loads(row[1])) for row in rows]


def insert(tx: Tx, account: str, region: str, kind: str, name: str, created_at: float, body: dict[str, Any]) -> bool:
    """A new resource; False when one of that kind and name exists."""
    if get(tx, account, region, kind, name) is not None:
        return False
    tx.execute(
        "INSERT INTO lightsail_resources (account, region, kind, name, created_at, body) VALUES (?, ?, ?, ?, ?, ?)",
        (account, region, kind, name, created_at, json.dumps(body)),
    )
    return True


def update(tx: Tx, account: str, region: str, kind: str, name: str, body: dict[str, Any]) -> None:
    tx.execute(
        "UPDATE lightsail_resources SET body = ? WHERE account = ? AND region = ? AND kind = ? AND name = ?",
        (json.dumps(body), account, region, kind, name),
    )


def delete(tx: Tx, account: str, region: str, kind: str, name: str) -> None:
    tx.execute(
        "DELETE FROM lightsail_resources WHERE account = ? AND region = ? AND kind = ? AND name = ?",
        (account, region, kind, name),
    )


def used_addresses(tx: Tx) -> set[str]:
    """Every public address instances, static IPs and load balancers hold, in every account (loopback addresses
    are the host's)."""
    found: set[str] = set()
    for kind, key in (("Instance", "publicIp"), ("StaticIp", "ipAddress"), ("LoadBalancer", "address")):
        for _, _, body in every(tx, kind):
            if body.get(key):
                found.add(str(body[key]))
    return found


# --- operations -----------------------------------------------------------------------------------------------


def put_operation(tx: Tx, account: str, region: str, body: dict[str, Any]) -> None:
    row = tx.one("SELECT id FROM lightsail_operations WHERE id = ?", (body["id"],))
    if row is None:
        tx.execute(
            "INSERT INTO lightsail_operations (id, account, region, resource, created_at, body) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            (body["id"], account, region, body["resourceName"], body["createdAt"], json.dumps(body)),
        )
    else:
        tx.execute("UPDATE lightsail_operations SET body = ? WHERE id = ?", (json.dumps(body), body["id"]))


def operation(tx: Tx, account: str, region: str, operation_id: str) -> dict[str, Any] | None:
    row = tx.one(
        "SELECT body FROM lightsail_operations WHERE id = ? AND account = ? AND region = ?",
        (operation_id, account, region),
    )
    return json.loads(row[0]) if row else None


def operations(tx: Tx, account: str, region: str, resource: str | None) -> list[dict[str, Any]]:
    """Newest first."""
    if resource is None:
        rows = tx.all(
            "SELECT body FROM lightsail_operations WHERE account = ? AND region = ? ORDER BY created_at DESC, id",
            (account, region),
        )
    else:
        rows = tx.all(
            "SELECT body FROM lightsail_operations WHERE account = ? AND region = ? AND resource = ? "
            "ORDER BY created_at DESC, id",
            (account, region, resource),
        )
    return [json.loads(row[0]) for row in rows]
