"""What a sender gives (Outgoing) and the checks it passes before it is stored: those that need no queue
(prepare), those against the queue (fit_to_queue), a batch's entry ids and FIFO rules; then storing the
messages, FIFO deduplication included (store_in_tx). No SQL here (store.py has it), no HTTP."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any

from ...store.base import Tx
from . import limits, store
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
from .md5 import md5_bytes
from .messages import (
    NewMessage,
    attributes_md5,
    check_body,
    check_message_attributes,
    encode_attributes,
    sequence_number,
)
from .queues import Queue

_TRACE_HEADER = "AWSTraceHeader"
_NOT_FOR_QUEUE_TYPE = "The request include parameter that is not valid for this queue type."  # sic, AWS's grammar
_NO_DEDUP = (
    "The queue should either have ContentBasedDeduplication enabled or MessageDeduplicationId provided explicitly"
)


@dataclass(slots=True)  # not frozen: one is made per message, and a frozen dataclass is four times slower to make
class Outgoing:
    """A message as a sender gives it (SendMessage, a batch entry, a delivery from another service).
    `trace_header` is the request's X-Amzn-Trace-Id: X-Ray's header instrumentation, which gives every message of
    the request the AWSTraceHeader system attribute unless the message's MessageSystemAttributes name one."""

    body: str | None
    attributes: dict[str, dict[str, Any]] | None = None
    system_attributes: dict[str, dict[str, Any]] | None = None
    delay: int | None = None
    group_id: str | None = None
    dedup_id: str | None = None
    trace_header: str | None = None

    @classmethod
    def from_entry(cls, entry: dict[str, Any], trace_header: str | None = None) -> Outgoing:
        """A SendMessageBatch entry (AWS member names)."""
        return cls(
            entry.get("MessageBody"),
            entry.get("MessageAttributes"),
            entry.get("MessageSystemAttributes"),
            entry.get("DelaySeconds"),
            entry.get("MessageGroupId"),
            entry.get("MessageDeduplicationId"),
            trace_header,
        )


@dataclass(slots=True)
class Prepared:
    """An Outgoing message checked, in stored form, with what SendMessage answers about it."""

    message: NewMessage
    size: int
    md5_attributes: str | None
    md5_system: str | None
    delay: int | None


@dataclass(slots=True)  # not frozen, as Outgoing
class Sent:
    """What SendMessage answers for one stored (or deduplicated) message."""

    message_id: str
    md5_body: str
    md5_attributes: str | None
    md5_system: str | None
    sequence: str | None


def prepare(outgoing: Outgoing) -> Prepared:
    """Checks that need no queue: body, attributes, sizes, token formats."""
    body = outgoing.body
    check_body(body)
    assert body is not None
    encoded = body.encode()
    attributes = outgoing.attributes
    system = outgoing.system_attributes
    size = len(encoded)
    if attributes:
        size += check_message_attributes(attributes)
    if system:
        check_message_attributes(system, "system ")
    delay = outgoing.delay
    if delay is not None and not 0 <= delay <= limits.MAX_DELAY_SECONDS:
        raise invalid_value("DelaySeconds", delay, f"DelaySeconds must be >= 0 and <= {limits.MAX_DELAY_SECONDS}.")
    if outgoing.group_id is not None:
        _check_token("MessageGroupId", outgoing.group_id)
    if outgoing.dedup_id is not None:
        _check_token("MessageDeduplicationId", outgoing.dedup_id)
    stored_system = system
    if outgoing.trace_header and not (system and _TRACE_HEADER in system):
        # the message system attribute overrides the HTTP header (X-Ray's SQS integration); the header adds no
        # MD5OfMessageSystemAttributes, as the sender computed none
        stored_system = {**(system or {}), _TRACE_HEADER: {"DataType": "String", "StringValue": outgoing.trace_header}}
    message = NewMessage(
        body,
        encode_attributes(attributes) if attributes else None,
        encode_attributes(stored_system) if stored_system else None,
        md5_bytes(encoded),  # the body encoded once, for its size and its digest
        0,
        outgoing.group_id,
        outgoing.dedup_id,
    )
    return Prepared(
        message,
        size,
        attributes_md5(attributes) if attributes else None,
        attributes_md5(system) if system else None,
        delay,
    )


