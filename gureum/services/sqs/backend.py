"""SQS behaviour over the store: sending, receiving (with long polling), visibility, dead-lettering.

Long polls wait on a per-queue asyncio.Event; a write that can make messages available calls wake(tx, …),
which the store delivers at commit to this node and (PostgreSQL) to every other node.  A waiter also wakes
when the next delayed or in-flight message becomes visible.  No polling loop, no thread parked.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from ...aws.errors import ServiceError
from ...runtime import Runtime
from ...store.base import Tx
from . import limits, store
from .errors import InvalidParameterValue, MessageNotInflight, ReceiptHandleIsInvalid, no_such_queue
from .messages import (
    attributes_md5,
    decode_attributes,
    new_token,
    parse_receipt_handle,
    receipt_handle,
    select_attributes,
)
from .queues import Queue, parse_queue_url
from .store import NewMessage, Row

T = TypeVar("T")
_WAKE_CHANNEL = "sqs"


@dataclass(slots=True)
class Received:
    row: Row
    handle: str


@dataclass(slots=True)
class SendResult:
    message_id: str
    sequence: str | None


class SqsBackend:
    def __init__(self, runtime: Runtime) -> None:
        self.runtime = runtime
        self.store = runtime.store
        self.clock = runtime.clock
        self._events: dict[int, asyncio.Event] = {}
        self._queue_ids: dict[tuple[str, str], int] = {}
        self.store.subscribe(_WAKE_CHANNEL, lambda payload: self.notify(int(payload)))

    # --- time and wake-ups ------------------------------------------------------------------

    def now_ms(self) -> int:
        return int(self.clock.now() * 1000)

    @staticmethod
    def wake(tx: Tx, *queue_ids: int) -> None:
        """Once tx commits, wake long polls on these queues, on every node."""
        for queue_id in queue_ids:
            tx.notify(_WAKE_CHANNEL, str(queue_id))

    def notify(self, *queue_ids: int) -> None:
        """Wake this node's long polls on these queues (the store calls it for every committed wake())."""
        for queue_id in queue_ids:
            event = self._events.pop(queue_id, None)
            if event is not None:
                event.set()

    def _event(self, queue_id: int) -> asyncio.Event:
        event = self._events.get(queue_id)
        if event is None:
            event = self._events[queue_id] = asyncio.Event()
        return event

    # --- queue resolution -------------------------------------------------------------------

    async def in_queue(
        self, account: str, region: str, url: str, fn: Callable[[Tx, Queue], T], *, write: bool = True
    ) -> T:
        """Run fn(tx, queue) in one transaction with the queue the URL names."""
        where = parse_queue_url(url)
        if where is None and (limits.QUEUE_NAME.match(url) or limits.FIFO_QUEUE_NAME.match(url)):
            where = (account, url)  # AWS also takes a bare queue name of the caller's account for QueueUrl
        if where is None:
            raise no_such_queue()
        owner, name = where

        def run(tx: Tx) -> T:
            queue = store.get_queue(tx, owner, region, name)
            if queue is None:
                raise no_such_queue()
            return fn(tx, queue)

        return await (self.store.write(run) if write else self.store.read(run))

    # --- send ---------------------------------------------------------------------------------

    def send_in_tx(
        self, tx: Tx, queue: Queue, messages: list[NewMessage], sender: str, now_ms: int
    ) -> list[SendResult | Exception]:
        if not queue.fifo:
            message_ids = store.insert_messages(tx, queue.id, messages, sender, now_ms)
            if message_ids:
                self.wake(tx, queue.id)
            return [SendResult(message_id, None) for message_id in message_ids]
        results: list[SendResult | Exception] = []
        for msg in messages:
            dedup_id = msg.dedup_id
            if dedup_id is None:  # content-based deduplication (validated by the caller)
                dedup_id = hashlib.sha256(msg.body.encode()).hexdigest()
                msg.dedup_id = dedup_id
            # group and deduplication ids never hold a space (and PostgreSQL text cannot hold NUL)
            key = (
                f"{msg.group_id} {dedup_id}"
                if queue.attributes.get("DeduplicationScope") == "messageGroup"
                else dedup_id
            )
            message_id = store.new_message_id()
            if not store.claim_dedup(
                tx, queue.id, key, message_id, now_ms, now_ms + limits.DEDUP_WINDOW_SECONDS * 1000
            ):
                duplicate = store.find_duplicate(tx, queue.id, key, now_ms)
                assert duplicate is not None
                results.append(SendResult(duplicate[0], duplicate[1]))
                continue
            row_id = store.insert_message(tx, queue.id, msg, sender, now_ms, message_id)
            sequence = f"{row_id:020d}"
            store.set_dedup_sequence(tx, queue.id, key, sequence)
            results.append(SendResult(message_id, sequence))
        if messages:
            self.wake(tx, queue.id)
        return results

    # --- receive ------------------------------------------------------------------------------

    def _receive_in_tx(
        self, tx: Tx, queue: Queue, count: int, visibility: int, attempt_id: str | None
    ) -> list[Received]:
        now = self.now_ms()
        if attempt_id and queue.fifo:
            previous = store.get_attempt(tx, queue.id, attempt_id, now)
            if previous is not None:
                again = self._repeat_attempt(tx, queue, previous, visibility, now)
                if again is not None:
                    return again
        retention_cutoff = now - queue.int_attr("MessageRetentionPeriod") * 1000
        redrive = queue.redrive
        dlq: Queue | None = None
        if redrive:
            dlq = store.get_queue_by_arn(tx, redrive["deadLetterTargetArn"])
        out: list[Received] = []
        # rows this receive took or lost: with VisibilityTimeout=0 a taken row stays visible, and must not be
        # handed out twice; a row a concurrent receive got first (PostgreSQL) must not be tried again
        seen: set[int] = set()
        lost_groups: set[str] = set()  # FIFO groups another receive got to first: take nothing more from them
        visible_until = now + visibility * 1000
        for _round in range(20):  # bounded: each round either fills the batch or dead-letters/expires rows
            want = count - len(out)
            if queue.fifo:
                candidates = [
                    r for r in self._fifo_candidates(tx, queue, now, want, seen) if r.group_id not in lost_groups
                ]
            else:
                candidates = [
                    r for r in store.visible_candidates(tx, queue.id, now, want + len(seen)) if r.id not in seen
                ][:want]
            if not candidates:
                break
            progressed = False
            taking: list[tuple[Row, str]] = []  # a standard queue's rows to take, marked together after the round
            for row in candidates:
                if row.group_id is not None and row.group_id in lost_groups:
                    continue
                seen.add(row.id)
                if row.sent_at < retention_cutoff:
                    tx.execute("DELETE FROM sqs_messages WHERE id = ? AND queue_id = ?", (row.id, queue.id))
                    continue
                if dlq is not None and redrive and row.receive_count >= int(redrive["maxReceiveCount"]):
                    if store.move_message(tx, row, queue.id, dlq.id, now, queue.arn, reset_sent=dlq.fifo):
                        self.wake(tx, dlq.id)
                    elif queue.fifo and row.group_id is not None:
                        lost_groups.add(row.group_id)
                    continue
                token = new_token()
                if not queue.fifo:
                    taking.append((row, token))
                    if len(out) + len(taking) >= count:
                        break
                    continue
                if not store.mark_received(tx, queue.id, row, visible_until, token, now):
                    if row.group_id is not None:
                        lost_groups.add(row.group_id)  # never skip ahead inside a group
                    continue
                out.append(Received(row, receipt_handle(queue.id, row.id, token)))
                progressed = True
                if len(out) >= count:
                    break
            for row, token in store.mark_received_many(tx, queue.id, taking, visible_until, now) if taking else ():
                out.append(Received(row, receipt_handle(queue.id, row.id, token)))
                progressed = True
            if len(out) >= count or (progressed and not queue.fifo):
                break
        if attempt_id and queue.fifo and out:
            store.save_attempt(
                tx,
                queue.id,
                attempt_id,
                [(r.row.id, r.row.receipt or "") for r in out],
                now + limits.RECEIVE_ATTEMPT_SECONDS * 1000,
            )
        return out

    def _repeat_attempt(
        self, tx: Tx, queue: Queue, previous: list[tuple[int, str]], visibility: int, now: int
    ) -> list[Received] | None:
        rows = store.rows_by_id(tx, queue.id, [row_id for row_id, _ in previous])
        tokens = dict(previous)
        if len(rows) != len(previous) or any(row.receipt != tokens[row.id] for row in rows):
            return None  # a message was deleted or changed: the attempt cannot be repeated
        for row in rows:
            store.set_visibility(tx, row.id, now + visibility * 1000, row.receipt or "")
        return [Received(row, receipt_handle(queue.id, row.id, row.receipt or "")) for row in rows]

    @staticmethod
    def _fifo_candidates(tx: Tx, queue: Queue, now: int, want: int, skip: set[int]) -> list[Row]:
        """Messages in order: as many as possible from the oldest unblocked group, then the next group.

        A group whose oldest message is in flight is blocked; `skip` holds rows this receive already took.
        """
        out: list[Row] = []
        for head in store.fifo_heads(tx, queue.id, now, want + len(skip)):
            for row in [head, *store.fifo_group_run(tx, queue.id, head.group_id or "", head.id, want + len(skip))]:
                if row.visible_at > now:
                    break
                if row.id in skip:
                    continue
                out.append(row)
                if len(out) >= want:
                    return out
        return out

    async def receive(
        self,
        account: str,
        region: str,
        url: str,
        count: int,
        visibility: int | None,
        wait: int | None,
        attempt_id: str | None,
    ) -> tuple[Queue, list[Received]]:
        key = (region, url)
        deadline: float | None = None
        while True:
            known = self._queue_ids.get(key)
            # take the wake-up event before looking, so a send that commits after the look still wakes us
            event = self._event(known) if known is not None else None
            holder: dict[str, Any] = {}

            def run(tx: Tx, queue: Queue) -> list[Received]:
                holder["queue"] = queue
                vt = queue.int_attr("VisibilityTimeout") if visibility is None else visibility
                got = self._receive_in_tx(tx, queue, count, vt, attempt_id)
                if not got:
                    holder["next"] = store.next_visible_at(tx, queue.id, self.now_ms())
                return got

            got = await self.in_queue(account, region, url, run)
            queue: Queue = holder["queue"]
            self._queue_ids[key] = queue.id
            if deadline is None:
                seconds = queue.int_attr("ReceiveMessageWaitTimeSeconds") if wait is None else wait
                deadline = self.clock.monotonic() + seconds
            remaining = deadline - self.clock.monotonic()
            if got or remaining <= 0:
                return queue, got
            if known != queue.id:
                continue  # now that the queue's id is known, look once more with its event held
            timeout = remaining
            if holder.get("next") is not None:
                timeout = min(timeout, max(0.0, holder["next"] / 1000 - self.clock.now()) + 0.005)
            try:
                await asyncio.wait_for(event.wait(), timeout)  # type: ignore[union-attr]
            except TimeoutError:
                pass

    # --- visibility and delete ---------------------------------------------------------------

    @staticmethod
    def _handle_for(queue: Queue, handle: str) -> tuple[int, str]:
        queue_id, row_id, token = parse_receipt_handle(handle)
        if queue_id != queue.id:
            raise ReceiptHandleIsInvalid(f'The input receipt handle "{handle}" is not a valid receipt handle.')
        return row_id, token

    def change_visibility_in_tx(self, tx: Tx, queue: Queue, handle: str, timeout: int, now: int) -> bool:
        """Returns True when the message became visible (waiters should wake)."""
        if not 0 <= timeout <= limits.MAX_VISIBILITY_TIMEOUT:
            raise InvalidParameterValue(
                f"Value {timeout} for parameter VisibilityTimeout is invalid. Reason: Must be between 0 and {limits.MAX_VISIBILITY_TIMEOUT}."
            )
        row_id, token = self._handle_for(queue, handle)
        state = store.message_state(tx, queue.id, row_id)
        if state is None or state[0] != token:
            raise InvalidParameterValue(
                f"Value {handle} for parameter ReceiptHandle is invalid. Reason: Message does not exist or is not available for visibility timeout change."
            )
        if state[1] <= now and queue.fifo:
            # a standard queue lets the latest receipt handle hide an expired message again (as AWS does);
            # in a FIFO queue the handle expired with the visibility timeout
            raise MessageNotInflight("The specified message isn't in flight.")
        if not store.set_visibility(tx, row_id, now + timeout * 1000, token):
            raise InvalidParameterValue(
                f"Value {handle} for parameter ReceiptHandle is invalid. Reason: Message does not exist or is not available for visibility timeout change."
            )
        if timeout == 0:
            self.wake(tx, queue.id)
        return timeout == 0

    def delete_in_tx(self, tx: Tx, queue: Queue, handle: str, now: int) -> bool:
        row_id, token = self._handle_for(queue, handle)
        if queue.fifo:
            state = store.message_state(tx, queue.id, row_id)
            if state is not None and state[0] == token and state[1] <= now:
                # a FIFO receipt handle dies with its visibility timeout (a standard queue still deletes)
                raise InvalidParameterValue(
                    f"Value {handle} for parameter ReceiptHandle is invalid. Reason: The receipt handle has expired."
                )
        deleted = store.delete_message(tx, queue.id, row_id, token)
        if deleted and queue.fifo:
            self.wake(tx, queue.id)  # the message's group may be unblocked
        return deleted

    def delete_many_in_tx(self, tx: Tx, queue: Queue, handles: list[str], now: int) -> list[ServiceError | None]:
        """DeleteMessageBatch: one outcome per handle (None = deleted, or already gone, which AWS also answers
        with success).  A standard queue deletes every valid handle in one statement."""
        if queue.fifo:
            outcomes: list[ServiceError | None] = []
            for handle in handles:
                try:
                    self.delete_in_tx(tx, queue, handle, now)
                    outcomes.append(None)
                except ServiceError as error:
                    outcomes.append(error)
            return outcomes
        receipts: list[tuple[int, str]] = []
        outcomes = []
        for handle in handles:
            try:
                receipts.append(self._handle_for(queue, handle))
                outcomes.append(None)
            except ServiceError as error:
                outcomes.append(error)
        if receipts:
            store.delete_messages(tx, queue.id, receipts)
        return outcomes

    # --- message rendering -------------------------------------------------------------------

    def render(
        self, queue: Queue, item: Received, system_wanted: set[str], user_wanted: list[str] | None
    ) -> dict[str, Any]:
        """One received message as ReceiveMessage returns it, with the system and message attributes asked for."""
        row = item.row
        message: dict[str, Any] = {
            "MessageId": row.message_id,
            "ReceiptHandle": item.handle,
            "MD5OfBody": row.md5_body,
            "Body": row.body,
        }
        system = self.system_attributes(queue, row, system_wanted)
        if system:
            message["Attributes"] = system
        user = select_attributes(self.user_attributes(row), user_wanted)
        if user:
            message["MessageAttributes"] = user
            message["MD5OfMessageAttributes"] = attributes_md5(user)
        return message

    @staticmethod
    def system_attributes(queue: Queue, row: Row, wanted: set[str]) -> dict[str, str]:
        if not wanted:
            return {}
        every = "All" in wanted
        out: dict[str, str] = {}

        def put(name: str, value: Any) -> None:
            if value is not None and (every or name in wanted):
                out[name] = str(value)

        put("SenderId", row.sender_id)
        put("SentTimestamp", row.sent_at)
        put("ApproximateReceiveCount", row.receive_count)
        put("ApproximateFirstReceiveTimestamp", row.first_received_at)
        if queue.fifo:
            put("SequenceNumber", f"{row.id:020d}")
            put("MessageDeduplicationId", row.dedup_id)
        put("MessageGroupId", row.group_id)
        if row.system_attributes:
            trace = json.loads(row.system_attributes).get("AWSTraceHeader", {})
            put("AWSTraceHeader", trace.get("StringValue"))
        put("DeadLetterQueueSourceArn", row.dlq_source_arn)
        return out

    @staticmethod
    def user_attributes(row: Row) -> dict[str, dict[str, Any]]:
        return decode_attributes(row.attributes)
