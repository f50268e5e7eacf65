"""SQS's SQL for queues, messages, deduplication and receive attempts (move tasks: store_moves.py), and the
wake-up channel. Every function runs inside one store transaction (``tx``) on the store's thread.

Times in the messages table are integer milliseconds; queue times are float seconds.
"""

from __future__ import annotations

import json
from typing import Any

from ...aws.authorize import RESOURCE_POLICY_CHANNEL
from ...ids import unique_id
from ...store.base import Tx
from .messages import NewMessage, Row
from .queues import Queue, parse_arn

# a write that can make messages available notifies this channel with the queue id (see wake)
WAKE_CHANNEL = "sqs"
_QUEUE_COLUMNS = "id, account, region, name, fifo, attributes, tags, created_at, modified_at, purged_at"
MESSAGE_COLUMNS = (
    "id, message_id, body, attributes, system_attributes, md5_body, sender_id, sent_at, receive_count, "
    "first_received_at, group_id, dedup_id, dlq_source_arn, visible_at, receipt"
)


def wake(tx: Tx, *queue_ids: int) -> None:
    """Once tx commits, wake long polls on these queues, on every node (SqsBackend subscribes to the channel)."""
    for queue_id in queue_ids:
        tx.notify(WAKE_CHANNEL, str(queue_id))


def _queue(row: tuple[Any, ...] | None) -> Queue | None:
    if row is None:
        return None
    return Queue(
        row[0], row[1], row[2], row[3], bool(row[4]), json.loads(row[5]), json.loads(row[6]), row[7], row[8], row[9]
    )


# Queue rows are read by every message operation and change rarely: they are looked up once and served from the
# store's shared cache until a change to sqs_queues invalidates it (SQLite: exact; PostgreSQL: this node's changes at
# once, another node's once its notification arrives — AWS too propagates a queue's changes within seconds).
_CACHE = "sqs_queues"


def _copy(queue: Queue) -> Queue:
    """A caller may change the attributes of the queue it gets (then write them): never hand out the cached one."""
    return Queue(
        queue.id,
        queue.account,
        queue.region,
        queue.name,
        queue.fifo,
        dict(queue.attributes),
        dict(queue.tags),
        queue.created_at,
        queue.modified_at,
        queue.purged_at,
    )


def forget_queues(tx: Tx) -> None:
    """Drop cached queue rows (a change to sqs_queues, or a wipe of every table); every node's IAM enforcement
    drops the queue policies it cached."""
    if tx.shared_cache is not None:
        tx.shared_cache.invalidate(_CACHE)
    tx.notify(RESOURCE_POLICY_CHANNEL, "sqs")


def get_queue(tx: Tx, account: str, region: str, name: str) -> Queue | None:
    if "\x00" in name:  # no queue name holds NUL (and PostgreSQL text cannot): no such queue on either backend
        return None
    cache = tx.shared_cache
    key = (account, region, name)
    if cache is not None:
        hit = cache.get(_CACHE, key)
        if hit is not None:
            return _copy(hit)
    queue = _queue(
        tx.one(f"SELECT {_QUEUE_COLUMNS} FROM sqs_queues WHERE account = ? AND region = ? AND name = ?", key)
    )
    if cache is not None and queue is not None:
        cache.put(_CACHE, key, _copy(queue))
    return queue


def get_queue_by_id(tx: Tx, queue_id: int) -> Queue | None:
    return _queue(tx.one(f"SELECT {_QUEUE_COLUMNS} FROM sqs_queues WHERE id = ?", (queue_id,)))


def get_queue_by_arn(tx: Tx, arn: str) -> Queue | None:
    parts = parse_arn(arn)
    return get_queue(tx, parts[1], parts[0], parts[2]) if parts else None


def all_queues(tx: Tx) -> list[Queue]:
    return [q for q in (_queue(row) for row in tx.all(f"SELECT {_QUEUE_COLUMNS} FROM sqs_queues")) if q]


