"""Kinesis's SQL: streams, shards, records, consumers and account settings. Every function runs inside one store
transaction (``tx``) on the store's thread.

Records live in one table keyed by (shard key << 40) | index: a shard's records are one contiguous id range read
in order by the primary key alone. Hash keys (up to 2^128) are decimal text. Where the store keeps an exact cache
(SQLite), stream rows and shard layouts are served from it until a change to them invalidates it.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from typing import Any

from ...aws.authorize import RESOURCE_POLICY_CHANNEL
from ...store.base import Tx
from .limits import SEQUENCE_BITS
from .shards import NewShard, Shard
from .streams import Consumer, Stream

_STREAM_COLUMNS = (
    "id, account, region, name, created_at, status, mode, retention_hours, encryption, key_id, metrics, tags, "
    "policy, max_record_kib, warm_mibps, next_shard, pending, due_at"
)
_SHARD_COLUMNS = "id, shard_index, parent_index, adjacent_index, start_hash, end_hash, created_at, closed_at"
_CONSUMER_COLUMNS = "id, stream_id, name, arn, created_at, status, due_at, tags, policy"
_STREAMS = "kinesis_streams"  # cache namespaces
_SHARDS = "kinesis_shards"


def first_id(key: int) -> int:
    return key << SEQUENCE_BITS


def forget(tx: Tx) -> None:
    """Drop cached streams and shard layouts (after a change to them, or a wipe of every table); every node's IAM
    enforcement drops the stream and consumer policies and tags it cached."""
    if tx.cache is not None:
        tx.cache.invalidate(_STREAMS)
        tx.cache.invalidate(_SHARDS)
    tx.notify(RESOURCE_POLICY_CHANNEL, "kinesis")


# --- streams ---------------------------------------------------------------------------------------------------


def _stream(row: tuple[Any, ...] | None) -> Stream | None:
    if row is None:
        return None
    return Stream(
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
        tuple(json.loads(row[10])),
        json.loads(row[11]),
        row[12],
        row[13],
        row[14],
        row[15],
        json.loads(row[16]) if row[16] else None,
        row[17],
    )


def get_stream(tx: Tx, account: str, region: str, name: str) -> Stream | None:
    cache, key = tx.cache, (account, region, name)
    if cache is not None:
        hit = cache.get(_STREAMS, key)
        if hit is not None:
            return hit  # type: ignore[no-any-return]
    stream = _stream(
        tx.one(f"SELECT {_STREAM_COLUMNS} FROM kinesis_streams WHERE account = ? AND region = ? AND name = ?", key)
    )
    if cache is not None and stream is not None:
        cache.put(_STREAMS, key, stream)
    return stream


def get_stream_by_id(tx: Tx, stream_id: int) -> Stream | None:
    return _stream(tx.one(f"SELECT {_STREAM_COLUMNS} FROM kinesis_streams WHERE id = ?", (stream_id,)))


def insert_stream(tx: Tx, stream: Stream) -> int | None:
    """The new stream's id; None when a stream of that name exists (a concurrent create won it)."""
    row = tx.one(
        "INSERT INTO kinesis_streams (account, region, name, created_at, status, mode, retention_hours, encryption,"
        " key_id, metrics, tags, policy, max_record_kib, warm_mibps, next_shard, pending, due_at)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
        " ON CONFLICT (account, region, name) DO NOTHING RETURNING id",
        (
            stream.account,
            stream.region,
            stream.name,
            stream.created_at,
            *_mutable(stream),
        ),
    )
    forget(tx)
    return None if row is None else int(row[0])


def _mutable(stream: Stream) -> tuple[Any, ...]:
    return (
        stream.status,
        stream.mode,
        stream.retention_hours,
        stream.encryption,
        stream.key_id,
        json.dumps(list(stream.metrics)),
        json.dumps(stream.tags),
        stream.policy,
        stream.max_record_kib,
        stream.warm_mibps,
        stream.next_shard,
        json.dumps(stream.pending) if stream.pending is not None else None,
        stream.due_at,
    )


