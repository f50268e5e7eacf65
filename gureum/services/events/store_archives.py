"""EventBridge's SQL for archives, archived events and replays (inside one store transaction, ``tx``)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from ...store.base import Tx
from .names import resource_arn

_ARCHIVE_COLUMNS = (
    "id, account, region, name, source_arn, description, pattern, retention_days, kms_key, state, created_at"
)
_REPLAY_COLUMNS = (
    "id, account, region, name, archive_arn, description, event_start, event_end, destination, state, state_reason, "
    "started_at, ended_at, last_replayed, cursor_at, cursor_id"
)


@dataclass(slots=True)
class Archive:
    id: int
    account: str
    region: str
    name: str
    source_arn: str
    description: str | None
    pattern: str | None
    retention_days: int
    kms_key: str | None
    state: str
    created_at: int

    @property
    def arn(self) -> str:
        return resource_arn(self.region, self.account, "archive", self.name)


@dataclass(slots=True)
class Replay:
    id: int
    account: str
    region: str
    name: str
    archive_arn: str
    description: str | None
    event_start: int
    event_end: int
    destination: dict[str, Any]
    state: str
    state_reason: str | None
    started_at: int
    ended_at: int | None
    last_replayed: int | None
    cursor_at: int
    cursor_id: int

    @property
    def arn(self) -> str:
        return resource_arn(self.region, self.account, "replay", self.name)


def _archive(row: tuple[Any, ...] | None) -> Archive | None:
    return Archive(*row) if row else None


def _replay(row: tuple[Any, ...] | None) -> Replay | None:
    if row is None:
        return None
    return Replay(row[0], row[1], row[2], row[3], row[4], row[5], row[6], row[7], json.loads(row[8]), *row[9:])


# --- archives ----------------------------------------------------------------------------------------


def get_archive(tx: Tx, account: str, region: str, name: str) -> Archive | None:
    return _archive(
        tx.one(
            f"SELECT {_ARCHIVE_COLUMNS} FROM events_archives WHERE account = ? AND region = ? AND name = ?",
            (account, region, name),
        )
    )


def insert_archive(tx: Tx, archive: Archive) -> int | None:
    row = tx.one(
        f"INSERT INTO events_archives ({_ARCHIVE_COLUMNS.replace('id, ', '', 1)}) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
        "ON CONFLICT (account, region, name) DO NOTHING RETURNING id",
        (
            archive.account,
            archive.region,
            archive.name,
            archive.source_arn,
            archive.description,
            archive.pattern,
            archive.retention_days,
            archive.kms_key,
            archive.state,
            archive.created_at,
        ),
    )
    return int(row[0]) if row else None


def update_archive(tx: Tx, archive: Archive) -> None:
    tx.execute(
        "UPDATE events_archives SET description = ?, pattern = ?, retention_days = ?, kms_key = ? WHERE id = ?",
        (archive.description, archive.pattern, archive.retention_days, archive.kms_key, archive.id),
    )


def delete_archive(tx: Tx, archive: Archive) -> None:
    tx.execute("DELETE FROM events_archived WHERE archive_id = ?", (archive.id,))
    tx.execute("DELETE FROM events_archives WHERE id = ?", (archive.id,))


def list_archives(
    tx: Tx, account: str, region: str, prefix: str, source_arn: str | None, state: str | None, after: str
) -> list[Archive]:
    rows = tx.all(
        f"SELECT {_ARCHIVE_COLUMNS} FROM events_archives WHERE account = ? AND region = ? AND name > ? ORDER BY name",
        (account, region, after),
    )
    archives = [a for a in (_archive(row) for row in rows) if a is not None]
    return [
        a
        for a in archives
        if a.name.startswith(prefix) and source_arn in (None, a.source_arn) and state in (None, a.state)
    ]


def enabled_for_source(tx: Tx, source_arn: str) -> list[tuple[int, str | None]]:
    """(archive id, pattern) of the enabled archives of a bus."""
    return [
        (row[0], row[1])
        for row in tx.all(
            "SELECT id, pattern FROM events_archives WHERE source_arn = ? AND state = 'ENABLED'", (source_arn,)
        )
    ]


def insert_archived(tx: Tx, archive_id: int, received_at: int, size: int, event: str) -> None:
    tx.execute(
        "INSERT INTO events_archived (archive_id, received_at, size, event) VALUES (?, ?, ?, ?)",
        (archive_id, received_at, size, event),
    )


def archive_totals(tx: Tx, archive_id: int) -> tuple[int, int]:
    """(EventCount, SizeBytes)."""
    row = tx.one("SELECT COUNT(*), COALESCE(SUM(size), 0) FROM events_archived WHERE archive_id = ?", (archive_id,))
    return (int(row[0]), int(row[1])) if row else (0, 0)


def archived_after(
    tx: Tx, archive_id: int, start: int, end: int, cursor_at: int, cursor_id: int, limit: int
) -> list[tuple[int, int, str]]:
    """(id, received_at, event) in arrival order, in [start, end], after the cursor."""
    return tx.all(
        "SELECT id, received_at, event FROM events_archived "
        "WHERE archive_id = ? AND received_at >= ? AND received_at <= ? "
        "AND (received_at > ? OR (received_at = ? AND id > ?)) ORDER BY received_at, id LIMIT ?",
        (archive_id, start, end, cursor_at, cursor_at, cursor_id, limit),
    )


def expire_archived(tx: Tx, now: int) -> int:
    """Drop archived events older than their archive's RetentionDays (0 keeps them forever)."""
    removed = 0
    for archive_id, days in tx.all("SELECT id, retention_days FROM events_archives WHERE retention_days > 0"):
        cur = tx.execute(
            "DELETE FROM events_archived WHERE archive_id = ? AND received_at < ?",
            (archive_id, now - days * 86_400_000),
        )
        removed += cur.rowcount or 0
    return removed