def _check_token(key: str, value: str) -> None:
    if not limits.TOKEN.match(value):
        raise invalid_value(
            key, value, f"{key} can only include alphanumeric and punctuation characters. 1 to 128 in length."
        )


def fit_to_queue(prepared: Prepared, queue: Queue, *, batch: bool = False) -> None:
    """Checks that depend on the queue: size limit, FIFO rules; sets the message's delay (the queue's default
    when the sender gave none)."""
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


def check_batch(entry_ids: list[str], kind: str) -> None:
    """A batch request's entries: at least one, at most ten, ids well formed and distinct."""
    if not entry_ids:
        raise EmptyBatchRequest(f"There should be at least one {kind} in the request.")
    if len(entry_ids) > limits.MAX_BATCH_ENTRIES:
        raise TooManyEntriesInBatchRequest(
            f"Maximum number of entries per request are {limits.MAX_BATCH_ENTRIES}. You have sent {len(entry_ids)}."
        )
    seen: set[str] = set()
    for entry_id in entry_ids:
        if not limits.BATCH_ENTRY_ID.match(entry_id):
            raise InvalidBatchEntryId(
                "A batch entry id can only contain alphanumeric characters, hyphens and underscores. "
                "It can be at most 80 letters long."
            )
        if entry_id in seen:
            raise BatchEntryIdsNotDistinct(f"Id {entry_id} repeated.")
        seen.add(entry_id)


def check_batch_size(total: int) -> None:
    if total > limits.MAX_MESSAGE_SIZE:
        raise BatchRequestTooLong(
            f"Batch requests cannot be longer than {limits.MAX_MESSAGE_SIZE} bytes. You have sent {total} bytes."
        )


def check_fifo_batch(items: list[Prepared], queue: Queue) -> None:
    """In a FIFO batch, an entry without a group or deduplication id fails the whole request (as on AWS),
    and as InvalidParameterValue even where a single SendMessage says MissingParameter."""
    for item in items:
        if item.message.group_id is None:
            raise InvalidParameterValue("The request must contain the parameter MessageGroupId.")
    if not queue.flag("ContentBasedDeduplication") and any(item.message.dedup_id is None for item in items):
        raise InvalidParameterValue(_NO_DEDUP)


def dedup_key(queue: Queue, msg: NewMessage) -> str:
    """The key a FIFO message is deduplicated by; fills in a content-based deduplication id (fit_to_queue made
    sure the queue has ContentBasedDeduplication when the sender gave none)."""
    if msg.dedup_id is None:
        msg.dedup_id = hashlib.sha256(msg.body.encode()).hexdigest()
    if queue.attributes.get("DeduplicationScope") == "messageGroup":
        # group and deduplication ids never hold a space (and PostgreSQL text cannot hold NUL)
        return f"{msg.group_id} {msg.dedup_id}"
    return msg.dedup_id


def sent(prepared: Prepared, message_id: str, sequence: str | None) -> Sent:
    return Sent(message_id, prepared.message.md5_body, prepared.md5_attributes, prepared.md5_system, sequence)


def store_in_tx(tx: Tx, queue: Queue, items: list[Prepared], sender: str, now_ms: int) -> list[Sent]:
    """Store messages fit to the queue. A FIFO message whose deduplication key was seen in the last five minutes
    is not stored again: the first one's message id and sequence number answer."""
    if not queue.fifo:
        message_ids = store.insert_messages(tx, queue.id, [item.message for item in items], sender, now_ms)
        if message_ids:
            store.wake(tx, queue.id)
        return [sent(item, message_id, None) for item, message_id in zip(items, message_ids)]
    results: list[Sent] = []
    for item in items:
        key = dedup_key(queue, item.message)
        message_id = store.new_message_id()
        expires = now_ms + limits.DEDUP_WINDOW_SECONDS * 1000
        if not store.claim_dedup(tx, queue.id, key, message_id, now_ms, expires):
            duplicate = store.find_duplicate(tx, queue.id, key, now_ms)
            assert duplicate is not None
            results.append(sent(item, *duplicate))
            continue
        row_id = store.insert_message(tx, queue.id, item.message, sender, now_ms, message_id)
        sequence = sequence_number(row_id)
        store.set_dedup_sequence(tx, queue.id, key, sequence)
        results.append(sent(item, message_id, sequence))
    if items:
        store.wake(tx, queue.id)
    return results
