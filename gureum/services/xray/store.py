"""The trace store's SQL: segments written a batch per transaction, traces listed by time, the oldest dropped
beyond the retention bound; and the sampling rules and groups, with their tags."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from ...store import Tx
from ...tracing.recorder import Record


def put_segments(tx: Tx, records: Sequence[Record], retention: int | None) -> int:
    """Store a batch (a newer document of a segment replaces the older: in-progress, then complete); with
    ``retention``, drop the oldest traces beyond it. Returns how many traces were dropped."""
    tx.executemany(
        "INSERT INTO xray_segments (trace_id, segment_id, account, region, start_time, end_time, document)"
        " VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (trace_id, segment_id) DO UPDATE SET"
        " end_time = excluded.end_time, document = excluded.document",
        [(r.trace_id, r.segment_id, r.account, r.region, r.start, r.end, json.dumps(r.document)) for r in records],
    )
    firsts: dict[tuple[str, str, str], float] = {}
    for r in records:
        key = (r.account, r.region, r.trace_id)
        firsts[key] = min(firsts.get(key, r.start), r.start)
    tx.executemany(
        "INSERT INTO xray_traces (account, region, trace_id, start_time) VALUES (?, ?, ?, ?)"
        " ON CONFLICT (account, region, trace_id) DO NOTHING",
        [(*key, start) for key, start in firsts.items()],
    )
    if retention is None:
        return 0
    row = tx.one("SELECT COUNT(*) FROM xray_traces")
    excess = (row[0] if row else 0) - retention
    if excess <= 0:
        return 0
    oldest = tx.all("SELECT trace_id FROM xray_traces ORDER BY start_time LIMIT ?", (excess,))
    tx.executemany("DELETE FROM xray_segments WHERE trace_id = ?", [(t,) for (t,) in oldest])
    tx.executemany("DELETE FROM xray_traces WHERE trace_id = ?", [(t,) for (t,) in oldest])
    return len(oldest)


def traces_between(tx: Tx, account: str, region: str, start: float, end: float, limit: int) -> list[str]:
    """Trace ids of the account and Region that began in [start, end], newest first."""
    rows = tx.all(
        "SELECT trace_id FROM xray_traces WHERE account = ? AND region = ? AND start_time >= ? AND start_time <= ?"
        " ORDER BY start_time DESC LIMIT ?",
        (account, region, start, end, limit),
    )
    return [row[0] for row in rows]


def known_traces(tx: Tx, account: str, region: str, trace_ids: Sequence[str]) -> set[str]:
    found: set[str] = set()
    for trace_id in trace_ids:
        if tx.one(
            "SELECT 1 FROM xray_traces WHERE account = ? AND region = ? AND trace_id = ?", (account, region, trace_id)
        ):
            found.add(trace_id)
    return found


def segments_of(tx: Tx, trace_ids: Sequence[str]) -> dict[str, list[str]]:
    """trace id → its segment documents (JSON text), in start order."""
    out: dict[str, list[str]] = {t: [] for t in trace_ids}
    for trace_id in trace_ids:
        for (document,) in tx.all(
            "SELECT document FROM xray_segments WHERE trace_id = ? ORDER BY start_time, segment_id", (trace_id,)
        ):
            out[trace_id].append(document)
    return out


# --- sampling rules and groups (xray_resources) ---------------------------------------------------------------------

_RESOURCE_COLUMNS = "kind, name, arn, doc, tags, created_at, modified_at"


@dataclass(slots=True)
class Resource:
    kind: str  # "rule", "group", "encryption" or "policy" (the last two without an ARN)
    name: str
    arn: str
    doc: dict[str, Any]
    tags: dict[str, str]
    created_at: float
    modified_at: float


def _resource(row: Sequence[Any]) -> Resource:
    return Resource(row[0], row[1], row[2], json.loads(row[3]), json.loads(row[4]), float(row[5]), float(row[6]))


def get_resource(tx: Tx, account: str, region: str, kind: str, name: str) -> Resource | None:
    row = tx.one(
        f"SELECT {_RESOURCE_COLUMNS} FROM xray_resources WHERE account = ? AND region = ? AND kind = ? AND name = ?",
        (account, region, kind, name),
    )
    return None if row is None else _resource(row)


def resource_by_arn(tx: Tx, account: str, region: str, arn: str) -> Resource | None:
    row = tx.one(
        f"SELECT {_RESOURCE_COLUMNS} FROM xray_resources WHERE account = ? AND region = ? AND arn = ?",
        (account, region, arn),
    )
    return None if row is None else _resource(row)


def list_resources(tx: Tx, account: str, region: str, kind: str) -> list[Resource]:
    rows = tx.all(
        f"SELECT {_RESOURCE_COLUMNS} FROM xray_resources WHERE account = ? AND region = ? AND kind = ?",
        (account, region, kind),
    )
    return sorted((_resource(row) for row in rows), key=lambda r: r.name)


def insert_resource(tx: Tx, account: str, region: str, r: Resource) -> bool:
    """False when the account and Region already have one of that kind and name."""
    return bool(
        tx.execute(
            f"INSERT INTO xray_resources (account, region, {_RESOURCE_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) "
            "ON CONFLICT (account, region, kind, name) DO NOTHING",
            (account, region, r.kind, r.name, r.arn, json.dumps(r.doc), json.dumps(r.tags), r.created_at,
             r.modified_at),
        ).rowcount
    )  # fmt: skip


def save_resource(tx: Tx, account: str, region: str, r: Resource) -> None:
    tx.execute(
        "UPDATE xray_resources SET doc = ?, tags = ?, modified_at = ? "
        "WHERE account = ? AND region = ? AND kind = ? AND name = ?",
        (json.dumps(r.doc), json.dumps(r.tags), r.modified_at, account, region, r.kind, r.name),
    )


def delete_resource(tx: Tx, account: str, region: str, kind: str, name: str) -> None:
    tx.execute(
        "DELETE FROM xray_resources WHERE account = ? AND region = ? AND kind = ? AND name = ?",
        (account, region, kind, name),
    )
