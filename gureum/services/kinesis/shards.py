"""Shards as values: ids, AWS's hash-key ranges, routing a record to its shard, and resharding (split, merge,
uniform scaling) as plans of closed and new shards with their lineage. No SQL, no HTTP.

A shard's hash keys are [start, end] within [0, 2^128 - 1]; n shards split the space as AWS does, shard i taking
[floor(i * 2^128 / n), floor((i + 1) * 2^128 / n) - 1]. A resharding at time t closes the parents and opens the
children at the next whole second, so a child's sequence numbers (which encode its creation second) are larger than
its parents' (see sequences.py); writes still reach the parents until the resharding is applied.
"""

from __future__ import annotations

import bisect
import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from . import limits, sequences

PREFIX = "shardId-"


def shard_id(index: int) -> str:
    return f"{PREFIX}{index:012d}"


def parse_shard_id(text: str) -> int | None:
    """The index a shard id names, read as AWS reads it ("shardId-000000000001", "shardId-1", "anything-1" and "1"
    all name shard 1); None when it names none."""
    digits = text.split("-")[1] if "-" in text else text
    if not digits.isdigit():
        return None
    index = int(digits)
    return index if index <= limits.MAX_SHARD_INDEX else None


def partition_hash(key: str) -> int:
    """The hash key of a partition key: its MD5 as a 128-bit unsigned integer."""
    return int.from_bytes(hashlib.md5(key.encode()).digest(), "big")


