"""Response streaming: the chunks a runtime posts with Lambda-Runtime-Function-Response-Mode: streaming, carried
from the environment to the caller as they are written (InvokeWithResponseStream's event stream, a RESPONSE_STREAM
function URL's chunked body), with AWS's 20 MB soft limit and its bandwidth (the first 6 MB uncapped, then 2 MB/s),
and the HTTP integration prelude (JSON metadata, then 8 NUL bytes) of awslambda.HttpResponseStream.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

from ... import safejson
from ...aws import eventstream
from ...clock import Clock
from .limits import STREAM_MAX_BYTES, STREAM_RATE, STREAM_UNCAPPED_BYTES

HTTP_INTEGRATION = "application/vnd.awslambda.http-integration-response"
_DELIMITER = b"\x00" * 8
_PRELUDE_MAX = 64 * 1024  # a prelude (status, headers, cookies) longer than this is not one
_QUEUED = 64  # chunks waiting for the caller before the runtime's POST waits too


class StreamTooLarge(Exception):
    """The function wrote past the 20 MB limit of a streamed response."""


class ResponseStream:
    """One invocation's streamed response: the environment ``open``s it (the runtime's content type), ``write``s
    chunks (waiting while the caller is slow, dropping them once the caller is gone) and ``finish``es it; the caller
    awaits ``head`` (opened, or finished without streaming) and iterates ``chunks``."""

    def __init__(self, clock: Clock) -> None:
        self.clock = clock
        self.content_type: str | None = None
        self.opened = False  # the runtime streamed (else the buffered answer is sent as one chunk)
        self.sent = 0
        self.first_byte_at: float | None = None  # monotonic time of the first chunk (time to first byte)
        self.head: asyncio.Event = asyncio.Event()
        self._queue: asyncio.Queue[bytes | None] = asyncio.Queue(_QUEUED)
        self._finished = False
        self._gone = False
        self._started = clock.monotonic()

    def open(self, content_type: str | None) -> None:
        self.opened = True
        self.content_type = content_type or "application/octet-stream"
        self.head.set()

    async def write(self, data: bytes) -> None:
        """One chunk from the runtime: raises StreamTooLarge past the limit; waits out the bandwidth cap."""
        if self._finished or self._gone or not data:
            return
        if self.sent + len(data) > STREAM_MAX_BYTES:
            raise StreamTooLarge()
        self.sent += len(data)
        if self.first_byte_at is None:
            self.first_byte_at = self.clock.monotonic()
        if self.sent > STREAM_UNCAPPED_BYTES:  # beyond 6 MB: at most STREAM_RATE bytes a second
            due = self.first_byte_at + (self.sent - STREAM_UNCAPPED_BYTES) / STREAM_RATE
            wait = due - self.clock.monotonic()
            if wait > 0:
                await asyncio.sleep(wait)
        await self._queue.put(data)

    def finish(self) -> None:
        """No more chunks (the invocation ended however it ended)."""
        if not self._finished:
            self._finished = True
            self.head.set()
            try:
                self._queue.put_nowait(None)
            except asyncio.QueueFull:
                pass  # the reader sees _finished once it drains the queue

    def abandon(self) -> None:
        """The caller went away: what the runtime still writes is dropped."""
        self._gone = True
        while not self._queue.empty():
            self._queue.get_nowait()

    async def chunks(self) -> AsyncIterator[bytes]:
        while True:
            if self._finished and self._queue.empty():
                return
            chunk = await self._queue.get()
            if chunk is None:
                return
            yield chunk


class EventStream:
    """InvokeWithResponseStream's body: a PayloadChunk message per chunk, then InvokeComplete (ErrorCode and
    ErrorDetails when the function failed, LogResult for LogType Tail). ``complete`` awaits the invocation's end:
    (a buffered answer to send as one chunk when the runtime did not stream, error code, error details, log)."""

    length: int | None = None

    def __init__(
        self,
        stream: ResponseStream,
        complete: Callable[[], Awaitable[tuple[bytes, str | None, str | None, str | None]]],
    ) -> None:
        self.stream = stream
        self.complete = complete

    async def __aiter__(self) -> AsyncIterator[bytes]:
        try:
            async for chunk in self.stream.chunks():
                yield payload_chunk(chunk)
            first, code, details, log = await self.complete()
            if first:
                yield payload_chunk(first)
            yield invoke_complete(code, details, log)
        finally:
            self.stream.abandon()


def payload_chunk(data: bytes) -> bytes:
    return eventstream.encode_message(
        [(":event-type", "PayloadChunk"), (":content-type", "application/octet-stream"), (":message-type", "event")],
        data,
    )


def invoke_complete(code: str | None, details: str | None, log: str | None) -> bytes:
    doc = {key: value for key, value in (("ErrorCode", code), ("ErrorDetails", details), ("LogResult", log)) if value}
    return eventstream.encode_message(
        [(":event-type", "InvokeComplete"), (":content-type", "application/json"), (":message-type", "event")],
        json.dumps(doc).encode(),
    )


def error_summary(body: bytes) -> tuple[str, str]:
    """InvokeComplete's ErrorCode and ErrorDetails from an error document ({errorType, errorMessage, …})."""
    try:
        doc = safejson.loads(body) if body else None
    except (ValueError, UnicodeDecodeError):
        doc = None
    if not isinstance(doc, dict):
        return "Unhandled", body.decode("utf-8", "replace")
    return str(doc.get("errorType") or "Unhandled"), str(doc.get("errorMessage") or "")


class PreludeError(Exception):
    """The HTTP integration prelude is not a JSON object followed by 8 NUL bytes."""


async def read_prelude(chunks: AsyncIterator[bytes]) -> tuple[dict[str, Any], bytes]:
    """The prelude of an HTTP integration response ({statusCode, headers, cookies}) and the body bytes already read
    past its delimiter."""
    buffered = bytearray()
    async for chunk in chunks:
        buffered += chunk
        at = buffered.find(_DELIMITER)
        if at >= 0:
            try:
                prelude = safejson.loads(bytes(buffered[:at]) or b"{}")
            except ValueError:
                raise PreludeError("the prelude is not JSON") from None
            if not isinstance(prelude, dict):
                raise PreludeError("the prelude is not a JSON object")
            return prelude, bytes(buffered[at + len(_DELIMITER) :])
        if len(buffered) > _PRELUDE_MAX:
            break
    raise PreludeError("no prelude delimiter")
