"""CloudWatch Logs' SQL: every function runs inside one store transaction (``tx``).

Names are listed in AWS's order (byte order of the name), sorted here rather than by the database's collation.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from ...store.base import Tx

_GROUP_COLUMNS = (
    "id, account, region, name, created_at, retention_days, kms_key, group_class, deletion_protection, tags"
)
_STREAM_COLUMNS = "id, group_id, name, created_at, first_event, last_event, last_ingestion, stored_bytes"
DAY_MS = 86_400_000


@dataclass(slots=True)
class Group:
    id: int
    account: str
    region: str
    name: str
    created_at: int
    retention_days: int | None = None
    kms_key: str | None = None
    group_class: str = "STANDARD"
    deletion_protection: bool = False
    tags: dict[str, str] = field(default_factory=dict)

    @property
    def arn(self) -> str:
        """The ARN without the trailing ":*" (logGroupArn, tagging, the "logs" delivery target)."""
        return f"arn:aws:logs:{self.region}:{self.account}:log-group:{self.name}"

    def oldest_kept(self, now_ms: int) -> int | None:
        """Events before this timestamp are past the group's retention (None: kept forever)."""
        return None if self.retention_days is None else now_ms - self.retention_days * DAY_MS


@dataclass(slots=True)
class Stream:
    id: int
    group_id: int
    name: str
    created_at: int
    first_event: int | None
    last_event: int | None
    last_ingestion: int | None
    stored_bytes: int


@dataclass(slots=True, frozen=True)
class Event:
    id: int
    stream_id: int
    timestamp: int
    ingested: int
    message: str


def _group(row: Sequence[Any]) -> Group:
    return Group(row[0], row[1], row[2], row[3], row[4], row[5], row[6], row[7], bool(row[8]), json.loads(row[9]))


def _stream(row: Sequence[Any]) -> Stream:
    return Stream(*row)


# --- groups ---------------------------------------------------------------------------------------


def get_group(tx: Tx, account: str, region: str, name: str) -> Group | None:
    row = tx.one(
        f"SELECT {_GROUP_COLUMNS} FROM logs_groups WHERE account = ? AND region = ? AND name = ?",
        (account, region, name),
    )
    return None if row is None else _group(row)


def insert_group(tx: Tx, group: Group) -> bool:
    """Insert; False when the name is taken (group.id is set on success)."""
    row = tx.one(
        "INSERT INTO logs_groups "
        "(account, region, name, created_at, retention_days, kms_key, group_class, deletion_protection, tags) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (account, region, name) DO NOTHING RETURNING id",
        (
            group.account,
            group.region,
            group.name,
            group.created_at,
            group.retention_days,
            group.kms_key,
            group.group_class,
            int(group.deletion_protection),
            json.dumps(group.tags),
        ),
    )
    if row is None:
        return False
    group.id = row[0]
    return True


def delete_group(tx: Tx, group_id: int) -> None:
    tx.execute("DELETE FROM logs_events WHERE group_id = ?", (group_id,))
    tx.execute("DELETE FROM logs_streams WHERE group_id = ?", (group_id,))
    tx.execute("DELETE FROM logs_metric_filters WHERE group_id = ?", (group_id,))
    tx.execute("DELETE FROM logs_subscription_filters WHERE group_id = ?", (group_id,))
    tx.execute("DELETE FROM logs_resource_policies WHERE group_id = ?", (group_id,))
    tx.execute("DELETE FROM logs_groups WHERE id = ?", (group_id,))


def list_groups(tx: Tx, account: str, region: str, prefix: str = "") -> list[Group]:
    sql = f"SELECT {_GROUP_COLUMNS} FROM logs_groups WHERE account = ? AND region = ?"
    params: tuple[Any, ...] = (account, region)
    if prefix:
        sql += " AND substr(name, 1, ?) = ?"
        params += (len(prefix), prefix)
    return sorted((_group(row) for row in tx.all(sql, params)), key=lambda g: g.name.encode())


def group_figures(tx: Tx, group_ids: Sequence[int]) -> dict[int, tuple[int, int]]:
    """group id → (stored bytes, metric filter count)."""
    if not group_ids:
        return {}
    marks = ", ".join("?" * len(group_ids))
    out = {gid: (0, 0) for gid in group_ids}
    for gid, stored in tx.all(
        f"SELECT group_id, SUM(stored_bytes) FROM logs_streams WHERE group_id IN ({marks}) GROUP BY group_id",
        tuple(group_ids),
    ):
        out[gid] = (int(stored or 0), 0)
    for gid, count in tx.all(
        f"SELECT group_id, COUNT(*) FROM logs_metric_filters WHERE group_id IN ({marks}) GROUP BY group_id",
        tuple(group_ids),
    ):
        out[gid] = (out[gid][0], int(count))
    return out


def set_retention(tx: Tx, group_id: int, days: int | None) -> None:
    tx.execute("UPDATE logs_groups SET retention_days = ? WHERE id = ?", (days, group_id))


