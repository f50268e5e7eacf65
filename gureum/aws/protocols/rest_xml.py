"""The rest-xml protocol (S3, Route 53, CloudFront): HTTP bindings from rest.py, XML documents, S3-style errors.

Documents use the XML helpers in xml.py; the root element is the payload member's locationName (or the
shape's name) in the shape's xmlNamespace, else the namespace the service's own request documents use.
"""

from __future__ import annotations

import base64
import functools
from collections import Counter
from typing import Any

from botocore.model import OperationModel, ServiceModel, Shape

from ..errors import ServiceError
from ..http import Response
from .base import xml_escape, xml_safe
from .rest import RestProtocol, error_shape, write_bindings
from .xml import member_xml_name, parse_document, read_members, write_value

_PROLOGUE = '<?xml version="1.0" encoding="UTF-8"?>\n'


def _namespace_uri(shape: Shape) -> str | None:
    ns = shape.serialization.get("xmlNamespace")
    if isinstance(ns, dict):
        uri: str | None = ns.get("uri")
        return uri
    return ns if isinstance(ns, str) else None


def _host_id(request_id: str) -> str:
    """S3's x-amz-id-2 / HostId: opaque to clients, so derived from the request id."""
    return base64.b64encode(request_id.encode()).decode()


@functools.lru_cache(maxsize=64)
def service_namespace(model: ServiceModel) -> str:
    """The namespace most of a service's request documents declare.

    botocore's models keep it on input payloads only (S3's ``http://s3.amazonaws.com/doc/2006-03-01/``),
    yet the service answers in it too (``<ListBucketResult xmlns="...">``).
    """
    counts: Counter[str] = Counter()
    for name in model.operation_names:
        shape = model.operation_model(name).input_shape
        if shape is None:
            continue
        payload = shape.serialization.get("payload")
        for candidate in (shape, shape.members[payload]) if payload else (shape,):
            uri = _namespace_uri(candidate)
            if uri:
                counts[uri] += 1
    if counts:
        return counts.most_common(1)[0][0]
    return str(model.metadata.get("xmlNamespace", ""))


class RestXmlProtocol(RestProtocol):
    name = "rest-xml"
    content_type = "application/xml"

    def read_document(self, shape: Shape, body: bytes) -> dict[str, Any]:
        if not body.strip():
            return {}
        return read_members(shape, parse_document(body), shape.name)

    def write_document(self, operation: OperationModel, shape: Shape, value: dict[str, Any], root: str) -> bytes:
        out = [_PROLOGUE]
        write_value(shape, value, root, out)
        if _namespace_uri(shape) is None:
            ns = service_namespace(operation.service_model)
            if ns:
                out[1] = f'{out[1][:-1]} xmlns="{ns}">'  # out[1] is the root's start tag
        return "".join(out).encode()

    def request_id_headers(self, request_id: str) -> list[tuple[str, str]]:
        return [
            ("x-amz-request-id", request_id),
            ("x-amz-id-2", _host_id(request_id)),
            ("x-amzn-RequestId", request_id),
        ]

    def serialize_error(
        self, error: ServiceError, request_id: str, *, spec: Any = None, operation: OperationModel | None = None
    ) -> Response:
        headers = self.request_id_headers(request_id)
        shape = error_shape(spec, error.code, self.name)
        fields = error.fields
        if shape is not None:
            write_bindings(shape, fields, headers)
        headers.extend(error.headers.items())
        if error.status == 304 or (operation is not None and operation.http.get("method") == "HEAD"):
            # a HEAD answer has no body: clients take the status as the code (S3 HeadObject → "404"); nor has a 304
            return Response(error.status, headers, b"")
        out = [
            f"{_PROLOGUE}<Error><Code>{xml_escape(xml_safe(error.code))}</Code>"
            f"<Message>{xml_escape(xml_safe(error.message))}</Message>"
        ]
        for key, value in fields.items():
            member = shape.members.get(key) if shape is not None else None
            if value is None or (member is not None and member.serialization.get("location")):
                continue
            if member is not None:
                write_value(member, value, member_xml_name(member, key), out)
            else:
                out.append(f"<{key}>{xml_escape(xml_safe(str(value)))}</{key}>")
        out.append(f"<RequestId>{xml_escape(request_id)}</RequestId><HostId>{_host_id(request_id)}</HostId></Error>")
        headers.insert(0, ("Content-Type", self.content_type))
        return Response(error.status, headers, "".join(out).encode("utf-8", "replace"))
