"""gureum's HTTP/1.1 server: httptools parsing on asyncio (uvloop when present), one write per response.

Serving the App directly (no ASGI message round trips) roughly halves the per-request overhead of the
generic stack. Keep-alive, pipelining (answers in request order), ``Expect: 100-continue``, chunked
request bodies, a body size limit, and cancellation of a handler whose client went away.

``Upgrade: websocket`` requests go to ``App.upgrade`` with a :class:`WebSocket` (RFC 6455; the framing is wsproto's,
the handshake ours): the service claiming the URL accepts or rejects it and then owns the connection.
"""

from __future__ import annotations

import asyncio
import base64
import collections
import hashlib
import logging
import os
import signal
import time
from email.utils import formatdate
from http import HTTPStatus
from typing import TYPE_CHECKING

import httptools
from wsproto import ConnectionType
from wsproto.connection import Connection, ConnectionState
from wsproto.events import BytesMessage, CloseConnection, Message, Ping, TextMessage
from wsproto.utilities import LocalProtocolError, RemoteProtocolError

from .aws.http import Request, Response

if TYPE_CHECKING:
    from .app import App

log = logging.getLogger("gureum.server")
MAX_BODY = 20 * 1024 * 1024  # larger than any AWS payload gureum serves; beyond it the client gets 413
_MAX_PIPELINE = 32
_REASONS = {status.value: status.phrase for status in HTTPStatus}


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
    parts = [b"HTTP/1.1 %d %s\r\n" % (status, _REASONS.get(status, "Unknown").encode())]
    for name, value in response.headers:
        parts.append(f"{name}: {value}\r\n".encode("latin-1"))
    parts.append(b"Content-Length: %d\r\nDate: %s\r\nServer: gureum\r\n" % (len(response.body), _Date.get()))
    if not keep_alive:
        parts.append(b"Connection: close\r\n")
    parts.append(b"\r\n")
    if not head_only:
        parts.append(response.body)
    return b"".join(parts)


class HttpProtocol(asyncio.Protocol):
    def __init__(self, app: "App", connections: set["HttpProtocol"]) -> None:
        self.app = app
        self.connections = connections
        self.peer = "127.0.0.1"
        self.parser = httptools.HttpRequestParser(self)
        self.transport: asyncio.Transport | None = None
        # (request, or a ready answer for a request refused while parsing; keep-alive; HEAD) in arrival order
        self.pending: collections.deque[tuple[Request | Response | _Upgrade, bool, bool]] = collections.deque()
        self.task: asyncio.Task[None] | None = None
        self.closing = False
        self.ws: WebSocket | None = None  # set once the connection was upgraded
        self._reset()

    def _reset(self) -> None:
        self.url = b""
        self.headers: dict[str, str] = {}
        self.header_list: list[tuple[str, str]] = []
        self.body: list[bytes] = []
        self.size = 0

    # --- asyncio.Protocol ----------------------------------------------------------------------

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]
        self.connections.add(self)
        peername = transport.get_extra_info("peername")
        self.peer = str(peername[0]) if isinstance(peername, tuple) and peername else "127.0.0.1"

    def connection_lost(self, exc: Exception | None) -> None:
        self.connections.discard(self)
        self.closing = True
        if self.ws is not None:  # the WebSocket's owner sees the end (receive() → None) and finishes its work
            self.ws.lost()
        elif self.task is not None and not self.task.done():
            self.task.cancel()  # e.g. a long poll whose client gave up

    def data_received(self, data: bytes) -> None:
        if self.ws is not None:
            self.ws.feed(data)
            return
        try:
            self.parser.feed_data(data)
        except httptools.HttpParserUpgrade as upgrade:
            if not self.pending or not isinstance(self.pending[-1][0], _Upgrade):
                self._fail(501, b"Protocol upgrades other than websocket are not supported")
                return
            self.pending[-1][0].early = data[upgrade.args[0] :] if upgrade.args else b""
            if self.transport is not None:
                self.transport.pause_reading()  # frames wait until the upgrade is answered
        except httptools.HttpParserError:
            self._fail(400, b"Malformed HTTP request")

    def _fail(self, status: int, text: bytes) -> None:
        if self.transport is not None and not self.transport.is_closing():
            self.transport.write(encode_response(Response(status, [("Content-Type", "text/plain")], text), False, False))
            self.transport.close()
        self.closing = True

    # --- httptools callbacks -------------------------------------------------------------------

    def on_url(self, url: bytes) -> None:
        self.url += url

    def on_header(self, name: bytes, value: bytes) -> None:
        original = name.decode("latin-1")
        key = original.lower()
        text = value.decode("latin-1")
        self.header_list.append((original, text))
        self.headers[key] = f"{self.headers[key]},{text}" if key in self.headers else text

    def on_headers_complete(self) -> None:
        if self.headers.get("expect", "").lower() == "100-continue" and self.transport is not None:
            self.transport.write(b"HTTP/1.1 100 Continue\r\n\r\n")

    def on_body(self, body: bytes) -> None:
        self.size += len(body)
        if self.size <= MAX_BODY:
            self.body.append(body)

    def on_message_complete(self) -> None:
        method = self.parser.get_method().decode("latin-1")
        url = self.url.decode("latin-1")
        path, _, query = url.partition("?")
        item: Request | Response | _Upgrade
        if self.size > MAX_BODY:
            item = Response(413, [("Content-Type", "text/plain")], b"Request entity too large")
        else:
            item = Request(method, path or "/", query, self.headers, b"".join(self.body), peer=self.peer, header_list=self.header_list)
            if "upgrade" in self.headers and self.headers["upgrade"].lower() == "websocket" and self.parser.should_upgrade():
                item = _Upgrade(item)
        self.pending.append((item, self.parser.should_keep_alive(), method == "HEAD"))
        self._reset()
        if len(self.pending) > _MAX_PIPELINE and self.transport is not None:
            self.transport.pause_reading()
        if self.task is None:
            self.task = asyncio.get_running_loop().create_task(self._serve())

    # --- answering, in request order -----------------------------------------------------------

    async def _serve(self) -> None:
        try:
            while self.pending and not self.closing:
                item, keep_alive, head = self.pending.popleft()
                if isinstance(item, _Upgrade):
                    await self._upgrade(item)
                    return
                response = item if isinstance(item, Response) else await self.app.handle(item)
                if self.transport is None or self.transport.is_closing():
                    return
                self.transport.write(encode_response(response, head, keep_alive))
                if not keep_alive:
                    self.transport.close()
                    self.closing = True
                    return
                if len(self.pending) <= _MAX_PIPELINE // 2:
                    self.transport.resume_reading()
        except asyncio.CancelledError:
            pass
        except Exception:  # the app answers its own errors; this is a bug in the server
            log.exception("failed to answer a request")
            self._fail(500, b"Internal server error")
        finally:
            self.task = None

    async def _upgrade(self, item: "_Upgrade") -> None:
        """Become a WebSocket: check the handshake, let the app accept or reject it, then serve it until it ends."""
        assert self.transport is not None
        request = item.request
        problem = _handshake_problem(request)
        if problem is not None:
            self.transport.write(encode_response(problem, False, False))
            self.transport.close()
            return
        self.ws = ws = WebSocket(self.transport, request)
        self.pending.clear()
        try:
            if item.early:
                ws.feed(item.early)
            self.transport.resume_reading()
            await self.app.upgrade(request, ws)
        except asyncio.CancelledError:
            pass
        except Exception:
            log.exception("failed to serve a WebSocket")
            if not ws.accepted:
                ws.reject(Response(500, [("Content-Type", "text/plain")], b"Internal server error"))
            else:
                ws.close(1011, "Internal server error")
        finally:
            ws.finish()


