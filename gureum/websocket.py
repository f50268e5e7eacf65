"""The server side of one WebSocket connection (RFC 6455; framing by wsproto), as gureum.server hands it to a
service's ``upgrade`` hook. Imported on the first upgrade only."""

from __future__ import annotations

import asyncio
import base64
import collections
import hashlib
import os

from wsproto import ConnectionType
from wsproto.connection import Connection, ConnectionState
from wsproto.events import BytesMessage, CloseConnection, Message, Ping, TextMessage
from wsproto.utilities import LocalProtocolError, RemoteProtocolError

from .aws.http import Request, Response
from .http1 import encode_response

_GUID = b"258EAFA5-E914-47DA-95CA-C5AB0DC85B11"


def handshake_problem(request: Request) -> Response | None:
    """RFC 6455 section 4.2.1: what the server must refuse before handing the request to the app."""
    if request.method != "GET" or "upgrade" not in request.headers.get("connection", "").lower():
        return Response(400, [("Content-Type", "text/plain")], b"Bad WebSocket handshake")
    key = request.headers.get("sec-websocket-key", "")
    try:
        if len(base64.b64decode(key, validate=True)) != 16:
            raise ValueError(key)
    except ValueError:
        return Response(400, [("Content-Type", "text/plain")], b"Bad Sec-WebSocket-Key")
    if request.headers.get("sec-websocket-version", "").strip() != "13":
        return Response(
            426, [("Sec-WebSocket-Version", "13"), ("Content-Type", "text/plain")], b"Unsupported WebSocket version"
        )
    return None


def _env_seconds(name: str, default: float) -> float:
    try:
        return float(os.environ.get(name, default))
    except ValueError:
        return default