def list_queues(tx: Tx, account: str, region: str, prefix: str, after: str, limit: int) -> list[Queue]:
    rows = tx.all(
        f"SELECT {_QUEUE_COLUMNS} FROM sqs_queues "
        "WHERE account = ? AND region = ? AND name >= ? AND name > ? ORDER BY name LIMIT ?",
        (account, region, prefix, after, limit),
    )
    return [q for q in (_queue(row) for row in rows) if q and q.name.startswith(prefix)]


def deleted_recently(tx: Tx, account: str, region: str, name: str, since: float) -> bool:
    row = tx.one(
        "SELECT deleted_at FROM sqs_deleted_queues WHERE account = ? AND region = ? AND name = ?",
        (account, region, name),
    )
    return row is not None and row[0] > since


def insert_queue(
    tx: Tx,
    account: str,
    region: str,
    name: str,
    fifo: bool,
    attributes: dict[str, str],
    tags: dict[str, str],
    now: float,
) -> Queue | None:
    """Create the queue; None when a concurrent CreateQueue of the same name committed first (PostgreSQL)."""
    row = tx.one(
        "INSERT INTO sqs_queues (account, region, name, fifo, attributes, tags, created_at, modified_at) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?) "
        "ON CONFLICT (account, region, name) DO NOTHING RETURNING id",
        (account, region, name, int(fifo), json.dumps(attributes), json.dumps(tags), now, now),
    )
    if row is None:
        return None
    forget_queues(tx)
    tx.execute("DELETE FROM sqs_deleted_queues WHERE account = ? AND region = ? AND name = ?", (account, region, name))
    return Queue(row[0], account, region, name, fifo, attributes, tags, now, now, None)


def delete_queue(tx: Tx, queue: Queue, now: float) -> None:
    forget_queues(tx)
    tx.execute("DELETE FROM sqs_queues WHERE id = ?", (queue.id,))
    tx.execute("DELETE FROM sqs_messages WHERE queue_id = ?", (queue.id,))
    tx.execute("DELETE FROM sqs_dedup WHERE queue_id = ?", (queue.id,))
    tx.execute("DELETE FROM sqs_receive_attempts WHERE queue_id = ?", (queue.id,))
    tx.execute(
        "INSERT INTO sqs_deleted_queues (account, region, name, deleted_at) VALUES (?, ?, ?, ?) "
        "ON CONFLICT (account, region, name) DO UPDATE SET deleted_at = excluded.deleted_at",
        (queue.account, queue.region, queue.name, now),
    )


def update_queue(tx: Tx, queue: Queue, now: float) -> None:
    forget_queues(tx)
    tx.execute(
        "UPDATE sqs_queues SET attributes = ?, tags = ?, modified_at = ?, purged_at = ? WHERE id = ?",
        (json.dumps(queue.attributes), json.dumps(queue.tags), now, queue.purged_at, queue.id),
    )


def update_tags(tx: Tx, queue: Queue) -> None:
    forget_queues(tx)
    tx.execute("UPDATE sqs_queues SET tags = ? WHERE id = ?", (json.dumps(queue.tags), queue.id))


def dead_letter_sources(tx: Tx, account: str, region: str, dlq_arn: str, after: str, limit: int) -> list[Queue]:
    # LIKE only narrows the scan: 'arn:...:q' is also inside 'arn:...:q-2', so the exact match is made here,
    # before the limit, or a look-alike could push a real source off the page
    rows = tx.all(
        f"SELECT {_QUEUE_COLUMNS} FROM sqs_queues "
        "WHERE account = ? AND region = ? AND attributes LIKE ? AND name > ? ORDER BY name",
        (account, region, f"%{dlq_arn}%", after),
    )
    sources = [
        q for q in (_queue(row) for row in rows) if q and (q.redrive or {}).get("deadLetterTargetArn") == dlq_arn
    ]
    return sources[:limit]


# --- messages --------------------------------------------------------------------------------------


