"""The HTTP bindings rest-json and rest-xml share: URI labels, query string, headers, status code, payload.

``RestProtocol`` walks the bindings; a subclass only encodes documents (JSON or XML). The rules mirror
botocore's ``BaseRestSerializer`` and ``BaseRestParser`` so that whatever a client writes reads back.
"""

from __future__ import annotations

import json
import re
from typing import Any

from botocore.model import OperationModel, Shape

from ..http import Request, Response
from .base import (
    MalformedInput,
    ProtocolHandler,
    decode_blob,
    encode_blob,
    scalar_from_text,
    text_from_scalar,
    timestamp_out,
)
from .json import loads as json_loads

_BINDINGS = ("uri", "querystring", "header", "headers", "statusCode")


def label_key(name: str) -> str:
    """The path_params key for a URI label: routing names regex groups so (``_group`` in routing.py)."""
    return re.sub(r"\W", "_", name)


def literal_query_keys(operation: OperationModel) -> set[str]:
    """Query keys fixed by the request URI (``/{Bucket}?tagging``, ``?list-type=2``); never members."""
    query = operation.http.get("requestUri", "/").partition("?")[2]
    return {item.partition("=")[0] for item in query.split("&") if item}


def has_body_members(shape: Shape) -> bool:
    return any(member.serialization.get("location") not in _BINDINGS for member in shape.members.values())


def error_shape(spec: Any, code: str, protocol: str) -> Shape | None:
    """The model's shape for an error code, to place its fields (None when the model has none)."""
    if spec is None or code not in spec.errors_by_code:
        return None
    model = spec.models.get(protocol) or spec.model
    try:
        shape: Shape = model.shape_for(spec.errors_by_code[code][0])
    except Exception:  # the model names no such shape
        return None
    return shape


# --- requests ----------------------------------------------------------------------------------------


def split_header_list(member: Shape, raw: str) -> list[str]:
    """Split a comma-separated header list; strings may be quoted, http-dates hold a comma of their own."""
    if member.type_name == "timestamp" and member.serialization.get("timestampFormat", "rfc822") == "rfc822":
        parts = [part.strip() for part in raw.split(",")]
        return [f"{parts[i]}, {parts[i + 1]}" for i in range(0, len(parts) - 1, 2)]
    items: list[str] = []
    pos, end = 0, len(raw)
    while True:
        while pos < end and raw[pos] in " \t":
            pos += 1
        if pos < end and raw[pos] == '"':
            chars: list[str] = []
            pos += 1
            while pos < end and raw[pos] != '"':
                if raw[pos] == "\\" and pos + 1 < end and raw[pos + 1] in '"\\':
                    pos += 1
                chars.append(raw[pos])
                pos += 1
            items.append("".join(chars))
            comma = raw.find(",", pos)
            pos = end if comma < 0 else comma
        else:
            comma = raw.find(",", pos)
            stop = end if comma < 0 else comma
            items.append(raw[pos:stop].strip())
            pos = stop
        if pos >= end:
            return items
        pos += 1


def header_value(member: Shape, raw: str, where: str) -> Any:
    if member.type_name == "list":
        return [scalar_from_text(member.member, item, where) for item in split_header_list(member.member, raw)]
    if member.type_name == "string" and member.serialization.get("jsonvalue"):
        data = decode_blob(raw)
        try:
            if data is None:
                raise MalformedInput(raw)
            return json_loads(data)
        except MalformedInput:
            raise MalformedInput(f"Header {where} is not base64-encoded JSON") from None
    return scalar_from_text(member, raw, where)


def _query_values(member: Shape, values: list[str], where: str) -> Any:
    if member.type_name == "list":
        return [scalar_from_text(member.member, value, where) for value in values]
    return scalar_from_text(member, values[0], where)


def read_bindings(shape: Shape, request: Request, path_params: dict[str, str], fixed_keys: set[str]) -> dict[str, Any]:
    """Every member bound to the URI, the query string or headers (the body is the subclass's)."""
    query: dict[str, list[str]] = {}
    for key, value in request.query_list:
        query.setdefault(key, []).append(value)
    claimed = set(fixed_keys)
    result: dict[str, Any] = {}
    query_map: tuple[str, Shape] | None = None
    for name, member in shape.members.items():
        location = member.serialization.get("location")
        wire = member.serialization.get("name", name)
        if location == "uri":
            raw = path_params.get(label_key(wire))
            if raw is not None:
                result[name] = scalar_from_text(member, raw, name)
        elif location == "querystring":
            if member.type_name == "map":
                query_map = (name, member)
                continue
            claimed.add(wire)
            if wire in query:
                result[name] = _query_values(member, query[wire], wire)
        elif location == "header":
            raw = request.headers.get(wire.lower())
            if raw is not None:
                result[name] = header_value(member, raw, wire)
        elif location == "headers":
            prefix = wire.lower()
            found = {key[len(prefix) :]: value for key, value in request.headers.items() if key.startswith(prefix)}
            if found:
                result[name] = found
    if query_map is not None:
        # a map bound to the query string takes every parameter no other member claimed
        name, member = query_map
        rest = {key: values for key, values in query.items() if key not in claimed}
        if rest:
            result[name] = {key: _query_values(member.value, values, key) for key, values in rest.items()}
    return result


# --- responses ---------------------------------------------------------------------------------------


def _quote_header_item(text: str) -> str:
    if '"' in text or "," in text:
        return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'
    return text


