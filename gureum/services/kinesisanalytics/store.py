"""Kinesis Data Analytics' SQL: applications and their versions, each pump's emitted progress (input positions,
last window), and the latest rows of each in-application stream. Every function runs inside one transaction."""

from __future__ import annotations

import json
from typing import Any

from ...store.base import Tx
from .applications import App

CHANNEL = "kinesisanalytics"  # notified when an application's status changes (the runner manager wakes)
LATEST_ROWS = 50
_COLUMNS = "id, account, region, name, status, version, created_at, updated_at, config, tags"


def _app(row: tuple[Any, ...] | None) -> App | None:
    if row is None:
        return None
    return App(
        int(row[0]), row[1], row[2], row[3], row[4], int(row[5]), float(row[6]), float(row[7]),
        json.loads(row[8]), json.loads(row[9]),
    )  # fmt: skip


def get(tx: Tx, account: str, region: str, name: str) -> App | None:
    return _app(
        tx.one(f"SELECT {_COLUMNS} FROM kda_applications WHERE account = ? AND region = ? AND name = ?",
               (account, region, name))
    )  # fmt: skip


def by_id(tx: Tx, app_id: int) -> App | None:
    return _app(tx.one(f"SELECT {_COLUMNS} FROM kda_applications WHERE id = ?", (app_id,)))


def listing(tx: Tx, account: str, region: str, after: str | None, limit: int) -> list[App]:
    rows = tx.all(
        f"SELECT {_COLUMNS} FROM kda_applications WHERE account = ? AND region = ? AND name > ? ORDER BY name LIMIT ?",
        (account, region, after or "", limit),
    )
    return [a for a in map(_app, rows) if a is not None]


def with_status(tx: Tx, statuses: tuple[str, ...]) -> list[App]:
    marks = ", ".join("?" for _ in statuses)
    rows = tx.all(f"SELECT {_COLUMNS} FROM kda_applications WHERE status IN ({marks}) ORDER BY id", statuses)
    return [a for a in map(_app, rows) if a is not None]


def insert(tx: Tx, app: App) -> int | None:
    row = tx.one(
        "INSERT INTO kda_applications (account, region, name, status, version, created_at, updated_at, config, tags)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (account, region, name) DO NOTHING RETURNING id",
        (app.account, app.region, app.name, app.status, app.version, app.created_at, app.updated_at,
         json.dumps(app.config), json.dumps(app.tags)),
    )  # fmt: skip
    if row is None:
        return None
    app.id = int(row[0])
    save_version(tx, app)
    return app.id


def save_version(tx: Tx, app: App) -> None:
    tx.execute(
        "INSERT INTO kda_versions (application_id, version, status, created_at, config) VALUES (?, ?, ?, ?, ?)"
        " ON CONFLICT (application_id, version) DO UPDATE SET config = excluded.config",
        (app.id, app.version, app.status, app.updated_at, json.dumps(app.config)),
    )


def update(tx: Tx, app: App) -> None:
    tx.execute(
        "UPDATE kda_applications SET status = ?, version = ?, updated_at = ?, config = ?, tags = ? WHERE id = ?",
        (app.status, app.version, app.updated_at, json.dumps(app.config), json.dumps(app.tags), app.id),
    )
    tx.notify(CHANNEL, str(app.id))


def set_status(tx: Tx, app_id: int, status: str, expected: tuple[str, ...]) -> bool:
    marks = ", ".join("?" for _ in expected)
    row = tx.one(
        f"UPDATE kda_applications SET status = ? WHERE id = ? AND status IN ({marks}) RETURNING id",
        (status, app_id, *expected),
    )
    tx.notify(CHANNEL, str(app_id))
    return row is not None


def versions(tx: Tx, app_id: int) -> list[tuple[int, str]]:
    rows = tx.all("SELECT version, status FROM kda_versions WHERE application_id = ? ORDER BY version DESC", (app_id,))
    return [(int(v), s) for v, s in rows]


def version_config(tx: Tx, app_id: int, version: int) -> dict[str, Any] | None:
    row = tx.one("SELECT config FROM kda_versions WHERE application_id = ? AND version = ?", (app_id, version))
    return json.loads(row[0]) if row else None


def delete(tx: Tx, app_id: int) -> None:
    for table in ("kda_versions", "kda_positions", "kda_windows", "kda_latest", "kda_history"):
        tx.execute(f"DELETE FROM {table} WHERE application_id = ?", (app_id,))
    tx.execute("DELETE FROM kda_applications WHERE id = ?", (app_id,))
    tx.notify(CHANNEL, str(app_id))


