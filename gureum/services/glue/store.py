"""Glue Data Catalog SQL: every function runs inside one store transaction (``tx``). Inputs (DatabaseInput,
TableInput) are kept as JSON text; names are stored lower case (the caller lowers them, as Glue does)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from ...store.base import Tx


@dataclass(slots=True)
class Database:
    name: str
    input: dict[str, Any]
    tags: dict[str, str]
    created_at: int


@dataclass(slots=True)
class Table:
    database: str
    name: str
    version: int
    input: dict[str, Any]
    created_at: int
    updated_at: int


# --- databases ------------------------------------------------------------------------------------


def insert_database(tx: Tx, account: str, region: str, db: Database) -> bool:
    """False when the name is taken."""
    row = tx.one(
        "INSERT INTO glue_databases (account, region, name, input, tags, created_at) VALUES (?, ?, ?, ?, ?, ?) "
        "ON CONFLICT (account, region, name) DO NOTHING RETURNING id",
        (account, region, db.name, json.dumps(db.input), json.dumps(db.tags), db.created_at),
    )
    return row is not None


def get_database(tx: Tx, account: str, region: str, name: str) -> Database | None:
    row = tx.one(
        "SELECT name, input, tags, created_at FROM glue_databases WHERE account = ? AND region = ? AND name = ?",
        (account, region, name),
    )
    return None if row is None else Database(row[0], json.loads(row[1]), json.loads(row[2]), row[3])


def list_databases(tx: Tx, account: str, region: str, after: str | None, limit: int) -> list[Database]:
    sql = "SELECT name, input, tags, created_at FROM glue_databases WHERE account = ? AND region = ?"
    params: tuple[Any, ...] = (account, region)
    if after is not None:
        sql += " AND name > ?"
        params += (after,)
    rows = tx.all(sql + " ORDER BY name LIMIT ?", params + (limit,))
    return [Database(r[0], json.loads(r[1]), json.loads(r[2]), r[3]) for r in rows]


def update_database(tx: Tx, account: str, region: str, name: str, new_name: str, given: dict[str, Any]) -> None:
    tx.execute(
        "UPDATE glue_databases SET name = ?, input = ? WHERE account = ? AND region = ? AND name = ?",
        (new_name, json.dumps(given), account, region, name),
    )


def delete_database(tx: Tx, account: str, region: str, name: str) -> bool:
    """Delete a database and every table in it; False when there is none."""
    gone = tx.execute(
        "DELETE FROM glue_databases WHERE account = ? AND region = ? AND name = ?", (account, region, name)
    ).rowcount
    for table in ("glue_tables", "glue_table_versions"):
        tx.execute(
            f"DELETE FROM {table} WHERE account = ? AND region = ? AND database_name = ?", (account, region, name)
        )
    return bool(gone)


# --- tables ---------------------------------------------------------------------------------------

_TABLE_SELECT = (
    "SELECT t.database_name, t.name, t.version, v.input, t.created_at, v.updated_at FROM glue_tables t "
    "JOIN glue_table_versions v ON v.account = t.account AND v.region = t.region AND "
    "v.database_name = t.database_name AND v.name = t.name AND v.version = {version} "
    "WHERE t.account = ? AND t.region = ? AND t.database_name = ?"
)


def _table(row: Any) -> Table:
    return Table(row[0], row[1], int(row[2]), json.loads(row[3]), row[4], row[5])


def insert_table(tx: Tx, account: str, region: str, database: str, name: str, given: dict[str, Any], now: int) -> bool:
    """A new table at version 0; False when the name is taken."""
    row = tx.one(
        "INSERT INTO glue_tables (account, region, database_name, name, version, created_at) VALUES (?, ?, ?, ?, 0, ?) "
        "ON CONFLICT (account, region, database_name, name) DO NOTHING RETURNING id",
        (account, region, database, name, now),
    )
    if row is None:
        return False
    _add_version(tx, account, region, database, name, 0, given, now)
    return True


def _add_version(
    tx: Tx, account: str, region: str, database: str, name: str, version: int, given: dict[str, Any], now: int
) -> None:
    tx.execute(
        "INSERT INTO glue_table_versions (account, region, database_name, name, version, input, updated_at) "
        "VALUES (?, ?, ?, ?, ?, ?, ?)",
        (account, region, database, name, version, json.dumps(given), now),
    )


def get_table(tx: Tx, account: str, region: str, database: str, name: str, version: int | None = None) -> Table | None:
    """The table's current version, or the version given."""
    sql = _TABLE_SELECT.format(version="t.version" if version is None else "?") + " AND t.name = ?"
    params: tuple[Any, ...] = (account, region, database, name)
    if version is not None:
        params = (version,) + params
    row = tx.one(sql, params)
    return None if row is None else _table(row)


def list_tables(tx: Tx, account: str, region: str, database: str) -> list[Table]:
    rows = tx.all(_TABLE_SELECT.format(version="t.version") + " ORDER BY t.name", (account, region, database))
    return [_table(r) for r in rows]


def update_table(
    tx: Tx, account: str, region: str, database: str, name: str, version: int, given: dict[str, Any], now: int,
    archive: bool,
) -> None:  # fmt: skip
    """Make ``given`` the table's current version ``version`` (the previous one kept unless not ``archive``)."""
    if not archive:
        tx.execute(
            "DELETE FROM glue_table_versions WHERE account = ? AND region = ? AND database_name = ? AND name = ? "
            "AND version = ?",
            (account, region, database, name, version - 1),
        )
    _add_version(tx, account, region, database, name, version, given, now)
    tx.execute(
        "UPDATE glue_tables SET version = ? WHERE account = ? AND region = ? AND database_name = ? AND name = ?",
        (version, account, region, database, name),
    )


def delete_table(tx: Tx, account: str, region: str, database: str, name: str) -> bool:
    gone = tx.execute(
        "DELETE FROM glue_tables WHERE account = ? AND region = ? AND database_name = ? AND name = ?",
        (account, region, database, name),
    ).rowcount
    tx.execute(
        "DELETE FROM glue_table_versions WHERE account = ? AND region = ? AND database_name = ? AND name = ?",
        (account, region, database, name),
    )
    return bool(gone)
