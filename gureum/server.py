"""gureum's HTTP/1.1 server: httptools parsing on asyncio (uvloop when present), one write per response.

Serving the App directly (no ASGI message round trips) roughly halves the per-request overhead of the
generic stack. Keep-alive, pipelining (answers in request order), ``Expect: 100-continue``, chunked
request bodies, a body size limit, and cancellation of a handler whose client went away.

Slow and oversized clients (``Limits``, from Config): a request line past its limit gets 400 and headers past
theirs 431; a request whose head is not complete within the header timeout, or whose body stalls (no byte
for the body timeout, or slower on average than the minimum rate after it), gets 408; a connection idle
between requests is closed after the keep-alive timeout; each client address may hold a bounded number of
connections (503 beyond). None of these clocks runs while a request is being answered (a 20-second long
poll) or once a connection became a WebSocket. A refused request is answered in order, then the connection
closes after a short linger so that the client can read why.

``Upgrade: websocket`` requests go to ``App.upgrade`` with a :class:`gureum.websocket.WebSocket` (RFC 6455; the
framing is wsproto's, the handshake ours): the service claiming the URL accepts or rejects it and then owns the
connection.
"""

from __future__ import annotations

import asyncio
import collections
import logging
import signal
from dataclasses import dataclass
from typing import TYPE_CHECKING

import httptools

from .aws.http import MAX_BODY, BodyStream, Request, Response
from .http1 import encode_response

if TYPE_CHECKING:
    from .app import App
    from .config import Config
    from .websocket import WebSocket

log = logging.getLogger("gureum.server")
STREAM_AT = 1024 * 1024  # a PUT/PATCH body larger than this (or a chunked PUT/PATCH/POST body) is answered while it
# arrives (BodyStream)
_MAX_PIPELINE = 32
_SWEEP_SECONDS = 0.5  # how often deadlines are checked: a timeout fires within this much of its due time
_LINGER_SECONDS = 2.0  # after refusing a request, unread input is drained this long before the socket closes
_NAMES_KEPT = 1024  # distinct header names a server remembers decoded (any more are decoded each time)


@dataclass(slots=True, frozen=True)
class Limits:
    """What one client may ask of the server (defaults in gureum.config.Config)."""

    max_request_line: int
    max_header_bytes: int
    header_timeout: float
    body_timeout: float
    body_min_rate: float
    keepalive_timeout: float
    max_connections_per_client: int  # 0: no cap

    @classmethod
    def of(cls, config: Config) -> Limits:
        return cls(
            config.max_request_line,
            config.max_header_bytes,
            config.header_timeout,
            config.body_timeout,
            config.body_min_rate,
            config.keepalive_timeout,
            config.max_connections_per_client,
        )


class Connections:
    """Every open connection, and how many each client address holds."""

    def __init__(self, limits: Limits) -> None:
        self.limits = limits
        self.open: set[HttpProtocol] = set()
        self.per_client: dict[str, int] = {}
        # header names as received → (as sent, lower-case): the few names clients send, decoded once per server
        self.names: dict[bytes, tuple[str, str]] = {}

    def name(self, raw: bytes) -> tuple[str, str]:
        """A header name as text, as sent and lower-cased (remembered while fewer than _NAMES_KEPT are known)."""
        original = raw.decode("latin-1")
        names = (original, original.lower())
        if len(self.names) < _NAMES_KEPT:
            self.names[raw] = names
        return names

    def admit(self, connection: HttpProtocol) -> bool:
        cap = self.limits.max_connections_per_client
        held = self.per_client.get(connection.peer, 0)
        if cap and held >= cap:
            return False
        self.per_client[connection.peer] = held + 1
        self.open.add(connection)
        return True

    def release(self, connection: HttpProtocol) -> None:
        if connection in self.open:
            self.open.discard(connection)
            held = self.per_client.get(connection.peer, 1) - 1
            if held > 0:
                self.per_client[connection.peer] = held
            else:
                self.per_client.pop(connection.peer, None)

    async def sweep(self) -> None:
        """Close the connections whose deadline passed (one timer for all of them)."""
        loop = asyncio.get_running_loop()
        while True:
            await asyncio.sleep(_SWEEP_SECONDS)
            now = loop.time()
            for connection in [c for c in self.open if c.deadline is not None and c.deadline <= now]:
                try:
                    connection.timed_out()
                except Exception:  # one connection's trouble must not end the timeouts of all the others
                    log.exception("failed to time out a connection")
                    connection.deadline = None


class _Refuse(Exception):
    """Raised in a parser callback: stop reading this connection and answer ``status``."""

    def __init__(self, status: int, text: bytes) -> None:
        super().__init__(status)
        self.status = status
        self.text = text