def update_stream(tx: Tx, stream: Stream) -> None:
    tx.execute(
        "UPDATE kinesis_streams SET status = ?, mode = ?, retention_hours = ?, encryption = ?, key_id = ?,"
        " metrics = ?, tags = ?, policy = ?, max_record_kib = ?, warm_mibps = ?, next_shard = ?, pending = ?,"
        " due_at = ? WHERE id = ?",
        (*_mutable(stream), stream.id),
    )
    forget(tx)


def delete_stream(tx: Tx, stream_id: int) -> None:
    for (key,) in tx.all("SELECT id FROM kinesis_shards WHERE stream_id = ?", (stream_id,)):
        tx.execute("DELETE FROM kinesis_records WHERE id >= ? AND id < ?", (first_id(key), first_id(key + 1)))
    tx.execute("DELETE FROM kinesis_shards WHERE stream_id = ?", (stream_id,))
    tx.execute(
        "DELETE FROM kinesis_subscriptions WHERE consumer_id IN (SELECT id FROM kinesis_consumers WHERE stream_id = ?)",
        (stream_id,),
    )
    tx.execute("DELETE FROM kinesis_consumers WHERE stream_id = ?", (stream_id,))
    tx.execute("DELETE FROM kinesis_streams WHERE id = ?", (stream_id,))
    forget(tx)


def list_streams(tx: Tx, account: str, region: str, after: str, limit: int) -> list[Stream]:
    rows = tx.all(
        f"SELECT {_STREAM_COLUMNS} FROM kinesis_streams WHERE account = ? AND region = ? AND name > ?"
        " ORDER BY name LIMIT ?",
        (account, region, after, limit),
    )
    return [s for s in map(_stream, rows) if s is not None]


def all_streams(tx: Tx) -> list[Stream]:
    return [s for s in map(_stream, tx.all(f"SELECT {_STREAM_COLUMNS} FROM kinesis_streams")) if s is not None]


def due_streams(tx: Tx, now: float) -> list[Stream]:
    rows = tx.all(
        f"SELECT {_STREAM_COLUMNS} FROM kinesis_streams WHERE due_at IS NOT NULL AND due_at <= ? ORDER BY due_at",
        (now,),
    )
    return [s for s in map(_stream, rows) if s is not None]


def next_due(tx: Tx) -> float | None:
    """When the next pending change of a stream or consumer falls due."""
    streams = tx.one("SELECT MIN(due_at) FROM kinesis_streams WHERE due_at IS NOT NULL")
    consumers = tx.one("SELECT MIN(due_at) FROM kinesis_consumers WHERE due_at IS NOT NULL")
    times = [row[0] for row in (streams, consumers) if row is not None and row[0] is not None]
    return min(times) if times else None


def account_counts(tx: Tx, account: str, region: str) -> tuple[int, int, int]:
    """(open shards, on-demand streams, streams being created) of an account in a Region."""
    shards = tx.one(
        "SELECT COUNT(*) FROM kinesis_shards h JOIN kinesis_streams s ON s.id = h.stream_id"
        " WHERE s.account = ? AND s.region = ? AND h.closed_at IS NULL",
        (account, region),
    )
    pending = tx.all(
        "SELECT pending FROM kinesis_streams WHERE account = ? AND region = ? AND status = 'CREATING'",
        (account, region),
    )
    creating_shards = sum(int(json.loads(row[0]).get("shards", 0)) for row in pending if row[0])
    on_demand = tx.one(
        "SELECT COUNT(*) FROM kinesis_streams WHERE account = ? AND region = ? AND mode = 'ON_DEMAND'",
        (account, region),
    )
    return (
        int(shards[0] if shards else 0) + creating_shards,
        int(on_demand[0] if on_demand else 0),
        len(pending),
    )


# --- shards ----------------------------------------------------------------------------------------------------


