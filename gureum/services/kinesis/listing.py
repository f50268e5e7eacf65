"""ListShards' request read as AWS reads it: a NextToken alone (it names the stream, the last shard listed and the
filter), or a stream with ExclusiveStartShardId and one ShardFilter (AFTER_SHARD_ID needs its ShardId, AT_ / FROM_
TIMESTAMP their Timestamp). The filtering itself is shards.listed."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from .errors import InvalidArgumentException, no_such_shard
from .shards import parse_shard_id
from .streams import Named, ShardsPage, locate


@dataclass(frozen=True, slots=True)
class Listing:
    named: Named
    after: int | None  # list shards with a higher index
    kind: str | None  # the ShardFilter type (None: FROM_TRIM_HORIZON)
    at: float | None  # its timestamp


def epoch(value: dt.datetime | float | None) -> float | None:
    if value is None or isinstance(value, float):
        return value
    return value.timestamp()


def listing(
    account: str,
    region: str,
    name: str | None,
    arn: str | None,
    token: str | None,
    exclusive_start: str | None,
    created: dt.datetime | None,
    shard_filter: dict[str, Any] | None,
    now: float,
) -> Listing:
    if token:
        clashing: dict[str, object] = {
            "StreamName": name,
            "StreamARN": arn,
            "ExclusiveStartShardId": exclusive_start,
            "ShardFilter": shard_filter,
            "StreamCreationTimestamp": created,
        }
        for member, value in clashing.items():
            if value is not None:  # as AWS answers (boto3's ListShards paginator trips on it there too)
                raise InvalidArgumentException(f"NextToken and {member} cannot be provided together.")
        page = ShardsPage.read(token, now)
        return Listing(page.named, page.after, page.kind, page.at)
    named = locate(account, region, name, arn)
    after = None
    if exclusive_start:
        after = parse_shard_id(exclusive_start)
        if after is None:
            raise no_such_shard(exclusive_start, named.name, named.account)
    if not shard_filter:
        return Listing(named, after, None, None)
    kind = shard_filter["Type"]
    at = None
    if kind == "AFTER_SHARD_ID":
        given = shard_filter.get("ShardId")
        if not given:
            raise InvalidArgumentException("ShardId must be supplied in a ShardFilter with a Type of AFTER_SHARD_ID")
        index = parse_shard_id(given)
        if index is None:
            raise no_such_shard(given, named.name, named.account)
        after = max(after if after is not None else -1, index)
    elif kind in ("AT_TIMESTAMP", "FROM_TIMESTAMP"):
        if shard_filter.get("Timestamp") is None:
            raise InvalidArgumentException(
                "Timestamp must be supplied in a ShardFilter with a Type of FROM_TIMESTAMP or AT_TIMESTAMP"
            )
        at = epoch(shard_filter["Timestamp"])
    return Listing(named, after, kind, at)
