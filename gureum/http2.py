"""HTTP/2 on gureum's port (h2c with prior knowledge: what the JavaScript SDK v3 and the Java SDK v2 open for
Kinesis SubscribeToShard on an http:// endpoint), framing by the ``h2`` library. gureum.server hands a connection
over when its first bytes are the HTTP/2 preface; each request stream is answered by the same ``App.handle`` as
HTTP/1.1, concurrently, and a streamed answer (an event stream, an S3 object) goes out as DATA frames as the
client's flow-control windows and the socket's write buffer allow. Request bodies are read whole (at most
MAX_BODY; 413 beyond). A connection with no open stream is closed after the keep-alive timeout (GOAWAY first).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from typing import TYPE_CHECKING

import h2.config
import h2.connection
import h2.errors
import h2.events
import h2.exceptions
import h2.settings

from .aws.http import MAX_BODY, Request, Response
from .http1 import _Date

if TYPE_CHECKING:
    from .app import App

log = logging.getLogger("gureum.http2")
PREFACE = b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"
MAX_STREAMS = 100  # concurrent request streams per connection (SETTINGS_MAX_CONCURRENT_STREAMS)
_WINDOW = 1 << 20  # the receive window gureum announces per stream (request bodies up to this need no update)
# headers HTTP/2 forbids (RFC 9113 8.2.2): the connection's business in HTTP/1.1
_HOP_BY_HOP = frozenset(("connection", "keep-alive", "proxy-connection", "transfer-encoding", "upgrade"))


class _Stream:
    """One request stream: what arrived of it, and the task answering it."""

    __slots__ = ("headers", "body", "size", "task")

    def __init__(self, headers: list[tuple[bytes, bytes]]) -> None:
        self.headers = headers
        self.body: list[bytes] = []
        self.size = 0
        self.task: asyncio.Task[None] | None = None


class Http2Protocol(asyncio.Protocol):
    """One HTTP/2 connection (the asyncio protocol of its transport once gureum.server handed it over)."""

    def __init__(self, app: App, peer: str, idle_timeout: float, max_header_bytes: int, closed: Callable[[], None]):
        self.app = app
        self.peer = peer
        self.idle_timeout = idle_timeout
        self.closed = closed  # told once when the connection is gone (the server's connection registry)
        self.loop = asyncio.get_running_loop()
        config = h2.config.H2Configuration(client_side=False, header_encoding=None)
        self.conn = h2.connection.H2Connection(config)
        self.conn.local_settings = h2.settings.Settings(
            client=False,
            initial_values={
                h2.settings.SettingCodes.MAX_CONCURRENT_STREAMS: MAX_STREAMS,
                h2.settings.SettingCodes.MAX_HEADER_LIST_SIZE: max_header_bytes,
                h2.settings.SettingCodes.INITIAL_WINDOW_SIZE: _WINDOW,
            },
        )
        self.transport: asyncio.Transport | None = None
        self.streams: dict[int, _Stream] = {}
        self.window = asyncio.Event()  # set when a flow-control window grew (senders waiting on it look again)
        self.writable: asyncio.Future[None] | None = None  # set while the transport's write buffer is full
        self.idle: asyncio.TimerHandle | None = None
        self.gone = False
        self.draining = False  # the client said GOAWAY: close once the open streams are answered

    # --- asyncio.Protocol -------------------------------------------------------------------------------------

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]
        self.conn.initiate_connection()
        self._flush()
        self._idle()

    def connection_lost(self, exc: Exception | None) -> None:
        self.gone = True
        if self.idle is not None:
            self.idle.cancel()
        for stream in self.streams.values():
            if stream.task is not None:
                stream.task.cancel()  # e.g. a subscription whose client went away
        self.streams.clear()
        self.window.set()
        if self.writable is not None and not self.writable.done():
            self.writable.set_result(None)
        self.closed()

    def pause_writing(self) -> None:
        if self.writable is None or self.writable.done():
            self.writable = self.loop.create_future()

    def resume_writing(self) -> None:
        if self.writable is not None and not self.writable.done():
            self.writable.set_result(None)

    def data_received(self, data: bytes) -> None:
        try:
            events = self.conn.receive_data(data)
        except h2.exceptions.ProtocolError:
            self._flush()  # h2 queued a GOAWAY naming the error
            self._close()
            return
        for event in events:
            if isinstance(event, h2.events.RequestReceived):
                self._request(event)
            elif isinstance(event, h2.events.DataReceived):
                self._data(event)
            elif isinstance(event, h2.events.StreamEnded):
                self._ended(event.stream_id)
            elif isinstance(event, h2.events.StreamReset):
                self._reset(event.stream_id)
            elif isinstance(event, (h2.events.WindowUpdated, h2.events.RemoteSettingsChanged)):
                self.window.set()
            elif isinstance(event, h2.events.ConnectionTerminated):
                if not self.streams or event.error_code != h2.errors.ErrorCodes.NO_ERROR:
                    self._close()
                    return
                # a graceful GOAWAY (Node's http2 client, so the JavaScript SDK, sends one right after its request):
                # the streams already open finish (RFC 9113 6.8), then the connection closes. h2 closes its state
                # machine on any GOAWAY (python-hyper/h2#1181), so it is opened again for those streams.
                self.conn.state_machine.state = h2.connection.ConnectionState.SERVER_OPEN
                self.draining = True
        self._flush()

    # --- requests ---------------------------------------------------------------------------------------------

    def _request(self, event: h2.events.RequestReceived) -> None:
        if self.idle is not None:
            self.idle.cancel()
            self.idle = None
        self.streams[event.stream_id] = _Stream(list(event.headers or []))

    def _data(self, event: h2.events.DataReceived) -> None:
        self.conn.acknowledge_received_data(event.flow_controlled_length, event.stream_id)
        stream = self.streams.get(event.stream_id)
        if stream is None or event.data is None:
            return
        stream.size += len(event.data)
        if stream.size <= MAX_BODY:
            stream.body.append(event.data)

    def _ended(self, stream_id: int) -> None:
        stream = self.streams.get(stream_id)
        if stream is None:
            return
        stream.task = self.loop.create_task(self._answer(stream_id, stream))

    def _reset(self, stream_id: int) -> None:
        stream = self.streams.pop(stream_id, None)
        if stream is not None and stream.task is not None:
            stream.task.cancel()
        self.window.set()
        self._idle()

    def _build(self, stream: _Stream) -> Request | Response:
        method = path = authority = ""
        headers: dict[str, str] = {}
        header_list: list[tuple[str, str]] = []
        for raw_name, raw_value in stream.headers:
            name, value = raw_name.decode("latin-1"), raw_value.decode("latin-1")
            if name.startswith(":"):
                if name == ":method":
                    method = value
                elif name == ":path":
                    path = value
                elif name == ":authority":
                    authority = value
                continue
            header_list.append((name, value))
            headers[name] = f"{headers[name]},{value}" if name in headers else value
        if stream.size > MAX_BODY:
            return Response(413, [("Content-Type", "text/plain")], b"Request entity too large")
        if not method or not path:
            return Response(400, [("Content-Type", "text/plain")], b"Malformed HTTP/2 request")
        if "host" not in headers and authority:
            headers["host"] = authority
            header_list.insert(0, ("host", authority))
        raw_path, _, query = path.partition("?")
        return Request(
            method, raw_path or "/", query, headers, b"".join(stream.body), peer=self.peer, header_list=header_list
        )

    # --- answers ----------------------------------------------------------------------------------------------

    async def _answer(self, stream_id: int, stream: _Stream) -> None:
        try:
            request = self._build(stream)
            head = isinstance(request, Request) and request.method == "HEAD"
            response = request if isinstance(request, Response) else await self.app.handle(request)
            if self.gone or stream_id not in self.streams:
                return
            body = response.stream is None and not head and response.body
            self.conn.send_headers(stream_id, self._head(response, head), end_stream=not body and not response.stream)
            self._flush()
            if head:
                return
            if response.stream is not None:
                async for chunk in response.stream:
                    if chunk:
                        await self._send(stream_id, chunk)
                    if self.gone or stream_id not in self.streams:
                        return
                self._end(stream_id)
            elif body:
                await self._send(stream_id, response.body)
                self._end(stream_id)
        except asyncio.CancelledError:
            pass
        except (h2.exceptions.StreamClosedError, ConnectionError):
            pass  # the client reset the stream or left
        except Exception:
            log.exception("failed to answer an HTTP/2 request")
            self._abort(stream_id)
        finally:
            self.streams.pop(stream_id, None)
            self._idle()

    @staticmethod
    def _head(response: Response, head: bool) -> list[tuple[str, str]]:
        out = [(":status", str(response.status))]
        for name, value in response.headers:
            lower = name.lower()
            if lower in _HOP_BY_HOP or (lower == "content-length" and not head):
                continue
            out.append((lower, value.replace("\r", " ").replace("\n", " ")))
        if response.stream is None and not head:
            out.append(("content-length", str(len(response.body))))
        elif response.stream is not None and response.stream.length is not None:
            out.append(("content-length", str(response.stream.length)))
        out.append(("date", _Date.get().decode()))
        out.append(("server", "gureum"))
        return out

    async def _send(self, stream_id: int, data: bytes) -> None:
        """DATA frames of ``data`` as the stream's and the connection's windows allow."""
        view = memoryview(data)
        while view:
            if self.gone or stream_id not in self.streams:
                raise ConnectionError("the stream ended")
            room = min(self.conn.local_flow_control_window(stream_id), self.conn.max_outbound_frame_size)
            if room <= 0:
                self.window.clear()
                await self.window.wait()
                continue
            piece, view = view[:room], view[room:]
            self.conn.send_data(stream_id, bytes(piece))
            self._flush()
            if self.writable is not None and not self.writable.done():
                await self.writable

    def _end(self, stream_id: int) -> None:
        if not self.gone and stream_id in self.streams:
            self.conn.end_stream(stream_id)
            self._flush()

    def _abort(self, stream_id: int) -> None:
        """End a stream whose answer failed: 500 if nothing was sent yet, else a reset (the head promised more)."""
        if self.gone or stream_id not in self.streams:
            return
        try:
            text = b"Internal server error"
            answer = Response(500, [("Content-Type", "text/plain")], text)
            self.conn.send_headers(stream_id, self._head(answer, False))
            self.conn.send_data(stream_id, text, end_stream=True)
        except h2.exceptions.ProtocolError:
            self.conn.reset_stream(stream_id, h2.errors.ErrorCodes.INTERNAL_ERROR)
        self._flush()

    # --- the connection ---------------------------------------------------------------------------------------

    def _flush(self) -> None:
        data = self.conn.data_to_send()
        if data and self.transport is not None and not self.transport.is_closing():
            self.transport.write(data)

    def _idle(self) -> None:
        """With no stream open, close the connection after the keep-alive timeout (at once after a GOAWAY)."""
        if self.draining and not self.streams:
            self._flush()
            self._close()
        elif not self.streams and not self.gone and self.idle is None:
            self.idle = self.loop.call_later(self.idle_timeout, self._idle_out)

    def _idle_out(self) -> None:
        self.idle = None
        if not self.streams and not self.gone:
            self.conn.close_connection()
            self._flush()
            self._close()

    def _close(self) -> None:
        if self.transport is not None and not self.transport.is_closing():
            self.transport.close()
