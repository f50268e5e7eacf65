"""EventBridge Scheduler's SQL: every function runs inside one store transaction (``tx``).

The default schedule group exists implicitly: it has no row, and reads synthesise it.
"""

from __future__ import annotations

import json
from typing import Any

from ...store.base import Tx
from .model import DEFAULT_GROUP, Group, Schedule

_COLUMNS = (
    "id, account, region, group_name, name, expression, timezone, start_date, end_date, description, state, "
    "kms_key, target, flexible, after_completion, client_token, created_at, modified_at, next_fire_at"
)


def _schedule(row: tuple[Any, ...] | None) -> Schedule | None:
    if row is None:
        return None
    return Schedule(
        row[0],
        row[1],
        row[2],
        row[3],
        row[4],
        row[5],
        row[6],
        row[7],
        row[8],
        row[9],
        row[10],
        row[11],
        json.loads(row[12]),
        json.loads(row[13]),
        row[14],
        row[15],
        row[16],
        row[17],
        row[18],
    )


# --- groups ------------------------------------------------------------------------------------------


def get_group(tx: Tx, account: str, region: str, name: str) -> Group | None:
    if name == DEFAULT_GROUP:
        return Group(account, region, DEFAULT_GROUP)
    row = tx.one(
        "SELECT tags, created_at, modified_at FROM scheduler_groups WHERE account = ? AND region = ? AND name = ?",
        (account, region, name),
    )
    return Group(account, region, name, json.loads(row[0]), row[1], row[2]) if row else None


def insert_group(tx: Tx, group: Group) -> bool:
    row = tx.one(
        "INSERT INTO scheduler_groups (account, region, name, tags, created_at, modified_at)"
        " VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (account, region, name) DO NOTHING RETURNING id",
        (group.account, group.region, group.name, json.dumps(group.tags), group.created_at, group.modified_at),
    )
    return row is not None


def save_group_tags(tx: Tx, group: Group) -> None:
    tx.execute(
        "UPDATE scheduler_groups SET tags = ? WHERE account = ? AND region = ? AND name = ?",
        (json.dumps(group.tags), group.account, group.region, group.name),
    )


def delete_group(tx: Tx, group: Group) -> None:
    """The group and every schedule in it (their pending firings then find nothing to fire)."""
    tx.execute(
        "DELETE FROM scheduler_schedules WHERE account = ? AND region = ? AND group_name = ?",
        (group.account, group.region, group.name),
    )
    tx.execute(
        "DELETE FROM scheduler_groups WHERE account = ? AND region = ? AND name = ?",
        (group.account, group.region, group.name),
    )


def list_groups(tx: Tx, account: str, region: str, prefix: str, after: str) -> list[Group]:
    rows = tx.all(
        "SELECT name, tags, created_at, modified_at FROM scheduler_groups"
        " WHERE account = ? AND region = ? AND name > ? ORDER BY name",
        (account, region, after),
    )
    groups = [Group(account, region, row[0], json.loads(row[1]), row[2], row[3]) for row in rows]
    if DEFAULT_GROUP > after:
        groups.append(Group(account, region, DEFAULT_GROUP))
    return sorted((g for g in groups if g.name.startswith(prefix)), key=lambda g: g.name)


# --- schedules ---------------------------------------------------------------------------------------


def get_schedule(tx: Tx, account: str, region: str, group: str, name: str) -> Schedule | None:
    return _schedule(
        tx.one(
            f"SELECT {_COLUMNS} FROM scheduler_schedules"
            " WHERE account = ? AND region = ? AND group_name = ? AND name = ?",
            (account, region, group, name),
        )
    )


def get_schedule_by_id(tx: Tx, schedule_id: int) -> Schedule | None:
    return _schedule(tx.one(f"SELECT {_COLUMNS} FROM scheduler_schedules WHERE id = ?", (schedule_id,)))


def _values(s: Schedule) -> tuple[Any, ...]:
    return (
        s.account,
        s.region,
        s.group_name,
        s.name,
        s.expression,
        s.timezone,
        s.start_date,
        s.end_date,
        s.description,
        s.state,
        s.kms_key,
        json.dumps(s.target),
        json.dumps(s.flexible),
        s.after_completion,
        s.client_token,
        s.created_at,
        s.modified_at,
        s.next_fire_at,
    )


def insert_schedule(tx: Tx, s: Schedule) -> int | None:
    """The new schedule's id; None when one of that name exists (also one a concurrent create committed)."""
    marks = ", ".join("?" * 18)
    row = tx.one(
        f"INSERT INTO scheduler_schedules ({_COLUMNS.replace('id, ', '', 1)}) VALUES ({marks})"
        " ON CONFLICT (account, region, group_name, name) DO NOTHING RETURNING id",
        _values(s),
    )
    return int(row[0]) if row else None


def save_schedule(tx: Tx, s: Schedule) -> None:
    assignments = ", ".join(f"{column} = ?" for column in _COLUMNS.split(", ")[1:])
    tx.execute(f"UPDATE scheduler_schedules SET {assignments} WHERE id = ?", (*_values(s), s.id))


def take_firing(tx: Tx, schedule_id: int, due: int, following: int | None) -> bool:
    """Claim the firing due at ``due`` by moving on to ``following``; False when the schedule changed first."""
    cur = tx.execute(
        "UPDATE scheduler_schedules SET next_fire_at = ? WHERE id = ? AND next_fire_at = ?",
        (following, schedule_id, due),
    )
    return (cur.rowcount or 0) > 0


def delete_schedule(tx: Tx, schedule_id: int) -> None:
    tx.execute("DELETE FROM scheduler_schedules WHERE id = ?", (schedule_id,))


def list_schedules(
    tx: Tx, account: str, region: str, group: str | None, prefix: str, state: str | None, after: str
) -> list[Schedule]:
    rows = tx.all(
        f"SELECT {_COLUMNS} FROM scheduler_schedules WHERE account = ? AND region = ? ORDER BY group_name, name",
        (account, region),
    )
    out = []
    for schedule in (_schedule(row) for row in rows):
        if schedule is None or f"{schedule.group_name}/{schedule.name}" <= after:
            continue
        if (
            group in (None, schedule.group_name)
            and schedule.name.startswith(prefix)
            and state in (None, schedule.state)
        ):
            out.append(schedule)
    return out
