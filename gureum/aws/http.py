"""The engine's plain HTTP request and response values (no framework types cross into services)."""

from __future__ import annotations

import asyncio
import collections
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from typing import Any, Generic, Protocol, TypeVar, overload
from urllib.parse import parse_qsl, unquote

_T = TypeVar("_T")

MAX_BODY = 20 * 1024 * 1024  # the largest body read whole (beyond it the client gets 413); larger ones stream
_HIGH_WATER = 1024 * 1024  # a streamed request body buffers at most about this much before the socket is paused


class StreamingBody(Protocol):
    """A body too large to hold whole (an S3 object, an event stream): chunks produced as the client takes them.
    ``length`` is its size when known beforehand (sent as Content-Length; else the body goes out chunked)."""

    length: int | None

    def __aiter__(self) -> AsyncIterator[bytes]: ...


@dataclass(slots=True)
class Response:
    status: int = 200
    headers: list[tuple[str, str]] = field(default_factory=list)
    body: bytes = b""
    stream: StreamingBody | None = None  # sent instead of ``body`` when set (a HEAD answer sends neither)

    def header(self, name: str) -> str | None:
        name = name.lower()
        for key, value in self.headers:
            if key.lower() == name:
                return value
        return None


class BodyStream:
    """A request body still arriving while its request is answered (large uploads): its chunks in order, read
    with backpressure — past ``_HIGH_WATER`` buffered bytes the server stops reading the socket until the reader
    catches up. Iterate it, or ``read_all`` it. A client that goes away mid-body ends it with ConnectionError."""

    def __init__(self, length: int | None, pause: Callable[[], None], resume: Callable[[], None]) -> None:
        self.length = length  # the Content-Length the client announced (None: chunked)
        self.received = 0
        self._chunks: collections.deque[bytes] = collections.deque()
        self._buffered = 0
        self._done = False
        self._error: BaseException | None = None
        self._discard = False
        self._paused = False
        self._waiter: asyncio.Future[None] | None = None
        self._pause = pause
        self._resume = resume
        # set by a handler that keeps its own time (keep_open): the seconds of silence after which the server
        # still closes the connection, instead of its body timeout and minimum rate
        self.silence_limit: float | None = None
        self.on_keep_open: Callable[[], None] | None = None

    def keep_open(self, silence: float) -> None:
        """A long-running upload (Kinesis Video's PutMedia: a camera sends when it has frames, and is answered while
        it does): the server's body timeout and minimum average rate stop applying; only ``silence`` seconds
        without a byte still close it."""
        self.silence_limit = silence
        if self.on_keep_open is not None:
            self.on_keep_open()

    @property
    def complete(self) -> bool:
        """Whether the whole body arrived (the request may be followed by the next one on its connection)."""
        return self._done

    def feed(self, data: bytes) -> None:
        self.received += len(data)
        if self._discard:
            return
        self._chunks.append(data)
        self._buffered += len(data)
        if self._buffered > _HIGH_WATER and not self._paused:
            self._paused = True
            self._pause()
        self._wake()

    def end(self) -> None:
        self._done = True
        self._wake()

    def fail(self, error: BaseException) -> None:
        if not self._done:
            self._error = error
            self._wake()

    def discard(self) -> None:
        """The answer went out without reading the rest: drop it as it arrives (the connection stays usable)."""
        self._discard = True
        self._chunks.clear()
        self._buffered = 0
        if self._paused:
            self._paused = False
            self._resume()

    def _wake(self) -> None:
        if self._waiter is not None and not self._waiter.done():
            self._waiter.set_result(None)

    async def read(self) -> bytes:
        """The next chunk; b"" once the body ended."""
        while not self._chunks:
            if self._error is not None:
                raise ConnectionError("the client closed the connection before sending the whole body")
            if self._done:
                return b""
            self._waiter = asyncio.get_running_loop().create_future()
            try:
                await self._waiter
            finally:
                self._waiter = None
        chunk = self._chunks.popleft()
        self._buffered -= len(chunk)
        if self._paused and self._buffered <= _HIGH_WATER // 2:
            self._paused = False
            self._resume()
        return chunk

    async def __aiter__(self) -> AsyncIterator[bytes]:
        while chunk := await self.read():
            yield chunk

    async def read_all(self, limit: int) -> bytes | None:
        """The whole body, or None (the rest discarded) once it passes ``limit`` bytes."""
        parts: list[bytes] = []
        size = 0
        async for chunk in self:
            size += len(chunk)
            if size > limit:
                self.discard()
                return None
            parts.append(chunk)
        return b"".join(parts)