def find_duplicate(tx: Tx, queue_id: int, key: str, now_ms: int) -> tuple[str, str | None] | None:
    row = tx.one(
        "SELECT message_id, sequence FROM sqs_dedup WHERE queue_id = ? AND dedup_key = ? AND expires_at > ?",
        (queue_id, key, now_ms),
    )
    return (row[0], row[1]) if row else None


def claim_dedup(tx: Tx, queue_id: int, key: str, message_id: str, now_ms: int, expires_ms: int) -> bool:
    """Take a deduplication key for a new message; False when a live entry holds it (the send is a duplicate).

    One statement, so two concurrent sends of the same key cannot both win (PostgreSQL makes the second wait
    on the unique key, then sees the first's entry); an expired entry is taken over.
    """
    cur = tx.execute(
        "INSERT INTO sqs_dedup (queue_id, dedup_key, message_id, sequence, expires_at) VALUES (?, ?, ?, NULL, ?) "
        "ON CONFLICT (queue_id, dedup_key) DO UPDATE "
        "SET message_id = excluded.message_id, sequence = NULL, expires_at = excluded.expires_at "
        "WHERE sqs_dedup.expires_at <= ?",
        (queue_id, key, message_id, expires_ms, now_ms),
    )
    return (cur.rowcount or 0) > 0


def set_dedup_sequence(tx: Tx, queue_id: int, key: str, sequence: str) -> None:
    tx.execute("UPDATE sqs_dedup SET sequence = ? WHERE queue_id = ? AND dedup_key = ?", (sequence, queue_id, key))


def new_message_id() -> str:
    return unique_id()


_INSERT_MESSAGE = (
    "INSERT INTO sqs_messages (queue_id, message_id, body, attributes, system_attributes, md5_body, sender_id, "
    "sent_at, visible_at, group_id, dedup_id) "
    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
)


def _message_row(queue_id: int, message_id: str, msg: NewMessage, sender: str, now_ms: int) -> tuple[Any, ...]:
    return (
        queue_id,
        message_id,
        msg.body,
        msg.attributes,
        msg.system_attributes,
        msg.md5_body,
        sender,
        now_ms,
        now_ms + msg.delay * 1000,
        msg.group_id,
        msg.dedup_id,
    )


def insert_message(tx: Tx, queue_id: int, msg: NewMessage, sender: str, now_ms: int, message_id: str) -> int:
    """One message; returns its row id (a FIFO message's sequence number)."""
    row = tx.one(_INSERT_MESSAGE + " RETURNING id", _message_row(queue_id, message_id, msg, sender, now_ms))
    assert row is not None
    return int(row[0])


def insert_messages(tx: Tx, queue_id: int, messages: list[NewMessage], sender: str, now_ms: int) -> list[str]:
    """Standard-queue messages in one executemany (no row ids wanted); returns their message ids."""
    ids = [new_message_id() for _ in messages]
    tx.executemany(
        _INSERT_MESSAGE,
        [_message_row(queue_id, message_id, msg, sender, now_ms) for message_id, msg in zip(ids, messages)],
    )
    return ids


def _claim(tx: Tx) -> str:
    """On PostgreSQL several writer transactions run at once: lock the candidate rows, and let a concurrent
    receiver skip them instead of waiting for (and then re-delivering) them.  SQLite has a single writer."""
    return " FOR UPDATE SKIP LOCKED" if tx.dialect == "postgresql" else ""


def visible_candidates(tx: Tx, queue_id: int, now_ms: int, limit: int) -> list[Row]:
    """A standard queue's visible messages in the order they were sent: one back from flight comes before those
    sent while it was away (as AWS delivers them). 'visible_at + 0' keeps the planners on the (queue_id, id) index,
    which stops at the first visible rows, rather than sorting every visible row of a long queue."""
    rows = tx.all(
        f"SELECT {MESSAGE_COLUMNS} FROM sqs_messages "
        f"WHERE queue_id = ? AND visible_at + 0 <= ? ORDER BY id LIMIT ?{_claim(tx)}",
        (queue_id, now_ms, limit),
    )
    return [Row(*row) for row in rows]


