"""Streams and consumers as values: ARNs, how an operation names its stream, statuses, paging tokens and the
shapes DescribeStream, DescribeStreamSummary and friends answer with (no SQL, no HTTP).

A stream's status changes that take time (CREATING, UPDATING, DELETING) are a pending change kept with the stream
and the time it completes (``due_at``); the leader applies it then (maintenance.py), so it survives restarts.
"""

from __future__ import annotations

import base64
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from ... import safejson
from . import limits
from .errors import ExpiredNextTokenException, InvalidArgumentException, ServiceError, stream_not_found
from .shards import Shard

CREATING, ACTIVE, UPDATING, DELETING = "CREATING", "ACTIVE", "UPDATING", "DELETING"
PROVISIONED, ON_DEMAND = "PROVISIONED", "ON_DEMAND"

_STREAM_ARN = re.compile(r"^arn:aws[\w-]*:kinesis:([\w-]+):(\d{12}):stream/([a-zA-Z0-9_.-]+)$")
_CONSUMER_ARN = re.compile(
    r"^arn:aws[\w-]*:kinesis:([\w-]+):(\d{12}):stream/([a-zA-Z0-9_.-]+)/consumer/([a-zA-Z0-9_.-]+):(\d+)$"
)


def stream_arn(region: str, account: str, name: str) -> str:
    return f"arn:aws:kinesis:{region}:{account}:stream/{name}"


@dataclass(frozen=True, slots=True)
class Named:
    """Where a stream an operation names lives: (account, region, name)."""

    account: str
    region: str
    name: str


def locate(account: str, region: str, name: str | None, arn: str | None) -> Named:
    """The stream an operation names by StreamARN (preferred, as AWS recommends) or StreamName."""
    if arn:
        found = _STREAM_ARN.match(arn)
        if found is None:
            raise InvalidArgumentException(f"Invalid StreamARN {arn}")
        return Named(found.group(2), found.group(1), found.group(3))
    if name:
        return Named(account, region, name)
    raise InvalidArgumentException("Neither StreamARN nor StreamName was provided.")


def parse_consumer_arn(arn: str) -> tuple[Named, str] | None:
    """(the consumer's stream, the consumer's name) of a consumer ARN."""
    found = _CONSUMER_ARN.match(arn)
    if found is None:
        return None
    return Named(found.group(2), found.group(1), found.group(3)), found.group(4)


def parse_stream_arn(arn: str) -> Named | None:
    found = _STREAM_ARN.match(arn)
    return Named(found.group(2), found.group(1), found.group(3)) if found else None


@dataclass(frozen=True, slots=True)
class Stream:
    id: int
    account: str
    region: str
    name: str
    created_at: float
    status: str
    mode: str
    retention_hours: int
    encryption: str
    key_id: str | None
    metrics: tuple[str, ...]
    tags: dict[str, str]
    policy: str | None
    max_record_kib: int
    warm_mibps: int | None
    next_shard: int
    pending: dict[str, Any] | None
    due_at: float | None

    @property
    def arn(self) -> str:
        return stream_arn(self.region, self.account, self.name)

    @property
    def encrypted(self) -> bool:
        return self.encryption == "KMS"

    def writable(self) -> None:
        """Records may be put while ACTIVE or UPDATING (a stream being created or deleted is not found)."""
        if self.status not in (ACTIVE, UPDATING):
            raise stream_not_found(self.name, self.account)

    def mode_details(self) -> dict[str, str]:
        return {"StreamMode": self.mode}

    def monitoring(self) -> list[dict[str, list[str]]]:
        return [{"ShardLevelMetrics": list(self.metrics)}]


def new_stream(
    account: str,
    region: str,
    name: str,
    now: float,
    mode: str,
    tags: dict[str, str],
    max_record_kib: int | None,
    warm_mibps: int | None,
) -> Stream:
    """A stream as CreateStream makes it (row id 0 until stored; CREATING until its pending change completes)."""
    return Stream(
        0, account, region, name, now, CREATING, mode, limits.RETENTION_HOURS_DEFAULT, "NONE", None, (), dict(tags),
        None, max_record_kib or limits.MAX_RECORD_KIB_DEFAULT, warm_mibps if mode == ON_DEMAND else None, 0, None,
        None,
    )  # fmt: skip


@dataclass(frozen=True, slots=True)
class Consumer:
    id: int
    stream_id: int
    name: str
    arn: str
    created_at: float
    status: str
    due_at: float | None
    tags: dict[str, str] = field(default_factory=dict)
    policy: str | None = None

    def describe(self) -> dict[str, Any]:
        return {
            "ConsumerName": self.name,
            "ConsumerARN": self.arn,
            "ConsumerStatus": self.status,
            "ConsumerCreationTimestamp": self.created_at,
        }


def consumer_arn(stream: Stream, name: str, created_at: float) -> str:
    return f"{stream.arn}/consumer/{name}:{int(created_at)}"


def describe(stream: Stream, shards: Sequence[Shard], limit: int | None, after: int | None) -> dict[str, Any]:
    """DescribeStream's StreamDescription: a page of shards (none while CREATING)."""
    listed = [] if stream.status == CREATING else [s for s in shards if after is None or s.index > after]
    page = min(limit or limits.DESCRIBE_STREAM_SHARDS, limits.DESCRIBE_STREAM_SHARDS)
    out: dict[str, Any] = {
        "StreamName": stream.name,
        "StreamARN": stream.arn,
        "StreamStatus": stream.status,
        "StreamModeDetails": stream.mode_details(),
        "Shards": [s.describe() for s in listed[:page]],
        "HasMoreShards": len(listed) > page,
        "RetentionPeriodHours": stream.retention_hours,
        "StreamCreationTimestamp": stream.created_at,
        "EnhancedMonitoring": stream.monitoring(),
        "EncryptionType": stream.encryption,
    }
    if stream.key_id:
        out["KeyId"] = stream.key_id
    return out


