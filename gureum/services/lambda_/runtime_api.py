"""The Lambda Runtime API (2018-06-01) one execution environment's process talks to, on its own loopback port.

A small HTTP/1.1 server on asyncio streams, enough for AWS's runtime interface clients, our bootstraps and
``curl`` in a shell ``bootstrap``: keep-alive, Content-Length and chunked bodies, ``Expect: 100-continue``.
Paths: GET /2018-06-01/runtime/invocation/next, POST …/invocation/{id}/response (whole, or streamed as it is
written with Lambda-Runtime-Function-Response-Mode: streaming, errors in trailers), …/invocation/{id}/error,
POST /2018-06-01/runtime/init/error (https://docs.aws.amazon.com/lambda/latest/dg/runtimes-api.html); the
Extensions API (/2020-01-01/extension/…) and the Telemetry and Logs APIs (PUT /2022-07-01/telemetry, /2020-08-15/logs).
It knows nothing of functions or processes: it calls the ``RuntimeHandler`` it serves.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Protocol

from ...http1 import REASONS
from .limits import MAX_RESPONSE_PAYLOAD

log = logging.getLogger("gureum.lambda")
PREFIX = "/2018-06-01/runtime"
_MAX_BODY = 64 * 1024 * 1024  # read well past the 6 MB limit so the 413 can say so; drop the connection beyond


@dataclass(slots=True)
class NextEvent:
    """What GET …/invocation/next hands the runtime."""

    request_id: str
    payload: bytes
    deadline_ms: int
    function_arn: str
    trace_id: str
    client_context: str | None = None
    cognito_identity: str | None = None


class RuntimeHandler(Protocol):
    async def next_event(self) -> NextEvent: ...

    def post_response(self, request_id: str, body: bytes) -> int:
        """Return the HTTP status to answer (202, 400 for an unknown id, 413 for an oversized response)."""
        ...

    def post_error(self, request_id: str, body: bytes, error_type: str | None) -> int: ...

    def post_init_error(self, body: bytes, error_type: str | None) -> int: ...

    async def extension_call(
        self, method: str, path: str, headers: dict[str, str], body: bytes
    ) -> tuple[int, dict[str, str], bytes]:
        """The Extensions and Telemetry (and Logs) APIs: (status, headers, body)."""
        ...

    async def post_response_stream(
        self, request_id: str, content_type: str | None, chunks: AsyncIterator[bytes], trailers: dict[str, str]
    ) -> int:
        """A response posted with Lambda-Runtime-Function-Response-Mode: streaming: ``chunks`` as they arrive (to be
        read to the end), then ``trailers`` (Lambda-Runtime-Function-Error-Type / -Error-Body on a failure)."""
        ...


class _BadRequest(Exception):
    pass


def _error_doc(message: str, error_type: str) -> bytes:
    return json.dumps({"errorMessage": message, "errorType": error_type}).encode()


class RuntimeApiServer:
    """Serves one handler on 127.0.0.1 at a free port (``port`` after ``start``)."""

    def __init__(self, handler: RuntimeHandler) -> None:
        self.handler = handler
        self.port = 0
        self._server: asyncio.base_events.Server | None = None
        self._connections: set[asyncio.StreamWriter] = set()
        self._tasks: set[asyncio.Task[None]] = set()  # connection handlers; one may wait in GET next forever

    async def start(self) -> int:
        self._server = await asyncio.start_server(self._serve, "127.0.0.1", 0, limit=1024 * 1024)
        self.port = self._server.sockets[0].getsockname()[1]
        return self.port

    async def close(self) -> None:
        if self._server is not None:
            self._server.close()
        for task in list(self._tasks):
            task.cancel()
        for writer in list(self._connections):
            writer.close()
        self._connections.clear()

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        if task is not None:
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)
        self._connections.add(writer)
        try:
            while True:
                line = await reader.readline()
                if not line:
                    return
                try:
                    method, target, _version = line.decode("latin-1").split(" ", 2)
                except ValueError:
                    return
                headers: dict[str, str] = {}
                while True:
                    raw = await reader.readline()
                    if raw in (b"\r\n", b"\n", b""):
                        break
                    key, _, value = raw.decode("latin-1").partition(":")
                    headers[key.strip().lower()] = value.strip()
                if headers.get("expect", "").lower() == "100-continue":
                    writer.write(b"HTTP/1.1 100 Continue\r\n\r\n")
                path = target.split("?", 1)[0]
                streamed = self._streamed_response(method, path, headers)
                if streamed is not None:
                    trailers: dict[str, str] = {}
                    chunks = self._body_chunks(reader, headers, trailers)
                    ctype = headers.get("content-type")
                    status = await self.handler.post_response_stream(streamed, ctype, chunks, trailers)
                    async for _ in chunks:  # whatever the handler left unread
                        pass
                    extra: dict[str, str] = {}
                    out = b'{"status":"OK"}' if status == 202 else _error_doc("Invalid request ID", "InvalidRequestID")
                else:
                    body = await self._body(reader, headers)
                    status, extra, out = await self._route(method, path, headers, body)
                head = [
                    f"HTTP/1.1 {status} {REASONS.get(status, 'OK')}",
                    f"Content-Length: {len(out)}",
                    "Content-Type: application/json",
                ]
                head += [f"{key}: {value}" for key, value in extra.items()]
                writer.write(("\r\n".join(head) + "\r\n\r\n").encode("latin-1") + out)
                await writer.drain()
                if headers.get("connection", "").lower() == "close":
                    return
        except (ConnectionError, asyncio.IncompleteReadError, asyncio.LimitOverrunError, _BadRequest):
            return
        except asyncio.CancelledError:
            # close() (the environment stopping, e.g. at shutdown) cancels a handler parked in GET next. The task
            # ends quietly: Python 3.11's asyncio.start_server callback calls task.exception() on a cancelled task,
            # which raises and logs a CancelledError traceback per environment (3.12 checks task.cancelled()).
            return
        finally:
            self._connections.discard(writer)
            writer.close()

    @staticmethod
    def _streamed_response(method: str, path: str, headers: dict[str, str]) -> str | None:
        """The request id of a POST …/invocation/{id}/response in streaming mode, else None."""
        if method != "POST" or headers.get("lambda-runtime-function-response-mode", "").lower() != "streaming":
            return None
        parts = path[len(PREFIX) + 1 :].split("/") if path.startswith(PREFIX + "/") else []
        if len(parts) == 3 and parts[0] == "invocation" and parts[2] == "response":
            return parts[1]
        return None

    @staticmethod
    async def _body_chunks(
        reader: asyncio.StreamReader, headers: dict[str, str], trailers: dict[str, str]
    ) -> AsyncIterator[bytes]:
        """A body as its chunks arrive (chunked, or up to Content-Length); a chunked body's trailers into
        ``trailers``."""
        if "chunked" in headers.get("transfer-encoding", "").lower():
            while True:
                length = int((await reader.readline()).split(b";", 1)[0].strip() or b"0", 16)
                if length == 0:
                    while True:
                        raw = await reader.readline()
                        if raw in (b"\r\n", b"\n", b""):
                            return
                        key, _, value = raw.decode("latin-1").partition(":")
                        trailers[key.strip().lower()] = value.strip()
                while length > 0:
                    piece = await reader.read(min(length, 1024 * 1024))
                    if not piece:
                        raise asyncio.IncompleteReadError(b"", length)
                    length -= len(piece)
                    yield piece
                await reader.readline()
        left = int(headers.get("content-length") or 0)
        while left > 0:
            piece = await reader.read(min(left, 1024 * 1024))
            if not piece:
                raise asyncio.IncompleteReadError(b"", left)
            left -= len(piece)
            yield piece

    @staticmethod
    async def _body(reader: asyncio.StreamReader, headers: dict[str, str]) -> bytes:
        if "chunked" in headers.get("transfer-encoding", "").lower():
            chunks: list[bytes] = []
            size = 0
            while True:
                length = int((await reader.readline()).split(b";", 1)[0].strip() or b"0", 16)
                if length == 0:
                    while (await reader.readline()) not in (b"\r\n", b"\n", b""):
                        pass  # trailers
                    return b"".join(chunks)
                size += length
                if size > _MAX_BODY:
                    raise _BadRequest()
                chunks.append(await reader.readexactly(length))
                await reader.readline()
        length = int(headers.get("content-length") or 0)
        if length > _MAX_BODY:
            raise _BadRequest()
        return await reader.readexactly(length) if length else b""

    async def _route(
        self, method: str, path: str, headers: dict[str, str], body: bytes
    ) -> tuple[int, dict[str, str], bytes]:
        if path.startswith(("/2020-01-01/extension/", "/2022-07-01/telemetry", "/2020-08-15/logs")):
            return await self.handler.extension_call(method, path, headers, body)
        if not path.startswith(PREFIX + "/"):
            return 404, {}, _error_doc("Not found", "InvalidRequest")
        parts = path[len(PREFIX) + 1 :].split("/")
        error_type = headers.get("lambda-runtime-function-error-type")
        if method == "GET" and parts == ["invocation", "next"]:
            event = await self.handler.next_event()
            extra = {
                "Lambda-Runtime-Aws-Request-Id": event.request_id,
                "Lambda-Runtime-Deadline-Ms": str(event.deadline_ms),
                "Lambda-Runtime-Invoked-Function-Arn": event.function_arn,
                "Lambda-Runtime-Trace-Id": event.trace_id,
            }
            if event.client_context:
                extra["Lambda-Runtime-Client-Context"] = event.client_context
            if event.cognito_identity:
                extra["Lambda-Runtime-Cognito-Identity"] = event.cognito_identity
            return 200, extra, event.payload
        if method == "POST" and len(parts) == 3 and parts[0] == "invocation" and parts[2] in ("response", "error"):
            if parts[2] == "response":
                status = self.handler.post_response(parts[1], body)
            else:
                status = self.handler.post_error(parts[1], body, error_type)
            if status == 413:
                return (
                    413,
                    {},
                    _error_doc(
                        f"Exceeded maximum allowed payload size ({MAX_RESPONSE_PAYLOAD} bytes).",
                        "RequestEntityTooLarge",
                    ),
                )
            if status == 400:
                return 400, {}, _error_doc("Invalid request ID", "InvalidRequestID")
            return status, {}, b'{"status":"OK"}'
        if method == "POST" and parts == ["init", "error"]:
            return self.handler.post_init_error(body, error_type), {}, b'{"status":"OK"}'
        return 404, {}, _error_doc(f"No such Runtime API route: {method} {path}", "InvalidRequest")