def _shard(row: tuple[Any, ...]) -> Shard:
    return Shard(row[0], row[1], row[2], row[3], int(row[4]), int(row[5]), row[6], row[7])


def shards(tx: Tx, stream_id: int) -> list[Shard]:
    """Every shard of the stream (open and closed), by index."""
    cache = tx.cache
    if cache is not None:
        hit = cache.get(_SHARDS, stream_id)
        if hit is not None:
            return hit  # type: ignore[no-any-return]
    found = [
        _shard(row)
        for row in tx.all(
            f"SELECT {_SHARD_COLUMNS} FROM kinesis_shards WHERE stream_id = ? ORDER BY shard_index", (stream_id,)
        )
    ]
    if cache is not None:
        cache.put(_SHARDS, stream_id, found)
    return found


def shard(tx: Tx, stream_id: int, index: int) -> Shard | None:
    row = tx.one(
        f"SELECT {_SHARD_COLUMNS} FROM kinesis_shards WHERE stream_id = ? AND shard_index = ?", (stream_id, index)
    )
    return None if row is None else _shard(row)


def insert_shards(tx: Tx, stream_id: int, created: Iterable[NewShard]) -> None:
    tx.executemany(
        "INSERT INTO kinesis_shards (stream_id, shard_index, parent_index, adjacent_index, start_hash, end_hash,"
        " created_at, closed_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        [
            (stream_id, s.index, s.parent, s.adjacent, str(s.start), str(s.end), s.created_at, s.closed_at)
            for s in created
        ],
    )
    forget(tx)


def close_shards(tx: Tx, stream_id: int, indexes: Sequence[int], closed_at: float) -> None:
    tx.executemany(
        "UPDATE kinesis_shards SET closed_at = ? WHERE stream_id = ? AND shard_index = ?",
        [(closed_at, stream_id, index) for index in indexes],
    )
    forget(tx)


def reserve(tx: Tx, key: int, count: int) -> int:
    """Take the next ``count`` record indexes of the shard; the last one taken. The row lock this UPDATE holds
    until commit keeps a shard's indexes in commit order on PostgreSQL too."""
    row = tx.one(
        "UPDATE kinesis_shards SET last_index = last_index + ? WHERE id = ? RETURNING last_index", (count, key)
    )
    assert row is not None
    return int(row[0])


def last_index(tx: Tx, key: int) -> int:
    row = tx.one("SELECT last_index FROM kinesis_shards WHERE id = ?", (key,))
    return int(row[0]) if row else 0


def delete_shards(tx: Tx, stream_id: int, keys: Sequence[int]) -> None:
    for key in keys:
        tx.execute("DELETE FROM kinesis_records WHERE id >= ? AND id < ?", (first_id(key), first_id(key + 1)))
        tx.execute("DELETE FROM kinesis_shards WHERE id = ?", (key,))
    forget(tx)


# --- records ---------------------------------------------------------------------------------------------------


RecordRow = tuple[int, int, str, bytes, int, bytes]  # id, arrival ms, partition key, data, size, JSON


def insert_records(tx: Tx, rows: Sequence[RecordRow]) -> None:
    """Records as (id, arrival ms, partition key, data, size, JSON text (records.record_text))."""
    tx.executemany(
        "INSERT INTO kinesis_records (id, arrival_ms, partition_key, data, size, body) VALUES (?, ?, ?, ?, ?, ?)", rows
    )


def read_records(tx: Tx, key: int, index: int, since_ms: int, limit: int) -> list[tuple[int, int, str, bytes]]:
    """Up to ``limit`` records of the shard from record index ``index`` on that arrived at or after ``since_ms``:
    (index, arrival ms, partition key, data), in order."""
    base = first_id(key)
    rows = tx.all(
        "SELECT id - ?, arrival_ms, partition_key, data FROM kinesis_records"
        " WHERE id >= ? AND id < ? AND arrival_ms >= ? ORDER BY id LIMIT ?",
        (base, base + index, first_id(key + 1), since_ms, limit),
    )  # the rows as they come (both drivers give bytes for a BLOB / bytea): no copy per record
    return rows