class lazy(Generic[_T]):
    """``functools.cached_property`` without its lock (Python 3.11 takes an RLock on each first read, about a
    microsecond every request): computed on first read and kept in the instance's ``__dict__``, where later reads
    find it first (a non-data descriptor). Two threads reading it at once may both compute it, which is harmless
    for the values of a Request (a request is answered on one event loop)."""

    __slots__ = ("fn", "name")

    def __init__(self, fn: Callable[[Any], _T]) -> None:
        self.fn = fn
        self.name = fn.__name__

    def __set_name__(self, owner: type, name: str) -> None:
        self.name = name

    @overload
    def __get__(self, instance: None, owner: type | None = None) -> lazy[_T]: ...

    @overload
    def __get__(self, instance: object, owner: type | None = None) -> _T: ...

    def __get__(self, instance: object | None, owner: type | None = None) -> lazy[_T] | _T:
        if instance is None:
            return self
        value = instance.__dict__[self.name] = self.fn(instance)
        return value


class Request:
    """A read-only view of one HTTP request; derived parts are computed on first use. A large upload arrives as
    ``stream`` (a BodyStream, ``body`` empty) while it is answered; ``load`` reads it into ``body``."""

    __slots__ = (
        "method",
        "raw_path",
        "query_string",
        "headers",
        "body",
        "scheme",
        "peer",
        "stream",
        "_header_list",
        "__dict__",
    )

    def __init__(
        self,
        method: str,
        raw_path: str,
        query_string: str,
        headers: dict[str, str],
        body: bytes,
        scheme: str = "http",
        peer: str = "127.0.0.1",
        header_list: list[tuple[str, str]] | None = None,
    ) -> None:
        self.method = method
        self.raw_path = raw_path
        self.query_string = query_string
        self.headers = headers  # lower-case names
        self.body = body
        self.scheme = scheme
        self.peer = peer  # the client's IP address as the TCP connection shows it (API Gateway's sourceIp)
        self.stream: BodyStream | None = None
        self._header_list = header_list

    async def load(self, limit: int) -> bool:
        """Read a streamed body into ``body``: False (the rest discarded) when it is larger than ``limit``."""
        if self.stream is None:
            return True
        body = await self.stream.read_all(limit)
        self.stream = None
        if body is None:
            return False
        self.body = body
        return True

    @property
    def header_list(self) -> list[tuple[str, str]]:
        """The headers as the client sent them: names in their own case, repeated headers apart (REST API events)."""
        return self._header_list if self._header_list is not None else list(self.headers.items())

    @lazy
    def path(self) -> str:
        return unquote(self.raw_path)

    @lazy
    def query_list(self) -> list[tuple[str, str]]:
        return parse_qsl(self.query_string, keep_blank_values=True)

    @lazy
    def query(self) -> dict[str, str]:
        return dict(self.query_list)

    @lazy
    def host(self) -> str:
        return self.headers.get("host", "localhost")

    @lazy
    def content_type(self) -> str:
        return self.headers.get("content-type", "").split(";")[0].strip().lower()

    @lazy
    def form(self) -> dict[str, str]:
        """Query-protocol parameters: the query string plus a form-encoded body."""
        params = dict(self.query_list)
        if self.body and (self.content_type in ("application/x-www-form-urlencoded", "") and self.method == "POST"):
            params.update(parse_qsl(self.body.decode("utf-8", "replace"), keep_blank_values=True))
        return params

    @property
    def base_url(self) -> str:
        return f"{self.scheme}://{self.host}"
