"""Kinesis Video's resources as values (streams, signaling channels, fragment index rows), their ARNs, versions and
fragment numbers in AWS's forms, and how they are rendered in the operations' outputs. No SQL, no HTTP."""

from __future__ import annotations

import datetime as dt
import secrets
import string
from dataclasses import dataclass
from typing import Any

ACTIVE = "ACTIVE"
DEFAULT_RETENTION = 0  # CreateStream without DataRetentionInHours keeps no media (AWS's default)
MAX_RETENTION_HOURS = 87600
MAX_TAGS = 50
# a fragment number: 47 decimal digits, as AWS's ("91343852333181432392682062…"); the last 21 are the stream's
# sequence, so numbers of one stream order as their fragments do
_FRAGMENT_PREFIX = "91343852333181432392682062"
_SEQ_DIGITS = 21
_VERSION_ALPHABET = string.ascii_letters + string.digits


@dataclass(slots=True, frozen=True)
class Stream:
    id: int
    account: str
    region: str
    name: str
    arn: str
    version: str
    status: str
    device_name: str | None
    media_type: str | None
    kms_key_id: str
    retention_hours: int
    created_at: float
    tags: dict[str, str]
    configs: dict[str, Any]

    def info(self) -> dict[str, Any]:
        info: dict[str, Any] = {
            "StreamName": self.name,
            "StreamARN": self.arn,
            "KmsKeyId": self.kms_key_id,
            "Version": self.version,
            "Status": self.status,
            "CreationTime": dt.datetime.fromtimestamp(self.created_at, dt.UTC),
            "DataRetentionInHours": self.retention_hours,
        }
        if self.device_name is not None:
            info["DeviceName"] = self.device_name
        if self.media_type is not None:
            info["MediaType"] = self.media_type
        return info


@dataclass(slots=True, frozen=True)
class Channel:
    id: int
    account: str
    region: str
    name: str
    arn: str
    version: str
    status: str
    channel_type: str
    ttl_seconds: int
    created_at: float
    tags: dict[str, str]
    configs: dict[str, Any]

    def info(self) -> dict[str, Any]:
        return {
            "ChannelName": self.name,
            "ChannelARN": self.arn,
            "ChannelType": self.channel_type,
            "ChannelStatus": self.status,
            "CreationTime": dt.datetime.fromtimestamp(self.created_at, dt.UTC),
            "SingleMasterConfiguration": {"MessageTtlSeconds": self.ttl_seconds},
            "Version": self.version,
        }


@dataclass(slots=True, frozen=True)
class Fragment:
    stream_id: int
    seq: int
    producer_ms: int
    server_ms: int
    duration_ms: int
    size: int
    header_size: int

    @property
    def number(self) -> str:
        return fragment_number(self.seq)

    def listed(self) -> dict[str, Any]:
        return {
            "FragmentNumber": self.number,
            "FragmentSizeInBytes": self.size,
            "ProducerTimestamp": dt.datetime.fromtimestamp(self.producer_ms / 1000, dt.UTC),
            "ServerTimestamp": dt.datetime.fromtimestamp(self.server_ms / 1000, dt.UTC),
            "FragmentLengthInMilliseconds": self.duration_ms,
        }


def stream_arn(account: str, region: str, name: str, created_ms: int) -> str:
    return f"arn:aws:kinesisvideo:{region}:{account}:stream/{name}/{created_ms}"


def channel_arn(account: str, region: str, name: str, created_ms: int) -> str:
    return f"arn:aws:kinesisvideo:{region}:{account}:channel/{name}/{created_ms}"


def default_kms_key(account: str, region: str) -> str:
    """The AWS managed key a stream is encrypted with when CreateStream names none."""
    return f"arn:aws:kms:{region}:{account}:alias/aws/kinesisvideo"


def new_version() -> str:
    return "".join(secrets.choice(_VERSION_ALPHABET) for _ in range(20))


def fragment_number(seq: int) -> str:
    return f"{_FRAGMENT_PREFIX}{seq:0{_SEQ_DIGITS}d}"


def fragment_seq(number: str) -> int | None:
    """The sequence a fragment number names; None when it is no number of ours."""
    if len(number) != len(_FRAGMENT_PREFIX) + _SEQ_DIGITS or not number.startswith(_FRAGMENT_PREFIX):
        return None
    tail = number[len(_FRAGMENT_PREFIX) :]
    return int(tail) if tail.isdigit() else None


def epoch_ms(value: Any) -> int:
    """A timestamp member as the engine parsed it (datetime, or a number of seconds) → epoch milliseconds."""
    if isinstance(value, dt.datetime):
        if value.tzinfo is None:
            value = value.replace(tzinfo=dt.UTC)
        return int(round(value.timestamp() * 1000))
    return int(round(float(value) * 1000))
