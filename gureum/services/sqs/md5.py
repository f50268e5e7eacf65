"""MD5 digests SQS returns for bodies, message attributes and system attributes (clients verify them)."""

from __future__ import annotations

import base64
import hashlib
from typing import Any

_TRANSPORT = {"StringValue": 1, "BinaryValue": 2, "StringListValues": 3, "BinaryListValues": 4}


def md5_text(text: str) -> str:
    return hashlib.md5(text.encode("utf-8")).hexdigest()


def md5_bytes(data: bytes) -> str:
    """md5_text of text already encoded as UTF-8."""
    return hashlib.md5(data).hexdigest()


def _sized(data: bytes) -> bytes:
    return len(data).to_bytes(4, "big") + data


def _as_bytes(value: Any) -> bytes:
    if isinstance(value, (bytes, bytearray)):
        return bytes(value)
    return base64.b64decode(value)


def md5_attributes(attributes: dict[str, dict[str, Any]]) -> str:
    """The digest of message attributes as SQS defines it: names sorted, each field length-prefixed."""
    digest = hashlib.md5()
    for name in sorted(attributes):
        value = attributes[name]
        digest.update(_sized(name.encode()))
        digest.update(_sized(value["DataType"].encode()))
        if value.get("StringValue") is not None:
            digest.update(b"\x01" + _sized(value["StringValue"].encode()))
        elif value.get("BinaryValue") is not None:
            digest.update(b"\x02" + _sized(_as_bytes(value["BinaryValue"])))
        elif value.get("StringListValues"):
            digest.update(b"\x03")
            for item in value["StringListValues"]:
                digest.update(_sized(item.encode()))
        elif value.get("BinaryListValues"):
            digest.update(b"\x04")
            for item in value["BinaryListValues"]:
                digest.update(_sized(_as_bytes(item)))
    return digest.hexdigest()
