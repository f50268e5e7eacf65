"""Cognito identity pools' SQL (portable, ? placeholders): pools, identities, the OpenID token signing key."""

from __future__ import annotations

import json
from typing import Any

from ...store.base import Tx


def _dump(doc: dict[str, Any]) -> str:
    return json.dumps(doc, separators=(",", ":"))


def insert_pool(tx: Tx, pool_id: str, account: str, region: str, now: float, doc: dict[str, Any]) -> None:
    tx.execute(
        "INSERT INTO cognito_identity_pools (id, account, region, name, created_at, doc) VALUES (?, ?, ?, ?, ?, ?)",
        (pool_id, account, region, doc["IdentityPoolName"], now, _dump(doc)),
    )


def get_pool(tx: Tx, pool_id: str) -> dict[str, Any] | None:
    row = tx.one("SELECT doc FROM cognito_identity_pools WHERE id = ?", (pool_id,))
    return None if row is None else json.loads(row[0])


def put_pool(tx: Tx, pool_id: str, doc: dict[str, Any]) -> None:
    tx.execute(
        "UPDATE cognito_identity_pools SET doc = ?, name = ? WHERE id = ?",
        (_dump(doc), doc["IdentityPoolName"], pool_id),
    )


def list_pools(tx: Tx, account: str, region: str) -> list[dict[str, Any]]:
    rows = tx.all(
        "SELECT doc FROM cognito_identity_pools WHERE account = ? AND region = ? ORDER BY id", (account, region)
    )
    return [json.loads(row[0]) for row in rows]


def delete_pool(tx: Tx, pool_id: str) -> None:
    tx.execute("DELETE FROM cognito_identities WHERE pool_id = ?", (pool_id,))
    tx.execute("DELETE FROM cognito_identity_pools WHERE id = ?", (pool_id,))


def identity_by_subject(tx: Tx, pool_id: str, subject: str) -> str | None:
    row = tx.one("SELECT id FROM cognito_identities WHERE pool_id = ? AND subject = ?", (pool_id, subject))
    return None if row is None else str(row[0])


def insert_identity(
    tx: Tx, identity_id: str, pool_id: str, subject: str | None, now: float, doc: dict[str, Any]
) -> None:
    tx.execute(
        "INSERT INTO cognito_identities (id, pool_id, subject, created_at, doc) VALUES (?, ?, ?, ?, ?)",
        (identity_id, pool_id, subject, now, _dump(doc)),
    )


def get_identity(tx: Tx, identity_id: str) -> tuple[str, dict[str, Any]] | None:
    row = tx.one("SELECT pool_id, doc FROM cognito_identities WHERE id = ?", (identity_id,))
    return None if row is None else (str(row[0]), json.loads(row[1]))


def put_identity(tx: Tx, identity_id: str, doc: dict[str, Any]) -> None:
    tx.execute("UPDATE cognito_identities SET doc = ? WHERE id = ?", (_dump(doc), identity_id))


def list_identities(tx: Tx, pool_id: str, after: str, limit: int) -> list[tuple[str, dict[str, Any]]]:
    rows = tx.all(
        "SELECT id, doc FROM cognito_identities WHERE pool_id = ? AND id > ? ORDER BY id LIMIT ?",
        (pool_id, after, limit),
    )
    return [(str(row[0]), json.loads(row[1])) for row in rows]


def delete_identity(tx: Tx, identity_id: str) -> bool:
    return bool(tx.execute("DELETE FROM cognito_identities WHERE id = ?", (identity_id,)).rowcount)


def signing_key(tx: Tx) -> tuple[str, str] | None:
    row = tx.one("SELECT kid, pem FROM cognito_identity_keys ORDER BY created_at DESC, kid LIMIT 1")
    return None if row is None else (str(row[0]), str(row[1]))


def insert_key(tx: Tx, kid: str, now: float, pem: str) -> None:
    if tx.one("SELECT 1 FROM cognito_identity_keys") is None:
        tx.execute("INSERT INTO cognito_identity_keys (kid, created_at, pem) VALUES (?, ?, ?)", (kid, now, pem))