# --- running state ---------------------------------------------------------------------------------------------


def progress(tx: Tx, app_id: int) -> tuple[dict[str, dict[str, int]], dict[str, int], dict[str, list[tuple[int, str]]]]:
    """(pump → shard → last sequence emitted, pump → end of its last window, pump → rows its windows hold that the
    input cannot give again: (ROWTIME ms, the row as JSON), oldest first)."""
    through: dict[str, dict[str, int]] = {}
    for pump, shard, seq in tx.all(
        "SELECT pump, shard_id, sequence FROM kda_positions WHERE application_id = ?", (app_id,)
    ):
        through.setdefault(pump, {})[shard] = int(seq)
    ends = {
        p: int(e) for p, e in tx.all("SELECT pump, window_end FROM kda_windows WHERE application_id = ?", (app_id,))
    }
    history: dict[str, list[tuple[int, str]]] = {}
    for pump, rowtime, row in tx.all(
        "SELECT pump, rowtime, row_json FROM kda_history WHERE application_id = ? ORDER BY id", (app_id,)
    ):
        history.setdefault(pump, []).append((int(rowtime), row))
    return through, ends, history


def forget_progress(tx: Tx, app_id: int) -> None:
    tx.execute("DELETE FROM kda_positions WHERE application_id = ?", (app_id,))
    tx.execute("DELETE FROM kda_history WHERE application_id = ?", (app_id,))


def save_progress(
    tx: Tx,
    app_id: int,
    through: dict[str, dict[str, int]],
    ends: dict[str, int],
    history: dict[str, list[tuple[int, str]]] | None = None,
    cuts: dict[str, int] | None = None,
    replace: set[str] | None = None,
) -> bool:
    """Record what was emitted, the rows windows keep (``history``) and those they let go (``cuts``: pump → rows
    before that ROWTIME; ``replace``: pumps whose kept rows are now exactly their ``history``); False (nothing
    written) when another node already emitted a later window."""
    for pump, end in ends.items():
        row = tx.one("SELECT window_end FROM kda_windows WHERE application_id = ? AND pump = ?", (app_id, pump))
        if row is not None and int(row[0]) >= end:
            return False
        tx.execute(
            "INSERT INTO kda_windows (application_id, pump, window_end) VALUES (?, ?, ?) ON CONFLICT "
            "(application_id, pump) DO UPDATE SET window_end = excluded.window_end",
            (app_id, pump, end),
        )
    rows = [(app_id, pump, shard, str(seq)) for pump, shards in through.items() for shard, seq in shards.items()]
    if rows:
        tx.executemany(
            "INSERT INTO kda_positions (application_id, pump, shard_id, sequence) VALUES (?, ?, ?, ?) ON CONFLICT "
            "(application_id, pump, shard_id) DO UPDATE SET sequence = excluded.sequence",
            rows,
        )
    for pump in sorted(replace or ()):
        tx.execute("DELETE FROM kda_history WHERE application_id = ? AND pump = ?", (app_id, pump))
    kept = [(app_id, pump, t, r) for pump, got in (history or {}).items() for t, r in got]
    if kept:
        tx.executemany("INSERT INTO kda_history (application_id, pump, rowtime, row_json) VALUES (?, ?, ?, ?)", kept)
    for pump, cut in (cuts or {}).items():
        tx.execute("DELETE FROM kda_history WHERE application_id = ? AND pump = ? AND rowtime < ?", (app_id, pump, cut))
    return True


def add_latest(tx: Tx, app_id: int, stream: str, rows: list[tuple[float, str]]) -> None:
    rows = rows[-LATEST_ROWS:]
    tx.executemany(
        "INSERT INTO kda_latest (application_id, stream, rowtime, row_json) VALUES (?, ?, ?, ?)",
        [(app_id, stream, t, r) for t, r in rows],
    )
    cut = tx.one(
        "SELECT id FROM kda_latest WHERE application_id = ? AND stream = ? ORDER BY id DESC LIMIT 1 OFFSET ?",
        (app_id, stream, LATEST_ROWS),
    )
    if cut is not None:
        tx.execute(
            "DELETE FROM kda_latest WHERE application_id = ? AND stream = ? AND id <= ?", (app_id, stream, cut[0])
        )


def latest(tx: Tx, app_id: int) -> dict[str, list[tuple[float, str]]]:
    out: dict[str, list[tuple[float, str]]] = {}
    for stream, t, r in tx.all(
        "SELECT stream, rowtime, row_json FROM kda_latest WHERE application_id = ? ORDER BY id DESC", (app_id,)
    ):
        out.setdefault(stream, []).append((float(t), r))
    return out
