"""Putting records in the transaction that acknowledges them: each to the open shard its hash key falls in, under
the next indexes of that shard (taken with one UPDATE … RETURNING per shard, in one key order so that concurrent
writers on PostgreSQL never deadlock and a shard's indexes follow commit order). Readers waiting on the stream are
told at commit (RECORDS_CHANNEL)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from ...store.base import Tx
from . import limits, records, sequences, store
from .errors import InvalidArgumentException, ServiceError
from .records import Incoming
from .shards import Router, Shard
from .streams import Stream

RECORDS_CHANNEL = "kinesis-records"  # payload: the stream's row id, once records it took are committed

# the throughput error for one more record of a size into a shard (None: admitted)
Admit = Callable[[Stream, Shard, int], ServiceError | None]


def put_in_tx(
    tx: Tx, stream: Stream, batch: Sequence[Incoming], now_ms: int, admit: Admit, *, whole: bool = False
) -> list[dict[str, Any]]:
    """Store the records in their shards, each as the shard's throughput admits it; each one's result (a record
    refused has ErrorCode / ErrorMessage; ``whole``: a refusal is raised instead, as PutRecord answers)."""
    router = Router(store.shards(tx, stream.id))
    targets = records.route(router, batch)
    results: list[dict[str, Any]] = [{} for _ in batch]
    by_shard: dict[int, list[int]] = {}
    for i, (record, shard) in enumerate(zip(batch, targets)):
        refused = admit(stream, shard, record.size)
        if refused is None:
            by_shard.setdefault(shard.key, []).append(i)
        elif whole:
            raise refused
        else:
            results[i] = records.failed_result(refused)
    rows: list[store.RecordRow] = []
    arrival = records.arrival_text(now_ms)
    for key in sorted(by_shard):
        taken = by_shard[key]
        last = store.reserve(tx, key, len(taken))
        shard, base = targets[taken[0]], store.first_id(key)
        fixed = sequences.shard_bits(shard.created_second, shard.index) | ((now_ms // 1000) << 36)
        shard_id = shard.id
        for index, i in enumerate(taken, last - len(taken) + 1):
            record = batch[i]
            sequence = str(fixed | (index << 80))  # sequences.encode, the shard's part computed once
            text = records.record_text(sequence, arrival, record.partition_key, record.data)
            rows.append((base + index, now_ms, record.partition_key, record.data, record.size, text))
            results[i] = records.put_result(stream, shard_id, sequence)
    if rows:
        store.insert_records(tx, rows)
        tx.notify(RECORDS_CHANNEL, str(stream.id))
    return results


def delivered(stream: Stream, partition_key: str, data: bytes) -> Incoming:
    """A record another service delivers (the "kinesis" target): the checks PutRecord and the model make."""
    stream.writable()
    if not partition_key or len(partition_key) > limits.MAX_PARTITION_KEY:
        raise InvalidArgumentException(
            f"Partition key must be 1 to {limits.MAX_PARTITION_KEY} characters long; got {len(partition_key)}."
        )
    record = records.incoming(partition_key, data, None)
    records.check_size(stream, record)
    return record
