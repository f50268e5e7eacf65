"""awsJson's operations with CBOR bodies (Content-Type application/x-amz-cbor-1.1): the json protocol's routing,
validation and errors, read and written by gureum.aws.cbor. get_protocol picks it for a json-protocol request whose
body is CBOR; an event-stream output carries CBOR payloads."""

from __future__ import annotations

import json
from typing import Any

from botocore.model import OperationModel

from .. import cbor, eventstream
from ..errors import ServiceError
from ..http import Request, Response
from .json import JsonProtocol

_EVENT_CODEC = eventstream.PayloadCodec(
    cbor.CONTENT_TYPE, lambda shape, value: cbor.dumps(cbor.to_cbor(shape, value)), cbor.dumps
)


class CborProtocol(JsonProtocol):
    name = "json"  # the model's protocol: a CBOR body changes the encoding, not the operations or their errors

    def parse(
        self, request: Request, operation: OperationModel, path_params: dict[str, str] | None = None
    ) -> dict[str, Any]:
        doc = cbor.loads_object(request.body)
        shape = operation.input_shape
        if shape is None:
            return {}
        params: dict[str, Any] = cbor.from_cbor(shape, doc)
        return params

    def serialize(self, operation: OperationModel, output: dict[str, Any] | None, request_id: str) -> Response:
        shape = operation.output_shape
        if output and operation.has_event_stream_output and shape is not None:
            member = eventstream.stream_member(shape)
            if member is not None and hasattr(output.get(member), "__aiter__"):
                rest = {key: value for key, value in output.items() if key != member}
                initial = eventstream.initial_response(_EVENT_CODEC, cbor.dumps(cbor.to_cbor(shape, rest)))
                body = eventstream.EventStreamBody(shape.members[member], output[member], _EVENT_CODEC, initial)
                headers = [("Content-Type", eventstream.CONTENT_TYPE), ("x-amzn-RequestId", request_id)]
                return Response(200, headers, b"", stream=body)
        doc = cbor.to_cbor(shape, output or {}) if shape is not None else {}
        return Response(200, [("Content-Type", cbor.CONTENT_TYPE), ("x-amzn-RequestId", request_id)], cbor.dumps(doc))

    def serialize_error(
        self, error: ServiceError, request_id: str, *, spec: Any = None, operation: OperationModel | None = None
    ) -> Response:
        """The json protocol's error document (__type, message, the error's fields), in CBOR."""
        answer = super().serialize_error(error, request_id, spec=spec, operation=operation)
        doc = json.loads(answer.body)
        headers = [(k, cbor.CONTENT_TYPE if k.lower() == "content-type" else v) for k, v in answer.headers]
        return Response(answer.status, headers, cbor.dumps(doc))
