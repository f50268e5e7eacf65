"""DynamoDB's SQL for exports to and imports from S3: the job rows (their AWS description as JSON), and the reads
of the point-in-time log an export is made from (each key's image at the export time; each key changed in an
incremental export's period [from, to) with its images). Every function runs inside one store transaction (``tx``)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from ...store.base import Tx

JobRow = tuple[int, str, str, str, str, str, str | None, str, float, str]
_COLUMNS = "id, account, region, arn, table_arn, status, client_token, digest, created_at, doc"
_TABLES = {"export": "dynamodb_exports", "import": "dynamodb_imports"}


def _row(row: Sequence[Any]) -> JobRow:
    return (int(row[0]), row[1], row[2], row[3], row[4], row[5], row[6], row[7], float(row[8]), row[9])


def insert_job(
    tx: Tx,
    kind: str,
    account: str,
    region: str,
    arn: str,
    table_arn: str,
    client_token: str | None,
    digest: str,
    now: float,
    doc: str,
) -> None:
    tx.execute(
        f"INSERT INTO {_TABLES[kind]} (account, region, arn, table_arn, status, client_token, digest, created_at, "
        "doc) VALUES (?, ?, ?, ?, 'IN_PROGRESS', ?, ?, ?, ?)",
        (account, region, arn, table_arn, client_token, digest, now, doc),
    )


def get_job(tx: Tx, kind: str, arn: str) -> JobRow | None:
    row = tx.one(f"SELECT {_COLUMNS} FROM {_TABLES[kind]} WHERE arn = ?", (arn,))
    return _row(row) if row is not None else None


def job_by_token(tx: Tx, kind: str, account: str, region: str, token: str, since: float) -> JobRow | None:
    row = tx.one(
        f"SELECT {_COLUMNS} FROM {_TABLES[kind]} WHERE account = ? AND region = ? AND client_token = ? "
        "AND created_at >= ? ORDER BY id DESC LIMIT 1",
        (account, region, token, since),
    )
    return _row(row) if row is not None else None


def save_job(tx: Tx, kind: str, arn: str, status: str, doc: str) -> None:
    tx.execute(f"UPDATE {_TABLES[kind]} SET status = ?, doc = ? WHERE arn = ?", (status, doc, arn))


def list_jobs(
    tx: Tx, kind: str, account: str, region: str, table_arn: str | None, after_id: int, limit: int
) -> list[JobRow]:
    sql = f"SELECT {_COLUMNS} FROM {_TABLES[kind]} WHERE account = ? AND region = ? AND id > ?"
    params: list[Any] = [account, region, after_id]
    if table_arn is not None:
        sql += " AND table_arn = ?"
        params.append(table_arn)
    return [_row(r) for r in tx.all(sql + " ORDER BY id LIMIT ?", [*params, limit])]


def pending_jobs(tx: Tx, kind: str) -> list[JobRow]:
    return [_row(r) for r in tx.all(f"SELECT {_COLUMNS} FROM {_TABLES[kind]} WHERE status = 'IN_PROGRESS' "
                                    "ORDER BY id")]  # fmt: skip


def running(tx: Tx, kind: str, account: str, region: str) -> int:
    row = tx.one(
        f"SELECT COUNT(*) FROM {_TABLES[kind]} WHERE account = ? AND region = ? AND status = 'IN_PROGRESS'",
        (account, region),
    )
    return int(row[0]) if row is not None else 0


# --- the point-in-time log, read for exports ----------------------------------------------------------------------


def images_at(
    tx: Tx, table_id: int, at: float, after: tuple[bytes, bytes] | None, limit: int
) -> list[tuple[bytes, bytes, str | None]]:
    """Each key's latest image at or before ``at`` (None: deleted then), in key order after ``after``."""
    sql = (
        "SELECT l.pk, l.sk, l.item FROM dynamodb_pitr_log l WHERE l.table_id = ? AND l.at <= ? AND l.id = "
        "(SELECT MAX(n.id) FROM dynamodb_pitr_log n WHERE n.table_id = l.table_id AND n.pk = l.pk AND n.sk = l.sk "
        "AND n.at <= ?)"
    )
    params: list[Any] = [table_id, at, at]
    if after is not None:
        sql += " AND (l.pk > ? OR (l.pk = ? AND l.sk > ?))"
        params += [after[0], after[0], after[1]]
    rows = tx.all(sql + " ORDER BY l.pk, l.sk LIMIT ?", [*params, limit])
    return [(bytes(r[0]), bytes(r[1]), r[2]) for r in rows]


def changed_keys(
    tx: Tx, table_id: int, low: float, high: float, after: tuple[bytes, bytes] | None, limit: int
) -> list[tuple[bytes, bytes]]:
    """The keys with a change in [low, high), in key order after ``after``."""
    sql = "SELECT DISTINCT pk, sk FROM dynamodb_pitr_log WHERE table_id = ? AND at >= ? AND at < ?"
    params: list[Any] = [table_id, low, high]
    if after is not None:
        sql += " AND (pk > ? OR (pk = ? AND sk > ?))"
        params += [after[0], after[0], after[1]]
    rows = tx.all(sql + " ORDER BY pk, sk LIMIT ?", [*params, limit])
    return [(bytes(r[0]), bytes(r[1])) for r in rows]


def key_history(tx: Tx, table_id: int, pk: bytes, sk: bytes, high: float) -> list[tuple[float, str | None]]:
    """Every image of one key before ``high``, oldest first."""
    rows = tx.all(
        "SELECT at, item FROM dynamodb_pitr_log WHERE table_id = ? AND pk = ? AND sk = ? AND at < ? ORDER BY id",
        (table_id, pk, sk, high),
    )
    return [(float(r[0]), r[1]) for r in rows]
