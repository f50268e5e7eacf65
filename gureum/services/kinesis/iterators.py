"""Shard iterators: opaque, unforgeable, expiring. An iterator is base64 of (version, stream row id and creation
time, shard index, position, issue time, the stream's account and name) and an HMAC of them under a key derived from
the deployment secret, so a client can neither make one up nor move one. A stream deleted and created again under
the same name does not take the old stream's iterators: its creation time differs (the name is there for the error
saying so). A position is a record index in the shard (read from it on) or, for AT_TIMESTAMP before the first read,
an arrival time in milliseconds.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import hashlib
import hmac
import struct
from dataclasses import dataclass

from .errors import ExpiredIteratorException

_VERSION = 1
_BY_INDEX, _BY_TIME = 0, 1
_LAYOUT = struct.Struct(">BQQIBqQ")  # version, stream id, stream created (ms), shard index, kind, position, issued
_MAC_BYTES = 16


@dataclass(frozen=True, slots=True)
class Position:
    stream_id: int
    created_ms: int  # the stream's creation time
    shard: int
    index: int | None  # the next record index to read
    at_ms: int | None  # AT_TIMESTAMP: the first record that arrived at or after this time
    issued_ms: int
    account: str
    name: str


def iterator_key(deployment_secret: str) -> bytes:
    return hmac.new(deployment_secret.encode(), b"gureum-kinesis-shard-iterator", hashlib.sha256).digest()


def issue(key: bytes, where: Position) -> str:
    kind, value = (_BY_INDEX, where.index) if where.index is not None else (_BY_TIME, where.at_ms or 0)
    fixed = _LAYOUT.pack(_VERSION, where.stream_id, where.created_ms, where.shard, kind, value, where.issued_ms)
    body = fixed + where.account.encode() + b"/" + where.name.encode()
    mac = hmac.new(key, body, hashlib.sha256).digest()[:_MAC_BYTES]
    return base64.b64encode(body + mac).decode()


def read(key: bytes, text: str) -> Position | None:
    """The position an iterator names; None when it is not one this deployment issued (or was altered)."""
    try:
        raw = base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        return None
    if len(raw) < _LAYOUT.size + _MAC_BYTES + 2:
        return None
    body, mac = raw[:-_MAC_BYTES], raw[-_MAC_BYTES:]
    if not hmac.compare_digest(mac, hmac.new(key, body, hashlib.sha256).digest()[:_MAC_BYTES]):
        return None
    version, stream_id, created_ms, shard, kind, value, issued_ms = _LAYOUT.unpack(body[: _LAYOUT.size])
    account, _, name = body[_LAYOUT.size :].decode(errors="replace").partition("/")
    if version != _VERSION or kind not in (_BY_INDEX, _BY_TIME):
        return None
    if kind == _BY_INDEX:
        return Position(stream_id, created_ms, shard, value, None, issued_ms, account, name)
    return Position(stream_id, created_ms, shard, None, value, issued_ms, account, name)


def check_fresh(where: Position, now_ms: int, ttl_ms: int) -> None:
    """ExpiredIteratorException, worded as AWS words it, once an iterator outlived ``ttl_ms``."""
    if now_ms - where.issued_ms > ttl_ms:
        raise ExpiredIteratorException(
            f"Iterator expired. The iterator was created at time {amz_time(where.issued_ms)} while right now it is "
            f"{amz_time(now_ms)} which is further in the future than the tolerated delay of {ttl_ms} milliseconds."
        )


def amz_time(ms: int) -> str:
    """A time as Kinesis writes it in ExpiredIteratorException: 'Thu Jan 22 01:22:02 UTC 2015'."""
    when = dt.datetime.fromtimestamp(ms / 1000, dt.UTC)
    return when.strftime("%a %b %d %H:%M:%S UTC %Y")
