"""The console's actions are AWS operations: an allowed operation and its parameters (JSON from the page) are
serialized by botocore exactly as an SDK would, signed (with the key the user logged in with under --strict-auth,
else the account's internal credentials), answered by gureum's own protocol engine (AwsDispatch: the same
validation, authorization and errors as any client) and parsed back to JSON. A log tail is FilterLogEvents polled
into server-sent events. Nothing is sent anywhere but to gureum itself.
"""

from __future__ import annotations

import asyncio
import base64
import datetime as dt
import json
from collections.abc import AsyncIterator
from typing import Any
from urllib.parse import urlsplit

from botocore import parsers, serialize
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest, prepare_request_dict
from botocore.credentials import Credentials
from botocore.model import ServiceModel

from ... import tracing
from ...aws.authorize import account_credentials
from ...aws.http import Request
from ...ports import AwsDispatch
from ...runtime import Runtime

# what the console does: reads for its pages, and the actions the issue names (send, peek, publish, put events,
# invoke, tail, redrive); anything else is refused before it is made
ALLOWED = {
    "sqs": {"ListQueues", "GetQueueAttributes", "SendMessage", "ReceiveMessage", "StartMessageMoveTask"},
    "sns": {"ListTopics", "ListSubscriptionsByTopic", "Publish", "GetTopicAttributes"},
    "events": {"ListEventBuses", "ListRules", "ListTargetsByRule", "PutEvents"},
    "lambda": {"ListFunctions", "Invoke", "GetFunction"},
    "logs": {"DescribeLogGroups", "FilterLogEvents"},
    "apigateway": {"GetRestApis", "GetResources"},
    "apigatewayv2": {"GetApis", "GetRoutes"},
    "kinesis": {"ListStreams", "DescribeStreamSummary"},
    "s3": {"ListBuckets", "ListObjectsV2"},
    "dynamodb": {"ListTables", "DescribeTable"},
}
MAX_BODY = 256 * 1024
_READS = ("List", "Get", "Describe", "Filter", "Receive")
TAIL_SECONDS = 600.0  # a tail stream ends after this (the browser's EventSource reconnects)


class ConsoleModels:
    """botocore's service models, loaded once per process on first use (kept in the runtime)."""

    def __init__(self) -> None:
        import botocore.session  # botocore's client machinery: imported on the console's first action, not at start

        self._loader = botocore.session.get_session().get_component("data_loader")
        self._models: dict[str, ServiceModel] = {}

    def model(self, service: str) -> ServiceModel:
        if service not in self._models:
            self._models[service] = ServiceModel(self._loader.load_service_model(service, "service-2"), service)
        return self._models[service]


class ConsoleError(Exception):
    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status, self.code, self.message = status, code, message


def _plain(value: Any) -> Any:
    """A parsed answer as JSON: times as ISO text, blobs as text when they are UTF-8, else base64."""
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items() if k != "ResponseMetadata"}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, dt.datetime):
        return value.isoformat()
    if isinstance(value, bytes | bytearray):
        try:
            return bytes(value).decode()
        except UnicodeDecodeError:
            return base64.b64encode(bytes(value)).decode()
    if hasattr(value, "read"):
        return _plain(value.read())
    return value