def even_ranges(count: int) -> list[tuple[int, int]]:
    """The hash-key ranges of ``count`` shards dividing the space evenly (AWS's CreateStream and scaling)."""
    space = limits.HASH_SPACE
    return [((i * space) // count, ((i + 1) * space) // count - 1) for i in range(count)]


@dataclass(frozen=True, slots=True)
class Shard:
    key: int  # the shard's row id: records are stored under (key << SEQUENCE_BITS) | index
    index: int
    parent: int | None
    adjacent: int | None
    start: int
    end: int
    created_at: float
    closed_at: float | None

    @property
    def id(self) -> str:
        return shard_id(self.index)

    @property
    def open(self) -> bool:
        return self.closed_at is None

    @property
    def created_second(self) -> int:
        return int(self.created_at)

    def starting_sequence(self) -> str:
        return sequences.starting(self.created_second, self.index)

    def ending_sequence(self) -> str | None:
        if self.closed_at is None:
            return None
        return sequences.ending(self.created_second, self.index, int(self.closed_at))

    def describe(self) -> dict[str, object]:
        """The shard as DescribeStream and ListShards show it."""
        out: dict[str, object] = {"ShardId": self.id}
        if self.parent is not None:
            out["ParentShardId"] = shard_id(self.parent)
        if self.adjacent is not None:
            out["AdjacentParentShardId"] = shard_id(self.adjacent)
        out["HashKeyRange"] = {"StartingHashKey": str(self.start), "EndingHashKey": str(self.end)}
        numbers = {"StartingSequenceNumber": self.starting_sequence()}
        ending = self.ending_sequence()
        if ending is not None:
            numbers["EndingSequenceNumber"] = ending
        out["SequenceNumberRange"] = numbers
        return out

    def as_child(self) -> dict[str, object]:
        """The shard as GetRecords' ChildShards shows it at the end of a parent."""
        parents = [shard_id(i) for i in (self.parent, self.adjacent) if i is not None]
        return {
            "ShardId": self.id,
            "ParentShards": parents,
            "HashKeyRange": {"StartingHashKey": str(self.start), "EndingHashKey": str(self.end)},
        }

    def open_at(self, when: float) -> bool:
        return self.created_at <= when and (self.closed_at is None or self.closed_at > when)


class Router:
    """Maps hash keys to the open shards of a stream (their ranges cover the space without overlap)."""

    __slots__ = ("starts", "shards")

    def __init__(self, shards: Iterable[Shard]) -> None:
        ordered = sorted((s for s in shards if s.open), key=lambda s: s.start)
        self.starts = [s.start for s in ordered]
        self.shards = ordered

    def route(self, hash_key: int) -> Shard:
        return self.shards[bisect.bisect_right(self.starts, hash_key) - 1]


@dataclass(slots=True)
class NewShard:
    """A shard a resharding creates (closed_at set when the same resharding also closes it again)."""

    index: int
    parent: int | None
    adjacent: int | None
    start: int
    end: int
    created_at: float
    closed_at: float | None = None


@dataclass(slots=True)
class Plan:
    """What a resharding does: the existing shards it closes (by index) and the shards it creates."""

    closes: list[int]
    creates: list[NewShard]
    closed_at: float

    @property
    def next_index(self) -> int:
        return max((s.index for s in self.creates), default=-1) + 1


def _next_second(now: float) -> float:
    """When a resharding at ``now`` takes effect: parents close and children open at the next whole second."""
    return float(int(now) + 1)


def initial(count: int, created_at: float) -> list[NewShard]:
    """A new stream's shards."""
    return [NewShard(i, None, None, start, end, created_at) for i, (start, end) in enumerate(even_ranges(count))]


def split(shard: Shard, new_start: int, next_index: int, now: float) -> Plan:
    """SplitShard: the shard closes; its children take [start, new_start - 1] and [new_start, end]."""
    born = _next_second(now)
    return Plan(
        [shard.index],
        [
            NewShard(next_index, shard.index, None, shard.start, new_start - 1, born),
            NewShard(next_index + 1, shard.index, None, new_start, shard.end, born),
        ],
        born,
    )


def merge(shard: Shard, adjacent: Shard, next_index: int, now: float) -> Plan:
    """MergeShards: both close; the child takes their joint range, ``shard`` as parent, ``adjacent`` as the
    adjacent parent."""
    born = _next_second(now)
    child = NewShard(next_index, shard.index, adjacent.index, shard.start, adjacent.end, born)
    return Plan([shard.index, adjacent.index], [child], born)


def scale(open_shards: Sequence[Shard], target: int, next_index: int, now: float) -> Plan:
    """UpdateShardCount with UNIFORM_SCALING: the open shards become ``target`` shards of even ranges, through
    splits and merges a KCL can follow (at most two parents and two children per shard), as AWS does ("this can
    cause short-lived shards to be created"). Every shard split at a target boundary it spans; the pieces within one
    target range merged left to right; pieces that are split or merged again open and close in the same instant."""
    born = _next_second(now)
    bounds = [start for start, _end in even_ranges(target)][1:]
    plan = Plan([], [], born)
    index = next_index

    def retire(piece: Shard | NewShard) -> None:
        if isinstance(piece, NewShard):
            piece.closed_at = born
        else:
            plan.closes.append(piece.index)

    pieces: list[Shard | NewShard] = []
    for shard in sorted(open_shards, key=lambda s: s.start):
        current: Shard | NewShard = shard
        for cut in bounds[bisect.bisect_right(bounds, shard.start) : bisect.bisect_right(bounds, shard.end)]:
            left = NewShard(index, current.index, None, current.start, cut - 1, born)
            right = NewShard(index + 1, current.index, None, cut, current.end, born)
            index += 2
            plan.creates += [left, right]
            retire(current)
            pieces.append(left)
            current = right
        pieces.append(current)
    groups: dict[int, list[Shard | NewShard]] = {}
    for piece in pieces:
        groups.setdefault(bisect.bisect_right(bounds, piece.start), []).append(piece)
    for group in groups.values():
        merged = group[0]
        for piece in group[1:]:
            child = NewShard(index, merged.index, piece.index, merged.start, piece.end, born)
            index += 1
            plan.creates.append(child)
            retire(merged)
            retire(piece)
            merged = child
    return plan


def listed(
    shards: Sequence[Shard],
    kind: str | None,
    *,
    after: int | None,
    at: float | None,
    trim_horizon: float,
    now: float,
) -> list[Shard]:
    """The shards ListShards lists for a ShardFilter ``kind`` (None: FROM_TRIM_HORIZON, the default), after shard
    index ``after``. ``trim_horizon`` is the time of the oldest record the stream keeps (its creation time when
    younger than its retention period); a timestamp before it is read as it (AWS: "corrected to TRIM_HORIZON")."""
    if after is not None:
        shards = [s for s in shards if s.index > after]
    if kind == "AT_LATEST":
        return [s for s in shards if s.open]
    if kind == "AT_TRIM_HORIZON":
        return [s for s in shards if s.open_at(trim_horizon)]
    if kind == "AT_TIMESTAMP":
        when = max(at if at is not None else now, trim_horizon)
        return [s for s in shards if s.created_at <= when and (s.closed_at is None or s.closed_at >= when)]
    if kind == "FROM_TIMESTAMP":
        when = max(at if at is not None else now, trim_horizon)
        return [s for s in shards if s.closed_at is None or s.closed_at >= when]
    return [s for s in shards if s.closed_at is None or s.closed_at >= trim_horizon]  # FROM_TRIM_HORIZON
