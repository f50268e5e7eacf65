"""The rest-json protocol: HTTP bindings from rest.py, JSON documents, errors named by x-amzn-ErrorType.

Body keys are the member's wire name (``locationName``, e.g. API Gateway's ``item``), as botocore's
RestJSONSerializer writes them; documents (``"document": true``) pass through untouched.
"""

from __future__ import annotations

from typing import Any

from botocore.model import OperationModel, Shape

from ..errors import ServiceError
from ..http import Response
from .base import MalformedInput
from .json import dumps, from_json, loads_object, to_json
from .rest import RestProtocol, error_shape, write_bindings


def read_json(shape: Shape, value: Any, top: bool = False) -> Any:
    """A JSON value in its Python form; structure keys become member names (``top``: skip bound members)."""
    if value is None:
        return None
    kind = shape.type_name
    if kind == "structure":
        if shape.is_document_type:
            return value
        if not isinstance(value, dict):
            return from_json(shape, value)  # raises the kind error
        out: dict[str, Any] = {}
        for name, member in shape.members.items():
            if top and member.serialization.get("location"):
                continue
            item = value.get(member.serialization.get("name", name))
            if item is not None:
                out[name] = read_json(member, item)
        return out
    if kind == "list":
        if not isinstance(value, list):
            raise MalformedInput("Start of list found where not expected")
        return [read_json(shape.member, item) for item in value]
    if kind == "map":
        if not isinstance(value, dict):
            raise MalformedInput("Start of structure or map found where not expected.")
        return {key: read_json(shape.value, item) for key, item in value.items()}
    return from_json(shape, value)


def write_json(shape: Shape, value: Any, top: bool = False) -> Any:
    """The JSON form of a value; structure members go under their wire names (``top``: skip bound ones)."""
    kind = shape.type_name
    if kind == "structure":
        if shape.is_document_type:
            return value
        out: dict[str, Any] = {}
        members = shape.members
        for name, item in value.items():
            member = members.get(name)
            if item is None or member is None or (top and member.serialization.get("location")):
                continue
            out[member.serialization.get("name", name)] = write_json(member, item)
        return out
    if kind == "list":
        return [write_json(shape.member, item) for item in value]
    if kind == "map":
        return {key: write_json(shape.value, item) for key, item in value.items()}
    return to_json(shape, value)


class RestJsonProtocol(RestProtocol):
    name = "rest-json"
    content_type = "application/json"

    def read_document(self, shape: Shape, body: bytes) -> dict[str, Any]:
        doc = loads_object(body)
        result: dict[str, Any] = read_json(shape, doc, top=True)
        return result

    def write_document(self, operation: OperationModel, shape: Shape, value: dict[str, Any], root: str) -> bytes:
        return dumps(write_json(shape, value, top=True))

    def serialize_error(
        self, error: ServiceError, request_id: str, *, spec: Any = None, operation: OperationModel | None = None
    ) -> Response:
        doc: dict[str, Any] = {"message": error.message}
        headers = [
            ("Content-Type", self.content_type),
            ("x-amzn-RequestId", request_id),
            ("x-amzn-ErrorType", error.code),
        ]
        shape = error_shape(spec, error.code, self.name)
        if shape is not None:
            wire = {member.serialization.get("name", name) for name, member in shape.members.items()}
            if "Message" in wire and "message" not in wire:
                # Lambda and others model the field as "Message"; botocore reads either for Error.Message
                doc["Message"] = error.message
            known = {k: v for k, v in error.fields.items() if k in shape.members}
            doc.update(write_json(shape, known, top=True))
            write_bindings(shape, known, headers)
            doc.update({k: v for k, v in error.fields.items() if k not in shape.members})
        else:
            doc.update(error.fields)
        headers.extend(error.headers.items())
        return Response(error.status, headers, dumps(doc))