def summary(stream: Stream, open_shards: int, consumers: int) -> dict[str, Any]:
    """DescribeStreamSummary's StreamDescriptionSummary."""
    out: dict[str, Any] = {
        "StreamName": stream.name,
        "StreamARN": stream.arn,
        "StreamStatus": stream.status,
        "StreamModeDetails": stream.mode_details(),
        "RetentionPeriodHours": stream.retention_hours,
        "StreamCreationTimestamp": stream.created_at,
        "EnhancedMonitoring": stream.monitoring(),
        "EncryptionType": stream.encryption,
        "OpenShardCount": open_shards,
        "ConsumerCount": consumers,
        "MaxRecordSizeInKiB": stream.max_record_kib,
    }
    if stream.key_id:
        out["KeyId"] = stream.key_id
    if stream.warm_mibps is not None:
        out["WarmThroughput"] = {"TargetMiBps": stream.warm_mibps, "CurrentMiBps": stream.warm_mibps}
    return out


def list_entry(stream: Stream) -> dict[str, Any]:
    """ListStreams' StreamSummaries entry."""
    return {
        "StreamName": stream.name,
        "StreamARN": stream.arn,
        "StreamStatus": stream.status,
        "StreamModeDetails": stream.mode_details(),
        "StreamCreationTimestamp": stream.created_at,
    }


def check_retention(hours: int) -> None:
    if hours < limits.RETENTION_HOURS_MIN:
        raise InvalidArgumentException(
            f"Minimum allowed retention period is {limits.RETENTION_HOURS_MIN} hours. "
            f"Requested retention period ({hours} hours) is too short."
        )
    if hours > limits.RETENTION_HOURS_MAX:
        raise InvalidArgumentException(
            f"Maximum allowed retention period is {limits.RETENTION_HOURS_MAX} hours. "
            f"Requested retention period ({hours} hours) is too long."
        )


def check_tags(stream_name: str, account: str, tags: dict[str, str]) -> None:
    if len(tags) > limits.MAX_TAGS:
        raise InvalidArgumentException(
            f"Failed to add tags to stream {stream_name} under account {account} because a given stream cannot "
            f"have more than {limits.MAX_TAGS} tags associated with it."
        )


def expand_metrics(names: Sequence[str]) -> set[str]:
    """Shard-level metric names with ALL expanded."""
    return set(limits.SHARD_LEVEL_METRICS) if "ALL" in names else set(names)


def ordered_metrics(names: set[str]) -> tuple[str, ...]:
    return tuple(m for m in limits.SHARD_LEVEL_METRICS if m in names)


def check_policy(policy: str) -> None:
    try:
        doc = safejson.loads(policy)
    except ValueError:
        raise InvalidArgumentException("Policy is not a valid JSON document.") from None
    if not isinstance(doc, dict):
        raise InvalidArgumentException("Policy is not a valid JSON document.")


# --- paging tokens: base64 JSON, read back defensively (a token is client input) -------------------------------


def _encode(fields: dict[str, Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(fields, separators=(",", ":")).encode()).decode()


def _decode(token: str) -> dict[str, Any]:
    try:
        doc = safejson.loads(base64.urlsafe_b64decode(token.encode()))
    except (ValueError, UnicodeError):
        doc = None
    if not isinstance(doc, dict):
        raise InvalidArgumentException(f"Invalid NextToken: {token}")
    return doc


def after_token(name: str, now: float) -> str:
    """ListStreams' and ListStreamConsumers' NextToken: the last name listed, and when."""
    return _encode({"after": name, "t": now})


def read_after_token(token: str, now: float | None) -> str:
    """The name after which the next page starts; ``now`` given: the token expires (ExpiredNextTokenException)."""
    doc = _decode(token)
    after, issued = doc.get("after"), doc.get("t")
    if not isinstance(after, str) or not isinstance(issued, (int, float)):
        raise InvalidArgumentException(f"Invalid NextToken: {token}")
    if now is not None and now - issued > limits.NEXT_TOKEN_SECONDS:
        raise ExpiredNextTokenException(f"The NextToken {token} has expired.")
    return after


@dataclass(frozen=True, slots=True)
class ShardsPage:
    """Where ListShards' next page starts: the stream, the last shard index listed, the filter and its time."""

    named: Named
    after: int
    kind: str | None
    at: float | None

    def token(self, now: float) -> str:
        named = self.named
        return _encode(
            {
                "a": named.account,
                "r": named.region,
                "n": named.name,
                "i": self.after,
                "k": self.kind,
                "at": self.at,
                "t": now,
            }
        )

    @classmethod
    def read(cls, token: str, now: float) -> ShardsPage:
        doc = _decode(token)
        try:
            page = cls(
                Named(str(doc["a"]), str(doc["r"]), str(doc["n"])),
                int(doc["i"]),
                None if doc.get("k") is None else str(doc["k"]),
                None if doc.get("at") is None else float(doc["at"]),
            )
            issued = float(doc["t"])
        except (KeyError, TypeError, ValueError):
            raise InvalidArgumentException(f"Invalid NextToken: {token}") from None
        if now - issued > limits.NEXT_TOKEN_SECONDS:
            raise ExpiredNextTokenException(f"The NextToken {token} has expired.")
        return page


def not_found(named: Named) -> ServiceError:
    return stream_not_found(named.name, named.account)
