"""AWS's event stream encoding (application/vnd.amazon.eventstream), for any operation whose output shape has a
member with ``eventstream: true`` (Kinesis SubscribeToShard, ...): messages of a prelude (total and headers
lengths, CRC32), typed headers, a payload and a CRC32 of it all. ``EventStreamBody`` turns a handler's async
iterator of events ({member name: value}, the union's tagged form) into messages as the model shapes them; a
ServiceError raised midway becomes an exception message. ``MessageDecoder`` reads messages back (bounded sizes).
Imports no service.
"""

from __future__ import annotations

import logging
import struct
import uuid
import zlib
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from typing import Any

from botocore.model import Shape

from .errors import ServiceError

log = logging.getLogger("gureum.eventstream")

CONTENT_TYPE = "application/vnd.amazon.eventstream"
MAX_HEADERS_LENGTH = 128 * 1024  # AWS's limits on one message's headers and payload (botocore checks the same)
MAX_PAYLOAD_LENGTH = 24 * 1024 * 1024
_PRELUDE = struct.Struct(">II")
_CRC = struct.Struct(">I")

HeaderValue = bool | int | bytes | str | uuid.UUID
# a header with an int value and a type: 2 byte, 3 short, 4 integer, 5 long, 8 timestamp (ms); a bare int is a long
TypedInt = tuple[int, int]


def _header(name: str, value: HeaderValue | TypedInt) -> bytes:
    key = name.encode()
    out = bytes((len(key),)) + key
    if isinstance(value, bool):
        return out + (b"\x00" if value else b"\x01")
    if isinstance(value, tuple):
        kind, number = value
        fmt = {2: ">b", 3: ">h", 4: ">i", 5: ">q", 8: ">q"}[kind]
        return out + bytes((kind,)) + struct.pack(fmt, number)
    if isinstance(value, int):
        return out + b"\x05" + struct.pack(">q", value)
    if isinstance(value, uuid.UUID):
        return out + b"\x09" + value.bytes
    if isinstance(value, bytes):
        return out + b"\x06" + struct.pack(">H", len(value)) + value
    text = value.encode()
    return out + b"\x07" + struct.pack(">H", len(text)) + text


def encode_message(headers: list[tuple[str, HeaderValue | TypedInt]], payload: bytes) -> bytes:
    """One message: prelude, prelude CRC, headers, payload, message CRC."""
    head = b"".join(_header(name, value) for name, value in headers)
    total = _PRELUDE.size + 4 + len(head) + len(payload) + 4
    prelude = _PRELUDE.pack(total, len(head))
    prelude += _CRC.pack(zlib.crc32(prelude))
    body = prelude + head + payload
    return body + _CRC.pack(zlib.crc32(body))


@dataclass(slots=True, frozen=True)
class Message:
    headers: dict[str, HeaderValue]
    payload: bytes


class MalformedMessage(ValueError):
    """Bytes that are no event stream message (a bad CRC, a length past the limits, an unknown header type)."""


def _read_headers(data: bytes) -> dict[str, HeaderValue]:
    headers: dict[str, HeaderValue] = {}
    at = 0
    try:
        while at < len(data):
            size = data[at]
            name = data[at + 1 : at + 1 + size].decode()
            at += 1 + size
            kind = data[at]
            at += 1
            value: HeaderValue
            if kind in (0, 1):
                value = kind == 0
            elif kind in (2, 3, 4, 5, 8):
                fmt = {2: ">b", 3: ">h", 4: ">i", 5: ">q", 8: ">q"}[kind]
                value = struct.unpack_from(fmt, data, at)[0]
                at += struct.calcsize(fmt)
            elif kind in (6, 7):
                (length,) = struct.unpack_from(">H", data, at)
                raw = data[at + 2 : at + 2 + length]
                if len(raw) != length:
                    raise MalformedMessage("header value past the headers")
                value = raw if kind == 6 else raw.decode()
                at += 2 + length
            elif kind == 9:
                value = uuid.UUID(bytes=data[at : at + 16])
                at += 16
            else:
                raise MalformedMessage(f"unknown header value type {kind}")
            headers[name] = value
    except (IndexError, struct.error, UnicodeDecodeError, ValueError) as problem:
        raise MalformedMessage(f"malformed headers: {problem}") from None
    return headers


class MessageDecoder:
    """Messages from bytes as they arrive (``feed`` returns the complete ones); a message larger than AWS's limits
    or with a bad CRC raises MalformedMessage before its bytes are buffered."""

    def __init__(self) -> None:
        self._buffer = bytearray()

    def feed(self, data: bytes) -> list[Message]:
        self._buffer += data
        out = []
        while len(self._buffer) >= 12:
            total, headers_length = _PRELUDE.unpack_from(self._buffer)
            (prelude_crc,) = _CRC.unpack_from(self._buffer, 8)
            if zlib.crc32(bytes(self._buffer[:8])) != prelude_crc:
                raise MalformedMessage("prelude CRC mismatch")
            if headers_length > MAX_HEADERS_LENGTH or total - headers_length - 16 > MAX_PAYLOAD_LENGTH or total < 16:
                raise MalformedMessage("message larger than the event stream limits")
            if headers_length > total - 16:
                raise MalformedMessage("headers longer than the message")
            if len(self._buffer) < total:
                break
            raw = bytes(self._buffer[:total])
            del self._buffer[:total]
            if zlib.crc32(raw[:-4]) != _CRC.unpack_from(raw, total - 4)[0]:
                raise MalformedMessage("message CRC mismatch")
            headers = _read_headers(raw[12 : 12 + headers_length])
            out.append(Message(headers, raw[12 + headers_length : total - 4]))
        return out