def read_texts(tx: Tx, key: int, index: int, since_ms: int, limit: int) -> list[tuple[int, int, int, bytes | None]]:
    """read_records' records as (index, arrival ms, size, JSON text); size and text are None for a record stored
    before they were kept."""
    base = first_id(key)
    rows = tx.all(
        "SELECT id - ?, arrival_ms, size, body FROM kinesis_records"
        " WHERE id >= ? AND id < ? AND arrival_ms >= ? ORDER BY id LIMIT ?",
        (base, base + index, first_id(key + 1), since_ms, limit),
    )
    return rows


def first_arrival_after(tx: Tx, key: int, index: int, at_ms: int) -> tuple[int, int] | None:
    """(index, arrival ms) of the shard's first record from ``index`` on that arrived at or after ``at_ms``."""
    base = first_id(key)
    row = tx.one(
        "SELECT id, arrival_ms FROM kinesis_records WHERE id >= ? AND id < ? AND arrival_ms >= ? ORDER BY id LIMIT 1",
        (base + index, first_id(key + 1), at_ms),
    )
    return None if row is None else (row[0] - base, row[1])


def trim(tx: Tx, key: int, cutoff_ms: int) -> None:
    """Delete the shard's records that arrived before ``cutoff_ms``: those before its first later record (a scan
    that stops at the first record kept, so a sweep costs what it deletes)."""
    kept = first_arrival_after(tx, key, 0, cutoff_ms)
    end = first_id(key) + kept[0] if kept is not None else first_id(key + 1)
    tx.execute("DELETE FROM kinesis_records WHERE id >= ? AND id < ?", (first_id(key), end))


# --- consumers -------------------------------------------------------------------------------------------------


def _consumer(row: tuple[Any, ...] | None) -> Consumer | None:
    if row is None:
        return None
    return Consumer(row[0], row[1], row[2], row[3], row[4], row[5], row[6], json.loads(row[7]), row[8])


def insert_consumer(tx: Tx, consumer: Consumer) -> int | None:
    row = tx.one(
        "INSERT INTO kinesis_consumers (stream_id, name, arn, created_at, status, due_at, tags, policy)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (stream_id, name) DO NOTHING RETURNING id",
        (
            consumer.stream_id,
            consumer.name,
            consumer.arn,
            consumer.created_at,
            consumer.status,
            consumer.due_at,
            json.dumps(consumer.tags),
            consumer.policy,
        ),
    )
    tx.notify(RESOURCE_POLICY_CHANNEL, "kinesis")  # every node's IAM enforcement drops the facts it cached
    return None if row is None else int(row[0])


def get_consumer(tx: Tx, stream_id: int, name: str) -> Consumer | None:
    return _consumer(
        tx.one(f"SELECT {_CONSUMER_COLUMNS} FROM kinesis_consumers WHERE stream_id = ? AND name = ?", (stream_id, name))
    )


def get_consumer_by_arn(tx: Tx, arn: str) -> Consumer | None:
    return _consumer(tx.one(f"SELECT {_CONSUMER_COLUMNS} FROM kinesis_consumers WHERE arn = ?", (arn,)))


def list_consumers(tx: Tx, stream_id: int, after: str, limit: int) -> list[Consumer]:
    rows = tx.all(
        f"SELECT {_CONSUMER_COLUMNS} FROM kinesis_consumers WHERE stream_id = ? AND name > ? ORDER BY name LIMIT ?",
        (stream_id, after, limit),
    )
    return [c for c in map(_consumer, rows) if c is not None]


def consumer_counts(tx: Tx, stream_id: int) -> tuple[int, int]:
    """(registered consumers, consumers being created) of the stream."""
    row = tx.one(
        "SELECT COUNT(*), SUM(CASE WHEN status = 'CREATING' THEN 1 ELSE 0 END) FROM kinesis_consumers"
        " WHERE stream_id = ?",
        (stream_id,),
    )
    return (int(row[0] or 0), int(row[1] or 0)) if row else (0, 0)


