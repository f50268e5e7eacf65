"""DynamoDB Streams' domain: stream labels and ARNs, shard ids, the change record an item write makes (INSERT /
MODIFY / REMOVE with Keys and images per view type) as stored and as GetRecords shows it, sequence numbers, and
shard iterators — opaque, HMAC'd under a key derived from the deployment secret, expiring after 15 minutes."""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import hashlib
import hmac
import json
import struct
import uuid
from dataclasses import dataclass
from typing import Any

from . import values
from .errors import ValidationException
from .values import Item

VIEW_TYPES = ("KEYS_ONLY", "NEW_IMAGE", "OLD_IMAGE", "NEW_AND_OLD_IMAGES")
ITERATOR_TYPES = ("TRIM_HORIZON", "LATEST", "AT_SEQUENCE_NUMBER", "AFTER_SEQUENCE_NUMBER")
RETENTION_SECONDS = 24 * 3600
ITERATOR_SECONDS = 15 * 60
GET_RECORDS_LIMIT = 1000
# the TTL sweep's identity in GetRecords' casing (a Lambda event spells it {"type", "principalId"})
SERVICE_IDENTITY = {"Type": "Service", "PrincipalId": "dynamodb.amazonaws.com"}
_SEQUENCE_BASE = 10**20  # sequence numbers read as 21-digit decimals, increasing as numbers and as strings


def label(now: float) -> str:
    """A stream label: the creation time as ISO 8601 to the millisecond ("2024-05-01T12:00:00.123")."""
    return dt.datetime.fromtimestamp(now, dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3]


def arn(region: str, account: str, table: str, stream_label: str) -> str:
    return f"arn:aws:dynamodb:{region}:{account}:table/{table}/stream/{stream_label}"


def parse_arn(text: str) -> tuple[str, str, str, str] | None:
    """(region, account, table, label) of a stream ARN, None when it is not one."""
    parts = text.split(":", 5)
    if len(parts) != 6 or parts[0] != "arn" or parts[2] != "dynamodb":
        return None
    table, sep, stream_label = parts[5].partition("/stream/")
    if not sep or not table.startswith("table/") or not stream_label:
        return None
    return parts[3], parts[4], table[len("table/") :], stream_label


def shard_id(now: float, stream_arn: str) -> str:
    """shardId-<20-digit creation ms>-<8 hex>, as AWS names shards."""
    return f"shardId-{int(now * 1000):020d}-{hashlib.sha256(stream_arn.encode()).hexdigest()[:8]}"


def sequence_number(seq: int) -> str:
    return str(_SEQUENCE_BASE + seq)


def parse_sequence(text: str | None) -> int | None:
    if text is None or not text.isdigit() or int(text) <= _SEQUENCE_BASE:
        return None
    return int(text) - _SEQUENCE_BASE


def check_spec(spec: dict[str, Any]) -> tuple[bool, str | None]:
    """(enabled, view type) of a StreamSpecification, with AWS's checks."""
    enabled = bool(spec.get("StreamEnabled"))
    view = spec.get("StreamViewType")
    if enabled and view not in VIEW_TYPES:
        raise ValidationException(
            "One or more parameter values were invalid: StreamViewType is required when StreamEnabled is true"
            if view is None
            else f"1 validation error detected: Value '{view}' at 'streamSpecification.streamViewType' failed to "
            "satisfy constraint: Member must satisfy enum value set: [NEW_IMAGE, OLD_IMAGE, NEW_AND_OLD_IMAGES, "
            "KEYS_ONLY]"
        )
    if not enabled and view is not None:
        raise ValidationException(
            "One or more parameter values were invalid: StreamViewType cannot be specified when StreamEnabled is false"
        )
    return enabled, view


# --- records -----------------------------------------------------------------------------------------------------


def changed(old: Item | None, new: Item | None) -> bool:
    """Whether a write changes the item (AWS writes no stream record for one that does not)."""
    if old is None or new is None:
        return not (old is None and new is None)
    if old.keys() != new.keys():
        return True
    return not all(values.equal(old[k], new[k]) for k in old)