async def call(
    runtime: Runtime, account: str, region: str, service: str, operation: str, params: dict[str, Any],
    key: tuple[str, str] | None, host: str,
) -> dict[str, Any]:  # fmt: skip
    """Make ``operation`` through gureum's protocol engine, as if sent to ``host`` (the console's own: the URLs in
    answers are those a client sees); its parsed answer, or ConsoleError with AWS's error."""
    if operation not in ALLOWED.get(service, ()):
        raise ConsoleError(403, "NotAllowed", f"the console does not make {service}:{operation}")
    models = runtime.state_or_none(ConsoleModels) or runtime.keep(ConsoleModels())
    service_model = models.model(service)
    op = service_model.operation_model(operation)
    protocol = service_model.metadata["protocol"]
    try:
        request_dict = serialize.create_serializer(protocol, include_validation=True).serialize_to_request(params, op)
    except Exception as error:  # botocore's ParamValidationError and friends: the client-side check an SDK makes
        raise ConsoleError(400, "ParamValidation", str(error)) from None
    prepare_request_dict(request_dict, endpoint_url=f"http://{host}")
    aws = AWSRequest(
        method=request_dict["method"], url=request_dict["url"], data=request_dict["body"],
        headers=request_dict["headers"],
    )  # fmt: skip
    if key is not None:
        credentials = Credentials(key[0], key[1])
    else:
        own = account_credentials(runtime, account)
        credentials = Credentials(own.access_key, own.secret, own.token)
    # reads are not traced (the console polls); an action is a trace of its own under a console segment, so what it
    # causes downstream is one trace the console can show
    rec = tracing.recorder(runtime)
    span = None
    if rec is not None and not operation.startswith(_READS):
        span = rec.begin(None, name="gureum console", origin="gureum::Console", operation=f"{service}:{operation}",
                         account=account, region=region)  # fmt: skip
    header = span.header if span is not None else tracing.TraceHeader.new(runtime.clock.now(), sampled=False)
    aws.headers["X-Amzn-Trace-Id"] = header.format()
    signing = service_model.metadata.get("signingName") or service_model.endpoint_prefix
    SigV4Auth(credentials, signing, region).add_auth(aws)
    prepared = aws.prepare()
    url = urlsplit(prepared.url)
    body = prepared.body if isinstance(prepared.body, bytes) else (prepared.body or "").encode()
    headers = {k.lower(): v.decode() if isinstance(v, bytes) else str(v) for k, v in prepared.headers.items()}
    headers["host"] = url.netloc  # what the signature covered (an HTTP client sends it from the URL)
    answer = await runtime.port(AwsDispatch)(Request(prepared.method, url.path or "/", url.query, headers, body))
    parsed = parsers.create_parser(protocol).parse(
        {"status_code": answer.status, "headers": dict(answer.headers), "body": answer.body},
        op.output_shape if answer.status < 300 else None,
    )
    failed = answer.status >= 300 or bool((parsed.get("Error") or {}).get("Code"))
    if span is not None:
        span.end(status=answer.status, error=failed and answer.status < 500, fault=answer.status >= 500)
    if failed:
        problem = parsed.get("Error") or {}
        raise ConsoleError(answer.status, str(problem.get("Code") or answer.status), str(problem.get("Message") or ""))
    return dict(_plain(parsed))


async def tail(
    runtime: Runtime, account: str, region: str, group: str, key: tuple[str, str] | None, host: str
) -> AsyncIterator[bytes]:
    """Server-sent events of a log group's new events (FilterLogEvents every second), for TAIL_SECONDS."""
    since = int(runtime.clock.now() * 1000) - 60_000
    seen: set[str] = set()
    deadline = runtime.clock.monotonic() + TAIL_SECONDS
    yield b": tail\n\n"
    while runtime.clock.monotonic() < deadline:
        try:
            out = await call(runtime, account, region, "logs", "FilterLogEvents",
                             {"logGroupName": group, "startTime": since, "limit": 100}, key, host)  # fmt: skip
        except ConsoleError as error:
            yield f"event: problem\ndata: {json.dumps({'code': error.code, 'message': error.message})}\n\n".encode()
            return
        for event in out.get("events") or []:
            if event.get("eventId") in seen:
                continue
            seen.add(event["eventId"])
            since = max(since, int(event.get("timestamp") or since))
            yield f"event: log\ndata: {json.dumps(event)}\n\n".encode()
        if len(seen) > 10_000:
            seen.clear()
        await asyncio.sleep(1.0)


class SseBody:
    """A StreamingBody of server-sent events (sent chunked)."""

    length: int | None = None

    def __init__(self, chunks: AsyncIterator[bytes]) -> None:
        self._chunks = chunks

    def __aiter__(self) -> AsyncIterator[bytes]:
        return self._chunks