class WebSocket:
    """One server-side WebSocket connection, as a service sees it.

    The owner calls ``accept`` (or ``reject``), then ``receive`` until it returns None (closed), and may ``send`` and
    ``close`` from any task. Limits as API Gateway's (quotas page): a message is at most 128 KB and a frame 32 KB
    (beyond either the connection closes with 1009), the connection closes after 10 minutes without a frame from the
    client and after 2 hours in all (1001 Going Away). Pings are answered with pongs by the framing layer.
    """

    MAX_MESSAGE = 128 * 1024
    MAX_FRAME = 32 * 1024
    IDLE_TIMEOUT = _env_seconds("GUREUM_WEBSOCKET_IDLE_TIMEOUT", 600.0)
    MAX_LIFETIME = _env_seconds("GUREUM_WEBSOCKET_MAX_LIFETIME", 7200.0)
    _QUEUE_HIGH = 64  # messages waiting for receive() before the socket stops reading

    def __init__(self, transport: asyncio.Transport, request: Request) -> None:
        self.request = request
        self.accepted = False
        self.subprotocol: str | None = None
        self.close_code: int | None = None  # set when the connection ended: the peer's code, ours, or 1006
        self.close_reason = ""
        self._transport = transport
        self._conn: Connection | None = None
        self._early: list[bytes] = []
        self._queue: collections.deque[str | bytes | None] = collections.deque()
        self._ready = asyncio.Event()
        self._parts: list[str | bytes] = []
        self._message_size = 0
        self._frame_size = 0
        loop = asyncio.get_running_loop()
        self._loop = loop
        self.last_active = loop.time()
        self._deadline = loop.time() + self.MAX_LIFETIME
        self._watchdog: asyncio.TimerHandle | None = None

    @property
    def subprotocols(self) -> list[str]:
        """The subprotocols the client offered, in its order of preference."""
        header = self.request.headers.get("sec-websocket-protocol", "")
        return [p.strip() for p in header.split(",") if p.strip()]

    @property
    def closed(self) -> bool:
        return self.close_code is not None

    def accept(self, subprotocol: str | None = None, headers: list[tuple[str, str]] | None = None) -> None:
        """Answer 101 Switching Protocols; ``subprotocol`` (one the client offered) is echoed."""
        if self.accepted or self.closed:
            return
        key = self.request.headers["sec-websocket-key"].strip().encode()
        accept = base64.b64encode(hashlib.sha1(key + _GUID).digest()).decode()
        lines = [
            "HTTP/1.1 101 Switching Protocols",
            "Upgrade: websocket",
            "Connection: Upgrade",
            f"Sec-WebSocket-Accept: {accept}",
        ]
        if subprotocol:
            lines.append(f"Sec-WebSocket-Protocol: {subprotocol}")
        lines += [f"{name}: {value}" for name, value in headers or []]
        self._transport.write(("\r\n".join(lines) + "\r\n\r\n").encode("latin-1"))
        self.accepted = True
        self.subprotocol = subprotocol
        self._conn = Connection(ConnectionType.SERVER)
        self._arm()
        early, self._early = b"".join(self._early), []
        if early:
            self.feed(early)

    def reject(self, response: Response) -> None:
        """Refuse the upgrade with an ordinary HTTP answer."""
        if self.accepted or self.closed:
            return
        self.close_code = 1006
        if not self._transport.is_closing():
            self._transport.write(encode_response(response, False, False))
            self._transport.close()
        self._wake(None)

    async def receive(self) -> str | bytes | None:
        """The next whole message (str for text, bytes for binary); None once the connection is closed."""
        while not self._queue:
            self._ready.clear()
            await self._ready.wait()
        item = self._queue.popleft()
        if item is None:
            self._queue.appendleft(None)  # every later call sees the end too
        elif len(self._queue) < self._QUEUE_HIGH // 2 and not self._transport.is_closing():
            self._transport.resume_reading()
        return item

    def send(self, data: str | bytes) -> None:
        """Send one message (text for str, binary for bytes); ignored once closed."""
        if self._conn is None or self.closed or self._conn.state is not ConnectionState.OPEN:
            return
        event = TextMessage(data) if isinstance(data, str) else BytesMessage(bytes(data))
        self._transport.write(self._conn.send(event))

    def close(self, code: int = 1000, reason: str = "") -> None:
        """Start the closing handshake (the peer's Close ends it; the socket is dropped if it never comes)."""
        if self.closed:
            return
        if self._conn is None or self._conn.state is not ConnectionState.OPEN:
            self._end(code, reason)
            return
        self._transport.write(self._conn.send(CloseConnection(code, reason)))
        self.close_code, self.close_reason = code, reason
        self._loop.call_later(5.0, self._drop)
        self._wake(None)

    # --- the server's side --------------------------------------------------------------------

    def feed(self, data: bytes) -> None:
        if self._conn is None:
            if not self.closed:
                self._early.append(data)
            return
        if self._conn.state is ConnectionState.CLOSED:
            return
        self.last_active = self._loop.time()
        try:
            self._conn.receive_data(data)
            for event in self._conn.events():
                if isinstance(event, Message):
                    self._message(event)
                elif isinstance(event, Ping):
                    self._transport.write(self._conn.send(event.response()))
                elif isinstance(event, CloseConnection):
                    if self._conn.state is not ConnectionState.CLOSED:  # type: ignore[comparison-overlap]
                        self._transport.write(self._conn.send(event.response()))
                    self._end(event.code, event.reason or "")
                    return
        except RemoteProtocolError as error:
            self._fail(
                int(error.event_hint.code) if isinstance(error.event_hint, CloseConnection) else 1002, str(error)
            )
        except LocalProtocolError:
            self._end(1006, "")

    def _message(self, event: Message) -> None:  # type: ignore[type-arg]
        data = event.data
        size = len(data.encode()) if isinstance(data, str) else len(data)
        self._frame_size += size
        self._message_size += size
        if self._frame_size > self.MAX_FRAME or self._message_size > self.MAX_MESSAGE:
            self._fail(1009, "Message too big")
            return
        if event.frame_finished:
            self._frame_size = 0
        self._parts.append(data)
        if event.message_finished:
            parts, self._parts, self._message_size = self._parts, [], 0
            message = "".join(parts) if isinstance(data, str) else b"".join(parts)  # type: ignore[arg-type]
            self._wake(message)
            if len(self._queue) >= self._QUEUE_HIGH:
                self._transport.pause_reading()

    def _fail(self, code: int, reason: str) -> None:
        """Close for a protocol violation or a limit: send Close and drop the connection."""
        if self._conn is not None and self._conn.state is ConnectionState.OPEN:
            try:
                self._transport.write(self._conn.send(CloseConnection(code, reason[:120])))
            except LocalProtocolError:
                pass
        self._end(code, reason)

    def _end(self, code: int, reason: str) -> None:
        if self.close_code is None:
            self.close_code, self.close_reason = code, reason
        if self._watchdog is not None:
            self._watchdog.cancel()
        self._transport.close()
        self._wake(None)

    def _drop(self) -> None:
        if not self._transport.is_closing():
            self._transport.close()

    def _wake(self, item: str | bytes | None) -> None:
        if item is None and self._queue and self._queue[-1] is None:
            return
        self._queue.append(item)
        self._ready.set()

    def _arm(self) -> None:
        if self.closed:
            return
        now = self._loop.time()
        when = min(self.last_active + self.IDLE_TIMEOUT, self._deadline)
        if now >= when:
            self.close(1001, "Going away")
            return
        self._watchdog = self._loop.call_at(when, self._arm)

    def lost(self) -> None:
        """The TCP connection is gone (1006 unless a Close was exchanged)."""
        if self._watchdog is not None:
            self._watchdog.cancel()
        if self.close_code is None:
            self.close_code = 1006
        self._wake(None)

    def finish(self) -> None:
        """The owner is done: make sure the connection ends."""
        if self.accepted and not self.closed:
            self.close(1000, "")
        elif not self.accepted and not self.closed:
            self.reject(
                Response(500, [("Content-Type", "text/plain")], b"The WebSocket was neither accepted nor rejected")
            )
