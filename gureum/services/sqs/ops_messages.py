"""SQS message operations: send, receive, delete and visibility, single and batched."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from ...aws.context import RequestContext
from ...aws.errors import ServiceError
from ...store.base import Tx
from . import SERVICE, limits
from .backend import SendResult
from .errors import (
    BatchEntryIdsNotDistinct,
    BatchRequestTooLong,
    EmptyBatchRequest,
    InvalidBatchEntryId,
    InvalidParameterValue,
    MissingParameter,
    TooManyEntriesInBatchRequest,
    invalid_value,
)
from .md5 import md5_text
from .messages import attributes_md5, check_body, check_message_attributes, encode_attributes
from .ops_queues import backend
from .queues import Queue
from .store import NewMessage, forget_queues

_NOT_FOR_QUEUE_TYPE = "The request include parameter that is not valid for this queue type."  # sic, AWS's grammar
_NO_DEDUP = (
    "The queue should either have ContentBasedDeduplication enabled or MessageDeduplicationId provided explicitly"
)


@dataclass(slots=True)
class _Prepared:
    message: NewMessage
    size: int
    md5_attributes: str | None
    md5_system: str | None
    delay: int | None


def _prepare(entry: dict[str, Any]) -> _Prepared:
    """Checks that need no queue: body, attributes, sizes, token formats."""
    body = entry.get("MessageBody")
    check_body(body)
    attributes = entry.get("MessageAttributes") or {}
    system = entry.get("MessageSystemAttributes") or {}
    size = len(body.encode()) + check_message_attributes(attributes)  # type: ignore[union-attr]
    check_message_attributes(system, "system ")
    delay = entry.get("DelaySeconds")
    if delay is not None and not 0 <= delay <= limits.MAX_DELAY_SECONDS:
        raise invalid_value("DelaySeconds", delay, f"DelaySeconds must be >= 0 and <= {limits.MAX_DELAY_SECONDS}")
    for key in ("MessageGroupId", "MessageDeduplicationId"):
        value = entry.get(key)
        if value is not None and not limits.TOKEN.match(value):
            raise invalid_value(
                key, value, f"{key} can only include alphanumeric and punctuation characters. 1 to 128 in length."
            )
    message = NewMessage(
        body=body,  # type: ignore[arg-type]
        attributes=encode_attributes(attributes),
        system_attributes=encode_attributes(system),
        md5_body=md5_text(body),  # type: ignore[arg-type]
        delay=0,
        group_id=entry.get("MessageGroupId"),
        dedup_id=entry.get("MessageDeduplicationId"),
    )
    return _Prepared(message, size, attributes_md5(attributes), attributes_md5(system), delay)


def _fit_to_queue(prepared: _Prepared, queue: Queue, *, batch: bool = False) -> None:
    """Checks that depend on the queue: size limit, FIFO rules, default delay."""
    max_size = queue.int_attr("MaximumMessageSize")
    if prepared.size > max_size:
        # AWS words the same check differently for a batch entry
        verb = "cannot be validated" if batch else "are invalid"
        raise InvalidParameterValue(
            f"One or more parameters {verb}. Reason: Message must be shorter than {max_size} bytes."
        )
    msg = prepared.message
    if queue.fifo:
        if prepared.delay:
            raise invalid_value("DelaySeconds", prepared.delay, _NOT_FOR_QUEUE_TYPE)
        if msg.group_id is None:
            raise MissingParameter("The request must contain the parameter MessageGroupId.")
        if msg.dedup_id is None and not queue.flag("ContentBasedDeduplication"):
            raise InvalidParameterValue(_NO_DEDUP)
        msg.delay = queue.int_attr("DelaySeconds")
    else:
        if msg.dedup_id is not None:
            raise invalid_value("MessageDeduplicationId", msg.dedup_id, _NOT_FOR_QUEUE_TYPE)
        msg.delay = queue.int_attr("DelaySeconds") if prepared.delay is None else prepared.delay


def _send_output(prepared: _Prepared, result: SendResult) -> dict[str, Any]:
    out: dict[str, Any] = {"MessageId": result.message_id, "MD5OfMessageBody": prepared.message.md5_body}
    if prepared.md5_attributes:
        out["MD5OfMessageAttributes"] = prepared.md5_attributes
    if prepared.md5_system:
        out["MD5OfMessageSystemAttributes"] = prepared.md5_system
    if result.sequence:
        out["SequenceNumber"] = result.sequence
    return out


def _sender(ctx: RequestContext) -> str:
    return ctx.access_key or ctx.account


@SERVICE.on_reset
async def _forget_queues(runtime: Any) -> None:
    """POST /_gureum/reset emptied sqs_queues behind the store's queue cache."""
    await runtime.store.write(forget_queues)


