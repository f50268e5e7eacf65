"""Message move tasks (DLQ redrive): Start/Cancel/ListMessageMoveTasks, their worker, and the retention sweeper.

Task state lives in the store; a task that was running when the server stopped resumes at start.
"""

from __future__ import annotations

import asyncio
import base64
import json
import logging
import uuid
from typing import Any

from ...aws.context import RequestContext
from ...runtime import Runtime
from ...store.base import Tx
from . import SERVICE, limits, store
from .backend import SqsBackend
from .errors import InvalidParameterValue, ResourceNotFound, UnsupportedOperation, invalid_value
from .ops_queues import backend
from .queues import Queue

log = logging.getLogger("gureum.sqs")
_TASK_COLUMNS = (
    "handle, source_arn, destination_arn, max_per_second, status, moved, to_move, started_at, failure_reason"
)
_DEFAULT_RATE = 500
_MAINTENANCE_CHANNEL = "sqs-maintenance"
_LEADER_ROLE = "sqs-maintenance"
_LEADER_CHECK_SECONDS = 1.0  # messages per second when MaxNumberOfMessagesPerSecond is not given


def _task_handle(source_arn: str) -> str:
    doc = {"taskId": str(uuid.uuid4()), "sourceArn": source_arn}
    return base64.b64encode(json.dumps(doc).encode()).decode()


def _handle_source(handle: str) -> str:
    """The source ARN inside a task handle; a handle that is no base64 JSON of ours is invalid."""
    try:
        doc = json.loads(base64.b64decode(handle, validate=True))
        source_arn = doc["sourceArn"]
        uuid.UUID(doc["taskId"])
    except (ValueError, KeyError, TypeError):
        raise InvalidParameterValue("Value for parameter TaskHandle is invalid.") from None
    if not isinstance(source_arn, str):
        raise InvalidParameterValue("Value for parameter TaskHandle is invalid.")
    return source_arn


def _is_dead_letter_queue(tx: Tx, queue: Queue) -> bool:
    return bool(store.dead_letter_sources(tx, queue.account, queue.region, queue.arn, "", 1))