def fifo_heads(tx: Tx, queue_id: int, now_ms: int, limit: int) -> list[Row]:
    """The oldest message of every group whose head is visible (a group is blocked while its head is in flight),
    groups in the order their heads became visible: a group back from flight comes after the groups that waited
    (as AWS delivers them)."""
    rows = tx.all(
        f"SELECT {MESSAGE_COLUMNS} FROM sqs_messages WHERE id IN "
        "(SELECT MIN(id) FROM sqs_messages WHERE queue_id = ? AND group_id IS NOT NULL GROUP BY group_id) "
        f"AND visible_at <= ? ORDER BY visible_at, id LIMIT ?{_claim(tx)}",
        (queue_id, now_ms, limit),
    )
    return [Row(*row) for row in rows]


def fifo_group_run(tx: Tx, queue_id: int, group_id: str, after_id: int, limit: int) -> list[Row]:
    rows = tx.all(
        f"SELECT {MESSAGE_COLUMNS} FROM sqs_messages "
        "WHERE queue_id = ? AND group_id = ? AND id > ? ORDER BY id LIMIT ?",
        (queue_id, group_id, after_id, limit),
    )
    return [Row(*row) for row in rows]


_MARK_RECEIVED = (
    "UPDATE sqs_messages SET visible_at = ?, receive_count = receive_count + 1, "
    "first_received_at = COALESCE(first_received_at, ?), receipt = ? "
    "WHERE id = ? AND queue_id = ? AND visible_at <= ?"
)


def _received(row: Row, visible_at: int, token: str, now_ms: int) -> None:
    """Bring the row read for a receive up to date with the receive."""
    row.receive_count += 1
    row.first_received_at = row.first_received_at or now_ms
    row.visible_at = visible_at
    row.receipt = token


def mark_received(tx: Tx, queue_id: int, row: Row, visible_at: int, token: str, now_ms: int) -> bool:
    """Take a visible message; False when a concurrent transaction took, moved or deleted it first."""
    cur = tx.execute(_MARK_RECEIVED, (visible_at, now_ms, token, row.id, queue_id, now_ms))
    if (cur.rowcount or 0) == 0:
        return False
    _received(row, visible_at, token, now_ms)
    return True


def mark_received_many(
    tx: Tx, queue_id: int, taking: list[tuple[Row, str]], visible_at: int, now_ms: int
) -> list[tuple[Row, str]]:
    """mark_received for several (row, token) pairs in one executemany; returns the pairs taken (all of them unless
    a concurrent transaction got to some first, which only the summed row count can tell: then look)."""
    cur = tx.executemany(
        _MARK_RECEIVED, [(visible_at, now_ms, token, row.id, queue_id, now_ms) for row, token in taking]
    )
    if (cur.rowcount or 0) != len(taking):
        receipts = {r.id: r.receipt for r in rows_by_id(tx, queue_id, [row.id for row, _ in taking])}
        taking = [(row, token) for row, token in taking if receipts.get(row.id) == token]
    for row, token in taking:
        _received(row, visible_at, token, now_ms)
    return taking


def move_message(
    tx: Tx, row: Row, source_id: int, target_id: int, now_ms: int, source_arn: str | None, reset_sent: bool
) -> bool:
    """Dead-letter a visible message; False when a concurrent transaction got to it first."""
    cur = tx.execute(
        "UPDATE sqs_messages SET queue_id = ?, visible_at = ?, receipt = NULL, "
        "dlq_source_arn = COALESCE(?, dlq_source_arn), sent_at = ? "
        "WHERE id = ? AND queue_id = ? AND visible_at <= ?",
        (target_id, now_ms, source_arn, now_ms if reset_sent else row.sent_at, row.id, source_id, now_ms),
    )
    return (cur.rowcount or 0) > 0


