"""The awsJson 1.0/1.1 protocol: POST /, X-Amz-Target names the operation, JSON in and out."""

from __future__ import annotations

import json
from typing import Any

from botocore.model import OperationModel, Shape

from ..errors import ServiceError
from ..http import Request, Response
from .base import MalformedInput, ProtocolHandler, decode_blob, encode_blob, parse_timestamp, timestamp_out

_TYPE_NAMES = {
    "string": "String",
    "integer": "Integer",
    "long": "Long",
    "boolean": "Boolean",
    "double": "Double",
    "float": "Float",
}


def _kind_error(shape: Shape, value: Any) -> ServiceError:
    got = "STRING_VALUE" if isinstance(value, str) else type(value).__name__.upper()
    target = _TYPE_NAMES.get(shape.type_name, shape.type_name)
    return MalformedInput(f"{got} can not be converted to {'an' if target[0] in 'AEIOU' else 'a'} {target}")


_Members = dict[str, tuple[str, Shape]]
_wire_members: dict[tuple[Shape, bool], _Members] = {}


def _by_wire_name(shape: Shape, top: bool) -> _Members:
    """{wire name: (member name, member shape)} of a structure (``top``: without members bound to the URI,
    query string or headers, which the REST protocols read elsewhere)."""
    key = (shape, top)
    found = _wire_members.get(key)
    if found is None:
        found = _wire_members[key] = {
            member.serialization.get("name", name): (name, member)
            for name, member in shape.members.items()
            if not (top and member.serialization.get("location"))
        }
    return found


def from_json(shape: Shape, value: Any, top: bool = False) -> Any:
    """Convert one JSON value to its Python form per the shape (member names, blobs, timestamps); check kinds.
    ``top``: the request body of a REST protocol (members bound elsewhere are not read from it)."""
    if value is None:
        return None
    kind = shape.type_name
    if kind == "structure":
        if shape.is_document_type:
            return value
        if not isinstance(value, dict):
            raise _kind_error(shape, value)
        members = _by_wire_name(shape, top)
        out = {}
        for key, item in value.items():
            found = members.get(key)
            if found is None or item is None:
                continue  # AWS ignores members it does not know
            out[found[0]] = from_json(found[1], item)
        return out
    if kind == "list":
        if not isinstance(value, list):
            raise MalformedInput("Start of list found where not expected")
        member = shape.member
        return [from_json(member, item) for item in value]
    if kind == "map":
        if not isinstance(value, dict):
            raise MalformedInput("Start of structure or map found where not expected.")
        vshape = shape.value
        return {k: from_json(vshape, v) for k, v in value.items()}
    if kind == "string":
        if not isinstance(value, str):
            raise _kind_error(shape, value)
        return value
    if kind in ("integer", "long"):
        if isinstance(value, bool) or not isinstance(value, int):
            if isinstance(value, float) and value.is_integer():
                return int(value)
            raise _kind_error(shape, value)
        return value
    if kind in ("double", "float"):
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise _kind_error(shape, value)
        return float(value)
    if kind == "boolean":
        if not isinstance(value, bool):
            raise _kind_error(shape, value)
        return value
    if kind == "blob":
        if not isinstance(value, str):
            raise _kind_error(shape, value)
        data = decode_blob(value)
        if data is None:
            raise MalformedInput("Base64 encoded binary data is malformed")
        return data
    if kind == "timestamp":
        return parse_timestamp(value)
    return value


def to_json(shape: Shape, value: Any, default_ts: str = "unixTimestamp", top: bool = False) -> Any:
    """The JSON form of a value: members under their wire names, blobs base64, timestamps per the shape's format.
    ``top``: the response body of a REST protocol (members bound to headers or the status are written elsewhere)."""
    kind = shape.type_name
    if kind == "structure":
        if shape.is_document_type:
            return value
        members = shape.members
        out = {}
        for key, item in value.items():
            if item is None:
                continue
            member = members.get(key)
            if member is None or (top and member.serialization.get("location")):
                continue
            out[member.serialization.get("name", key)] = to_json(member, item, default_ts)
        return out
    if kind == "list":
        member = shape.member
        return [to_json(member, item, default_ts) for item in value]
    if kind == "map":
        vshape = shape.value
        return {k: to_json(vshape, v, default_ts) for k, v in value.items()}
    if kind == "blob":
        return encode_blob(value)
    if kind == "timestamp":
        return timestamp_out(shape, value, default_ts)
    return value


_ENCODER = json.JSONEncoder(
    separators=(",", ":"), ensure_ascii=False
)  # made once: json.dumps with options makes one per call
_DECODER = json.JSONDecoder()


def dumps(doc: Any) -> bytes:
    return _ENCODER.encode(doc).encode()


def loads_object(body: bytes) -> dict[str, Any]:
    if not body.strip():
        return {}
    try:
        try:
            doc = _DECODER.decode(body.decode())
        except ValueError:  # not plain UTF-8 JSON (a byte-order mark, UTF-16): json.loads detects the encoding
            doc = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        raise MalformedInput("Unable to parse request body as JSON") from None
    if not isinstance(doc, dict):
        raise MalformedInput("Start of structure or map found where not expected.")
    return doc


class JsonProtocol(ProtocolHandler):
    name = "json"

    def parse(
        self, request: Request, operation: OperationModel, path_params: dict[str, str] | None = None
    ) -> dict[str, Any]:
        doc = loads_object(request.body)
        shape = operation.input_shape
        if shape is None:
            return {}
        params: dict[str, Any] = from_json(shape, doc)
        return params

    @staticmethod
    def _content_type(metadata: dict[str, Any]) -> str:
        return f"application/x-amz-json-{metadata.get('jsonVersion', '1.0')}"

    def serialize(self, operation: OperationModel, output: dict[str, Any] | None, request_id: str) -> Response:
        shape = operation.output_shape
        doc = to_json(shape, output or {}) if shape is not None else {}
        headers = [("Content-Type", self._content_type(operation.metadata)), ("x-amzn-RequestId", request_id)]
        return Response(200, headers, dumps(doc))

    def serialize_error(
        self, error: ServiceError, request_id: str, *, spec: Any = None, operation: OperationModel | None = None
    ) -> Response:
        metadata = spec.models["json"].metadata if spec is not None and "json" in spec.models else {}
        type_name = error.type_name or error.code
        if spec is not None and error.type_name is None and error.code in spec.errors_by_code:
            type_name = spec.errors_by_code[error.code][0]
        prefix = metadata.get("targetPrefix") and f"com.amazonaws.{spec.name}#" if spec is not None else ""
        doc: dict[str, Any] = {"__type": f"{prefix or ''}{type_name}", "message": error.message}
        doc.update(error.fields)
        headers = [("Content-Type", self._content_type(metadata)), ("x-amzn-RequestId", request_id)]
        if "awsQueryCompatible" in metadata:
            headers.append(("x-amzn-query-error", f"{error.code};{'Sender' if error.sender_fault else 'Receiver'}"))
        headers.extend(error.headers.items())
        return Response(error.status, headers, dumps(doc))
