"""gureum.aws.eventstream against botocore's own decoder: every header type, payloads, CRCs; and the decoder's
refusals (a bad CRC, a length past AWS's limits) before it buffers what a length claims."""

from __future__ import annotations

import struct
import uuid
import zlib

import pytest
from botocore.eventstream import EventStreamBuffer

from gureum.aws.eventstream import MalformedMessage, MessageDecoder, encode_message


def test_encoding_read_by_botocore_and_back() -> None:
    ident = uuid.uuid4()
    headers = [
        (":message-type", "event"),
        ("yes", True),
        ("no", False),
        ("byte", (2, -3)),
        ("short", (3, 300)),
        ("int", (4, -70_000)),
        ("long", 2**40),
        ("bytes", b"\x00\xff"),
        ("when", (8, 1_700_000_000_000)),
        ("id", ident),
    ]
    payload = b'{"a":1}'
    raw = encode_message(headers, payload) + encode_message([(":event-type", "x")], b"")
    buffer = EventStreamBuffer()
    buffer.add_data(raw)
    first, second = list(buffer)
    assert first.payload == payload and second.payload == b""
    assert first.headers == {
        ":message-type": "event",
        "yes": True,
        "no": False,
        "byte": -3,
        "short": 300,
        "int": -70_000,
        "long": 2**40,
        "bytes": b"\x00\xff",
        "when": 1_700_000_000_000,
        "id": ident.bytes,
    }
    decoder = MessageDecoder()
    got = decoder.feed(raw[:10]) + decoder.feed(raw[10:])  # split anywhere
    assert [m.payload for m in got] == [payload, b""]
    assert got[0].headers["id"] == ident and got[0].headers["long"] == 2**40 and got[1].headers[":event-type"] == "x"


def test_decoder_refuses_bad_messages() -> None:
    good = encode_message([(":message-type", "event")], b"data")
    broken = bytearray(good)
    broken[-6] ^= 1
    with pytest.raises(MalformedMessage, match="message CRC"):
        MessageDecoder().feed(bytes(broken))
    prelude = struct.pack(">II", 2**31, 0)  # claims 2 GiB: refused on its prelude, nothing buffered for it
    with pytest.raises(MalformedMessage, match="limits"):
        MessageDecoder().feed(prelude + struct.pack(">I", zlib.crc32(prelude)))
    with pytest.raises(MalformedMessage, match="prelude CRC"):
        MessageDecoder().feed(b"\x00" * 11 + b"\x01" + good)