def header_text(member: Shape, value: Any) -> str:
    kind = member.type_name
    if kind == "timestamp":
        return str(timestamp_out(member, value, "rfc822"))
    if kind == "list":
        inner = member.member
        if inner.type_name == "string":
            return ",".join(_quote_header_item(str(item)) for item in value if item is not None)
        return ",".join(header_text(inner, item) for item in value if item is not None)
    if kind == "string" and member.serialization.get("jsonvalue"):
        return encode_blob(json.dumps(value, separators=(",", ":")))
    return text_from_scalar(member, value)


def write_bindings(shape: Shape, output: dict[str, Any], headers: list[tuple[str, str]]) -> int | None:
    """Append header members to ``headers``; return the statusCode member's value, if any."""
    status: int | None = None
    for name, value in output.items():
        member = shape.members.get(name)
        if value is None or member is None:
            continue
        location = member.serialization.get("location")
        wire = member.serialization.get("name", name)
        if location == "header":
            if member.type_name == "list" and not value:
                continue
            headers.append((wire, header_text(member, value)))
        elif location == "headers":
            headers.extend((wire + key, str(item)) for key, item in value.items())
        elif location == "statusCode":
            status = int(value)
    return status


class RestProtocol(ProtocolHandler):
    """URI, query and header bindings plus the payload rules; subclasses encode the documents."""

    content_type = "application/octet-stream"

    def read_document(self, shape: Shape, body: bytes) -> dict[str, Any]:
        """A structure's body members from a request body (empty body: no members)."""
        raise NotImplementedError

    def write_document(self, operation: OperationModel, shape: Shape, value: dict[str, Any], root: str) -> bytes:
        raise NotImplementedError

    def request_id_headers(self, request_id: str) -> list[tuple[str, str]]:
        return [("x-amzn-RequestId", request_id)]

    def parse(
        self, request: Request, operation: OperationModel, path_params: dict[str, str] | None = None
    ) -> dict[str, Any]:
        shape = operation.input_shape
        if shape is None:
            return {}
        result = read_bindings(shape, request, path_params or {}, literal_query_keys(operation))
        payload = shape.serialization.get("payload")
        if payload is None:
            if request.method == "GET" and operation.http.get("method") != "GET":
                result.update(_legacy_query_members(shape, request))  # an older model's GET (a patch's legacyRoutes)
            elif has_body_members(shape):
                result.update(self.read_document(shape, request.body))
            return result
        member = shape.members[payload]
        if request.stream is not None and member.type_name == "blob":
            result[payload] = request.stream  # a streaming payload (Dispatcher.takes_stream), read by the handler
            return result
        if not request.body:
            return result
        if member.type_name == "blob":
            result[payload] = request.body
        elif member.type_name == "string":
            try:
                result[payload] = request.body.decode("utf-8")
            except UnicodeDecodeError:
                raise MalformedInput(f"{payload} is not valid UTF-8") from None
        else:
            # botocore sends an empty document when the member is unset, so empty reads as absent; a required one's
            # empty document is the empty value (S3's <NotificationConfiguration/> clears a bucket's notifications)
            document = self.read_document(member, request.body)
            if document or payload in shape.required_members:
                result[payload] = document
        return result

    def serialize(self, operation: OperationModel, output: dict[str, Any] | None, request_id: str) -> Response:
        shape = operation.output_shape
        status = int(operation.http.get("responseCode", 200))
        headers = self.request_id_headers(request_id)
        if shape is None:
            return Response(status, headers, b"")
        output = output or {}
        status = write_bindings(shape, output, headers) or status
        payload = shape.serialization.get("payload")
        if payload is not None and hasattr(output.get(payload), "__aiter__"):  # a StreamingBody (an S3 object)
            return Response(status, headers, b"", stream=output[payload])
        body, content_type = self._body(operation, shape, output)
        if body and not any(key.lower() == "content-type" for key, _ in headers):
            headers.append(("Content-Type", content_type))
        return Response(status, headers, body)

    def _body(self, operation: OperationModel, shape: Shape, output: dict[str, Any]) -> tuple[bytes, str]:
        payload = shape.serialization.get("payload")
        if payload is None:
            if not has_body_members(shape):
                return b"", self.content_type
            root = shape.serialization.get("name") or shape.name
            return self.write_document(operation, shape, output, root), self.content_type
        member = shape.members[payload]
        value = output.get(payload)
        if value is None:
            return b"", self.content_type
        if member.type_name == "blob":
            return (value.encode() if isinstance(value, str) else bytes(value)), "application/octet-stream"
        if member.type_name == "string":
            return str(value).encode(), "text/plain"
        root = member.serialization.get("name") or member.name
        return self.write_document(operation, member, value, root), self.content_type


def _legacy_query_members(shape: Shape, request: Request) -> dict[str, Any]:
    """The body members an older model sent in the query string, under their own names, when it made the operation
    a GET (SES v2's ListEmailIdentities with NextToken and PageSize, before botocore 1.44 moved it to a POST):
    scalars only, as query strings carry them."""
    out: dict[str, Any] = {}
    query = request.query
    for name, member in shape.members.items():
        if member.serialization.get("location") or name not in query:
            continue
        text = query[name]
        if member.type_name in ("integer", "long"):
            try:
                out[name] = int(text)
            except ValueError:
                raise MalformedInput(f"{name} is not an integer: {text[:64]}") from None
        elif member.type_name == "boolean":
            out[name] = text.lower() == "true"
        elif member.type_name == "string":
            out[name] = text
    return out
