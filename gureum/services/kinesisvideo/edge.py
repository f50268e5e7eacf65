"""PutMedia over HTTP: ``POST /putMedia`` at the data endpoint, not in botocore's kinesis-video-media model, so served
as an edge route. Headers name the stream and timecode kind; the chunked MKV body is read as it arrives while the
acknowledgements go back on the same response (media.py). Errors before the first byte of the answer are AWS's
rest-json errors."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from typing import TYPE_CHECKING

from ...aws import sigv4
from ...aws.auth import identify
from ...aws.dispatch import auth_error, new_request_id
from ...aws.errors import ServiceError
from ...aws.http import Request, Response
from ...aws.protocols import get_protocol
from .media import MediaBackend
from .playback import Playback

if TYPE_CHECKING:
    from ...runtime import Runtime


class _Body:
    """A streamed answer (gureum.aws.http.StreamingBody) of unknown length."""

    def __init__(self, chunks: AsyncIterator[bytes]) -> None:
        self.length: int | None = None
        self._chunks = chunks

    def __aiter__(self) -> AsyncIterator[bytes]:
        return self._chunks


def _one_shot(body: bytes) -> Callable[[], Awaitable[bytes]]:
    """A reader of a body that arrived whole (a POST with Content-Length): all of it, then b""."""
    sent = False

    async def read() -> bytes:
        nonlocal sent
        if sent:
            return b""
        sent = True
        return body

    return read


async def put_media(runtime: Runtime, request: Request) -> Response:
    request_id = new_request_id()
    try:
        if runtime.config.strict_auth:
            try:
                sigv4.authenticate(request, runtime.secret_for, runtime.clock.utcnow(), service="kinesisvideo")
            except sigv4.SignatureProblem as problem:
                raise auth_error("rest-json", problem.kind, problem.detail) from None
        caller = identify(request)
        headers = request.headers
        media = runtime.state(MediaBackend)
        stream, start_ms = await media.open_put(
            caller.account,
            caller.region,
            headers.get("x-amzn-stream-name"),
            headers.get("x-amzn-stream-arn"),
            headers.get("x-amzn-fragment-timecode-type"),
            headers.get("x-amzn-producer-start-timestamp"),
        )
    except ServiceError as error:
        return get_protocol("rest-json", request).serialize_error(error, request_id)
    body = request.stream
    if body is not None:
        body.keep_open(media.silence_limit)  # PutMedia answers IDLE while the producer is silent, then ends itself
    read = body.read if body is not None else _one_shot(request.body)
    acks = media.ingest(stream, read, headers.get("x-amzn-fragment-timecode-type") == "RELATIVE", start_ms)
    return Response(200, [("Content-Type", "application/json"), ("x-amzn-RequestId", request_id)], stream=_Body(acks))


async def serve_session(runtime: Runtime, request: Request) -> Response:
    """GET /hls/v1/… and /dash/v1/…: a streaming session's playlists, manifests and media (authorised by its
    SessionToken, as on AWS)."""
    return await runtime.state(Playback).serve(request)