def record(keys: Item, old: Item | None, new: Item | None, view: str, now: float, by_service: bool) -> str:
    """The stored form of one change record (its sequence number is the row's)."""
    name = "INSERT" if old is None else "REMOVE" if new is None else "MODIFY"
    doc: dict[str, Any] = {"id": uuid.uuid4().hex, "name": name, "at": now, "keys": values.wire_item(keys)}
    size = values.item_size(keys)
    if new is not None and view in ("NEW_IMAGE", "NEW_AND_OLD_IMAGES"):
        doc["new"] = values.wire_item(new)
        size += values.item_size(new)
    if old is not None and view in ("OLD_IMAGE", "NEW_AND_OLD_IMAGES"):
        doc["old"] = values.wire_item(old)
        size += values.item_size(old)
    doc["size"] = size
    doc["view"] = view
    if by_service:
        doc["service"] = True
    return json.dumps(doc, separators=(",", ":"), ensure_ascii=False)


def rendered(seq: int, text: str, region: str, stream_arn: str) -> dict[str, Any]:
    """A stored record as GetRecords answers it (and as a Lambda event carries it, with eventSourceARN)."""
    doc = json.loads(text)
    change: dict[str, Any] = {
        "ApproximateCreationDateTime": float(int(doc["at"])),
        "Keys": values.load_item(json.dumps(doc["keys"])),
    }
    if "new" in doc:
        change["NewImage"] = values.load_item(json.dumps(doc["new"]))
    if "old" in doc:
        change["OldImage"] = values.load_item(json.dumps(doc["old"]))
    change.update({"SequenceNumber": sequence_number(seq), "SizeBytes": doc["size"], "StreamViewType": doc["view"]})
    out: dict[str, Any] = {
        "eventID": doc["id"],
        "eventName": doc["name"],
        "eventVersion": "1.1",
        "eventSource": "aws:dynamodb",
        "awsRegion": region,
        "dynamodb": change,
    }
    if doc.get("service"):
        out["userIdentity"] = dict(SERVICE_IDENTITY)
    return out


# --- iterators ---------------------------------------------------------------------------------------------------

_VERSION = 2
# version, stream row id, stream created (ms), read after seq, issued (ms), the shard's first seq
_LAYOUT = struct.Struct(">BQQqQq")
_LAYOUT_V1 = struct.Struct(">BQQqQ")  # before streams had more than one shard (its first seq is 1)
_MAC_BYTES = 16


@dataclass(frozen=True, slots=True)
class Position:
    stream_id: int
    created_ms: int
    after: int  # the last sequence number read: records numbered above it come next
    issued_ms: int
    shard_first: int = 1  # the shard read: the first sequence number it takes


def iterator_key(deployment_secret: str) -> bytes:
    return hmac.new(deployment_secret.encode(), b"gureum-dynamodb-stream-iterator", hashlib.sha256).digest()


def issue(key: bytes, where: Position) -> str:
    body = _LAYOUT.pack(_VERSION, where.stream_id, where.created_ms, where.after, where.issued_ms, where.shard_first)
    mac = hmac.new(key, body, hashlib.sha256).digest()[:_MAC_BYTES]
    return base64.b64encode(body + mac).decode()


def read(key: bytes, text: str) -> Position | None:
    """The position an iterator names; None when this deployment did not issue it (or it was altered)."""
    try:
        raw = base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        return None
    layout = {_LAYOUT.size + _MAC_BYTES: _LAYOUT, _LAYOUT_V1.size + _MAC_BYTES: _LAYOUT_V1}.get(len(raw))
    if layout is None:
        return None
    body, mac = raw[:-_MAC_BYTES], raw[-_MAC_BYTES:]
    if not hmac.compare_digest(mac, hmac.new(key, body, hashlib.sha256).digest()[:_MAC_BYTES]):
        return None
    fields = layout.unpack(body)
    if fields[0] != (_VERSION if layout is _LAYOUT else 1):
        return None
    return Position(*fields[1:])
