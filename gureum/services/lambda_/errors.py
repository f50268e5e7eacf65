"""Lambda's error codes, one class each, named as the API reference names them (status codes per the reference)."""

from __future__ import annotations

from ...aws.errors import ServiceError, error_class

InvalidParameterValueException = error_class("InvalidParameterValueException")
InvalidRequestContentException = error_class("InvalidRequestContentException")
ResourceNotFoundException = error_class("ResourceNotFoundException", 404)
ResourceConflictException = error_class("ResourceConflictException", 409)
RequestTooLargeException = error_class("RequestTooLargeException", 413)
CodeStorageExceededException = error_class("CodeStorageExceededException")
PreconditionFailedException = error_class("PreconditionFailedException", 412)
ServiceException = error_class("ServiceException", 500, False)
_TooManyRequests = error_class("TooManyRequestsException", 429)


def function_not_found(arn: str) -> ServiceError:
    return ResourceNotFoundException(f"Function not found: {arn}", fields={"Type": "User"})


def too_many_requests(reason: str) -> ServiceError:
    """A throttle: ``reason`` is ConcurrentInvocationLimitExceeded or ReservedFunctionConcurrentInvocationLimitExceeded."""
    return _TooManyRequests("Rate Exceeded.", fields={"Reason": reason, "Type": "User", "retryAfterSeconds": "1"})


def invalid(message: str) -> ServiceError:
    return InvalidParameterValueException(message, fields={"Type": "User"})
