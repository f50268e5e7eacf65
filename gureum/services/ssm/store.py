"""Parameter Store's SQL: every function runs inside one store transaction (``tx``)."""

from __future__ import annotations

import json
from typing import Any

from ...store.base import Tx
from .parameters import Version

_VERSION = "SELECT name, version, doc, value, labels FROM ssm_versions"


def _version(row: tuple[Any, ...]) -> Version:
    return Version.from_row(row[0], int(row[1]), json.loads(row[2]), row[3], json.loads(row[4]))


def lock(tx: Tx, account: str, region: str, name: str) -> None:
    """Take turns with other writers of this parameter (its versions, labels and tags are read, then changed)."""
    tx.lock("ssm", account, region, name)


def current(tx: Tx, account: str, region: str, name: str) -> tuple[int, dict[str, str]] | None:
    """(current version, tags) of a parameter, if it exists."""
    row = tx.one(
        "SELECT version, tags FROM ssm_parameters WHERE account = ? AND region = ? AND name = ?",
        (account, region, name),
    )
    return (int(row[0]), json.loads(row[1])) if row else None


def versions(tx: Tx, account: str, region: str, name: str) -> list[Version]:
    """Every version kept, oldest first."""
    rows = tx.all(f"{_VERSION} WHERE account = ? AND region = ? AND name = ? ORDER BY version", (account, region, name))
    return [_version(r) for r in rows]


def latest(tx: Tx, account: str, region: str, names: list[str]) -> dict[str, Version]:
    """The current versions of the parameters named (those that exist)."""
    if not names:
        return {}
    marks = ", ".join("?" for _ in names)
    rows = tx.all(
        "SELECT v.name, v.version, v.doc, v.value, v.labels FROM ssm_parameters p JOIN ssm_versions v "
        "ON v.account = p.account AND v.region = p.region AND v.name = p.name AND v.version = p.version "
        f"WHERE p.account = ? AND p.region = ? AND p.name IN ({marks})",
        (account, region, *names),
    )
    return {r[0]: _version(r) for r in rows}


def page(
    tx: Tx, account: str, region: str, after: str | None, prefix: str | None, limit: int
) -> list[tuple[Version, dict[str, str]]]:
    """Up to ``limit`` current versions (with tags) by name after ``after``, only names starting ``prefix``."""
    sql = (
        "SELECT v.name, v.version, v.doc, v.value, v.labels, p.tags FROM ssm_parameters p JOIN ssm_versions v "
        "ON v.account = p.account AND v.region = p.region AND v.name = p.name AND v.version = p.version "
        "WHERE p.account = ? AND p.region = ?"
    )
    params: list[Any] = [account, region]
    if after is not None:
        sql += " AND p.name > ?"
        params.append(after)
    if prefix:
        sql += " AND p.name >= ? AND p.name < ?"  # a range the (account, region, name) index serves
        params += [prefix, prefix[:-1] + chr(ord(prefix[-1]) + 1)]
    sql += " ORDER BY p.name LIMIT ?"
    params.append(limit)
    return [(_version(r), json.loads(r[5])) for r in tx.all(sql, params)]


def count(tx: Tx, account: str, region: str, tier: str) -> int:
    row = tx.one(
        "SELECT COUNT(*) FROM ssm_parameters WHERE account = ? AND region = ? AND tier = ?", (account, region, tier)
    )
    return int(row[0]) if row else 0


def add_version(tx: Tx, account: str, region: str, version: Version, tags: dict[str, str] | None) -> None:
    """Store a new version and make it current (``tags`` for a new parameter, None to keep the parameter's)."""
    tx.execute(
        "INSERT INTO ssm_versions (account, region, name, version, doc, value, labels) VALUES (?, ?, ?, ?, ?, ?, ?)",
        (account, region, version.name, version.version, json.dumps(version.doc()), version.value, "[]"),
    )
    if tags is not None:
        tx.execute(
            "INSERT INTO ssm_parameters (account, region, name, version, tier, tags) VALUES (?, ?, ?, ?, ?, ?)",
            (account, region, version.name, version.version, version.tier, json.dumps(tags)),
        )
    else:
        tx.execute(
            "UPDATE ssm_parameters SET version = ?, tier = ? WHERE account = ? AND region = ? AND name = ?",
            (version.version, version.tier, account, region, version.name),
        )


def drop_version(tx: Tx, account: str, region: str, name: str, version: int) -> None:
    tx.execute(
        "DELETE FROM ssm_versions WHERE account = ? AND region = ? AND name = ? AND version = ?",
        (account, region, name, version),
    )


def set_labels(tx: Tx, account: str, region: str, name: str, version: int, labels: list[str]) -> None:
    tx.execute(
        "UPDATE ssm_versions SET labels = ? WHERE account = ? AND region = ? AND name = ? AND version = ?",
        (json.dumps(labels), account, region, name, version),
    )


def set_tags(tx: Tx, account: str, region: str, name: str, tags: dict[str, str]) -> None:
    tx.execute(
        "UPDATE ssm_parameters SET tags = ? WHERE account = ? AND region = ? AND name = ?",
        (json.dumps(tags), account, region, name),
    )


def delete(tx: Tx, account: str, region: str, name: str) -> bool:
    """Remove a parameter and all its versions; False when there was none."""
    gone = tx.execute(
        "DELETE FROM ssm_parameters WHERE account = ? AND region = ? AND name = ?", (account, region, name)
    )
    tx.execute("DELETE FROM ssm_versions WHERE account = ? AND region = ? AND name = ?", (account, region, name))
    return bool(gone.rowcount)


def key(tx: Tx, account: str, region: str, key_id: str) -> str | None:
    row = tx.one(
        "SELECT secret FROM ssm_keys WHERE account = ? AND region = ? AND key_id = ?", (account, region, key_id)
    )
    return str(row[0]) if row else None


def add_key(tx: Tx, account: str, region: str, key_id: str, secret: str) -> str:
    """Keep ``secret`` as the key's unless another writer kept one first; the key's secret either way."""
    found = key(tx, account, region, key_id)
    if found is not None:
        return found
    tx.execute(
        "INSERT INTO ssm_keys (account, region, key_id, secret) VALUES (?, ?, ?, ?)", (account, region, key_id, secret)
    )
    return secret