@SERVICE.op("StartMessageMoveTask")
async def start_message_move_task(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    source_arn = req["SourceArn"]
    destination_arn = req.get("DestinationArn")
    rate = req.get("MaxNumberOfMessagesPerSecond")
    if rate is not None and not 1 <= rate <= 500:
        raise invalid_value("MaxNumberOfMessagesPerSecond", rate, "Must be between 1 and 500.")
    be = backend(ctx)
    now = be.now_ms()

    def run(tx: Tx) -> str:
        source = store.get_queue_by_arn(tx, source_arn)
        if source is None:
            raise ResourceNotFound("The resource that you specified for the SourceArn parameter doesn't exist.")
        if not _is_dead_letter_queue(tx, source):
            raise InvalidParameterValue("Source queue must be configured as a Dead Letter Queue.")
        if destination_arn is not None:
            target = store.get_queue_by_arn(tx, destination_arn)
            if target is None:
                raise ResourceNotFound(
                    "The resource that you specified for the DestinationArn parameter doesn't exist."
                )
            if target.fifo != source.fifo:
                raise InvalidParameterValue("The source queue and the destination queue must be of the same type.")
        if tx.one(
            "SELECT handle FROM sqs_move_tasks WHERE source_arn = ? AND status IN ('RUNNING', 'CANCELLING')",
            (source_arn,),
        ):
            raise InvalidParameterValue(
                "There is already a task running. Only one active task is allowed for a source queue arn at a given time."
            )
        visible, hidden, delayed = store.counts(tx, source.id, now)
        handle = _task_handle(source_arn)
        tx.execute(
            "INSERT INTO sqs_move_tasks (handle, account, region, source_arn, destination_arn, max_per_second, status, moved, to_move, started_at) "
            "VALUES (?, ?, ?, ?, ?, ?, 'RUNNING', 0, ?, ?)",
            (handle, ctx.account, ctx.region, source_arn, destination_arn, rate, visible + hidden + delayed, now),
        )
        tx.notify(_MAINTENANCE_CHANNEL, handle)  # the leader node picks the task up
        return handle

    handle = await be.store.write(run)
    return {"TaskHandle": handle}


@SERVICE.op("CancelMessageMoveTask")
async def cancel_message_move_task(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    handle = req["TaskHandle"]
    source_arn = _handle_source(handle)

    def run(tx: Tx) -> int:
        if store.get_queue_by_arn(tx, source_arn) is None:
            raise ResourceNotFound("The resource that you specified for the SourceArn parameter doesn't exist.")
        row = tx.one("SELECT status, moved FROM sqs_move_tasks WHERE handle = ?", (handle,))
        if row is None:
            raise ResourceNotFound("Task does not exist.")
        if row[0] != "RUNNING":
            raise UnsupportedOperation(f"Only active tasks can be cancelled. Task status is {row[0]}.")
        tx.execute("UPDATE sqs_move_tasks SET status = 'CANCELLED' WHERE handle = ?", (handle,))
        return int(row[1])

    return {"ApproximateNumberOfMessagesMoved": await backend(ctx).store.write(run)}


@SERVICE.op("ListMessageMoveTasks")
async def list_message_move_tasks(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    source_arn = req["SourceArn"]
    limit = req.get("MaxResults")
    if limit is not None and not 1 <= limit <= 10:
        raise invalid_value("MaxResults", limit, "Must be between 1 and 10.")

    def run(tx: Tx) -> list[tuple[Any, ...]] | None:
        if store.get_queue_by_arn(tx, source_arn) is None:
            return None
        return tx.all(
            f"SELECT {_TASK_COLUMNS} FROM sqs_move_tasks WHERE source_arn = ? ORDER BY started_at DESC LIMIT ?",
            (source_arn, limit or 1),
        )

    rows = await backend(ctx).store.read(run)
    if rows is None:
        raise ResourceNotFound("The resource that you specified for the SourceArn parameter doesn't exist.")
    results = []
    for handle, src, dst, rate, status, moved, to_move, started, failure in rows:
        item: dict[str, Any] = {
            "Status": status,
            "SourceArn": src,
            "ApproximateNumberOfMessagesMoved": moved,
            "ApproximateNumberOfMessagesToMove": to_move,
            "StartedTimestamp": started,
        }
        if status == "RUNNING":
            item["TaskHandle"] = handle
        if dst:
            item["DestinationArn"] = dst
        if rate:
            item["MaxNumberOfMessagesPerSecond"] = rate
        if failure:
            item["FailureReason"] = failure
        results.append(item)
    return {"Results": results}


async def _run_task(be: SqsBackend, handle: str) -> None:
    """Move messages at the task's rate until the source is empty, the task is cancelled, or it fails."""
    while True:

        def step(tx: Tx) -> float | None:
            row = tx.one(
                "SELECT source_arn, destination_arn, max_per_second, status, moved FROM sqs_move_tasks WHERE handle = ?",
                (handle,),
            )
            if row is None or row[3] != "RUNNING":
                return None
            source_arn, destination_arn, rate, _status, moved = row
            rate = rate or _DEFAULT_RATE
            source = store.get_queue_by_arn(tx, source_arn)
            if source is None:
                tx.execute(
                    "UPDATE sqs_move_tasks SET status = 'FAILED', failure_reason = ? WHERE handle = ?",
                    ("AWS.SimpleQueueService.NonExistentQueue", handle),
                )
                return None
            now = be.now_ms()
            batch = store.visible_candidates(tx, source.id, now, max(1, min(rate, 100)))
            if not batch:
                tx.execute("UPDATE sqs_move_tasks SET status = 'COMPLETED' WHERE handle = ?", (handle,))
                return None
            count = 0
            for msg in batch:
                target_arn = destination_arn or msg.dlq_source_arn
                target = store.get_queue_by_arn(tx, target_arn) if target_arn else None
                if target is None:
                    reason = (
                        "AWS.SimpleQueueService.NonExistentQueue"
                        if target_arn
                        else "Message has no source queue to return to; specify a DestinationArn."
                    )
                    tx.execute(
                        "UPDATE sqs_move_tasks SET status = 'FAILED', failure_reason = ?, moved = ? WHERE handle = ?",
                        (reason, moved + count, handle),
                    )
                    return None
                cur = tx.execute(
                    "UPDATE sqs_messages SET queue_id = ?, visible_at = ?, receipt = NULL, receive_count = 0, first_received_at = NULL, dlq_source_arn = NULL "
                    "WHERE id = ? AND queue_id = ? AND visible_at <= ?",  # not if a receiver took it meanwhile
                    (target.id, now, msg.id, source.id, now),
                )
                if not cur.rowcount:
                    continue
                be.wake(tx, target.id)
                count += 1
            tx.execute("UPDATE sqs_move_tasks SET moved = moved + ? WHERE handle = ?", (count, handle))
            return count / rate

        try:
            pause = await be.store.write(step)
        except Exception:
            log.exception("message move task failed")
            return
        if pause is None:
            return
        await asyncio.sleep(pause)


def _sweep_in_tx(be: SqsBackend, tx: Tx) -> None:
    """Retention: delete messages older than their queue's MessageRetentionPeriod; expire dedup entries."""
    now = be.now_ms()
    for queue in store.all_queues(tx):
        store.delete_expired(tx, queue.id, now - queue.int_attr("MessageRetentionPeriod") * 1000)
    store.sweep_tables(tx, now, now / 1000 - limits.QUEUE_DELETE_GRACE_SECONDS)


async def _maintain(runtime: Runtime, be: SqsBackend) -> None:
    """SQS's background work, on the leader node only (exactly one node when several share PostgreSQL):
    the retention sweep, and running message move tasks (adopted from a node that died)."""
    wake = asyncio.Event()
    be.store.subscribe(_MAINTENANCE_CHANNEL, lambda _handle: wake.set())
    running: dict[str, asyncio.Task[None]] = {}
    every = runtime.config.retention_sweep_seconds
    last_sweep = runtime.clock.monotonic()
    while True:
        try:
            if await be.store.is_leader(_LEADER_ROLE):
                handles = await be.store.read(
                    lambda tx: [row[0] for row in tx.all("SELECT handle FROM sqs_move_tasks WHERE status = 'RUNNING'")]
                )
                for handle in handles:
                    if handle not in running or running[handle].done():
                        running[handle] = runtime.spawn(_run_task(be, handle), f"sqs-move-{handle[:12]}")
                if runtime.clock.monotonic() - last_sweep >= every:
                    last_sweep = runtime.clock.monotonic()
                    await be.store.write(lambda tx: _sweep_in_tx(be, tx))
            else:
                for task in running.values():
                    task.cancel()
                running.clear()
        except asyncio.CancelledError:
            raise
        except Exception:
            log.exception("SQS maintenance failed")
        wake.clear()
        try:
            await asyncio.wait_for(wake.wait(), min(every, _LEADER_CHECK_SECONDS))
        except TimeoutError:
            pass


@SERVICE.on_start
async def _start_maintenance(runtime: Runtime) -> None:
    runtime.spawn(_maintain(runtime, runtime.state(SqsBackend)), "sqs-maintenance")
