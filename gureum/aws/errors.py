"""AWS-shaped errors.

A service raises ``ServiceError`` (or a subclass named for the AWS code); the protocol layer turns it
into the wire format of the request's protocol.  ``code`` is the code a client sees (for query-compatible
JSON services, the query code); ``type_name`` is the model's error shape name when it differs.
"""

from __future__ import annotations


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