class HttpProtocol(asyncio.Protocol):
    def __init__(self, app: App, connections: Connections) -> None:
        self.app = app
        self.connections = connections
        self.limits = connections.limits
        self.loop = asyncio.get_running_loop()
        self.peer = "127.0.0.1"
        self.parser = httptools.HttpRequestParser(self)
        self.transport: asyncio.Transport | None = None
        # (request, or a ready answer for a request refused while parsing; keep-alive; HEAD) in arrival order
        self.pending: collections.deque[tuple[Request | Response | _Upgrade, bool, bool]] = collections.deque()
        self.task: asyncio.Task[None] | None = None
        self.closing = False
        self.refused = False  # a refusal is queued: input is drained, not parsed
        self.ws: WebSocket | None = None  # set once the connection was upgraded
        # when the client is next due to have sent something (loop time); None while nothing is awaited from it
        self.deadline: float | None = None
        self.in_head = False  # between a request's first byte and the end of its headers
        self.in_body = False  # between the end of the headers and the end of the body
        self.head_bytes = 0  # raw bytes received while in_head (what the parser buffers)
        self.body_start = 0.0
        self.streaming: BodyStream | None = None  # the body of the request being answered while it arrives
        self.body_paused = False  # reading stopped until that body's reader catches up
        self.writable: asyncio.Future[None] | None = None  # set while the transport's write buffer is full
        self.fresh = True  # nothing received yet: the first bytes may be HTTP/2's preface
        self._reset()

    def _reset(self) -> None:
        self.url = b""
        self.headers: dict[str, str] = {}
        self.header_list: list[tuple[str, str]] = []
        self.header_size = 0
        self.body: list[bytes] = []
        self.size = 0

    # --- asyncio.Protocol ----------------------------------------------------------------------

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]
        peername = transport.get_extra_info("peername")
        self.peer = str(peername[0]) if isinstance(peername, tuple) and peername else "127.0.0.1"
        if not self.connections.admit(self):
            self.closing = True
            answer = Response(503, [("Content-Type", "text/plain")], b"Too many connections from this address")
            transport.write(encode_response(answer, False, False))  # type: ignore[attr-defined]
            transport.close()
            return
        self.deadline = self.loop.time() + self.limits.keepalive_timeout

    def connection_lost(self, exc: Exception | None) -> None:
        self.connections.release(self)
        self.closing = True
        self.deadline = None
        if self.ws is not None:  # the WebSocket's owner sees the end (receive() → None) and finishes its work
            self.ws.lost()
        elif self.task is not None and not self.task.done():
            self.task.cancel()  # e.g. a long poll whose client gave up
        if self.streaming is not None:
            self.streaming.fail(ConnectionError("connection lost"))
        if self.writable is not None and not self.writable.done():
            self.writable.set_result(None)

    def pause_writing(self) -> None:
        if self.writable is None or self.writable.done():
            self.writable = self.loop.create_future()

    def resume_writing(self) -> None:
        if self.writable is not None and not self.writable.done():
            self.writable.set_result(None)

    def data_received(self, data: bytes) -> None:
        if self.fresh:
            self.fresh = False
            if data.startswith(b"PRI * HTTP/2.0"):
                self._http2(data)
                return
        if self.ws is not None:
            self.ws.feed(data)
            return
        if self.refused or self.closing:
            return  # draining before the close
        try:
            self.parser.feed_data(data)
        except httptools.HttpParserUpgrade as upgrade:
            if not self.pending or not isinstance(self.pending[-1][0], _Upgrade):
                if self.pending:
                    self.pending.pop()  # the request asking for the upgrade is answered by the refusal
                self._refuse(501, b"Protocol upgrades other than websocket are not supported")
                return
            self.pending[-1][0].early = data[upgrade.args[0] :] if upgrade.args else b""
            if self.transport is not None:
                self.transport.pause_reading()  # frames wait until the upgrade is answered
            return
        except httptools.HttpParserCallbackError as error:
            if isinstance(error.__context__, _Refuse):
                self._refuse(error.__context__.status, error.__context__.text)
                return
            raise
        except httptools.HttpParserError:
            self._refuse(400, b"Malformed HTTP request")
            return
        if self.in_head:
            # the parser keeps a partial line to itself: count the raw bytes so that one endless header
            # cannot grow its buffer past the limits before a callback sees it
            self.head_bytes += len(data)
            if self.head_bytes > self.limits.max_request_line + self.limits.max_header_bytes:
                self._refuse(431, b"Request header fields too large")
        elif self.in_body and not self.body_paused:
            self._body_deadline()

    def _body_deadline(self) -> None:
        limits = self.limits
        now = self.loop.time()
        silence = self.streaming.silence_limit if self.streaming is not None else None
        if silence is not None:  # the handler keeps its own time: only a silence this long ends the body
            self.deadline = now + silence
            return
        # no byte for body_timeout, or (after that grace) fewer than body_min_rate bytes a second on average
        self.deadline = min(
            now + limits.body_timeout, self.body_start + limits.body_timeout + self.size / limits.body_min_rate
        )

    def _http2(self, data: bytes) -> None:
        """The client opened with HTTP/2's preface (h2c with prior knowledge): gureum.http2 serves the connection."""
        from .http2 import Http2Protocol  # loaded on the first HTTP/2 connection

        assert self.transport is not None
        self.closing, self.deadline = True, None  # its own protocol keeps its time; shutdown still closes it
        limits = self.limits
        h2 = Http2Protocol(self.app, self.peer, limits.keepalive_timeout, limits.max_header_bytes, self._released)
        self.transport.set_protocol(h2)
        h2.connection_made(self.transport)
        h2.data_received(data)

    def _released(self) -> None:
        self.connections.release(self)

    def timed_out(self) -> None:
        """The deadline passed: refuse a request still arriving (408); close a connection idle between requests."""
        self.deadline = None
        if self.ws is not None or self.closing or self.transport is None:
            return
        if self.in_head or self.in_body:
            self._refuse(408, b"Request timeout")
        elif self.task is None and not self.pending:
            self.closing = True
            self.transport.close()

    def _refuse(self, status: int, text: bytes) -> None:
        """Answer ``status`` after the requests already queued, then close; read no further request."""
        if self.refused or self.transport is None:
            return
        self.refused = True
        self.in_head = self.in_body = False
        self.deadline = None
        self.pending.append((Response(status, [("Content-Type", "text/plain")], text), False, False))
        if self.task is None:
            self.task = self.loop.create_task(self._serve())

    def _linger(self) -> None:
        """Close after the client had a moment to read the answer: closing with unread input in the socket
        sends a reset, which can destroy the answer before the client reads it."""
        transport = self.transport
        if transport is None or transport.is_closing():
            return
        self.closing = True
        if transport.can_write_eof():
            transport.write_eof()
        transport.resume_reading()  # drained and dropped by data_received
        self.loop.call_later(_LINGER_SECONDS, transport.close)

    # --- httptools callbacks -------------------------------------------------------------------

    def on_message_begin(self) -> None:
        self.in_head = True
        self.head_bytes = 0
        self.deadline = self.loop.time() + self.limits.header_timeout

    def on_url(self, url: bytes) -> None:
        self.url += url
        if len(self.url) > self.limits.max_request_line:
            raise _Refuse(400, b"Request line too long")

    def on_header(self, name: bytes, value: bytes) -> None:
        self.header_size += len(name) + len(value) + 4  # "name: value\r\n"
        if self.header_size > self.limits.max_header_bytes:
            raise _Refuse(431, b"Request header fields too large")
        names = self.connections.names.get(name)
        if names is None:
            names = self.connections.name(name)
        text = value.decode("latin-1")
        self.header_list.append((names[0], text))
        key = names[1]
        headers = self.headers
        headers[key] = f"{headers[key]},{text}" if key in headers else text

    def on_headers_complete(self) -> None:
        self.in_head = False
        self.in_body = True
        self.body_start = self.loop.time()
        self.deadline = self.body_start + self.limits.body_timeout
        if self.headers.get("expect", "").lower() == "100-continue" and self.transport is not None:
            self.transport.write(b"HTTP/1.1 100 Continue\r\n\r\n")
        method = self.parser.get_method()
        if (method == b"PUT" or method == b"PATCH" or method == b"POST") and "upgrade" not in self.headers:
            length = self.headers.get("content-length")
            if length is None or (method != b"POST" and length.isdigit() and int(length) > STREAM_AT):
                self._stream(method.decode("latin-1"), int(length) if length is not None else None)

    def _stream(self, method: str, length: int | None) -> None:
        """Queue the request now, its body to follow as a BodyStream its handler reads as it arrives."""
        self.streaming = stream = BodyStream(length, self._pause_body, self._resume_body)
        stream.on_keep_open = self._kept_open
        url = self.url.decode("latin-1")
        path, _, query = url.partition("?")
        request = Request(method, path or "/", query, self.headers, b"", peer=self.peer, header_list=self.header_list)
        request.stream = stream
        self.pending.append((request, self.parser.should_keep_alive(), False))
        if self.task is None:
            self.task = self.loop.create_task(self._serve())

    def _kept_open(self) -> None:
        if self.in_body and not self.body_paused:
            self._body_deadline()

    def _pause_body(self) -> None:
        self.body_paused = True
        self.deadline = None  # the client is not slow: gureum is not reading
        if self.transport is not None:
            self.transport.pause_reading()

    def _resume_body(self) -> None:
        self.body_paused = False
        if self.in_body:
            now = self.loop.time()
            self.body_start = now - self.size / self.limits.body_min_rate  # the average-rate allowance starts anew
            self._body_deadline()
        if self.transport is not None and not self.closing:
            self.transport.resume_reading()

    def on_body(self, body: bytes) -> None:
        self.size += len(body)
        if self.streaming is not None:
            self.streaming.feed(body)
        elif self.size <= MAX_BODY:
            self.body.append(body)

    def on_message_complete(self) -> None:
        self.in_body = False
        self.deadline = None  # nothing is awaited from the client while its request is answered
        if self.streaming is not None:  # queued when its headers arrived
            self.streaming.end()
            self.streaming = None
            self._reset()
            return
        method = self.parser.get_method().decode("latin-1")
        url = self.url.decode("latin-1")
        path, _, query = url.partition("?")
        item: Request | Response | _Upgrade
        if self.size > MAX_BODY:
            item = Response(413, [("Content-Type", "text/plain")], b"Request entity too large")
        else:
            item = Request(
                method,
                path or "/",
                query,
                self.headers,
                b"".join(self.body),
                peer=self.peer,
                header_list=self.header_list,
            )
            if (
                "upgrade" in self.headers
                and self.headers["upgrade"].lower() == "websocket"
                and self.parser.should_upgrade()
            ):
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
                    self.deadline = None  # a WebSocket keeps its own time (pings), however long it idles
                    await self._upgrade(item)
                    return
                stream = None
                if isinstance(item, Response):
                    response = item
                else:
                    stream = item.stream
                    response = await self.app.handle(item)
                if self.transport is None or self.transport.is_closing():
                    return
                self.transport.write(encode_response(response, head, keep_alive))
                if response.stream is not None and not head:
                    await self._send_stream(response)  # it may read the request's body as it goes (PutMedia)
                if stream is not None and not stream.complete:
                    stream.discard()  # answered without reading it all: the rest is read and dropped
                if not keep_alive:
                    if self.refused:
                        self._linger()
                    else:
                        self.transport.close()
                    self.closing = True
                    return
                if len(self.pending) <= _MAX_PIPELINE // 2 and not self.refused and not self.body_paused:
                    self.transport.resume_reading()
        except asyncio.CancelledError:
            pass
        except Exception:  # the app answers its own errors; this is a bug in the server
            log.exception("failed to answer a request")
            self._fail(500, b"Internal server error")
        finally:
            self.task = None
            if not self.closing and not self.pending and not (self.in_head or self.in_body):
                self.deadline = self.loop.time() + self.limits.keepalive_timeout  # idle until the next request

    async def _send_stream(self, response: Response) -> None:
        """A streamed body after its head: as the client takes it (waiting while the write buffer is full),
        chunked when its length was not known. A stream that fails midway ends the connection (the head said
        more was coming)."""
        assert response.stream is not None and self.transport is not None
        chunked = response.stream.length is None
        transport = self.transport
        try:
            async for chunk in response.stream:
                if transport.is_closing():
                    return
                if not chunk:
                    continue
                transport.write(b"%x\r\n%b\r\n" % (len(chunk), chunk) if chunked else chunk)
                if self.writable is not None:
                    await self.writable
        except Exception:
            log.exception("a streamed answer failed midway; closing its connection")
            self.closing = True
            transport.close()
            return
        if chunked:
            transport.write(b"0\r\n\r\n")

    def _fail(self, status: int, text: bytes) -> None:
        if self.transport is not None and not self.transport.is_closing():
            self.transport.write(
                encode_response(Response(status, [("Content-Type", "text/plain")], text), False, False)
            )
            self.transport.close()
        self.closing = True

    async def _upgrade(self, item: _Upgrade) -> None:
        """Become a WebSocket: check the handshake, let the app accept or reject it, then serve it until it ends."""
        assert self.transport is not None
        request = item.request
        from .websocket import WebSocket, handshake_problem  # loaded on the first upgrade (wsproto costs start-up time)

        problem = handshake_problem(request)
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


async def serve(app: App, host: str, port: int) -> None:
    """Start the app, serve until SIGTERM/SIGINT, then drain briefly and shut the app down."""
    await app.startup()
    loop = asyncio.get_running_loop()
    registry = Connections(Limits.of(app.config))
    connections = registry.open
    server = await loop.create_server(lambda: HttpProtocol(app, registry), host, port, reuse_address=True, backlog=2048)
    sweeper = loop.create_task(registry.sweep())
    stop = asyncio.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    log.info("accepting requests on http://%s:%d", host, port)
    try:
        await stop.wait()
    finally:
        sweeper.cancel()
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


def run(app: App, host: str, port: int) -> None:
    try:
        import uvloop
    except ImportError:
        asyncio.run(serve(app, host, port))
    else:
        uvloop.run(serve(app, host, port))