@dataclass(slots=True, frozen=True)
class PayloadCodec:
    """How a protocol writes a structure into a message payload: ``encode(shape, value)`` by the model,
    ``document(doc)`` for a plain error document; ``content_type`` goes into :content-type."""

    content_type: str
    encode: Callable[[Shape, dict[str, Any]], bytes]
    document: Callable[[dict[str, Any]], bytes]


def stream_member(shape: Shape | None) -> str | None:
    """The output member that is an event stream (``eventstream: true``), if the output has one."""
    if shape is None or shape.type_name != "structure":
        return None
    for name, member in shape.members.items():
        if member.serialization.get("eventstream"):
            return str(name)
    return None


def initial_response(codec: PayloadCodec, payload: bytes) -> bytes:
    """The first message of an RPC protocol's event stream: the output's other members."""
    return encode_message(
        [(":event-type", "initial-response"), (":content-type", codec.content_type), (":message-type", "event")],
        payload,
    )


class EventStreamBody:
    """A StreamingBody (gureum.aws.http) of event stream messages: ``initial`` (if any), then one message per
    event the handler's iterator yields, as ``union`` (the eventstream shape) lays them out. A ServiceError raised
    by the iterator ends the stream with an exception message (or an error message when the union does not list
    the error); the iterator is closed however the stream ends (the client went away, the server stops)."""

    length: int | None = None

    def __init__(
        self, union: Shape, events: AsyncIterator[dict[str, Any]], codec: PayloadCodec, initial: bytes | None = None
    ) -> None:
        self.union = union
        self.events = events
        self.codec = codec
        self.initial = initial

    async def __aiter__(self) -> AsyncIterator[bytes]:
        if self.initial is not None:
            yield self.initial
        try:
            async for event in self.events:
                for name, value in event.items():
                    yield self.event(name, value)
        except ServiceError as error:
            yield self.error(error)
        except Exception:
            log.exception("an event stream failed midway")
            yield self.error(
                ServiceError("An internal error occurred.", code="InternalFailureException", sender_fault=False)
            )
        finally:
            close = getattr(self.events, "aclose", None)
            if close is not None:
                await close()

    def event(self, name: str, value: dict[str, Any]) -> bytes:
        """One event message: members bound to headers (``eventheader``) go there, the ``eventpayload`` member (a
        blob as is, a string as UTF-8, a structure by the codec) or else the rest of the event is the payload."""
        shape = self.union.members[name]
        headers: list[tuple[str, HeaderValue | TypedInt]] = [(":event-type", name), (":message-type", "event")]
        payload_name = None
        for key, member in shape.members.items():
            if member.serialization.get("eventpayload"):
                payload_name = key
            elif member.serialization.get("eventheader") and value.get(key) is not None:
                headers.append((key, _header_value(member, value[key])))
        if payload_name is None:
            body = {k: v for k, v in value.items() if not shape.members.get(k, shape).serialization.get("eventheader")}
            headers.append((":content-type", self.codec.content_type))
            return encode_message(headers, self.codec.encode(shape, body))
        member = shape.members[payload_name]
        data = value.get(payload_name)
        if member.type_name == "blob":
            headers.append((":content-type", "application/octet-stream"))
            return encode_message(headers, bytes(data or b""))
        if member.type_name == "string":
            headers.append((":content-type", "text/plain"))
            return encode_message(headers, (data or "").encode())
        headers.append((":content-type", self.codec.content_type))
        return encode_message(headers, self.codec.encode(member, data or {}))

    def error(self, error: ServiceError) -> bytes:
        code = error.type_name or error.code
        if code in self.union.members:
            doc = {"message": error.message, **error.fields}
            return encode_message(
                [(":exception-type", code), (":content-type", self.codec.content_type), (":message-type", "exception")],
                self.codec.document(doc),
            )
        return encode_message(
            [(":error-code", code), (":error-message", error.message), (":message-type", "error")], b""
        )


def _header_value(shape: Shape, value: Any) -> HeaderValue | TypedInt:
    kind = shape.type_name
    if kind == "boolean":
        return bool(value)
    if kind == "byte":
        return (2, int(value))
    if kind == "short":
        return (3, int(value))
    if kind == "integer":
        return (4, int(value))
    if kind == "long":
        return (5, int(value))
    if kind == "timestamp":
        seconds = value.timestamp() if hasattr(value, "timestamp") else float(value)
        return (8, int(seconds * 1000))
    if kind == "blob":
        return bytes(value)
    return str(value)
