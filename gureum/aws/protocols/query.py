"""The query protocol: form-encoded (or query-string) parameters in, XML out (SQS's legacy wire, STS, ...)."""

from __future__ import annotations

from typing import Any

from botocore.model import OperationModel, Shape

from ..errors import ServiceError
from ..http import Request, Response
from .base import ProtocolHandler, scalar_from_text, xml_escape, xml_safe
from .xml import member_xml_name, write_members

_MISSING = object()
# Services whose query errors carry no <Detail/> element: AWS's recorded SNS errors hold Type, Code and Message
# only, where SQS sends an empty <Detail/> (botocore reads it as "Detail": None).


# Dotted segments a parameter name may have: far more than any model's nesting ("A.entry.1.B.member.2.C"...);
# longer names cannot name a member, and their prefixes would cost time and memory quadratic in their length.
_MAX_SEGMENTS = 64


class _Params:
    """The flat parameter map and every dotted prefix in it, to find list and map entries quickly."""

    __slots__ = ("values", "prefixes")

    def __init__(self, values: dict[str, str]) -> None:
        self.values = values
        prefixes: set[str] = set()
        for key in values:
            if key.count(".", 0, 4096) >= _MAX_SEGMENTS:
                continue
            end = key.find(".")
            while end >= 0:
                prefixes.add(key[:end])
                end = key.find(".", end + 1)
        self.prefixes = prefixes

    def has(self, key: str) -> bool:
        return key in self.values or key in self.prefixes


def _read(shape: Shape, params: _Params, prefix: str) -> Any:
    kind = shape.type_name
    if kind == "structure":
        if prefix and not params.has(prefix):
            return _MISSING
        return _read_structure(shape, params, prefix)
    if kind == "list":
        return _read_list(shape, params, prefix)
    if kind == "map":
        return _read_map(shape, params, prefix)
    raw = params.values.get(prefix)
    if raw is None:
        return _MISSING
    return scalar_from_text(shape, raw, prefix)


def _read_structure(shape: Shape, params: _Params, prefix: str) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for name, member in shape.members.items():
        key = member_xml_name(member, name) if member.type_name == "list" else member.serialization.get("name", name)
        full = f"{prefix}.{key}" if prefix else key
        value = _read(member, params, full)
        if value is not _MISSING:
            result[name] = value
    return result


def _read_list(shape: Shape, params: _Params, prefix: str) -> Any:
    if prefix in params.values and params.values[prefix] == "":
        return []
    if not shape.serialization.get("flattened"):
        prefix = f"{prefix}.{shape.member.serialization.get('name', 'member')}"
    items = []
    index = 1
    while params.has(f"{prefix}.{index}"):
        value = _read(shape.member, params, f"{prefix}.{index}")
        if value is not _MISSING:
            items.append(value)
        index += 1
    return items if items else _MISSING


def _read_map(shape: Shape, params: _Params, prefix: str) -> Any:
    full = prefix if shape.serialization.get("flattened") else f"{prefix}.entry"
    key_name = shape.key.serialization.get("name", "key")
    value_name = shape.value.serialization.get("name", "value")
    result: dict[str, Any] = {}
    index = 1
    while params.has(f"{full}.{index}"):
        key = params.values.get(f"{full}.{index}.{key_name}")
        value = _read(shape.value, params, f"{full}.{index}.{value_name}")
        if key is None:
            raise ServiceError(
                f"The request must contain the parameter {full}.{index}.{key_name}.", code="MissingParameter"
            )
        result[key] = None if value is _MISSING else value
        index += 1
    return result if result else _MISSING


class QueryProtocol(ProtocolHandler):
    name = "query"

    def parse(
        self, request: Request, operation: OperationModel, path_params: dict[str, str] | None = None
    ) -> dict[str, Any]:
        shape = operation.input_shape
        if shape is None:
            return {}
        params = {k: v for k, v in request.form.items() if k not in ("Action", "Version")}
        return _read_structure(shape, _Params(params), "")

    def serialize(self, operation: OperationModel, output: dict[str, Any] | None, request_id: str) -> Response:
        name = operation.name
        ns = operation.metadata.get("xmlNamespace", "")
        out = [f'<?xml version="1.0"?>\n<{name}Response xmlns="{ns}">']
        shape = operation.output_shape
        if shape is not None:
            wrapper = shape.serialization.get("resultWrapper") or operation.output_shape.serialization.get(
                "resultWrapper"
            )
            wrapper = wrapper or f"{name}Result"
            out.append(f"<{wrapper}>")
            write_members(shape, output or {}, out)
            out.append(f"</{wrapper}>")
        out.append(f"<ResponseMetadata><RequestId>{request_id}</RequestId></ResponseMetadata></{name}Response>")
        return Response(200, [("Content-Type", "text/xml"), ("x-amzn-RequestId", request_id)], "".join(out).encode())

    def serialize_error(
        self, error: ServiceError, request_id: str, *, spec: Any = None, operation: OperationModel | None = None
    ) -> Response:
        ns, message, detail = "", error.message, "<Detail/>"
        if spec is not None:
            model = spec.models.get("query") or spec.model
            ns = model.metadata.get("xmlNamespace", "")
            message = spec.query_error_messages.get(message, message)
            detail = "<Detail/>" if spec.query_error_detail else ""
        kind = "Sender" if error.sender_fault else "Receiver"
        body = (
            f'<?xml version="1.0"?>\n<ErrorResponse xmlns="{ns}"><Error><Type>{kind}</Type>'
            f"<Code>{xml_escape(xml_safe(error.code))}</Code>"
            f"<Message>{xml_escape(xml_safe(message))}</Message>{detail}</Error>"
            f"<RequestId>{request_id}</RequestId></ErrorResponse>"
        )
        headers = [("Content-Type", "text/xml"), ("x-amzn-RequestId", request_id), *error.headers.items()]
        return Response(error.status, headers, body.encode())
