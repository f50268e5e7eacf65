"""Firehose's SQL: delivery streams, buffered records, Kinesis source checkpoints and the objects flushes wrote.
Every function runs inside one store transaction (``tx``) on the store's thread."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from ...store.base import Tx
from .streams import DeliveryStream

CHANNEL = "firehose"  # records were accepted (payload: the stream id), or a stream changed ("*")
TAP_RETENTION = 24 * 3600.0  # seconds the tap keeps a record nobody released
_TAP_SWEEP = 1000  # the tap drops records past TAP_RETENTION each time this many more were kept
_COLUMNS = (
    "id, account, region, name, kind, status, version, created_at, updated_at, source, destination, encryption, "
    "tags, failure"
)


def _stream(row: tuple[Any, ...] | None) -> DeliveryStream | None:
    if row is None:
        return None
    return DeliveryStream(
        int(row[0]), row[1], row[2], row[3], row[4], row[5], int(row[6]), float(row[7]), float(row[8]),
        json.loads(row[9]), json.loads(row[10]), json.loads(row[11]), json.loads(row[12]),
        json.loads(row[13]) if row[13] else None,
    )  # fmt: skip


def get_stream(tx: Tx, account: str, region: str, name: str) -> DeliveryStream | None:
    return _stream(
        tx.one(f"SELECT {_COLUMNS} FROM firehose_streams WHERE account = ? AND region = ? AND name = ?",
               (account, region, name))
    )  # fmt: skip


def get_stream_by_id(tx: Tx, stream_id: int) -> DeliveryStream | None:
    return _stream(tx.one(f"SELECT {_COLUMNS} FROM firehose_streams WHERE id = ?", (stream_id,)))


def all_streams(tx: Tx) -> list[DeliveryStream]:
    return [s for s in (_stream(r) for r in tx.all(f"SELECT {_COLUMNS} FROM firehose_streams ORDER BY id")) if s]


def count_streams(tx: Tx, account: str, region: str) -> int:
    row = tx.one("SELECT COUNT(*) FROM firehose_streams WHERE account = ? AND region = ?", (account, region))
    return int(row[0]) if row else 0


def list_names(tx: Tx, account: str, region: str, kind: str | None, after: str | None, limit: int) -> list[str]:
    sql = "SELECT name FROM firehose_streams WHERE account = ? AND region = ?"
    params: list[Any] = [account, region]
    if kind:
        sql += " AND kind = ?"
        params.append(kind)
    if after:
        sql += " AND name > ?"
        params.append(after)
    sql += " ORDER BY name LIMIT ?"
    params.append(limit)
    return [r[0] for r in tx.all(sql, params)]


def insert_stream(tx: Tx, s: DeliveryStream) -> int | None:
    """The new stream's id; None when the name is taken."""
    row = tx.one(
        "INSERT INTO firehose_streams (account, region, name, kind, status, version, created_at, updated_at, source,"
        " destination, encryption, tags, failure) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
        " ON CONFLICT (account, region, name) DO NOTHING RETURNING id",
        (s.account, s.region, s.name, s.kind, s.status, s.version, s.created_at, s.updated_at,
         json.dumps(s.source), json.dumps(s.destination), json.dumps(s.encryption), json.dumps(s.tags),
         json.dumps(s.failure) if s.failure else None),
    )  # fmt: skip
    tx.notify(CHANNEL, "*")
    return None if row is None else int(row[0])


def save_stream(tx: Tx, s: DeliveryStream) -> None:
    tx.execute(
        "UPDATE firehose_streams SET status = ?, version = ?, updated_at = ?, destination = ?, encryption = ?,"
        " tags = ?, failure = ? WHERE id = ?",
        (s.status, s.version, s.updated_at, json.dumps(s.destination), json.dumps(s.encryption), json.dumps(s.tags),
         json.dumps(s.failure) if s.failure else None, s.id),
    )  # fmt: skip
    tx.notify(CHANNEL, "*")


def set_failure(tx: Tx, stream_id: int, failure: dict[str, Any] | None) -> None:
    tx.execute(
        "UPDATE firehose_streams SET failure = ? WHERE id = ?", (json.dumps(failure) if failure else None, stream_id)
    )


def delete_stream(tx: Tx, stream_id: int) -> None:
    for table in (
        "firehose_records", "firehose_checkpoints", "firehose_objects", "firehose_tap_subscribers",
        "firehose_tap_records",
    ):  # fmt: skip
        tx.execute(f"DELETE FROM {table} WHERE stream_id = ?", (stream_id,))
    tx.execute("DELETE FROM firehose_streams WHERE id = ?", (stream_id,))
    tx.notify(CHANNEL, "*")


# --- buffered records ------------------------------------------------------------------------------------------


