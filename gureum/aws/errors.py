"""AWS-shaped errors.

A service raises ``ServiceError`` (or a subclass named for the AWS code); the protocol layer turns it
into the wire format of the request's protocol.  ``code`` is the code a client sees (for query-compatible
JSON services, the query code); ``type_name`` is the model's error shape name when it differs.
"""

from __future__ import annotations

from xml.sax.saxutils import escape

from .http import Response


class ServiceError(Exception):
    code: str = "InternalFailure"
    status: int = 400
    sender_fault: bool = True
    type_name: str | None = None

    def __init__(
        self,
        message: str = "",
        *,
        code: str | None = None,
        status: int | None = None,
        sender_fault: bool | None = None,
        type_name: str | None = None,
        headers: dict[str, str] | None = None,
        fields: dict[str, object] | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        if code is not None:
            self.code = code
        if status is not None:
            self.status = status
        if sender_fault is not None:
            self.sender_fault = sender_fault
        if type_name is not None:
            self.type_name = type_name
        self.headers = headers or {}
        self.fields = fields or {}

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.code!r}, {self.message!r})"


def error_class(
    code: str, status: int = 400, sender_fault: bool = True, type_name: str | None = None
) -> type[ServiceError]:
    """Make a ServiceError subclass for one AWS error code."""
    return type(
        code.split(".")[-1],
        (ServiceError,),
        {"code": code, "status": status, "sender_fault": sender_fault, "type_name": type_name},
    )


class CommonErrors:
    """Errors every AWS service can answer with (see 'Common Errors' in each API reference)."""

    InvalidAction = error_class("InvalidAction")
    UnknownOperation = error_class("UnknownOperationException")
    MissingParameter = error_class("MissingParameter")
    InvalidParameterValue = error_class("InvalidParameterValue")
    InvalidParameterCombination = error_class("InvalidParameterCombination")
    ValidationError = error_class("ValidationError")
    ValidationException = error_class("ValidationException")
    SerializationException = error_class("SerializationException")
    MalformedQueryString = error_class("MalformedQueryString", 404)
    InternalFailure = error_class("InternalFailure", 500, False)
    ServiceUnavailable = error_class("ServiceUnavailable", 503, False)
    AccessDenied = error_class("AccessDenied", 403)
    NotImplemented = error_class("NotImplemented", 501, False)
    UnrecognizedClient = error_class("UnrecognizedClientException", 403)
    InvalidSignature = error_class("InvalidSignatureException", 403)
    IncompleteSignature = error_class("IncompleteSignature", 403)


def foreign_error(error: ServiceError, protocol: str, request_id: str) -> Response | None:
    """An error in a protocol no served service speaks (EC2's query dialect, Smithy RPC v2 CBOR), so that a
    client of a service gureum does not serve can read why; None for the protocols gureum serves."""
    if protocol == "ec2":
        xml = (
            f'<?xml version="1.0" encoding="UTF-8"?>\n<Response><Errors><Error><Code>{escape(error.code)}</Code>'
            f"<Message>{escape(error.message)}</Message></Error></Errors>"
            f"<RequestID>{escape(request_id)}</RequestID></Response>"
        )
        return Response(error.status, [("Content-Type", "text/xml;charset=UTF-8")], xml.encode())
    if protocol == "smithy-rpc-v2-cbor":
        body = b"\xa2" + _cbor_text("__type") + _cbor_text(error.code) + _cbor_text("message")
        body += _cbor_text(error.message)
        headers = [("Content-Type", "application/cbor"), ("smithy-protocol", "rpc-v2-cbor")]
        return Response(error.status, [*headers, ("x-amzn-RequestId", request_id)], body)
    return None


def _cbor_text(text: str) -> bytes:
    """A CBOR text string (major type 3)."""
    data = text.encode()
    size = len(data)
    if size < 24:
        head = bytes([0x60 + size])
    elif size < 0x100:
        head = bytes([0x78, size])
    elif size < 0x10000:
        head = bytes([0x79]) + size.to_bytes(2, "big")
    else:
        head = bytes([0x7A]) + size.to_bytes(4, "big")
    return head + data
