"""The rest-json protocol: HTTP bindings from rest.py, JSON documents, errors named by x-amzn-ErrorType.

Body keys are the member's wire name (``locationName``, e.g. API Gateway's ``item``), as botocore's
RestJSONSerializer writes them; documents (``"document": true``) pass through untouched.
"""

from __future__ import annotations

from typing import Any

from botocore.model import OperationModel, Shape

from ..errors import ServiceError
from ..http import Response
from .json import dumps, dumps_ascii, from_json, loads_object, to_json
from .rest import RestProtocol, error_shape, write_bindings


class RestJsonProtocol(RestProtocol):
    name = "rest-json"
    content_type = "application/json"

    def read_document(self, shape: Shape, body: bytes) -> dict[str, Any]:
        doc = loads_object(body)
        result: dict[str, Any] = from_json(shape, doc, top=True)
        return result

    def write_document(self, operation: OperationModel, shape: Shape, value: dict[str, Any], root: str) -> bytes:
        return dumps(to_json(shape, value, top=True))

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
            doc.update(to_json(shape, known, top=True))
            write_bindings(shape, known, headers)
            doc.update({k: v for k, v in error.fields.items() if k not in shape.members})
        else:
            doc.update(error.fields)
        headers.extend(error.headers.items())
        return Response(error.status, headers, dumps_ascii(doc))
