"""The HTTP front of function URLs on gureum's port: http://{url-id}.lambda-url.{region}.localhost:{port}/… (any host
of that form) or, needing no DNS, http://127.0.0.1:{port}/lambda-url/{url-id}/…. Invocations go through
LambdaBackend.invoke, so they are logged, throttled and routed (aliases) as every other invocation; a URL in
RESPONSE_STREAM mode sends what the runtime streams chunked, as it is written."""

from __future__ import annotations

import json
import uuid
from collections.abc import AsyncIterator
from typing import Any

from ... import tracing
from ...aws import sigv4
from ...aws.auth import account_for_key
from ...aws.errors import ServiceError
from ...aws.http import Request, Response
from ...runtime import Runtime
from .. import EdgeRoute
from .backend import backend
from .limits import MAX_SYNC_PAYLOAD
from .streaming import HTTP_INTEGRATION, PreludeError, ResponseStream, read_prelude
from .urls import BadResponse, build_event, cors_headers, is_preflight, json_response, locate, map_response, preflight


def _iam_caller(runtime: Runtime, request: Request) -> dict[str, Any] | None:
    """The SigV4 caller of an AWS_IAM URL as requestContext.authorizer.iam; None when unsigned or (strict mode)
    wrong."""
    try:
        if runtime.config.strict_auth:
            signed = sigv4.authenticate(request, runtime.secret_for, runtime.clock.utcnow())
        else:
            signed = sigv4.read_signature(request)
    except sigv4.SignatureProblem:
        return None
    account = account_for_key(signed.access_key)
    return {"accessKey": signed.access_key, "accountId": account, "callerId": signed.access_key,
            "cognitoIdentity": None, "principalOrgId": None, "userArn": f"arn:aws:iam::{account}:root",
            "userId": account}  # fmt: skip


async def _handle(runtime: Runtime, request: Request) -> Response:
    request_id = str(uuid.uuid4())
    located = locate(request)
    if located is None:
        return json_response(404, "Not Found", request_id)
    url_id, raw_path = located
    be = backend(runtime)
    found = await be.url(url_id)
    if found is None:
        return json_response(404, "Not Found", request_id)
    account, region, name, qualifier, config = found
    cors = config.get("Cors") or None
    if is_preflight(request, cors):
        return preflight(request, cors or {}, request_id)
    extra = cors_headers(request, cors)
    authorizer: dict[str, Any] | None = None
    if config["AuthType"] == "AWS_IAM":
        authorizer = _iam_caller(runtime, request)
        if authorizer is None:
            return _with(json_response(403, "Forbidden", request_id), extra)
    elif not await be.url_is_public(account, region, name, qualifier):
        return _with(json_response(403, "Forbidden", request_id), extra)
    if len(request.body) > MAX_SYNC_PAYLOAD:
        message = f"Request must be smaller than {MAX_SYNC_PAYLOAD} bytes for the InvokeFunction operation"
        return _with(json_response(413, message, request_id), extra)
    event = build_event(request, url_id, region, account, raw_path, request_id, runtime.clock.now(), authorizer)
    # the caller's X-Amzn-Trace-Id, or a new trace whose sampling the function's TracingConfig decides
    token = tracing.use(tracing.accepted(runtime.clock.now(), request.headers.get("x-amzn-trace-id")))
    try:
        payload = json.dumps(event).encode()
        if config.get("InvokeMode") == "RESPONSE_STREAM":
            stream, outcome = await be.invoke_streamed(
                account, region, name, payload, qualifier=qualifier or None, request_id=request_id
            )
            if stream.opened:
                return await _streamed(stream, request_id, extra)
            out = await outcome()
        else:
            out = await be.invoke(account, region, name, payload, qualifier=qualifier or None, request_id=request_id)
    except ServiceError as error:
        if error.status == 429:
            return _with(json_response(429, "Rate Exceeded.", request_id), extra)
        if error.status == 413:
            return _with(json_response(413, error.message, request_id), extra)
        return _with(json_response(502 if error.status >= 500 else error.status, error.message, request_id), extra)
    finally:
        tracing.restore(token)
    if out.get("FunctionError"):
        return _with(json_response(502, "Internal Server Error", request_id), extra)
    try:
        status, headers, body = map_response(bytes(out.get("Payload") or b""))
    except BadResponse:
        return _with(json_response(502, "Internal Server Error", request_id), extra)
    return Response(status, headers + [("x-amzn-RequestId", request_id)] + extra, body)


async def _streamed(stream: ResponseStream, request_id: str, extra: list[tuple[str, str]]) -> Response:
    """A RESPONSE_STREAM answer the runtime streams: chunked to the client as it is written. An HTTP integration
    response (awslambda.HttpResponseStream) starts with its prelude (statusCode, headers, cookies); any other is a 200
    of the runtime's content type."""
    chunks = stream.chunks()
    status, headers, first = 200, [("Content-Type", stream.content_type or "application/octet-stream")], b""
    if stream.content_type == HTTP_INTEGRATION:
        try:
            prelude, first = await read_prelude(chunks)
            status, headers, _ = map_response(
                json.dumps({**prelude, "statusCode": prelude.get("statusCode", 200)}).encode()
            )
        except (PreludeError, BadResponse):
            stream.abandon()
            return _with(json_response(502, "Internal Server Error", request_id), extra)
    return Response(status, headers + [("x-amzn-RequestId", request_id)] + extra, stream=_Body(first, chunks, stream))


class _Body:
    """A streamed function URL body: what was read with the prelude, then the chunks as they come."""

    length: int | None = None

    def __init__(self, first: bytes, chunks: AsyncIterator[bytes], stream: ResponseStream) -> None:
        self.first = first
        self.chunks = chunks
        self.stream = stream

    async def __aiter__(self) -> AsyncIterator[bytes]:
        try:
            if self.first:
                yield self.first
            async for chunk in self.chunks:
                yield chunk
        finally:
            self.stream.abandon()


def _with(response: Response, headers: list[tuple[str, str]]) -> Response:
    response.headers.extend(headers)
    return response


# host form {url-id}.lambda-url.{region}.localhost, path form /lambda-url/{url-id}/…
ROUTES = [EdgeRoute(_handle, host=".lambda-url."), EdgeRoute(_handle, path="/lambda-url")]
