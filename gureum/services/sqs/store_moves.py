"""SQS's SQL for message move tasks (StartMessageMoveTask): the sqs_move_tasks table and the channel that tells
the maintenance leader a task was started. Every function runs inside one store transaction (``tx``)."""

from __future__ import annotations

from dataclasses import dataclass

from ...store.base import Tx

# StartMessageMoveTask notifies it with the task's handle; the maintenance leader picks the task up
MAINTENANCE_CHANNEL = "sqs-maintenance"
_COLUMNS = "handle, source_arn, destination_arn, max_per_second, status, moved, to_move, started_at, failure_reason"


@dataclass(slots=True)
class MoveTask:
    handle: str
    source_arn: str
    destination_arn: str | None
    max_per_second: int | None
    status: str  # RUNNING, CANCELLING, CANCELLED, COMPLETED or FAILED
    moved: int
    to_move: int
    started_at: int  # milliseconds
    failure_reason: str | None


def active_task(tx: Tx, source_arn: str) -> str | None:
    """The handle of the source queue's running (or cancelling) task."""
    row = tx.one(
        "SELECT handle FROM sqs_move_tasks WHERE source_arn = ? AND status IN ('RUNNING', 'CANCELLING')",
        (source_arn,),
    )
    return str(row[0]) if row else None


def insert_task(
    tx: Tx,
    handle: str,
    account: str,
    region: str,
    source_arn: str,
    destination_arn: str | None,
    rate: int | None,
    to_move: int,
    now_ms: int,
) -> None:
    """A RUNNING task; the maintenance leader hears of it once tx commits."""
    tx.execute(
        "INSERT INTO sqs_move_tasks (handle, account, region, source_arn, destination_arn, max_per_second, "
        "status, moved, to_move, started_at) VALUES (?, ?, ?, ?, ?, ?, 'RUNNING', 0, ?, ?)",
        (handle, account, region, source_arn, destination_arn, rate, to_move, now_ms),
    )
    tx.notify(MAINTENANCE_CHANNEL, handle)


def get_task(tx: Tx, handle: str) -> MoveTask | None:
    row = tx.one(f"SELECT {_COLUMNS} FROM sqs_move_tasks WHERE handle = ?", (handle,))
    return MoveTask(*row) if row else None


def list_tasks(tx: Tx, source_arn: str, limit: int) -> list[MoveTask]:
    """The source queue's tasks, newest first."""
    rows = tx.all(
        f"SELECT {_COLUMNS} FROM sqs_move_tasks WHERE source_arn = ? ORDER BY started_at DESC LIMIT ?",
        (source_arn, limit),
    )
    return [MoveTask(*row) for row in rows]


def running_handles(tx: Tx) -> list[str]:
    return [str(row[0]) for row in tx.all("SELECT handle FROM sqs_move_tasks WHERE status = 'RUNNING'")]


def set_status(tx: Tx, handle: str, status: str) -> None:
    tx.execute("UPDATE sqs_move_tasks SET status = ? WHERE handle = ?", (status, handle))


def fail_task(tx: Tx, handle: str, reason: str, moved: int) -> None:
    tx.execute(
        "UPDATE sqs_move_tasks SET status = 'FAILED', failure_reason = ?, moved = ? WHERE handle = ?",
        (reason, moved, handle),
    )


def add_moved(tx: Tx, handle: str, count: int) -> None:
    tx.execute("UPDATE sqs_move_tasks SET moved = moved + ? WHERE handle = ?", (count, handle))
