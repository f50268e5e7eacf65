"""HTTP/1.1 on the wire: the reason phrases and the response head gureum's servers write (the main server, its
WebSocket handshakes and the Lambda Runtime API)."""

from __future__ import annotations

import time
from email.utils import formatdate
from http import HTTPStatus

from .aws.http import Response

REASONS = {status.value: status.phrase for status in HTTPStatus}


REASONS = {status.value: status.phrase for status in HTTPStatus}


class _Date:
    """The Date header, formatted once per second."""

    second = 0
    value = b""

    @classmethod
    def get(cls) -> bytes:
        now = int(time.time())
        if now != cls.second:
            cls.second = now
            cls.value = formatdate(now, usegmt=True).encode()
        return cls.value


def encode_response(response: Response, head_only: bool, keep_alive: bool) -> bytes:
    status = response.status
    parts = [b"HTTP/1.1 %d %s\r\n" % (status, REASONS.get(status, "Unknown").encode())]
    for name, value in response.headers:
        parts.append(f"{name}: {value}\r\n".encode("latin-1"))
    parts.append(b"Content-Length: %d\r\nDate: %s\r\nServer: gureum\r\n" % (len(response.body), _Date.get()))
    if not keep_alive:
        parts.append(b"Connection: close\r\n")
    parts.append(b"\r\n")
    if not head_only:
        parts.append(response.body)
    return b"".join(parts)