def set_kms_key(tx: Tx, group_id: int, key: str | None) -> None:
    tx.execute("UPDATE logs_groups SET kms_key = ? WHERE id = ?", (key, group_id))


def set_deletion_protection(tx: Tx, group_id: int, enabled: bool) -> None:
    tx.execute("UPDATE logs_groups SET deletion_protection = ? WHERE id = ?", (int(enabled), group_id))


def set_tags(tx: Tx, group_id: int, tags: dict[str, str]) -> None:
    tx.execute("UPDATE logs_groups SET tags = ? WHERE id = ?", (json.dumps(tags), group_id))


# --- streams --------------------------------------------------------------------------------------


def get_stream(tx: Tx, group_id: int, name: str) -> Stream | None:
    row = tx.one(f"SELECT {_STREAM_COLUMNS} FROM logs_streams WHERE group_id = ? AND name = ?", (group_id, name))
    return None if row is None else _stream(row)


def insert_stream(tx: Tx, group_id: int, name: str, now_ms: int) -> Stream | None:
    """Insert; None when the name is taken."""
    row = tx.one(
        "INSERT INTO logs_streams (group_id, name, created_at, stored_bytes) VALUES (?, ?, ?, 0) "
        "ON CONFLICT (group_id, name) DO NOTHING RETURNING id",
        (group_id, name, now_ms),
    )
    return None if row is None else Stream(row[0], group_id, name, now_ms, None, None, None, 0)


def delete_stream(tx: Tx, stream_id: int) -> None:
    tx.execute("DELETE FROM logs_events WHERE stream_id = ?", (stream_id,))
    tx.execute("DELETE FROM logs_streams WHERE id = ?", (stream_id,))


def list_streams(tx: Tx, group_id: int, prefix: str = "") -> list[Stream]:
    sql = f"SELECT {_STREAM_COLUMNS} FROM logs_streams WHERE group_id = ?"
    params: tuple[Any, ...] = (group_id,)
    if prefix:
        sql += " AND substr(name, 1, ?) = ?"
        params += (len(prefix), prefix)
    return [_stream(row) for row in tx.all(sql, params)]


def streams_by_id(tx: Tx, group_id: int) -> dict[int, str]:
    return {sid: name for sid, name in tx.all("SELECT id, name FROM logs_streams WHERE group_id = ?", (group_id,))}


# --- events ---------------------------------------------------------------------------------------


def append_events(
    tx: Tx, stream: Stream, events: Sequence[tuple[int, str]], now_ms: int, *, returning: bool = False
) -> list[Event]:
    """Store events (timestamp, message) in a stream and update its first/last timestamps and size; with
    ``returning``, the stored events with their ids (for subscription filters), else []."""
    if not events:
        return []
    rows = [(stream.group_id, stream.id, ts, now_ms, len(message.encode()), message) for ts, message in events]
    sql = "INSERT INTO logs_events (group_id, stream_id, ts, ingested, size, message) VALUES (?, ?, ?, ?, ?, ?)"
    stored: list[Event] = []
    if returning:  # one row at a time, for its id: only groups with subscriptions pay for it
        for row in rows:
            found = tx.one(sql + " RETURNING id", row)
            assert found is not None
            stored.append(Event(int(found[0]), stream.id, row[2], now_ms, row[5]))
    else:
        tx.executemany(sql, rows)
    first = min(ts for ts, _ in events)
    last = max(ts for ts, _ in events)
    size = sum(row[4] for row in rows)
    stream.first_event = first if stream.first_event is None else min(first, stream.first_event)
    stream.last_event = last if stream.last_event is None else max(last, stream.last_event)
    stream.last_ingestion = now_ms
    stream.stored_bytes += size
    # the bounds are widened in SQL, not set from the row read before: two concurrent PutLogEvents to one stream
    # (PostgreSQL's several writers) would otherwise leave whichever committed last
    tx.execute(
        "UPDATE logs_streams SET first_event = CASE WHEN first_event IS NULL OR first_event > ? THEN ? "
        "ELSE first_event END, last_event = CASE WHEN last_event IS NULL OR last_event < ? THEN ? ELSE last_event END, "
        "last_ingestion = ?, stored_bytes = stored_bytes + ? WHERE id = ?",
        (first, first, last, last, now_ms, size, stream.id),
    )
    return stored


_EVENT_COLUMNS = "id, stream_id, ts, ingested, message"


def stream_events(
    tx: Tx, stream_id: int, start: int, end: int, cursor: tuple[int, int] | None, forward: bool, limit: int
) -> list[Event]:
    """Events of a stream with start <= ts < end, strictly after (forward) or before (backward) the
    (timestamp, id) cursor, in that direction's order, at most ``limit``."""
    sql = f"SELECT {_EVENT_COLUMNS} FROM logs_events WHERE stream_id = ? AND ts >= ? AND ts < ?"
    params: tuple[Any, ...] = (stream_id, start, end)
    if cursor is not None:
        op = ">" if forward else "<"
        sql += f" AND (ts {op} ? OR (ts = ? AND id {op} ?))"
        params += (cursor[0], cursor[0], cursor[1])
    sql += " ORDER BY ts, id" if forward else " ORDER BY ts DESC, id DESC"
    return [Event(*row) for row in tx.all(sql + " LIMIT ?", params + (limit,))]


