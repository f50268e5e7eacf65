"""HTTP/1.1 on the wire: the reason phrases and the response head gureum's servers write (the main server, its
WebSocket handshakes and the Lambda Runtime API)."""

from __future__ import annotations

from email.utils import formatdate
from http import HTTPStatus

from .aws.http import Response
from .clock import SystemClock

REASONS = {status.value: status.phrase for status in HTTPStatus}
_LINE_BREAKS = str.maketrans({"\r": " ", "\n": " "})


class _Date:
    """The Date header, formatted once per second (the wall clock: what a client compares it with)."""

    second = 0
    value = b""
    clock = SystemClock()

    @classmethod
    def get(cls) -> bytes:
        now = int(cls.clock.now())
        if now != cls.second:
            cls.second = now
            cls.value = formatdate(now, usegmt=True).encode()
        return cls.value


def encode_response(response: Response, head_only: bool, keep_alive: bool) -> bytes:
    """The whole answer: its head and (unless answering HEAD) its body. A streamed answer's head only, its length
    the stream's (or chunked); a HEAD answer may state the length of what GET would send in its own headers."""
    stream = response.stream
    if stream is not None:
        length = stream.length
    elif head_only and _has_length(response):
        length = -1  # its own Content-Length header stands
    else:
        length = len(response.body)
    head = encode_head(response, keep_alive, length)
    if head_only or stream is not None:
        return head
    return head + response.body


def encode_head(response: Response, keep_alive: bool, length: int | None) -> bytes:
    """Status line and headers: Content-Length ``length``, chunked when None, none of gureum's own when -1."""
    status = response.status
    parts = [b"HTTP/1.1 %d %s\r\n" % (status, REASONS.get(status, "Unknown").encode())]
    for name, value in response.headers:
        if length != -1 and name in _LENGTH_NAMES:
            continue  # the length is the body's, stated once below
        parts.append(header_line(name, value))
    if length is None:
        parts.append(b"Transfer-Encoding: chunked\r\nDate: %s\r\nServer: gureum\r\n" % _Date.get())
    elif length == -1:
        parts.append(b"Date: %s\r\nServer: gureum\r\n" % _Date.get())
    else:
        parts.append(b"Content-Length: %d\r\nDate: %s\r\nServer: gureum\r\n" % (length, _Date.get()))
    if not keep_alive:
        parts.append(b"Connection: close\r\n")
    parts.append(b"\r\n")
    return b"".join(parts)


_LENGTH_NAMES = frozenset(("Content-Length", "content-length", "CONTENT-LENGTH"))


def _has_length(response: Response) -> bool:
    return any(name.lower() == "content-length" for name, _ in response.headers)


def header_line(name: str, value: str) -> bytes:
    """One header line, whatever the value holds: a line break (which would start a header of the value's
    choosing) becomes a space, and text beyond Latin-1 goes out as UTF-8 (lone surrogates replaced)."""
    line = f"{name}: {value}"
    if "\r" in line or "\n" in line:
        line = line.translate(_LINE_BREAKS)
    try:
        return line.encode("latin-1") + b"\r\n"
    except UnicodeEncodeError:
        return line.encode("utf-8", "replace") + b"\r\n"