def return_message(tx: Tx, row_id: int, source_id: int, target_id: int, now_ms: int) -> bool:
    """A move task's move: the message starts afresh in the target queue (visible, never received);
    False when a receiver took it meanwhile."""
    cur = tx.execute(
        "UPDATE sqs_messages SET queue_id = ?, visible_at = ?, receipt = NULL, receive_count = 0, "
        "first_received_at = NULL, dlq_source_arn = NULL "
        "WHERE id = ? AND queue_id = ? AND visible_at <= ?",
        (target_id, now_ms, row_id, source_id, now_ms),
    )
    return (cur.rowcount or 0) > 0


def delete_row(tx: Tx, queue_id: int, row_id: int) -> None:
    """Drop one message whatever its receipt (a receive found it past the queue's retention period)."""
    tx.execute("DELETE FROM sqs_messages WHERE id = ? AND queue_id = ?", (row_id, queue_id))


def delete_expired(tx: Tx, queue_id: int, cutoff_ms: int, limit: int = 5000) -> int:
    cur = tx.execute(
        "DELETE FROM sqs_messages WHERE id IN (SELECT id FROM sqs_messages WHERE queue_id = ? AND sent_at < ? LIMIT ?)",
        (queue_id, cutoff_ms, limit),
    )
    return cur.rowcount or 0


def message_state(tx: Tx, queue_id: int, row_id: int) -> tuple[str, str | None, int] | None:
    """(message id, receipt token of its latest receive, visible_at) of a row of the queue."""
    row = tx.one(
        "SELECT message_id, receipt, visible_at FROM sqs_messages WHERE id = ? AND queue_id = ?", (row_id, queue_id)
    )
    return (row[0], row[1], row[2]) if row else None


def set_visibility(tx: Tx, row_id: int, visible_at: int, token: str) -> bool:
    """Change the visibility of the message received with `token` (not of a later receive of it)."""
    cur = tx.execute("UPDATE sqs_messages SET visible_at = ? WHERE id = ? AND receipt = ?", (visible_at, row_id, token))
    return (cur.rowcount or 0) > 0


def set_message_visibility(tx: Tx, queue_id: int, row_id: int, message_id: str, visible_at: int) -> bool:
    """Change the visibility of the message, whichever receive of it the caller holds a handle of."""
    cur = tx.execute(
        "UPDATE sqs_messages SET visible_at = ? WHERE id = ? AND queue_id = ? AND message_id = ?",
        (visible_at, row_id, queue_id, message_id),
    )
    return (cur.rowcount or 0) > 0


def delete_message(tx: Tx, queue_id: int, row_id: int, token: str) -> bool:
    """Delete the message received with `token` (not after a later receive of it)."""
    cur = tx.execute(
        "DELETE FROM sqs_messages WHERE id = ? AND queue_id = ? AND receipt = ?", (row_id, queue_id, token)
    )
    return (cur.rowcount or 0) > 0


_DELETE_BY_ID = "DELETE FROM sqs_messages WHERE id = ? AND queue_id = ? AND message_id = ?"


def delete_received(tx: Tx, queue_id: int, row_id: int, message_id: str) -> bool:
    """Delete the message, whichever receive of it the caller holds a handle of."""
    cur = tx.execute(_DELETE_BY_ID, (row_id, queue_id, message_id))
    return (cur.rowcount or 0) > 0


def delete_messages(tx: Tx, queue_id: int, messages: list[tuple[int, str]], receipts: list[tuple[int, str]]) -> None:
    """Delete in one executemany each: `messages`, (row id, message id) pairs, whichever receive of them; and
    `receipts`, (row id, token) pairs, only while that receive is the message's latest. A pair whose message is
    gone is skipped."""
    if messages:
        tx.executemany(_DELETE_BY_ID, [(row_id, queue_id, message_id) for row_id, message_id in messages])
    if receipts:
        tx.executemany(
            "DELETE FROM sqs_messages WHERE id = ? AND queue_id = ? AND receipt = ?",
            [(row_id, queue_id, token) for row_id, token in receipts],
        )


