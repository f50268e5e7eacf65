"""Lambda's error codes, one class each, named as the API reference names them (status codes per the reference),
and the few messages several modules answer with."""

from __future__ import annotations

from ...aws.errors import ServiceError, error_class

InvalidParameterValueException = error_class("InvalidParameterValueException")
InvalidRequestContentException = error_class("InvalidRequestContentException")
ResourceNotFoundException = error_class("ResourceNotFoundException", 404)
AccessDeniedException = error_class("AccessDeniedException", 403)
ResourceConflictException = error_class("ResourceConflictException", 409)
ResourceInUseException = error_class("ResourceInUseException")
RequestTooLargeException = error_class("RequestTooLargeException", 413)
RequestEntityTooLargeException = error_class("RequestEntityTooLargeException", 413)
CodeStorageExceededException = error_class("CodeStorageExceededException")
RecursiveInvocationException = error_class("RecursiveInvocationException")
PreconditionFailedException = error_class("PreconditionFailedException", 412)
ProvisionedConcurrencyConfigNotFoundException = error_class("ProvisionedConcurrencyConfigNotFoundException", 404)
ValidationException = error_class("ValidationException")
ServiceException = error_class("ServiceException", 500, False)
_TooManyRequests = error_class("TooManyRequestsException", 429)

__all__ = [
    "ServiceError",
    "InvalidParameterValueException",
    "InvalidRequestContentException",
    "ResourceNotFoundException",
    "AccessDeniedException",
    "ResourceConflictException",
    "ResourceInUseException",
    "RequestTooLargeException",
    "RequestEntityTooLargeException",
    "CodeStorageExceededException",
    "PreconditionFailedException",
    "ProvisionedConcurrencyConfigNotFoundException",
    "ValidationException",
    "ServiceException",
    "function_not_found",
    "resource_not_found",
    "too_many_requests",
    "invalid",
    "conflict",
    "revision_mismatch",
]


def function_not_found(arn: str) -> ServiceError:
    return ResourceNotFoundException(f"Function not found: {arn}", fields={"Type": "User"})


def resource_not_found() -> ServiceError:
    return ResourceNotFoundException("The resource you requested does not exist.", fields={"Type": "User"})


def too_many_requests(reason: str) -> ServiceError:
    """A throttle: ``reason`` is ConcurrentInvocationLimitExceeded or
    ReservedFunctionConcurrentInvocationLimitExceeded."""
    return _TooManyRequests("Rate Exceeded.", fields={"Reason": reason, "Type": "User", "retryAfterSeconds": "1"})


def invalid(message: str) -> ServiceError:
    return InvalidParameterValueException(message, fields={"Type": "User"})


def conflict(message: str) -> ServiceError:
    return ResourceConflictException(message, fields={"Type": "User"})


def revision_mismatch(message: str = "The Revision Id provided does not match the latest Revision Id.") -> ServiceError:
    return PreconditionFailedException(message, fields={"Type": "User"})