# --- replays -----------------------------------------------------------------------------------------


def get_replay(tx: Tx, account: str, region: str, name: str) -> Replay | None:
    return _replay(
        tx.one(
            f"SELECT {_REPLAY_COLUMNS} FROM events_replays WHERE account = ? AND region = ? AND name = ?",
            (account, region, name),
        )
    )


def get_replay_by_id(tx: Tx, replay_id: int) -> Replay | None:
    return _replay(tx.one(f"SELECT {_REPLAY_COLUMNS} FROM events_replays WHERE id = ?", (replay_id,)))


def insert_replay(tx: Tx, replay: Replay) -> int | None:
    row = tx.one(
        f"INSERT INTO events_replays ({_REPLAY_COLUMNS.replace('id, ', '', 1)}) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
        "ON CONFLICT (account, region, name) DO NOTHING RETURNING id",
        (
            replay.account,
            replay.region,
            replay.name,
            replay.archive_arn,
            replay.description,
            replay.event_start,
            replay.event_end,
            json.dumps(replay.destination),
            replay.state,
            replay.state_reason,
            replay.started_at,
            replay.ended_at,
            replay.last_replayed,
            replay.cursor_at,
            replay.cursor_id,
        ),
    )
    return int(row[0]) if row else None


def save_replay_progress(tx: Tx, replay: Replay) -> None:
    tx.execute(
        "UPDATE events_replays SET state = ?, state_reason = ?, ended_at = ?, last_replayed = ?, cursor_at = ?, "
        "cursor_id = ? WHERE id = ?",
        (
            replay.state,
            replay.state_reason,
            replay.ended_at,
            replay.last_replayed,
            replay.cursor_at,
            replay.cursor_id,
            replay.id,
        ),
    )


def set_replay_state(tx: Tx, replay_id: int, state: str, reason: str | None, only_from: tuple[str, ...]) -> bool:
    marks = ",".join("?" * len(only_from))
    cur = tx.execute(
        f"UPDATE events_replays SET state = ?, state_reason = ? WHERE id = ? AND state IN ({marks})",
        (state, reason, replay_id, *only_from),
    )
    return (cur.rowcount or 0) > 0


def list_replays(
    tx: Tx, account: str, region: str, prefix: str, state: str | None, archive_arn: str | None, after: str
) -> list[Replay]:
    rows = tx.all(
        f"SELECT {_REPLAY_COLUMNS} FROM events_replays WHERE account = ? AND region = ? AND name > ? ORDER BY name",
        (account, region, after),
    )
    replays = [r for r in (_replay(row) for row in rows) if r is not None]
    return [
        r
        for r in replays
        if r.name.startswith(prefix) and state in (None, r.state) and archive_arn in (None, r.archive_arn)
    ]
