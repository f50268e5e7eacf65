"""Receiving inside a transaction: which messages a receive takes (FIFO group order, a repeated
ReceiveRequestAttemptId) and what happens on the way (expired messages dropped, messages past maxReceiveCount
moved to the dead-letter queue); then what a receipt handle does (delete, change visibility). Long polling around
a receive is SqsBackend's. No SQL here (store.py has it)."""

from __future__ import annotations

from ...aws.errors import ServiceError
from ...store.base import Tx
from . import limits, store
from .errors import InvalidParameterValue, MessageNotInflight, MissingParameter, ReceiptHandleIsInvalid, invalid_value
from .messages import Handle, Received, Row, new_token, parse_receipt_handle, receipt_handle
from .queues import Queue

_MAX_ROUNDS = 20  # bounded: each round either fills the batch or dead-letters/expires rows


def check_receive(count: int | None, wait: int | None, visibility: int | None, attempt_id: str | None) -> None:
    """ReceiveMessage's arguments."""
    if count is not None and not 1 <= count <= limits.MAX_RECEIVE:
        raise invalid_value("MaxNumberOfMessages", count, "Must be between 1 and 10, if provided.")
    if wait is not None and not 0 <= wait <= limits.MAX_WAIT_SECONDS:
        raise invalid_value("WaitTimeSeconds", wait, "Must be >= 0 and <= 20, if provided.")
    if visibility is not None and not 0 <= visibility <= limits.MAX_VISIBILITY_TIMEOUT:
        raise invalid_value(
            "VisibilityTimeout", visibility, f"Must be >= 0 and <= {limits.MAX_VISIBILITY_TIMEOUT}, if provided."
        )
    if attempt_id is not None and not limits.TOKEN.match(attempt_id):
        raise invalid_value(
            "ReceiveRequestAttemptId",
            attempt_id,
            "ReceiveRequestAttemptId can only include alphanumeric and punctuation characters. 1 to 128 in length.",
        )


def take(tx: Tx, queue: Queue, count: int, visibility: int, attempt_id: str | None, now: int) -> list[Received]:
    """Take up to `count` visible messages, hiding them for `visibility` seconds."""
    if attempt_id and queue.fifo:
        previous = store.get_attempt(tx, queue.id, attempt_id, now)
        if previous is not None:
            again = _repeat_attempt(tx, queue, previous, visibility, now)
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
    for _round in range(_MAX_ROUNDS):
        want = count - len(out)
        if queue.fifo:
            candidates = [r for r in _fifo_candidates(tx, queue, now, want, seen) if r.group_id not in lost_groups]
        else:
            candidates = [r for r in store.visible_candidates(tx, queue.id, now, want + len(seen)) if r.id not in seen][
                :want
            ]
        if not candidates:
            break
        progressed = False
        taking: list[tuple[Row, str]] = []  # a standard queue's rows to take, marked together after the round
        for row in candidates:
            if row.group_id is not None and row.group_id in lost_groups:
                continue
            seen.add(row.id)
            if row.sent_at < retention_cutoff:
                store.delete_row(tx, queue.id, row.id)
                continue
            if dlq is not None and redrive and row.receive_count >= int(redrive["maxReceiveCount"]):
                if store.move_message(tx, row, queue.id, dlq.id, now, queue.arn, reset_sent=dlq.fifo):
                    store.wake(tx, dlq.id)
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
            out.append(Received(row, receipt_handle(queue.id, row.id, token, row.message_id)))
            progressed = True
            if len(out) >= count:
                break
        for row, token in store.mark_received_many(tx, queue.id, taking, visible_until, now) if taking else ():
            out.append(Received(row, receipt_handle(queue.id, row.id, token, row.message_id)))
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
    tx: Tx, queue: Queue, previous: list[tuple[int, str]], visibility: int, now: int
) -> list[Received] | None:
    """A FIFO receive retried with the same ReceiveRequestAttemptId gets the same messages again, while none of
    them was deleted or received since."""
    rows = store.rows_by_id(tx, queue.id, [row_id for row_id, _ in previous])
    tokens = dict(previous)
    if len(rows) != len(previous) or any(row.receipt != tokens[row.id] for row in rows):
        return None  # a message was deleted or changed: the attempt cannot be repeated
    for row in rows:
        store.set_visibility(tx, row.id, now + visibility * 1000, row.receipt or "")
    return [Received(row, receipt_handle(queue.id, row.id, row.receipt or "", row.message_id)) for row in rows]


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


