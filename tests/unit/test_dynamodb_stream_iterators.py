"""DynamoDB stream iterators: a position survives the round trip with the shard it reads, an iterator issued before
streams had several shards (layout 1) still reads as the first shard's, and an altered or foreign one reads as
nothing."""

from __future__ import annotations

import base64
import hashlib
import hmac
import struct

from gureum.services.dynamodb import streams

KEY = streams.iterator_key("secret")


def test_round_trip_keeps_the_shard() -> None:
    where = streams.Position(7, 1_700_000_000_123, 41, 1_700_000_100_000, 37)
    assert streams.read(KEY, streams.issue(KEY, where)) == where


def test_an_iterator_of_one_shard_streams_reads_as_the_first_shard() -> None:
    body = struct.pack(">BQQqQ", 1, 7, 1_700_000_000_123, 41, 1_700_000_100_000)
    text = base64.b64encode(body + hmac.new(KEY, body, hashlib.sha256).digest()[:16]).decode()
    assert streams.read(KEY, text) == streams.Position(7, 1_700_000_000_123, 41, 1_700_000_100_000, 1)


def test_altered_or_foreign_iterators_read_as_nothing() -> None:
    text = streams.issue(KEY, streams.Position(7, 1, 2, 3, 4))
    raw = bytearray(base64.b64decode(text))
    raw[10] ^= 1
    assert streams.read(KEY, base64.b64encode(bytes(raw)).decode()) is None
    assert streams.read(streams.iterator_key("other"), text) is None
    assert streams.read(KEY, "not base64!") is None
    assert streams.read(KEY, base64.b64encode(b"short").decode()) is None
