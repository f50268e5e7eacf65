"""A delivery stream as gureum keeps it, its ARN, and how DescribeDeliveryStream / ListDeliveryStreams show it."""

from __future__ import annotations

import copy
import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from . import destinations

ACTIVE, CREATING, DELETING = "ACTIVE", "CREATING", "DELETING"
DIRECT_PUT, KINESIS_SOURCE = "DirectPut", "KinesisStreamAsSource"


@dataclass(slots=True)
class DeliveryStream:
    id: int
    account: str
    region: str
    name: str
    kind: str  # DeliveryStreamType
    status: str
    version: int
    created_at: float
    updated_at: float
    source: dict[str, Any]  # {"KinesisStreamARN", "RoleARN"} for a Kinesis source; {} for DirectPut
    destination: dict[str, Any]  # see destinations
    encryption: dict[str, Any]  # DeliveryStreamEncryptionConfiguration ({"Status": "DISABLED"} when off)
    tags: list[dict[str, str]] = field(default_factory=list)
    failure: dict[str, Any] | None = None  # the last delivery failure, until a delivery succeeds

    @property
    def arn(self) -> str:
        return arn(self.account, self.region, self.name)

    @property
    def description(self) -> dict[str, Any]:
        return dict(self.destination["description"])

    @property
    def encrypted(self) -> bool:
        return self.encryption.get("Status") in ("ENABLED", "ENABLING")


def arn(account: str, region: str, name: str) -> str:
    return f"arn:aws:firehose:{region}:{account}:deliverystream/{name}"


def parse_arn(text: str) -> tuple[str, str, str] | None:
    """(account, region, name) of a delivery stream ARN."""
    parts = text.split(":", 5)
    if len(parts) != 6 or parts[2] != "firehose" or not parts[5].startswith("deliverystream/"):
        return None
    return parts[4], parts[3], parts[5][len("deliverystream/") :]


def _time(seconds: float) -> dt.datetime:
    return dt.datetime.fromtimestamp(seconds, dt.UTC)


def describe(s: DeliveryStream) -> dict[str, Any]:
    out: dict[str, Any] = {
        "DeliveryStreamName": s.name,
        "DeliveryStreamARN": s.arn,
        "DeliveryStreamStatus": s.status,
        "DeliveryStreamEncryptionConfiguration": copy.deepcopy(s.encryption),
        "DeliveryStreamType": s.kind,
        "VersionId": str(s.version),
        "CreateTimestamp": _time(s.created_at),
        "Destinations": [destinations.describe(s.destination)],
        "HasMoreDestinations": False,
    }
    if s.version > 1:
        out["LastUpdateTimestamp"] = _time(s.updated_at)
    if s.kind == KINESIS_SOURCE:
        out["Source"] = {
            "KinesisStreamSourceDescription": {
                "KinesisStreamARN": s.source["KinesisStreamARN"],
                "RoleARN": s.source["RoleARN"],
                "DeliveryStartTimestamp": _time(s.created_at),
            }
        }
    else:
        out["Source"] = {"DirectPutSourceDescription": {}}
    if s.failure:
        out["FailureDescription"] = dict(s.failure)
    return out
