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
    status = response.status
    parts = [b"HTTP/1.1 %d %s\r\n" % (status, REASONS.get(status, "Unknown").encode())]
    for name, value in response.headers:
        parts.append(header_line(name, value))
    parts.append(b"Content-Length: %d\r\nDate: %s\r\nServer: gureum\r\n" % (len(response.body), _Date.get()))
    if not keep_alive:
        parts.append(b"Connection: close\r\n")
    parts.append(b"\r\n")
    if not head_only:
        parts.append(response.body)
    return b"".join(parts)


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
