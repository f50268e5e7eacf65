"""CloudWatch Logs error codes (API reference "Common Errors" and each operation's "Errors") and their messages."""

from __future__ import annotations

from ...aws.errors import ServiceError, error_class

InvalidParameterException = error_class("InvalidParameterException")
ResourceNotFoundException = error_class("ResourceNotFoundException")
ResourceAlreadyExistsException = error_class("ResourceAlreadyExistsException")
LimitExceededException = error_class("LimitExceededException")
TooManyTagsException = error_class("TooManyTagsException")
ValidationException = error_class("ValidationException")
InvalidOperationException = error_class("InvalidOperationException")
AccessDeniedException = error_class("AccessDeniedException")
OperationAbortedException = error_class("OperationAbortedException")

__all__ = [
    "ServiceError",
    "InvalidParameterException",
    "ResourceNotFoundException",
    "ResourceAlreadyExistsException",
    "LimitExceededException",
    "TooManyTagsException",
    "ValidationException",
    "InvalidOperationException",
    "AccessDeniedException",
    "OperationAbortedException",
]


def no_group() -> ServiceError:
    return ResourceNotFoundException("The specified log group does not exist.")


def no_stream() -> ServiceError:
    return ResourceNotFoundException("The specified log stream does not exist.")


def group_exists() -> ServiceError:
    return ResourceAlreadyExistsException("The specified log group already exists")


def stream_exists() -> ServiceError:
    return ResourceAlreadyExistsException("The specified log stream already exists")
