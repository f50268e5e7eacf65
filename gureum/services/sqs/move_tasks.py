"""Message move tasks (DLQ redrive, StartMessageMoveTask) as behaviour over a transaction: task handles, the
checks a new task passes, one step of a running task, and a task as ListMessageMoveTasks shows it.
The worker that runs steps on the leader node is maintenance.py's. No SQL here (store_moves.py has it)."""

from __future__ import annotations

import base64
import json
import uuid
from typing import Any

from ... import safejson
from ...aws.errors import ServiceError
from ...store.base import Tx
from . import limits, store, store_moves
from .errors import InvalidParameterValue, ResourceNotFound, UnsupportedOperation, invalid_value
from .queues import Queue
from .store_moves import MoveTask

_DEFAULT_RATE = limits.MAX_MOVE_RATE  # messages per second when MaxNumberOfMessagesPerSecond is not given
_NON_EXISTENT_QUEUE = "AWS.SimpleQueueService.NonExistentQueue"


def new_handle(source_arn: str) -> str:
    doc = {"taskId": str(uuid.uuid4()), "sourceArn": source_arn}
    return base64.b64encode(json.dumps(doc).encode()).decode()


def handle_source(handle: str) -> str:
    """The source ARN inside a task handle; a handle that is no base64 JSON of ours is invalid."""
    try:
        doc = safejson.loads(base64.b64decode(handle, validate=True))
        source_arn = doc["sourceArn"]
        uuid.UUID(doc["taskId"])
    except (ValueError, KeyError, TypeError):
        raise InvalidParameterValue("Value for parameter TaskHandle is invalid.") from None
    if not isinstance(source_arn, str):
        raise InvalidParameterValue("Value for parameter TaskHandle is invalid.")
    return source_arn


def check_rate(rate: int | None) -> None:
    if rate is not None and not 1 <= rate <= limits.MAX_MOVE_RATE:
        raise invalid_value("MaxNumberOfMessagesPerSecond", rate, f"Must be between 1 and {limits.MAX_MOVE_RATE}.")


def check_list_limit(limit: int | None) -> int:
    if limit is not None and not 1 <= limit <= limits.MAX_LIST_MOVE_TASKS:
        raise invalid_value("MaxResults", limit, f"Must be between 1 and {limits.MAX_LIST_MOVE_TASKS}.")
    return limit or 1


def _source_missing() -> ServiceError:
    return ResourceNotFound("The resource that you specified for the SourceArn parameter doesn't exist.")


def source_queue(tx: Tx, source_arn: str) -> Queue:
    source = store.get_queue_by_arn(tx, source_arn)
    if source is None:
        raise _source_missing()
    return source


def start_in_tx(
    tx: Tx, account: str, region: str, source_arn: str, destination_arn: str | None, rate: int | None, now: int
) -> str:
    """Check and store a new task (the leader starts it once tx commits); its handle."""
    tx.lock("sqs", source_arn)  # one running task per source queue, also when two starts race
    source = source_queue(tx, source_arn)
    if not store.dead_letter_sources(tx, source.account, source.region, source.arn, "", 1):
        raise InvalidParameterValue("Source queue must be configured as a Dead Letter Queue.")
    if destination_arn is not None:
        target = store.get_queue_by_arn(tx, destination_arn)
        if target is None:
            raise ResourceNotFound("The resource that you specified for the DestinationArn parameter doesn't exist.")
        if target.fifo != source.fifo:
            raise InvalidParameterValue("The source queue and the destination queue must be of the same type.")
    if store_moves.active_task(tx, source_arn) is not None:
        raise InvalidParameterValue(
            "There is already a task running. Only one active task is allowed for a source queue arn at a given time."
        )
    visible, hidden, delayed = store.counts(tx, source.id, now)
    handle = new_handle(source_arn)
    store_moves.insert_task(
        tx, handle, account, region, source_arn, destination_arn, rate, visible + hidden + delayed, now
    )
    return handle


def cancel_in_tx(tx: Tx, handle: str, source_arn: str) -> int:
    """Cancel a running task; how many messages it had moved."""
    tx.lock("sqs move", handle)  # a step running meanwhile cannot overwrite the cancellation
    source_queue(tx, source_arn)
    task = store_moves.get_task(tx, handle)
    if task is None:
        raise ResourceNotFound("Task does not exist.")
    if task.status != "RUNNING":
        raise UnsupportedOperation(f"Only active tasks can be cancelled. Task status is {task.status}.")
    store_moves.set_status(tx, handle, "CANCELLED")
    return int(task.moved)


def step_in_tx(tx: Tx, handle: str, now: int) -> float | None:
    """Move one batch of a running task; the pause before the next step that keeps the task's rate, or None when
    the task is over (source empty: COMPLETED; a queue gone: FAILED; cancelled)."""
    tx.lock("sqs move", handle)
    task = store_moves.get_task(tx, handle)
    if task is None or task.status != "RUNNING":
        return None
    rate = task.max_per_second or _DEFAULT_RATE
    source = store.get_queue_by_arn(tx, task.source_arn)
    if source is None:
        store_moves.fail_task(tx, handle, _NON_EXISTENT_QUEUE, task.moved)
        return None
    batch = store.visible_candidates(tx, source.id, now, max(1, min(rate, limits.MOVE_BATCH)))
    if not batch:
        store_moves.set_status(tx, handle, "COMPLETED")
        return None
    count = 0
    for msg in batch:
        target_arn = task.destination_arn or msg.dlq_source_arn
        target = store.get_queue_by_arn(tx, target_arn) if target_arn else None
        if target is None:
            reason = (
                _NON_EXISTENT_QUEUE
                if target_arn
                else "Message has no source queue to return to; specify a DestinationArn."
            )
            store_moves.fail_task(tx, handle, reason, task.moved + count)
            return None
        if not store.return_message(tx, msg.id, source.id, target.id, now):
            continue  # a receiver took it meanwhile
        store.wake(tx, target.id)
        count += 1
    store_moves.add_moved(tx, handle, count)
    return count / rate


def describe(task: MoveTask) -> dict[str, Any]:
    """A task as ListMessageMoveTasks shows it (the handle only while it runs)."""
    item: dict[str, Any] = {
        "Status": task.status,
        "SourceArn": task.source_arn,
        "ApproximateNumberOfMessagesMoved": task.moved,
        "ApproximateNumberOfMessagesToMove": task.to_move,
        "StartedTimestamp": task.started_at,
    }
    if task.status == "RUNNING":
        item["TaskHandle"] = task.handle
    if task.destination_arn:
        item["DestinationArn"] = task.destination_arn
    if task.max_per_second:
        item["MaxNumberOfMessagesPerSecond"] = task.max_per_second
    if task.failure_reason:
        item["FailureReason"] = task.failure_reason
    return item
