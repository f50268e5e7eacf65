"""botocore as the oracle: its client serialisers make the requests gureum parses, its parsers read what gureum writes.

Requests go through the real client pipeline (serialize_to_request → prepare_request_dict → AWSRequest.prepare)
and are routed with gureum's Router, so a test exercises routing, path parameters and parsing together.
"""

from __future__ import annotations

import functools
import io
from typing import Any
from urllib.parse import urlsplit

from botocore.awsrequest import HeadersDict, create_request_object, prepare_request_dict
from botocore.model import OperationModel
from botocore.parsers import create_parser
from botocore.response import StreamingBody
from botocore.serialize import create_serializer

from gureum.aws.errors import ServiceError
from gureum.aws.http import Request, Response
from gureum.aws.protocols import get_protocol
from gureum.aws.routing import Route, Router
from gureum.aws.specs import ServiceSpec, load_spec

ENDPOINT = "https://gureum.test:4566"


@functools.cache
def router(service: str) -> Router:
    return Router([load_spec(service)])


def operation(service: str, name: str, protocol: str | None = None) -> OperationModel:
    spec = load_spec(service)
    model = spec.models[protocol or spec.primary]
    return model.operation_model(name)


def client_request(service: str, name: str, params: dict[str, Any], protocol: str | None = None) -> Request:
    """The HTTP request a botocore client sends for ``params``, as the gureum Request the server sees."""
    spec = load_spec(service)
    protocol = protocol or spec.primary
    op = operation(service, name, protocol)
    serialized = create_serializer(protocol, include_validation=False).serialize_to_request(params, op)
    prepare_request_dict(serialized, endpoint_url=ENDPOINT)
    prepared = create_request_object(serialized).prepare()
    parts = urlsplit(prepared.url)
    body = prepared.body
    if body is None:
        body = b""
    elif isinstance(body, str):
        body = body.encode()
    elif not isinstance(body, bytes):
        body = body.read()
    headers = {key.lower(): value for key, value in prepared.headers.items()}
    headers.setdefault("host", parts.netloc)
    return Request(prepared.method, parts.path, parts.query, headers, body, scheme=parts.scheme)


def route(service: str, request: Request) -> Route:
    spec = load_spec(service)
    return router(service).resolve(request, signing_service=spec.signing_name)


def server_parse(
    service: str, name: str, params: dict[str, Any], protocol: str | None = None, *, check_route: bool = True
) -> dict[str, Any]:
    """What gureum parses from the request a client sends; routing must find the same operation.

    ``check_route=False`` parses with the named operation whatever the router picked (for operations
    sharing a URI template with another, which yields the same path parameters).
    """
    protocol = protocol or load_spec(service).primary
    request = client_request(service, name, params, protocol)
    found = route(service, request)
    assert found.protocol == protocol
    if check_route:
        assert found.operation is not None and found.name == name, f"routed to {found.name}"
    return get_protocol(protocol).parse(request, operation(service, name, protocol), found.path_params)


def response_dict(response: Response, op: OperationModel | None = None) -> dict[str, Any]:
    """The dict botocore's endpoint hands its parsers (see botocore.endpoint.convert_to_response_dict)."""
    headers = HeadersDict()
    for key, value in response.headers:
        headers[key] = f"{headers[key]}, {value}" if key in headers else value
    body: Any = response.body
    if response.status < 300 and op is not None and op.has_streaming_output:
        body = StreamingBody(io.BytesIO(response.body), len(response.body))
    return {"status_code": response.status, "headers": headers, "body": body}


def client_parse(protocol: str, op: OperationModel, response: Response) -> dict[str, Any]:
    """What a botocore client reads from a gureum response (ResponseMetadata dropped, streams read)."""
    parsed: dict[str, Any] = create_parser(protocol).parse(response_dict(response, op), op.output_shape)
    parsed.pop("ResponseMetadata", None)
    for key, value in parsed.items():
        if isinstance(value, StreamingBody):
            parsed[key] = value.read()
    return parsed


def client_roundtrip(service: str, name: str, output: dict[str, Any], protocol: str | None = None) -> dict[str, Any]:
    spec = load_spec(service)
    protocol = protocol or spec.primary
    op = operation(service, name, protocol)
    response = get_protocol(protocol).serialize(op, output, "req-0001")
    return client_parse(protocol, op, response)


def error_response(spec: ServiceSpec, protocol: str, error: ServiceError, op: OperationModel | None = None) -> Response:
    return get_protocol(protocol).serialize_error(error, "req-0002", spec=spec, operation=op)


def client_error(
    service: str, error: ServiceError, name: str | None = None, protocol: str | None = None
) -> dict[str, Any]:
    """The parsed error a botocore client sees (``Error`` and ``ResponseMetadata`` keys, plus modeled fields)."""
    spec = load_spec(service)
    protocol = protocol or spec.primary
    model = spec.models[protocol]
    op = model.operation_model(name) if name else None
    response = error_response(spec, protocol, error, op)
    parsed: dict[str, Any] = create_parser(protocol).parse(response_dict(response), op.output_shape if op else None)
    code = parsed["Error"]["Code"]
    try:
        shape = model.shape_for_error_code(code)
    except Exception:
        shape = None
    if shape is not None:
        # what botocore.client does for modeled errors: parse the body again with the error's shape
        modeled = create_parser(protocol).parse(response_dict(response), shape)
        parsed["Modeled"] = {k: v for k, v in modeled.items() if k != "ResponseMetadata"}
    return parsed
