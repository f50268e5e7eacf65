"""Reading a shard: where an iterator of each type starts, and one batch of records from a position on (GetRecords'
records, MillisBehindLatest, the next position, or the children at the end of a closed shard). Used alike by
GetRecords and by subscriptions (KinesisBackend.subscribe). Records past the stream's retention are never read."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ...store.base import Tx
from . import limits, records, store
from .shards import Shard
from .streams import Stream


def start_position(
    tx: Tx, stream: Stream, shard: Shard, kind: str, sequence: str | None, at_ms: int | None, now_ms: int
) -> tuple[int | None, int | None]:
    """(record index, arrival time) an iterator of ``kind`` starts at; AT_TIMESTAMP keeps its time until the first
    read resolves it. The request was checked (records.check_iterator_request)."""
    if kind == "TRIM_HORIZON":
        return 0, None
    if kind == "LATEST":
        return store.last_index(tx, shard.key) + 1, None
    if kind == "AT_TIMESTAMP":
        assert at_ms is not None
        records.check_timestamp(at_ms, now_ms)
        return None, at_ms
    assert sequence is not None
    return records.sequence_position(stream, shard, kind, sequence), None


@dataclass(slots=True)
class Batch:
    records: list[dict[str, Any]]
    next_index: int  # where the next read starts
    behind_ms: int  # MillisBehindLatest
    size: int  # bytes returned (data and partition keys)
    children: list[dict[str, Any]] | None  # past the end of a closed shard: its children (ChildShards)


def read_batch(
    tx: Tx, stream: Stream, shard: Shard, index: int | None, at_ms: int | None, wanted: int, now_ms: int, since_ms: int
) -> Batch:
    """The records from ``index`` (or, with no index, from the first that arrived at ``at_ms`` or later) on: up to
    ``wanted`` of them or 10 MiB, none that arrived before ``since_ms`` (retention)."""
    if index is None:
        found = store.first_arrival_after(tx, shard.key, 0, max(at_ms or 0, since_ms))
        index = found[0] if found is not None else store.last_index(tx, shard.key) + 1
    taken: list[tuple[int, int, str, bytes]] = []
    size = 0
    next_index = index
    unread: int | None = None  # arrival (ms) of the first record left for the next read
    while unread is None and len(taken) < wanted:
        ask = min(limits.GET_RECORDS_CHUNK, wanted - len(taken) + 1)
        chunk = store.read_records(tx, shard.key, next_index, since_ms, ask)
        room = wanted - len(taken)  # records this read may still take
        for row in chunk:
            weight = len(row[3]) + len(row[2].encode())
            if not room or (taken and size + weight > limits.MAX_GET_RECORDS_BYTES):
                unread = row[1]
                break
            taken.append(row)
            room -= 1
            size += weight
        if taken:
            next_index = taken[-1][0] + 1
        if len(chunk) < ask:
            break
    if unread is None and len(taken) >= wanted:
        peek = store.read_records(tx, shard.key, next_index, since_ms, 1)
        unread = peek[0][1] if peek else None
    children = None
    if not shard.open and unread is None:  # read to the end of a closed shard
        children = [s.as_child() for s in store.shards(tx, stream.id) if shard.index in (s.parent, s.adjacent)]
    return Batch(
        records.records_out(stream, shard, taken), next_index, max(0, now_ms - unread) if unread else 0, size, children
    )
