"""What SplitShard, MergeShards and UpdateShardCount check before a stream goes UPDATING (the change itself is
lifecycle.complete's, planned by shards.py); each returns the pending change to record."""

from __future__ import annotations

from typing import Any

from ...store.base import Tx
from . import accounts, limits, store
from .errors import (
    InvalidArgumentException,
    LimitExceededException,
    ServiceError,
    ValidationException,
    no_such_shard,
    not_active,
)
from .shards import Shard, parse_shard_id, shard_id
from .streams import ACTIVE, ON_DEMAND, Stream


def _reshardable(stream: Stream) -> None:
    if stream.status != ACTIVE:
        raise not_active(stream.name, stream.account, stream.status)
    if stream.mode == ON_DEMAND:
        raise ValidationException(
            f"Request is invalid. Stream {stream.name} under account {stream.account} is in On-Demand mode."
        )


def _shard(tx: Tx, stream: Stream, given: str) -> Shard:
    """The open shard a request names."""
    index = parse_shard_id(given)
    found = store.shard(tx, stream.id, index) if index is not None else None
    if found is None:
        raise no_such_shard(shard_id(index) if index is not None else given, stream.name, stream.account)
    if not found.open:
        raise _closed(found, stream)
    return found


def _closed(shard: Shard, stream: Stream) -> ServiceError:
    return InvalidArgumentException(
        f"Shard {shard.id} in stream {stream.name} under account {stream.account} has already been merged or "
        "split, and thus is not eligible for merging or splitting."
    )


def split(tx: Tx, stream: Stream, given: str, new_start: str, quotas: bool) -> dict[str, Any]:
    _reshardable(stream)
    index = parse_shard_id(given)
    parent = store.shard(tx, stream.id, index) if index is not None else None
    if parent is None:
        raise no_such_shard(shard_id(index) if index is not None else given, stream.name, stream.account)
    key = int(new_start)
    if not (parent.start + 1 < key < parent.end):
        raise InvalidArgumentException(
            f"NewStartingHashKey {new_start} used in SplitShard() on shard {parent.id} in stream {stream.name} "
            f"under account {stream.account} is not both greater than one plus the shard's StartingHashKey "
            f"{parent.start} and less than the shard's EndingHashKey {parent.end}."
        )
    if not parent.open:
        raise _closed(parent, stream)
    if quotas:
        accounts.check_quotas(tx, stream.account, stream.region, 1, None)
    return {"op": "split", "shard": parent.index, "key": str(key)}


def merge(tx: Tx, stream: Stream, given: str, given_adjacent: str) -> dict[str, Any]:
    _reshardable(stream)
    first, second = _shard(tx, stream, given), _shard(tx, stream, given_adjacent)
    if first.end + 1 != second.start:
        raise InvalidArgumentException(
            f"Shards {first.id} and {second.id} in stream {stream.name} under account {stream.account} "
            "are not an adjacent pair of shards eligible for merging"
        )
    return {"op": "merge", "shard": first.index, "adjacent": second.index}


def scale(tx: Tx, stream: Stream, target: int, quotas: bool) -> tuple[dict[str, Any], int]:
    """UpdateShardCount's checks: (the pending change, the open shard count now)."""
    _reshardable(stream)
    current = sum(1 for s in store.shards(tx, stream.id) if s.open)
    counts = f"Current open shard count: {current}, Target shard count: {target}"
    if target > limits.MAX_STREAM_SHARDS:
        raise LimitExceededException(
            f"Target shard count or number of open shards cannot be greater than {limits.MAX_STREAM_SHARDS}. {counts}"
        )
    if target > current * 2:
        raise LimitExceededException(
            f"UpdateShardCount cannot scale up over double your current open shard count. {counts}"
        )
    if target < current / 2:
        raise LimitExceededException(
            f"UpdateShardCount cannot scale down below half your current open shard count. {counts}"
        )
    if quotas and target > current:
        accounts.check_quotas(tx, stream.account, stream.region, target - current, None)
    return {"op": "scale", "target": target}, current