def purge(tx: Tx, queue_id: int, now_ms: int) -> None:
    """Drop the queue's messages; a FIFO queue also forgets its deduplication ids and receive attempts (as AWS does)."""
    tx.execute("DELETE FROM sqs_messages WHERE queue_id = ? AND sent_at <= ?", (queue_id, now_ms))
    tx.execute("DELETE FROM sqs_dedup WHERE queue_id = ?", (queue_id,))
    tx.execute("DELETE FROM sqs_receive_attempts WHERE queue_id = ?", (queue_id,))


def counts(tx: Tx, queue_id: int, now_ms: int) -> tuple[int, int, int]:
    """(visible, in flight, delayed)."""
    visible = tx.one("SELECT COUNT(*) FROM sqs_messages WHERE queue_id = ? AND visible_at <= ?", (queue_id, now_ms))
    hidden = tx.one(
        "SELECT COALESCE(SUM(CASE WHEN receive_count > 0 THEN 1 ELSE 0 END), 0), "
        "COALESCE(SUM(CASE WHEN receive_count = 0 THEN 1 ELSE 0 END), 0) "
        "FROM sqs_messages WHERE queue_id = ? AND visible_at > ?",
        (queue_id, now_ms),
    )
    assert visible is not None and hidden is not None
    return int(visible[0]), int(hidden[0]), int(hidden[1])


def any_visible(tx: Tx, queue_id: int, now_ms: int) -> bool:
    """Whether the queue holds a message visible now (a read: locks nothing)."""
    row = tx.one("SELECT 1 FROM sqs_messages WHERE queue_id = ? AND visible_at <= ? LIMIT 1", (queue_id, now_ms))
    return row is not None


def next_visible_at(tx: Tx, queue_id: int, now_ms: int) -> int | None:
    row = tx.one("SELECT MIN(visible_at) FROM sqs_messages WHERE queue_id = ? AND visible_at > ?", (queue_id, now_ms))
    return row[0] if row and row[0] is not None else None


# --- receive attempts (FIFO ReceiveRequestAttemptId) ---------------------------------------------


def get_attempt(tx: Tx, queue_id: int, attempt_id: str, now_ms: int) -> list[tuple[int, str]] | None:
    row = tx.one(
        "SELECT messages FROM sqs_receive_attempts WHERE queue_id = ? AND attempt_id = ? AND expires_at > ?",
        (queue_id, attempt_id, now_ms),
    )
    return [(int(row_id), str(token)) for row_id, token in json.loads(row[0])] if row else None


def save_attempt(tx: Tx, queue_id: int, attempt_id: str, receipts: list[tuple[int, str]], expires_ms: int) -> None:
    tx.execute(
        "INSERT INTO sqs_receive_attempts (queue_id, attempt_id, messages, expires_at) VALUES (?, ?, ?, ?) "
        "ON CONFLICT (queue_id, attempt_id) DO UPDATE "
        "SET messages = excluded.messages, expires_at = excluded.expires_at",
        (queue_id, attempt_id, json.dumps(receipts), expires_ms),
    )


def rows_by_id(tx: Tx, queue_id: int, ids: list[int]) -> list[Row]:
    if not ids:
        return []
    marks = ",".join("?" * len(ids))
    rows = tx.all(
        f"SELECT {MESSAGE_COLUMNS} FROM sqs_messages WHERE queue_id = ? AND id IN ({marks}) ORDER BY id",
        (queue_id, *ids),
    )
    return [Row(*row) for row in rows]


def sweep_tables(tx: Tx, now_ms: int, tombstone_cutoff: float) -> None:
    tx.execute("DELETE FROM sqs_dedup WHERE expires_at <= ?", (now_ms,))
    tx.execute("DELETE FROM sqs_receive_attempts WHERE expires_at <= ?", (now_ms,))
    tx.execute("DELETE FROM sqs_deleted_queues WHERE deleted_at <= ?", (tombstone_cutoff,))
