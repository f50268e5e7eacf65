"""Reading a shard: where an iterator of each type starts, and one batch of records from a position on (GetRecords'
records, MillisBehindLatest, the next position, or the children at the end of a closed shard). Used alike by
GetRecords and by subscriptions (KinesisBackend.subscribe). Records past the stream's retention are never read."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar, cast

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
    records: Sequence[dict[str, Any]]
    next_index: int  # where the next read starts
    behind_ms: int  # MillisBehindLatest
    size: int  # bytes returned (data and partition keys)
    children: list[dict[str, Any]] | None  # past the end of a closed shard: its children (ChildShards)
    texts: list[bytes] | None = None  # as_text: the records' stored JSON (records.record_text)


Row = TypeVar("Row", bound=tuple[Any, ...])  # a record as read: (index, arrival ms, ...)


def read_batch(
    tx: Tx,
    stream: Stream,
    shard: Shard,
    index: int | None,
    at_ms: int | None,
    wanted: int,
    now_ms: int,
    since_ms: int,
    *,
    as_text: bool = False,
) -> Batch:
    """The records from ``index`` (or, with no index, from the first that arrived at ``at_ms`` or later) on: up to
    ``wanted`` of them or 10 MiB, none that arrived before ``since_ms`` (retention). ``as_text``: their stored JSON
    text too (Batch.texts) when every record has it."""
    if index is None:
        found = store.first_arrival_after(tx, shard.key, 0, max(at_ms or 0, since_ms))
        index = found[0] if found is not None else store.last_index(tx, shard.key) + 1
    if as_text:
        texts = _take(tx, shard, index, wanted, since_ms, store.read_texts, _text_size)
        if texts is not None:
            taken, next_index, size, unread = texts
            lines = cast(list[bytes], [row[3] for row in taken])  # _take returned them: none is None
            children = _children(tx, stream, shard, unread)
            behind = max(0, now_ms - unread) if unread else 0
            return Batch(records.TextRecords(stream, lines), next_index, behind, size, children, lines)
    rows = _take(tx, shard, index, wanted, since_ms, store.read_records, _row_size)
    assert rows is not None
    taken_rows, next_index, size, unread = rows
    children = _children(tx, stream, shard, unread)
    out = records.records_out(stream, shard, taken_rows)
    return Batch(out, next_index, max(0, now_ms - unread) if unread else 0, size, children)


def _row_size(row: tuple[int, int, str, bytes]) -> int | None:
    return len(row[3]) + len(row[2].encode())


def _text_size(row: tuple[int, int, int | None, bytes | None]) -> int | None:
    return None if row[3] is None else row[2]


def _take(
    tx: Tx,
    shard: Shard,
    index: int,
    wanted: int,
    since_ms: int,
    read: Callable[[Tx, int, int, int, int], list[Row]],
    weigh: Callable[[Row], int | None],
) -> tuple[list[Row], int, int, int | None] | None:
    """Records from ``index`` on, up to ``wanted`` or 10 MiB (the first always): (the records, the next index, their
    size, the arrival of the first record left for the next read, if any). None when ``weigh`` has no size for a
    record (a record stored before its text was kept)."""
    taken: list[Row] = []
    size = 0
    next_index = index
    unread: int | None = None  # arrival (ms) of the first record left for the next read
    while unread is None and len(taken) < wanted:
        ask = min(limits.GET_RECORDS_CHUNK, wanted - len(taken) + 1)
        chunk = read(tx, shard.key, next_index, since_ms, ask)
        room = wanted - len(taken)  # records this read may still take
        weights = [weigh(row) for row in chunk]
        if None in weights:
            return None
        sizes: list[int] = weights  # type: ignore[assignment]  # no None in it
        whole = sum(sizes)
        if len(chunk) <= room and size + whole <= limits.MAX_GET_RECORDS_BYTES:
            taken.extend(chunk)  # the common case: the whole chunk fits
            size += whole
        else:
            for row, weight in zip(chunk, sizes):
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
    return taken, next_index, size, unread


def _children(tx: Tx, stream: Stream, shard: Shard, unread: int | None) -> list[dict[str, Any]] | None:
    """Past the end of a closed shard (nothing left to read): its children (ChildShards); None otherwise."""
    if shard.open or unread is not None:
        return None
    return [s.as_child() for s in store.shards(tx, stream.id) if shard.index in (s.parent, s.adjacent)]
