"""CBOR as AWS's json-protocol services take it (application/x-amz-cbor-1.1: the Java SDK's and the KCL's Kinesis
wire format): the same documents as awsJson, with blobs as byte strings and timestamps as tag 1 over epoch
milliseconds (what the Java SDKs write and read). Decoding is cbor2's, bounded: nesting past MAX_DEPTH, any tag but
1 (shared references could make cycles; tag 35 compiles a regular expression), non-string map keys and trailing
bytes are malformed input; lengths are not trusted before their bytes arrive (cbor2 reads in chunks).
Imports no service.
"""

from __future__ import annotations

import datetime as dt
import io
import math
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

import cbor2
from botocore.model import Shape

from .protocols.base import MalformedInput, in_range, parse_timestamp, to_epoch

CONTENT_TYPE = "application/x-amz-cbor-1.1"
MAX_DEPTH = 256  # as awsJson's reader (gureum.aws.protocols.json.MAX_DEPTH)
_MILLIS_FROM = 1e11  # an epoch value this large is milliseconds (1e11 s is the year 5138; 1e11 ms is 1973)


@dataclass(slots=True, frozen=True)
class Epoch:
    """A tag-1 (epoch) value as sent: milliseconds from the Java SDKs, seconds from a client that follows RFC 8949."""

    value: int | float

    def datetime(self) -> dt.datetime:
        seconds = self.value / 1000 if abs(self.value) >= _MILLIS_FROM else self.value
        return parse_timestamp(seconds)


def _refuse(value: Any, immutable: bool) -> Any:
    raise cbor2.CBORDecodeError("CBOR tags other than 1 (epoch time) are not accepted")


def _epoch(value: Any, immutable: bool) -> Epoch:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise cbor2.CBORDecodeError("tag 1 (epoch time) over a value that is not a number")
    return Epoch(value)


def _untagged(value: Any, immutable: bool) -> Any:
    return value  # 55799, "this is CBOR": no meaning of its own


def _unknown_tag(tag: cbor2.CBORTag, immutable: bool) -> Any:
    raise cbor2.CBORDecodeError(f"CBOR tag {tag.tag} is not accepted")


# every tag cbor2 decodes by itself (found by probing it): all refused but epoch time
_DECODERS = MappingProxyType(
    {tag: _refuse for tag in (0, 2, 3, 4, 5, 25, 28, 29, 30, 35, 36, 37, 52, 54, 100, 256, 258, 260, 261, 1004)}
    | {1: _epoch, 55799: _untagged}
)


def loads(body: bytes) -> Any:
    """One CBOR value from request bytes; MalformedInput when it is not exactly one well-formed, accepted value."""
    source = io.BytesIO(body)
    try:
        value = cbor2.CBORDecoder(
            source,
            semantic_decoders=dict(_DECODERS),
            tag_hook=_unknown_tag,
            max_depth=MAX_DEPTH,
            strict_hashable_types=True,
        ).decode()
    except (cbor2.CBORDecodeError, RecursionError, ValueError, TypeError, OverflowError, MemoryError):
        raise MalformedInput("Unable to parse request body as CBOR") from None
    if source.tell() != len(body):
        raise MalformedInput("Unable to parse request body as CBOR: bytes after the first value")
    return value


def loads_object(body: bytes) -> dict[str, Any]:
    if not body:
        return {}
    doc = loads(body)
    if not isinstance(doc, dict) or not all(isinstance(key, str) for key in doc):
        raise MalformedInput("Start of structure or map found where not expected.")
    return doc


def dumps(doc: Any) -> bytes:
    return cbor2.dumps(doc)


_Members = dict[str, tuple[str, Shape]]


def _by_wire_name(shape: Shape) -> _Members:
    return {member.serialization.get("name", name): (name, member) for name, member in shape.members.items()}


def from_cbor(shape: Shape, value: Any) -> Any:
    """A decoded CBOR value in its Python form per the shape (as gureum.aws.protocols.json.from_json for JSON)."""
    if value is None:
        return None
    kind = shape.type_name
    if kind == "structure":
        if shape.is_document_type:
            return value
        if not isinstance(value, dict):
            raise _kind_error(shape, value)
        members = _by_wire_name(shape)
        out = {}
        for key, item in value.items():
            found = members.get(key) if isinstance(key, str) else None
            if found is not None and item is not None:
                out[found[0]] = from_cbor(found[1], item)
        return out
    if kind == "list":
        if not isinstance(value, list):
            raise MalformedInput("Start of list found where not expected")
        return [from_cbor(shape.member, item) for item in value]
    if kind == "map":
        if not isinstance(value, dict):
            raise MalformedInput("Start of structure or map found where not expected.")
        return {k: from_cbor(shape.value, v) for k, v in value.items() if isinstance(k, str)}
    if kind == "string":
        if not isinstance(value, str):
            raise _kind_error(shape, value)
        return value
    if kind in ("integer", "long"):
        if isinstance(value, bool) or not isinstance(value, int):
            raise _kind_error(shape, value)
        if not in_range(kind, value):
            raise MalformedInput(f"Numeric value out of range of {'int' if kind == 'integer' else 'long'}")
        return value
    if kind in ("double", "float"):
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise _kind_error(shape, value)
        if not math.isfinite(value):
            raise MalformedInput(f"Non-finite number ({value}) where a {kind} belongs")  # as awsJson refuses NaN
        return float(value)
    if kind == "boolean":
        if not isinstance(value, bool):
            raise _kind_error(shape, value)
        return value
    if kind == "blob":
        if not isinstance(value, bytes):
            raise _kind_error(shape, value)
        return value
    if kind == "timestamp":
        if isinstance(value, Epoch):
            return value.datetime()
        if isinstance(value, bool) or not isinstance(value, (int, float, str)):
            raise _kind_error(shape, value)
        return parse_timestamp(value)  # an untagged number (seconds) or text, as awsJson takes
    return value


def to_cbor(shape: Shape, value: Any) -> Any:
    """The CBOR form of an output value: members under their wire names, blobs as byte strings, timestamps as
    tag 1 over epoch milliseconds."""
    kind = shape.type_name
    if kind == "structure":
        if shape.is_document_type:
            return value
        out = {}
        for key, item in value.items():
            member = shape.members.get(key)
            if item is not None and member is not None:
                out[member.serialization.get("name", key)] = to_cbor(member, item)
        return out
    if kind == "list":
        return [to_cbor(shape.member, item) for item in value]
    if kind == "map":
        return {k: to_cbor(shape.value, v) for k, v in value.items()}
    if kind == "blob":
        return value.encode() if isinstance(value, str) else bytes(value)
    if kind == "timestamp":
        return cbor2.CBORTag(1, int(round(to_epoch(value) * 1000)))
    return value


def _kind_error(shape: Shape, value: Any) -> MalformedInput:
    got = type(value).__name__.upper() if not isinstance(value, Epoch) else "TIMESTAMP"
    return MalformedInput(f"{got} can not be converted to a {shape.type_name}")
