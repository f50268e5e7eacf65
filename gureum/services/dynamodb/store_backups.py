"""DynamoDB's SQL for backups and point-in-time recovery: backup rows and their copied items, the PITR change log
(one image per item change while a table has PITR enabled), restores that copy either into a table's item rows,
and the log's folding past the recovery window. Every function runs inside one store transaction (``tx``)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from ...store.base import Tx

BackupRow = tuple[int, str, str, str, str, str, float, str, int, int]
_COLUMNS = "id, account, region, arn, name, table_name, created_at, spec, size, items"


def _row(row: Sequence[Any]) -> BackupRow:
    return (int(row[0]), row[1], row[2], row[3], row[4], row[5], float(row[6]), row[7], int(row[8]), int(row[9]))


# --- backups -----------------------------------------------------------------------------------------------------


def insert_backup(
    tx: Tx, account: str, region: str, arn: str, name: str, table_name: str, now: float, spec: str, table_id: int
) -> tuple[int, int]:
    """A backup of a table's items as they are in this transaction: (its size in bytes, its item count)."""
    row = tx.one(
        "INSERT INTO dynamodb_backups (account, region, arn, name, table_name, created_at, spec, size, items) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, 0, 0) RETURNING id",
        (account, region, arn, name, table_name, now, spec),
    )
    assert row is not None
    backup_id = int(row[0])
    tx.execute(
        "INSERT INTO dynamodb_backup_items (backup_id, pk, sk, item, size) SELECT ?, pk, sk, item, size "
        "FROM dynamodb_items WHERE table_id = ? AND index_id = 0",
        (backup_id, table_id),
    )
    totals = tx.one(
        "SELECT COUNT(*), COALESCE(SUM(size), 0) FROM dynamodb_backup_items WHERE backup_id = ?", (backup_id,)
    )
    assert totals is not None
    size, count = int(totals[1]), int(totals[0])
    tx.execute("UPDATE dynamodb_backups SET size = ?, items = ? WHERE id = ?", (size, count, backup_id))
    return size, count


def get_backup(tx: Tx, arn: str) -> BackupRow | None:
    row = tx.one(f"SELECT {_COLUMNS} FROM dynamodb_backups WHERE arn = ?", (arn,))
    return _row(row) if row is not None else None


def list_backups(
    tx: Tx, account: str, region: str, table_name: str | None, low: float | None, high: float | None
) -> list[BackupRow]:
    sql = f"SELECT {_COLUMNS} FROM dynamodb_backups WHERE account = ? AND region = ?"
    params: list[Any] = [account, region]
    if table_name is not None:
        sql += " AND table_name = ?"
        params.append(table_name)
    if low is not None:
        sql += " AND created_at >= ?"
        params.append(low)
    if high is not None:
        sql += " AND created_at < ?"
        params.append(high)
    return [_row(r) for r in tx.all(sql + " ORDER BY created_at, id", params)]


def delete_backup(tx: Tx, backup_id: int) -> None:
    tx.execute("DELETE FROM dynamodb_backup_items WHERE backup_id = ?", (backup_id,))
    tx.execute("DELETE FROM dynamodb_backups WHERE id = ?", (backup_id,))


def restore_backup(tx: Tx, backup_id: int, table_id: int) -> None:
    """Copy a backup's items into a (new, empty) table's rows."""
    tx.execute(
        "INSERT INTO dynamodb_items (table_id, index_id, pk, sk, item, size, expires) "
        "SELECT ?, 0, pk, sk, item, size, NULL FROM dynamodb_backup_items WHERE backup_id = ?",
        (table_id, backup_id),
    )


# --- point-in-time recovery --------------------------------------------------------------------------------------


def log_change(tx: Tx, table_id: int, at: float, pk: bytes, sk: bytes, item: str | None, size: int) -> None:
    tx.execute(
        "INSERT INTO dynamodb_pitr_log (table_id, at, pk, sk, item, size) VALUES (?, ?, ?, ?, ?, ?)",
        (table_id, at, pk, sk, item, size),
    )


def log_snapshot(tx: Tx, table_id: int, at: float) -> None:
    """Start a table's log with an image of every item it holds now."""
    tx.execute(
        "INSERT INTO dynamodb_pitr_log (table_id, at, pk, sk, item, size) SELECT table_id, ?, pk, sk, item, size "
        "FROM dynamodb_items WHERE table_id = ? AND index_id = 0",
        (at, table_id),
    )


def drop_log(tx: Tx, table_id: int) -> None:
    tx.execute("DELETE FROM dynamodb_pitr_log WHERE table_id = ?", (table_id,))


def restore_log(tx: Tx, source_id: int, at: float, table_id: int) -> None:
    """Copy into a new table every item the source held at ``at``: each key's latest image at or before it."""
    tx.execute(
        "INSERT INTO dynamodb_items (table_id, index_id, pk, sk, item, size, expires) "
        "SELECT ?, 0, l.pk, l.sk, l.item, l.size, NULL FROM dynamodb_pitr_log l WHERE l.table_id = ? "
        "AND l.item IS NOT NULL AND l.id = (SELECT MAX(n.id) FROM dynamodb_pitr_log n WHERE n.table_id = l.table_id "
        "AND n.pk = l.pk AND n.sk = l.sk AND n.at <= ?)",
        (table_id, source_id, at),
    )


def fold_log(tx: Tx, table_id: int, before: float) -> int:
    """Keep, of the images older than ``before``, only each key's latest (and no deletion): the state at
    ``before`` stays restorable, nothing older is. How many images went."""
    gone = tx.all(
        "DELETE FROM dynamodb_pitr_log WHERE table_id = ? AND at < ? AND EXISTS (SELECT 1 FROM dynamodb_pitr_log n "
        "WHERE n.table_id = dynamodb_pitr_log.table_id AND n.pk = dynamodb_pitr_log.pk AND n.sk = dynamodb_pitr_log.sk "
        "AND n.at <= ? AND n.id > dynamodb_pitr_log.id) RETURNING id",
        (table_id, before, before),
    )
    tombstones = tx.all(
        "DELETE FROM dynamodb_pitr_log WHERE table_id = ? AND at < ? AND item IS NULL RETURNING id", (table_id, before)
    )
    return len(gone) + len(tombstones)


def log_tables(tx: Tx) -> list[tuple[int, str, str, str, float, str]]:
    """Every table row (id, account, region, name, created_at, spec), for the sweep to pick those with PITR."""
    rows = tx.all("SELECT id, account, region, name, created_at, spec FROM dynamodb_tables ORDER BY id")
    return [(int(r[0]), r[1], r[2], r[3], float(r[4]), r[5]) for r in rows]