# --- what a receipt handle does ---------------------------------------------------------------------------------


def handle_for(queue: Queue, handle: str) -> Handle:
    """A receipt handle of this queue."""
    parsed = parse_receipt_handle(handle)
    if parsed.queue_id != queue.id:
        raise ReceiptHandleIsInvalid(f'The input receipt handle "{handle}" is not a valid receipt handle.')
    return parsed


def _not_changeable(handle: str) -> ServiceError:
    return InvalidParameterValue(
        f"Value {handle} for parameter ReceiptHandle is invalid. "
        "Reason: Message does not exist or is not available for visibility timeout change."
    )


def _expired(handle: str) -> ServiceError:
    return InvalidParameterValue(
        f"Value {handle} for parameter ReceiptHandle is invalid. Reason: The receipt handle has expired."
    )


def _fifo_receive_over(state: tuple[str, str | None, int], h: Handle, now: int) -> bool:
    """In a FIFO queue a receipt handle lives as long as its receive's visibility timeout: it is over once the
    message is visible again or was received again since. False when the row holds another message."""
    message_id, receipt, visible_at = state
    if h.message_id is None:  # a handle that does not name its message knows only its own receive
        return receipt == h.token and visible_at <= now
    return message_id == h.message_id and (receipt != h.token or visible_at <= now)


def change_visibility_in_tx(tx: Tx, queue: Queue, handle: str, timeout: int | None, now: int) -> None:
    """Hide the message a receipt handle names for `timeout` seconds from now (0: visible again at once). In a
    standard queue any handle of the message does, as on AWS; in a FIFO queue only the handle of the receive
    that holds the message in flight."""
    if timeout is None:
        raise MissingParameter("The request must contain the parameter VisibilityTimeout.")
    if not 0 <= timeout <= limits.MAX_VISIBILITY_TIMEOUT:
        raise InvalidParameterValue(
            f"Value {timeout} for parameter VisibilityTimeout is invalid. "
            f"Reason: Must be between 0 and {limits.MAX_VISIBILITY_TIMEOUT}."
        )
    h = handle_for(queue, handle)
    visible_at = now + timeout * 1000
    if queue.fifo:
        state = store.message_state(tx, queue.id, h.row_id)
        if state is None or state[1] != h.token or (h.message_id is not None and state[0] != h.message_id):
            raise _not_changeable(handle)
        if state[2] <= now:
            raise MessageNotInflight("The specified message isn't in flight.")
        changed = store.set_visibility(tx, h.row_id, visible_at, h.token)
    elif h.message_id is None:
        changed = store.set_visibility(tx, h.row_id, visible_at, h.token)
    else:
        # a standard queue lets any handle of the message change it, even after its visibility timeout ended
        changed = store.set_message_visibility(tx, queue.id, h.row_id, h.message_id, visible_at)
    if not changed:
        raise _not_changeable(handle)
    store.wake(tx, queue.id)  # long polls re-read when a message is next due (a shorter timeout: sooner)


def delete_in_tx(tx: Tx, queue: Queue, handle: str, now: int) -> bool:
    """Delete the message a receipt handle names; False when it is gone already. In a standard queue any handle
    of the message deletes it, as on AWS (the ones given before handles named their message: only while their
    receive is the latest); a FIFO handle whose receive is over has expired."""
    h = handle_for(queue, handle)
    if not queue.fifo:
        if h.message_id is None:
            return store.delete_message(tx, queue.id, h.row_id, h.token)
        return store.delete_received(tx, queue.id, h.row_id, h.message_id)
    state = store.message_state(tx, queue.id, h.row_id)
    if state is not None and _fifo_receive_over(state, h, now):
        raise _expired(handle)
    deleted = store.delete_message(tx, queue.id, h.row_id, h.token)
    if deleted:
        store.wake(tx, queue.id)  # the message's group may be unblocked
    return deleted