class _Upgrade:
    """A request to switch to the WebSocket protocol, queued in order with pipelined requests."""

    __slots__ = ("request", "early")

    def __init__(self, request: Request) -> None:
        self.request = request
        self.early = b""  # bytes the client sent after the handshake request


_GUID = b"258EAFA5-E914-47DA-95CA-C5AB0DC85B11"


def _handshake_problem(request: Request) -> Response | None:
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
        return Response(426, [("Sec-WebSocket-Version", "13"), ("Content-Type", "text/plain")], b"Unsupported WebSocket version")
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
        lines = ["HTTP/1.1 101 Switching Protocols", "Upgrade: websocket", "Connection: Upgrade", f"Sec-WebSocket-Accept: {accept}"]
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
                    if self._conn.state is not ConnectionState.CLOSED:
                        self._transport.write(self._conn.send(event.response()))
                    self._end(event.code, event.reason or "")
                    return
        except RemoteProtocolError as error:
            self._fail(int(error.event_hint.code) if isinstance(error.event_hint, CloseConnection) else 1002, str(error))
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
            self.reject(Response(500, [("Content-Type", "text/plain")], b"The WebSocket was neither accepted nor rejected"))


async def serve(app: "App", host: str, port: int) -> None:
    """Start the app, serve until SIGTERM/SIGINT, then drain briefly and shut the app down."""
    await app.startup()
    loop = asyncio.get_running_loop()
    connections: set[HttpProtocol] = set()
    server = await loop.create_server(lambda: HttpProtocol(app, connections), host, port, reuse_address=True, backlog=2048)
    stop = asyncio.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    log.info("accepting requests on http://%s:%d", host, port)
    try:
        await stop.wait()
    finally:
        server.close()
        for connection in list(connections):
            if connection.ws is not None:
                connection.ws.close(1001, "Going away")
            elif connection.task is None and connection.transport is not None:
                connection.transport.close()
        deadline = loop.time() + 5
        while any(c.task is not None for c in connections) and loop.time() < deadline:
            await asyncio.sleep(0.05)
        for connection in list(connections):
            if connection.transport is not None:
                connection.transport.close()
        await app.shutdown()


def run(app: "App", host: str, port: int) -> None:
    try:
        import uvloop
    except ImportError:
        asyncio.run(serve(app, host, port))
    else:
        uvloop.run(serve(app, host, port))