@SERVICE.op("SendMessage")
async def send_message(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    prepared = _prepare(req)
    be = backend(ctx)
    now = be.now_ms()
    sender = _sender(ctx)

    def run(tx: Tx, queue: Queue) -> tuple[int, SendResult | Exception]:
        _fit_to_queue(prepared, queue)
        return queue.id, be.send_in_tx(tx, queue, [prepared.message], sender, now)[0]

    _, result = await be.in_queue(ctx.account, ctx.region, req["QueueUrl"], run)
    assert isinstance(result, SendResult)
    return _send_output(prepared, result)


def _check_batch(entries: list[dict[str, Any]], kind: str) -> None:
    if not entries:
        raise EmptyBatchRequest(f"There should be at least one {kind} in the request.")
    if len(entries) > limits.MAX_BATCH_ENTRIES:
        raise TooManyEntriesInBatchRequest(
            f"Maximum number of entries per request are {limits.MAX_BATCH_ENTRIES}. You have sent {len(entries)}."
        )
    seen: set[str] = set()
    for entry in entries:
        entry_id = entry.get("Id") or ""
        if not limits.BATCH_ENTRY_ID.match(entry_id):
            raise InvalidBatchEntryId(
                "A batch entry id can only contain alphanumeric characters, hyphens and underscores. It can be at most 80 letters long."
            )
        if entry_id in seen:
            raise BatchEntryIdsNotDistinct(f"Id {entry_id} repeated.")
        seen.add(entry_id)


def _check_fifo_batch(items: list[_Prepared], queue: Queue) -> None:
    """In a FIFO batch, an entry without a group or deduplication id fails the whole request (as on AWS),
    and as InvalidParameterValue even where a single SendMessage says MissingParameter."""
    for item in items:
        if item.message.group_id is None:
            raise InvalidParameterValue("The request must contain the parameter MessageGroupId.")
    if not queue.flag("ContentBasedDeduplication") and any(item.message.dedup_id is None for item in items):
        raise InvalidParameterValue(_NO_DEDUP)


def _failure(entry_id: str, error: ServiceError) -> dict[str, Any]:
    return {"Id": entry_id, "SenderFault": error.sender_fault, "Code": error.code, "Message": error.message}


@SERVICE.op("SendMessageBatch")
async def send_message_batch(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    entries = req.get("Entries") or []
    _check_batch(entries, "SendMessageBatchRequestEntry")
    prepared: list[tuple[str, _Prepared | ServiceError]] = []
    total = 0
    for entry in entries:
        try:
            item: _Prepared | ServiceError = _prepare(entry)
            total += item.size  # type: ignore[union-attr]
        except ServiceError as error:
            item = error
        prepared.append((entry["Id"], item))
    if total > limits.MAX_MESSAGE_SIZE:
        raise BatchRequestTooLong(
            f"Batch requests cannot be longer than {limits.MAX_MESSAGE_SIZE} bytes. You have sent {total} bytes."
        )
    be = backend(ctx)
    now = be.now_ms()
    sender = _sender(ctx)

    def run(tx: Tx, queue: Queue) -> tuple[int, list[tuple[str, _Prepared, SendResult] | dict[str, Any]]]:
        ready: list[tuple[str, _Prepared]] = []
        failed: dict[str, dict[str, Any]] = {}
        if queue.fifo:
            _check_fifo_batch([item for _, item in prepared if not isinstance(item, ServiceError)], queue)
        for entry_id, item in prepared:
            if isinstance(item, ServiceError):
                failed[entry_id] = _failure(entry_id, item)
                continue
            try:
                _fit_to_queue(item, queue, batch=True)
                ready.append((entry_id, item))
            except ServiceError as error:
                failed[entry_id] = _failure(entry_id, error)
        results = be.send_in_tx(tx, queue, [p.message for _, p in ready], sender, now)
        sent = {entry_id: (entry_id, p, r) for (entry_id, p), r in zip(ready, results)}
        return queue.id, [sent[i] if i in sent else failed[i] for i, _ in prepared]  # type: ignore[misc]

    _, outcome = await be.in_queue(ctx.account, ctx.region, req["QueueUrl"], run)
    successful: list[dict[str, Any]] = []
    failures: list[dict[str, Any]] = []
    for done in outcome:
        if isinstance(done, dict):
            failures.append(done)
        else:
            entry_id, p, result = done
            successful.append({"Id": entry_id, **_send_output(p, result)})
    return {"Successful": successful, "Failed": failures}


@SERVICE.op("ReceiveMessage")
async def receive_message(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    count = req.get("MaxNumberOfMessages")
    if count is not None and not 1 <= count <= limits.MAX_RECEIVE:
        raise invalid_value("MaxNumberOfMessages", count, "Must be between 1 and 10, if provided.")
    wait = req.get("WaitTimeSeconds")
    if wait is not None and not 0 <= wait <= limits.MAX_WAIT_SECONDS:
        raise invalid_value("WaitTimeSeconds", wait, "Must be >= 0 and <= 20, if provided.")
    visibility = req.get("VisibilityTimeout")
    if visibility is not None and not 0 <= visibility <= limits.MAX_VISIBILITY_TIMEOUT:
        raise invalid_value(
            "VisibilityTimeout", visibility, f"Must be >= 0 and <= {limits.MAX_VISIBILITY_TIMEOUT}, if provided."
        )
    attempt = req.get("ReceiveRequestAttemptId")
    if attempt is not None and not limits.TOKEN.match(attempt):
        raise invalid_value(
            "ReceiveRequestAttemptId",
            attempt,
            "ReceiveRequestAttemptId can only include alphanumeric and punctuation characters. 1 to 128 in length.",
        )
    be = backend(ctx)
    queue, received = await be.receive(ctx.account, ctx.region, req["QueueUrl"], count or 1, visibility, wait, attempt)
    if not received:
        return {}
    system_wanted = set(req.get("AttributeNames") or []) | set(req.get("MessageSystemAttributeNames") or [])
    user_wanted = req.get("MessageAttributeNames")
    return {"Messages": [be.render(queue, item, system_wanted, user_wanted) for item in received]}


@SERVICE.op("DeleteMessage")
async def delete_message(ctx: RequestContext, req: dict[str, Any]) -> None:
    be = backend(ctx)
    now = be.now_ms()
    await be.in_queue(
        ctx.account, ctx.region, req["QueueUrl"], lambda tx, q: be.delete_in_tx(tx, q, req["ReceiptHandle"], now)
    )


@SERVICE.op("ChangeMessageVisibility")
async def change_message_visibility(ctx: RequestContext, req: dict[str, Any]) -> None:
    be = backend(ctx)
    now = be.now_ms()
    await be.in_queue(
        ctx.account,
        ctx.region,
        req["QueueUrl"],
        lambda tx, q: be.change_visibility_in_tx(tx, q, req["ReceiptHandle"], req["VisibilityTimeout"], now),
    )


async def _batch(
    ctx: RequestContext, req: dict[str, Any], kind: str, apply: Callable[[Tx, Queue, dict[str, Any]], Any]
) -> dict[str, Any]:
    entries = req.get("Entries") or []
    _check_batch(entries, kind)
    be = backend(ctx)

    def run(tx: Tx, queue: Queue) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
        ok: list[dict[str, Any]] = []
        failed: list[dict[str, Any]] = []
        for entry in entries:
            try:
                apply(tx, queue, entry)
                ok.append({"Id": entry["Id"]})
            except ServiceError as error:
                failed.append(_failure(entry["Id"], error))
        return ok, failed

    ok, failed = await be.in_queue(ctx.account, ctx.region, req["QueueUrl"], run)
    return {"Successful": ok, "Failed": failed}


@SERVICE.op("DeleteMessageBatch")
async def delete_message_batch(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    entries = req.get("Entries") or []
    _check_batch(entries, "DeleteMessageBatchRequestEntry")
    be = backend(ctx)
    now = be.now_ms()

    def run(tx: Tx, queue: Queue) -> dict[str, Any]:
        outcomes = be.delete_many_in_tx(tx, queue, [entry["ReceiptHandle"] for entry in entries], now)
        return {
            "Successful": [{"Id": entry["Id"]} for entry, error in zip(entries, outcomes) if error is None],
            "Failed": [_failure(entry["Id"], error) for entry, error in zip(entries, outcomes) if error is not None],
        }

    return await be.in_queue(ctx.account, ctx.region, req["QueueUrl"], run)


@SERVICE.op("ChangeMessageVisibilityBatch")
async def change_message_visibility_batch(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    be = backend(ctx)
    now = be.now_ms()

    def apply(tx: Tx, queue: Queue, entry: dict[str, Any]) -> None:
        if entry.get("VisibilityTimeout") is None:
            raise MissingParameter("The request must contain the parameter VisibilityTimeout.")
        be.change_visibility_in_tx(tx, queue, entry["ReceiptHandle"], entry["VisibilityTimeout"], now)

    return await _batch(ctx, req, "ChangeMessageVisibilityBatchRequestEntry", apply)
