"""gureum's HTTP/1.1 server: httptools parsing on asyncio (uvloop when present), one write per response.

Serving the App directly (no ASGI message round trips) roughly halves the per-request overhead of the
generic stack. Keep-alive, pipelining (answers in request order), ``Expect: 100-continue``, chunked
request bodies, a body size limit, and cancellation of a handler whose client went away.
"""

from __future__ import annotations

import asyncio
import collections
import logging
import signal
import time
from email.utils import formatdate
from http import HTTPStatus
from typing import TYPE_CHECKING

import httptools

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
        self.parser = httptools.HttpRequestParser(self)
        self.transport: asyncio.Transport | None = None
        # (request, or a ready answer for a request refused while parsing; keep-alive; HEAD) in arrival order
        self.pending: collections.deque[tuple[Request | Response, bool, bool]] = collections.deque()
        self.task: asyncio.Task[None] | None = None
        self.closing = False
        self._reset()

    def _reset(self) -> None:
        self.url = b""
        self.headers: dict[str, str] = {}
        self.body: list[bytes] = []
        self.size = 0

    # --- asyncio.Protocol ----------------------------------------------------------------------

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]
        self.connections.add(self)

    def connection_lost(self, exc: Exception | None) -> None:
        self.connections.discard(self)
        self.closing = True
        if self.task is not None and not self.task.done():
            self.task.cancel()  # e.g. a long poll whose client gave up

    def data_received(self, data: bytes) -> None:
        try:
            self.parser.feed_data(data)
        except httptools.HttpParserUpgrade:
            self._fail(501, b"Protocol upgrades are not supported")
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
        key = name.decode("latin-1").lower()
        text = value.decode("latin-1")
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
        item: Request | Response
        if self.size > MAX_BODY:
            item = Response(413, [("Content-Type", "text/plain")], b"Request entity too large")
        else:
            item = Request(method, path or "/", query, self.headers, b"".join(self.body))
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
            if connection.task is None and connection.transport is not None:
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
