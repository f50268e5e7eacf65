"""The awsJson 1.0/1.1 protocol: POST /, X-Amz-Target names the operation, JSON in and out.

Request documents are read defensively (rest-json shares the reader): nesting past MAX_DEPTH, a lone UTF-16
surrogate (``"\\ud800"``), NaN/Infinity and numbers outside the model's type are malformed input (a 400 in the
protocol's shape), never an exception deeper in. Errors are written ASCII-escaped, so any text is encodable.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable
from typing import Any

import orjson
from botocore.model import OperationModel, Shape

from .. import eventstream
from ..errors import ServiceError
from ..http import Request, Response
from .base import (
    MalformedInput,
    ProtocolHandler,
    decode_blob,
    encode_blob,
    in_range,
    parse_timestamp,
    timestamp_out,
)

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


_Writer = Callable[[Any], Any]
_UNSET: Any = object()


def from_json(shape: Shape, value: Any, top: bool = False) -> Any:
    """Convert one JSON value to its Python form per the shape (member names, blobs, timestamps); check kinds.
    ``top``: the request body of a REST protocol (members bound elsewhere are not read from it)."""
    if value is None:
        return None
    return _reader(shape, top)(value)


_READERS = "_gureum_json_readers"  # a shape's readers, by top, kept on the shape (and gone with it)


def _reader(shape: Shape, top: bool = False) -> _Writer:
    """What from_json does to a value (not None) of this shape, decided once per shape."""
    readers = shape.__dict__.get(_READERS)
    if readers is None:
        readers = shape.__dict__[_READERS] = {}
    found = readers.get(top)
    if found is None:
        found = readers[top] = _make_reader(shape, top)
    return found  # type: ignore[no-any-return]


def _make_reader(shape: Shape, top: bool) -> _Writer:
    kind = shape.type_name
    if kind == "structure":
        if shape.is_document_type:
            return _same
        # wire name → [member name, member shape, its reader (found at first use: shapes may be recursive)]
        table: dict[str, list[Any]] = {
            wire: [name, member, None] for wire, (name, member) in _by_wire_name(shape, top).items()
        }

        def read_structure(value: Any) -> Any:
            if not isinstance(value, dict):
                raise _kind_error(shape, value)
            out = {}
            for key, item in value.items():
                slot = table.get(key)
                if slot is None or item is None:
                    continue  # AWS ignores members it does not know
                read = slot[2]
                if read is None:
                    read = slot[2] = _reader(slot[1])
                out[slot[0]] = read(item)
            return out

        return read_structure
    if kind == "list":
        member = shape.member

        def read_list(value: Any) -> Any:
            if not isinstance(value, list):
                raise MalformedInput("Start of list found where not expected")
            inner = _reader(member)
            return [None if item is None else inner(item) for item in value]

        return read_list
    if kind == "map":
        vshape = shape.value

        def read_map(value: Any) -> Any:
            if not isinstance(value, dict):
                raise MalformedInput("Start of structure or map found where not expected.")
            inner = _reader(vshape)
            return {k: None if v is None else inner(v) for k, v in value.items()}

        return read_map
    if kind == "string":

        def read_string(value: Any) -> Any:
            if not isinstance(value, str):
                raise _kind_error(shape, value)
            return value

        return read_string
    if kind in ("integer", "long"):

        def read_integer(value: Any) -> Any:
            if isinstance(value, bool) or not isinstance(value, int):
                if not (isinstance(value, float) and value.is_integer()):
                    raise _kind_error(shape, value)
                value = int(value)
            if not in_range(kind, value):
                raise MalformedInput(f"Numeric value out of range of {'int' if kind == 'integer' else 'long'}")
            return value

        return read_integer
    if kind in ("double", "float"):

        def read_float(value: Any) -> Any:
            if isinstance(value, bool) or not isinstance(value, (int, float)):
                raise _kind_error(shape, value)
            return float(value)

        return read_float
    if kind == "boolean":

        def read_boolean(value: Any) -> Any:
            if not isinstance(value, bool):
                raise _kind_error(shape, value)
            return value

        return read_boolean
    if kind == "blob":

        def read_blob(value: Any) -> Any:
            if not isinstance(value, str):
                raise _kind_error(shape, value)
            data = decode_blob(value)
            if data is None:
                raise MalformedInput("Base64 encoded binary data is malformed")
            return data

        return read_blob
    if kind == "timestamp":
        return parse_timestamp
    return _same


def _same(value: Any) -> Any:
    return value


def to_json(shape: Shape, value: Any, default_ts: str = "unixTimestamp", top: bool = False) -> Any:
    """The JSON form of a value: members under their wire names, blobs base64, timestamps per the shape's format.
    ``top``: the response body of a REST protocol (members bound to headers or the status are written elsewhere)."""
    writer = _writer(shape, default_ts, top)
    return value if writer is None else writer(value)


_WRITERS = "_gureum_json_writers"  # a shape's writers, by (default_ts, top), kept on the shape (and gone with it)


def _writer(shape: Shape, default_ts: str, top: bool = False) -> _Writer | None:
    """What to_json does to a value of this shape, decided once per shape: None when it is written as it is."""
    writers = shape.__dict__.get(_WRITERS)
    if writers is None:
        writers = shape.__dict__[_WRITERS] = {}
    key = (default_ts, top)
    if key not in writers:
        writers[key] = _make_writer(shape, default_ts, top)
    return writers[key]  # type: ignore[no-any-return]


def _make_writer(shape: Shape, default_ts: str, top: bool) -> _Writer | None:
    kind = shape.type_name
    if kind == "structure":
        if shape.is_document_type:
            return None
        # member name → [wire name, member shape, its writer (found at first use: shapes may be recursive)]
        table: dict[str, list[Any]] = {
            key: [member.serialization.get("name", key), member, _UNSET]
            for key, member in shape.members.items()
            if not (top and member.serialization.get("location"))
        }

        def write_structure(value: Any) -> Any:
            out = {}
            for key, item in value.items():
                if item is None:
                    continue
                slot = table.get(key)
                if slot is None:
                    continue
                inner = slot[2]
                if inner is _UNSET:
                    inner = slot[2] = _writer(slot[1], default_ts)
                out[slot[0]] = item if inner is None else inner(item)
            return out

        return write_structure
    if kind == "list" or kind == "map":
        element = shape.member if kind == "list" else shape.value
        found: list[Any] = [_UNSET]

        def element_writer() -> _Writer | None:
            inner = found[0]
            if inner is _UNSET:
                inner = found[0] = _writer(element, default_ts)
            return inner  # type: ignore[no-any-return]

        if kind == "list":

            def write_list(value: Any) -> Any:
                inner = element_writer()
                return list(value) if inner is None else [inner(item) for item in value]

            return write_list

        def write_map(value: Any) -> Any:
            inner = element_writer()
            return dict(value) if inner is None else {k: inner(v) for k, v in value.items()}

        return write_map
    if kind == "blob":
        return encode_blob
    if kind == "timestamp":
        return lambda value: timestamp_out(shape, value, default_ts)
    return None


_ENCODER = json.JSONEncoder(
    separators=(",", ":"), ensure_ascii=False
)  # made once: json.dumps with options makes one per call
_ASCII_ENCODER = json.JSONEncoder(separators=(",", ":"))


def _no_constant(name: str) -> Any:
    raise ValueError(f"Non-standard token '{name}'")  # NaN, Infinity: not JSON (Jackson refuses them too)


def _finite(text: str) -> float:
    value = float(text)
    if math.isinf(value):
        raise ValueError(f"Numeric value ({text[:64]}) out of range of double")
    return value


_DECODER = json.JSONDecoder(parse_constant=_no_constant, parse_float=_finite)
# Deeper than any AWS request document; it leaves Python's stack (about 1,000 frames) room for the code that
# walks a document afterwards. Jackson's own default is 1,000, but AWS's JSON services fail long before.
MAX_DEPTH = 256
_SURROGATE_ESCAPE = re.compile(rb"\\u[dD][89a-fA-F]")  # how a surrogate gets into JSON text
# a run of 19 digits: a number orjson may not read as the standard library does (or digits in a string). Found by
# mapping every digit to "0" and looking for 19 of them: several times faster than a regular expression's scan
_DIGITS_AS_ZERO = bytes.maketrans(b"123456789", b"000000000")
_LONG_DIGITS = b"0" * 19
_SURROGATE = re.compile("[\ud800-\udfff]")
TOO_DEEP = f"JSON document nested deeper than {MAX_DEPTH} levels"
LONE_SURROGATE = "Invalid UTF-16 surrogate in a JSON string (a \\uD800-\\uDFFF escape without its pair)"


def dumps(doc: Any) -> bytes:
    return _ENCODER.encode(doc).encode()


def dumps_ascii(doc: Any) -> bytes:
    """JSON with every non-ASCII character escaped: encodable whatever the strings hold (error messages echo
    user input, which may carry a lone surrogate)."""
    return _ASCII_ENCODER.encode(doc).encode()


def check_document(doc: Any, *, surrogates: bool) -> None:
    """Raise MalformedInput when a decoded document nests deeper than MAX_DEPTH or (``surrogates``: when the
    text had surrogate escapes) a string holds a lone surrogate. Iterative, so depth costs no stack."""
    stack: list[tuple[Any, int]] = [(doc, 1)]
    while stack:
        node, depth = stack.pop()
        if isinstance(node, dict):
            if depth > MAX_DEPTH:
                raise MalformedInput(TOO_DEEP)
            for key, value in node.items():
                if surrogates and _SURROGATE.search(key):
                    raise MalformedInput(LONE_SURROGATE)
                if isinstance(value, (dict, list)) or (surrogates and isinstance(value, str)):
                    stack.append((value, depth + 1))
        elif isinstance(node, list):
            if depth > MAX_DEPTH:
                raise MalformedInput(TOO_DEEP)
            stack.extend((item, depth + 1) for item in node if isinstance(item, (dict, list, str)))
        elif isinstance(node, str) and surrogates and _SURROGATE.search(node):
            raise MalformedInput(LONE_SURROGATE)


def loads(body: bytes) -> Any:
    """Any JSON value from request bytes, checked as ``check_document`` does; MalformedInput when it is not.

    orjson reads the usual document (plain UTF-8, no number past 18 digits) about three times faster than the
    standard library; whatever it refuses or might read otherwise (a byte-order mark, UTF-16, a lone surrogate,
    NaN, a number out of range: orjson reads an integer past 64 bits as a float) goes the careful way below, which
    says what is wrong with it."""
    if _LONG_DIGITS not in body.translate(_DIGITS_AS_ZERO):
        try:
            doc = orjson.loads(body)
        except orjson.JSONDecodeError:
            pass
        else:
            if body.count(b"[") + body.count(b"{") > MAX_DEPTH:
                check_document(doc, surrogates=False)  # orjson refuses lone surrogates itself
            return doc
    try:
        try:
            doc = _DECODER.decode(body.decode())
            utf8 = True
        except ValueError:  # not plain UTF-8 JSON (a byte-order mark, UTF-16): json.loads detects the encoding
            doc = json.loads(body, parse_constant=_no_constant, parse_float=_finite)
            utf8 = False
    except RecursionError:
        raise MalformedInput(TOO_DEEP) from None
    except (ValueError, UnicodeDecodeError):
        raise MalformedInput("Unable to parse request body as JSON") from None
    # the bracket count bounds the depth: only documents that could be too deep are walked for it
    deep = body.count(b"[") + body.count(b"{") > MAX_DEPTH
    surrogates = not utf8 or _SURROGATE_ESCAPE.search(body) is not None
    if deep or surrogates:
        check_document(doc, surrogates=surrogates)
    return doc


def loads_object(body: bytes) -> dict[str, Any]:
    if not body.strip():
        return {}
    doc = loads(body)
    if not isinstance(doc, dict):
        raise MalformedInput("Start of structure or map found where not expected.")
    return doc


class Prewritten(dict[str, Any]):
    """A handler's output that brings its own JSON body (a service's fast path for a large answer: Kinesis
    GetRecords writes records stored as JSON fragments): ``body`` must be byte for byte what to_json and dumps make
    of the output; the json protocol sends it as it is, any other protocol encodes the dict it also is."""

    def __init__(self, value: dict[str, Any], body: bytes) -> None:
        super().__init__(value)
        self.body = body


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
        if output and operation.has_event_stream_output:
            member = eventstream.stream_member(shape)
            if member is not None and hasattr(output.get(member), "__aiter__"):
                return self._event_stream(operation, output, member, request_id)
        headers = [("Content-Type", self._content_type(operation.metadata)), ("x-amzn-RequestId", request_id)]
        if type(output) is Prewritten:
            return Response(200, headers, output.body)
        doc = to_json(shape, output or {}) if shape is not None else {}
        return Response(200, headers, dumps(doc))

    def _event_stream(
        self, operation: OperationModel, output: dict[str, Any], member: str, request_id: str
    ) -> Response:
        """An event-stream output (Kinesis SubscribeToShard): an initial-response message with the output's other
        members, then the handler's events as they come (EventStreamBody), each a JSON payload."""
        shape = operation.output_shape
        assert shape is not None
        rest = {key: value for key, value in output.items() if key != member}
        initial = eventstream.initial_response(_EVENT_CODEC, dumps(to_json(shape, rest)))
        body = eventstream.EventStreamBody(shape.members[member], output[member], _EVENT_CODEC, initial)
        headers = [("Content-Type", eventstream.CONTENT_TYPE), ("x-amzn-RequestId", request_id)]
        return Response(200, headers, b"", stream=body)

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
        return Response(error.status, headers, dumps_ascii(doc))


_EVENT_CODEC = eventstream.PayloadCodec(
    "application/json", lambda shape, value: dumps(to_json(shape, value)), dumps_ascii
)