def add_records(tx: Tx, stream_id: int, rows: Sequence[tuple[str, float, bytes, str | None]]) -> None:
    """Accept records: (record id, arrival, data, metadata JSON)."""
    tx.executemany(
        "INSERT INTO firehose_records (stream_id, record_id, arrived_at, size, data, meta) VALUES (?, ?, ?, ?, ?, ?)",
        [(stream_id, rid, at, len(data), data, meta) for rid, at, data, meta in rows],
    )
    tapped = tx.one(
        "UPDATE firehose_streams SET buffered = buffered + ?, tap_seq = tap_seq + tapped * ? WHERE id = ?"
        " RETURNING tapped, tap_seq",
        (sum(len(r[2]) for r in rows), len(rows), stream_id),
    )
    if tapped is not None and tapped[0]:
        first = int(tapped[1]) - len(rows) + 1
        tx.executemany(
            "INSERT INTO firehose_tap_records (stream_id, seq, arrived_at, data) VALUES (?, ?, ?, ?)",
            [(stream_id, first + i, at, data) for i, (_rid, at, data, _meta) in enumerate(rows)],
        )
        if (first - 1) // _TAP_SWEEP != int(tapped[1]) // _TAP_SWEEP:
            tx.execute(
                "DELETE FROM firehose_tap_records WHERE stream_id = ? AND arrived_at < ?",
                (stream_id, rows[0][1] - TAP_RETENTION),
            )
    tx.notify(CHANNEL, str(stream_id))


def backlog(tx: Tx, stream_id: int) -> int:
    row = tx.one("SELECT buffered FROM firehose_streams WHERE id = ?", (stream_id,))
    return int(row[0]) if row else 0


def buffers(tx: Tx) -> list[tuple[int, int, float]]:
    """(stream id, buffered bytes, oldest arrival) of every stream holding records."""
    out = []
    for stream_id, size in tx.all("SELECT id, buffered FROM firehose_streams WHERE buffered > 0"):
        row = tx.one("SELECT arrived_at FROM firehose_records WHERE stream_id = ? ORDER BY id LIMIT 1", (stream_id,))
        if row is not None:
            out.append((int(stream_id), int(size), float(row[0])))
    return out


def take(tx: Tx, stream_id: int, max_bytes: int) -> list[tuple[int, str, float, bytes, str | None]]:
    """The oldest records up to ``max_bytes`` (at least one): (row id, record id, arrival, data, metadata)."""
    chosen: list[int] = []
    total, after = 0, -1
    while total < max_bytes:
        rows = tx.all(
            "SELECT id, size FROM firehose_records WHERE stream_id = ? AND id > ? ORDER BY id LIMIT 1000",
            (stream_id, after),
        )
        if not rows:
            break
        for row_id, size in rows:
            if chosen and total + int(size) > max_bytes:
                total = max_bytes
                break
            chosen.append(int(row_id))
            total += int(size)
        after = int(rows[-1][0])
    out: list[tuple[int, str, float, bytes, str | None]] = []
    for start in range(0, len(chosen), 500):
        ids = chosen[start : start + 500]
        marks = ", ".join("?" * len(ids))
        rows = tx.all(
            f"SELECT id, record_id, arrived_at, data, meta FROM firehose_records WHERE id IN ({marks}) ORDER BY id",
            ids,
        )
        out += [(int(r[0]), r[1], float(r[2]), bytes(r[3]), r[4]) for r in rows]
    return out


def finish_flush(
    tx: Tx, stream_id: int, taken: list[tuple[int, int]], objects: list[tuple[str, str, int, int]], at: float
) -> None:
    """A flush's end, in one transaction: its records ((row id, size)) removed and the objects it wrote recorded
    ((bucket, key, records, bytes)); the stream's last 1,000 objects are kept."""
    if tx.one("SELECT id FROM firehose_streams WHERE id = ?", (stream_id,)) is None:
        return  # deleted while the flush ran
    removed = 0
    for start in range(0, len(taken), 500):
        ids = [row_id for row_id, _ in taken[start : start + 500]]
        marks = ", ".join("?" * len(ids))
        rows = tx.all(
            f"DELETE FROM firehose_records WHERE stream_id = ? AND id IN ({marks}) RETURNING size", [stream_id, *ids]
        )
        removed += sum(int(r[0]) for r in rows)
    tx.executemany(
        "INSERT INTO firehose_objects (stream_id, bucket, object_key, records, bytes, written_at)"
        " VALUES (?, ?, ?, ?, ?, ?)",
        [(stream_id, bucket, key, n, size, at) for bucket, key, n, size in objects],
    )
    tx.execute("UPDATE firehose_streams SET failure = NULL, buffered = buffered - ? WHERE id = ?", (removed, stream_id))
    newest = tx.one("SELECT MAX(id) FROM firehose_objects WHERE stream_id = ?", (stream_id,))
    if newest is not None and newest[0] is not None:
        tx.execute("DELETE FROM firehose_objects WHERE stream_id = ? AND id <= ?", (stream_id, int(newest[0]) - 1000))