def _like(text: str) -> str:
    return "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def group_events(
    tx: Tx,
    group_id: int,
    start: int,
    end: int,
    after: tuple[int, int] | None,
    limit: int,
    stream_ids: Iterable[int] | None = None,
    contains: Sequence[str] = (),
    json_only: bool = False,
) -> list[Event]:
    """Events of a group (or of some of its streams) with start <= ts < end, after the cursor, by (ts, id).
    ``contains`` and ``json_only`` narrow the rows early (SQLite's LIKE ignores ASCII case: the caller still
    matches)."""
    sql = f"SELECT {_EVENT_COLUMNS} FROM logs_events WHERE group_id = ? AND ts >= ? AND ts < ?"
    params: tuple[Any, ...] = (group_id, start, end)
    for text in contains:
        sql += " AND message LIKE ? ESCAPE '\\'"
        params += (_like(text),)
    if json_only:  # JSON text starts with { or [ after JSON's own whitespace
        sql += " AND (message LIKE '{%' OR message LIKE '[%' OR substr(message, 1, 1) IN (?, ?, ?, ?))"
        params += (" ", "\t", "\n", "\r")
    if after is not None:
        sql += " AND (ts > ? OR (ts = ? AND id > ?))"
        params += (after[0], after[0], after[1])
    if stream_ids is not None:
        ids = tuple(stream_ids)
        sql += f" AND stream_id IN ({', '.join('?' * len(ids))})"
        params += ids
    return [Event(*row) for row in tx.all(sql + " ORDER BY ts, id LIMIT ?", params + (limit,))]


def expire(tx: Tx, now_ms: int, batch: int) -> int:
    """Retention: delete up to ``batch`` events older than their group's retention period (oldest first, so
    each write transaction stays short); returns how many were removed."""
    removed = 0
    for group_id, days in tx.all("SELECT id, retention_days FROM logs_groups WHERE retention_days IS NOT NULL"):
        rows = tx.all(
            "SELECT id, stream_id, size FROM logs_events WHERE group_id = ? AND ts < ? ORDER BY ts, id LIMIT ?",
            (group_id, now_ms - int(days) * DAY_MS, batch - removed),
        )
        if not rows:
            continue
        tx.executemany("DELETE FROM logs_events WHERE id = ?", [(row[0],) for row in rows])
        freed: dict[int, int] = {}
        for _, stream_id, size in rows:
            freed[stream_id] = freed.get(stream_id, 0) + int(size)
        tx.executemany(
            "UPDATE logs_streams SET stored_bytes = stored_bytes - ? WHERE id = ?",
            [(size, stream_id) for stream_id, size in freed.items()],
        )
        removed += len(rows)
        if removed >= batch:
            break
    return removed


# --- metric filters -------------------------------------------------------------------------------


@dataclass(slots=True)
class MetricFilter:
    group_id: int
    name: str
    pattern: str
    transformations: list[dict[str, Any]]
    created_at: int


def put_metric_filter(tx: Tx, mf: MetricFilter) -> None:
    tx.execute(
        "INSERT INTO logs_metric_filters (group_id, name, pattern, transformations, created_at) VALUES (?, ?, ?, ?, ?) "
        "ON CONFLICT (group_id, name) DO UPDATE SET pattern = excluded.pattern, "
        "transformations = excluded.transformations",
        (mf.group_id, mf.name, mf.pattern, json.dumps(mf.transformations), mf.created_at),
    )


def delete_metric_filter(tx: Tx, group_id: int, name: str) -> bool:
    return bool(
        tx.execute("DELETE FROM logs_metric_filters WHERE group_id = ? AND name = ?", (group_id, name)).rowcount
    )


def list_metric_filters(tx: Tx, account: str, region: str, group_id: int | None) -> list[tuple[str, MetricFilter]]:
    """(group name, filter) of one group or of every group of the account and region."""
    sql = (
        "SELECT g.name, f.group_id, f.name, f.pattern, f.transformations, f.created_at FROM logs_metric_filters f "
        "JOIN logs_groups g ON g.id = f.group_id WHERE g.account = ? AND g.region = ?"
    )
    params: tuple[Any, ...] = (account, region)
    if group_id is not None:
        sql += " AND f.group_id = ?"
        params += (group_id,)
    rows = [(row[0], MetricFilter(row[1], row[2], row[3], json.loads(row[4]), row[5])) for row in tx.all(sql, params)]
    return sorted(rows, key=lambda r: (r[0].encode(), r[1].name.encode()))