def update_consumer(tx: Tx, consumer: Consumer) -> None:
    tx.execute(
        "UPDATE kinesis_consumers SET status = ?, due_at = ?, tags = ?, policy = ? WHERE id = ?",
        (consumer.status, consumer.due_at, json.dumps(consumer.tags), consumer.policy, consumer.id),
    )
    tx.notify(RESOURCE_POLICY_CHANNEL, "kinesis")


def delete_consumer(tx: Tx, consumer_id: int) -> None:
    tx.execute("DELETE FROM kinesis_subscriptions WHERE consumer_id = ?", (consumer_id,))
    tx.execute("DELETE FROM kinesis_consumers WHERE id = ?", (consumer_id,))
    tx.notify(RESOURCE_POLICY_CHANNEL, "kinesis")


def due_consumers(tx: Tx, now: float) -> list[Consumer]:
    rows = tx.all(f"SELECT {_CONSUMER_COLUMNS} FROM kinesis_consumers WHERE due_at IS NOT NULL AND due_at <= ?", (now,))
    return [c for c in map(_consumer, rows) if c is not None]


# --- subscriptions (SubscribeToShard) --------------------------------------------------------------------------


def subscription(tx: Tx, consumer_id: int, shard: int) -> tuple[str, float, float | None] | None:
    """(token, started_at, ended_at) of the consumer's latest subscription to the shard."""
    row = tx.one(
        "SELECT token, started_at, ended_at FROM kinesis_subscriptions WHERE consumer_id = ? AND shard_index = ?",
        (consumer_id, shard),
    )
    return None if row is None else (str(row[0]), float(row[1]), None if row[2] is None else float(row[2]))


def holder(tx: Tx, consumer_id: int, shard: int) -> tuple[str, str] | None:
    """(token of the subscription holding the shard, its consumer's status); None once the consumer is gone."""
    row = tx.one(
        "SELECT s.token, c.status FROM kinesis_subscriptions s JOIN kinesis_consumers c ON c.id = s.consumer_id"
        " WHERE s.consumer_id = ? AND s.shard_index = ?",
        (consumer_id, shard),
    )
    return None if row is None else (str(row[0]), str(row[1]))


def take_subscription(tx: Tx, consumer_id: int, shard: int, token: str, now: float) -> None:
    tx.execute(
        "INSERT INTO kinesis_subscriptions (consumer_id, shard_index, token, started_at, ended_at)"
        " VALUES (?, ?, ?, ?, NULL) ON CONFLICT (consumer_id, shard_index)"
        " DO UPDATE SET token = excluded.token, started_at = excluded.started_at, ended_at = NULL",
        (consumer_id, shard, token, now),
    )


def end_subscription(tx: Tx, consumer_id: int, shard: int, token: str, now: float) -> None:
    """The subscription ``token`` ended (a later one that took over keeps its row)."""
    tx.execute(
        "UPDATE kinesis_subscriptions SET ended_at = ? WHERE consumer_id = ? AND shard_index = ? AND token = ?",
        (now, consumer_id, shard, token),
    )


# --- account settings ------------------------------------------------------------------------------------------


def account_settings(tx: Tx, account: str, region: str) -> dict[str, Any]:
    row = tx.one("SELECT settings FROM kinesis_accounts WHERE account = ? AND region = ?", (account, region))
    return json.loads(row[0]) if row else {}


def put_account_settings(tx: Tx, account: str, region: str, settings: dict[str, Any]) -> None:
    tx.execute(
        "INSERT INTO kinesis_accounts (account, region, settings) VALUES (?, ?, ?)"
        " ON CONFLICT (account, region) DO UPDATE SET settings = excluded.settings",
        (account, region, json.dumps(settings)),
    )