def drop_older(tx: Tx, stream_id: int, before: float) -> None:
    """Records past the retry window are given up (AWS keeps undeliverable S3 data for a day)."""
    rows = tx.all(
        "DELETE FROM firehose_records WHERE stream_id = ? AND arrived_at < ? RETURNING size", (stream_id, before)
    )
    if rows:
        dropped = sum(int(r[0]) for r in rows)
        tx.execute("UPDATE firehose_streams SET buffered = buffered - ? WHERE id = ?", (dropped, stream_id))


# --- Kinesis source checkpoints ----------------------------------------------------------------------------------


def checkpoints(tx: Tx, stream_id: int) -> dict[str, tuple[str, bool]]:
    rows = tx.all("SELECT shard_id, sequence, finished FROM firehose_checkpoints WHERE stream_id = ?", (stream_id,))
    return {r[0]: (r[1], bool(r[2])) for r in rows}


def save_checkpoint(tx: Tx, stream_id: int, shard_id: str, sequence: str, finished: bool) -> None:
    tx.execute(
        "INSERT INTO firehose_checkpoints (stream_id, shard_id, sequence, finished) VALUES (?, ?, ?, ?)"
        " ON CONFLICT (stream_id, shard_id) DO UPDATE SET sequence = excluded.sequence, finished = excluded.finished",
        (stream_id, shard_id, sequence, int(finished)),
    )


def objects(tx: Tx, stream_id: int) -> list[tuple[str, str, int, int]]:
    rows = tx.all(
        "SELECT bucket, object_key, records, bytes FROM firehose_objects WHERE stream_id = ? ORDER BY id", (stream_id,)
    )
    return [(r[0], r[1], int(r[2]), int(r[3])) for r in rows]


def forget(tx: Tx) -> None:
    """Nothing cached in the store (a reset wipes the tables itself)."""


# --- the tap (ports.FirehoseTap) ---------------------------------------------------------------------------------


def tap_subscribe(tx: Tx, stream_id: int, subscriber: str) -> None:
    """Keep the stream's records from its next one on for ``subscriber`` (nothing changes when it already is)."""
    tx.execute(
        "INSERT INTO firehose_tap_subscribers (stream_id, subscriber, released) SELECT id, ?, tap_seq"
        " FROM firehose_streams WHERE id = ? ON CONFLICT (stream_id, subscriber) DO NOTHING",
        (subscriber, stream_id),
    )
    tx.execute("UPDATE firehose_streams SET tapped = 1 WHERE id = ?", (stream_id,))


def tap_unsubscribe(tx: Tx, stream_id: int, subscriber: str) -> None:
    tx.execute("DELETE FROM firehose_tap_subscribers WHERE stream_id = ? AND subscriber = ?", (stream_id, subscriber))
    if tx.one("SELECT 1 FROM firehose_tap_subscribers WHERE stream_id = ? LIMIT 1", (stream_id,)) is None:
        tx.execute("UPDATE firehose_streams SET tapped = 0 WHERE id = ?", (stream_id,))
        tx.execute("DELETE FROM firehose_tap_records WHERE stream_id = ?", (stream_id,))


def tap_read(tx: Tx, stream_id: int, after: int, limit: int) -> list[tuple[int, float, bytes]]:
    rows = tx.all(
        "SELECT seq, arrived_at, data FROM firehose_tap_records WHERE stream_id = ? AND seq > ? ORDER BY seq LIMIT ?",
        (stream_id, after, limit),
    )
    return [(int(q), float(at), bytes(data)) for q, at, data in rows]


def tap_release(tx: Tx, stream_id: int, subscriber: str, through: int, older_than: float) -> None:
    """``subscriber`` needs nothing up to ``through``: drop what every subscriber released, and records that
    arrived before ``older_than`` (the tap's retention)."""
    tx.execute(
        "UPDATE firehose_tap_subscribers SET released = ? WHERE stream_id = ? AND subscriber = ? AND released < ?",
        (through, stream_id, subscriber, through),
    )
    row = tx.one("SELECT MIN(released) FROM firehose_tap_subscribers WHERE stream_id = ?", (stream_id,))
    floor = int(row[0]) if row and row[0] is not None else through
    tx.execute(
        "DELETE FROM firehose_tap_records WHERE stream_id = ? AND (seq <= ? OR arrived_at < ?)",
        (stream_id, floor, older_than),
    )
