"""gureum's HTTP/1.1 server: httptools parsing on asyncio (uvloop when present), one write per response.

Serving the App directly (no ASGI message round trips) roughly halves the per-request overhead of the
generic stack. Keep-alive, pipelining (answers in request order), ``Expect: 100-continue``, chunked
request bodies, a body size limit, and cancellation of a handler whose client went away.

``Upgrade: websocket`` requests go to ``App.upgrade`` with a :class:`gureum.websocket.WebSocket` (RFC 6455; the
framing is wsproto's, the handshake ours): the service claiming the URL accepts or rejects it and then owns the
connection.
"""

from __future__ import annotations

import asyncio
import collections
import logging
import signal
from typing import TYPE_CHECKING

import httptools

from .aws.http import Request, Response
from .http1 import encode_response

if TYPE_CHECKING:
    from .app import App
    from .websocket import WebSocket

log = logging.getLogger("gureum.server")
MAX_BODY = 20 * 1024 * 1024  # larger than any AWS payload gureum serves; beyond it the client gets 413
_MAX_PIPELINE = 32


class HttpProtocol(asyncio.Protocol):
    def __init__(self, app: App, connections: set[HttpProtocol]) -> None:
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
            self.transport.write(
                encode_response(Response(status, [("Content-Type", "text/plain")], text), False, False)
            )
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
    connections: set[HttpProtocol] = set()
    server = await loop.create_server(
        lambda: HttpProtocol(app, connections), host, port, reuse_address=True, backlog=2048
    )
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


def run(app: App, host: str, port: int) -> None:
    try:
        import uvloop
    except ImportError:
        asyncio.run(serve(app, host, port))
    else:
        uvloop.run(serve(app, host, port))
