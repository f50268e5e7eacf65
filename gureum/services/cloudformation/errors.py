"""CloudFormation's error codes (the query protocol's Sender errors) and the messages AWS words them with."""

from __future__ import annotations

from ...aws.errors import ServiceError, error_class

ValidationError = error_class("ValidationError")
AlreadyExistsException = error_class("AlreadyExistsException")
InsufficientCapabilitiesException = error_class("InsufficientCapabilitiesException")
ChangeSetNotFoundException = error_class("ChangeSetNotFound", 404)
InvalidChangeSetStatusException = error_class("InvalidChangeSetStatus")
LimitExceededException = error_class("LimitExceededException")
TokenAlreadyExistsException = error_class("TokenAlreadyExistsException")

__all__ = [
    "ServiceError",
    "ValidationError",
    "AlreadyExistsException",
    "InsufficientCapabilitiesException",
    "ChangeSetNotFoundException",
    "InvalidChangeSetStatusException",
    "LimitExceededException",
    "TokenAlreadyExistsException",
    "TemplateError",
    "ResourceFailure",
    "format_error",
    "stack_not_found",
]


class TemplateError(Exception):
    """A template problem found while evaluating it (raised by pure modules; the backend turns it into
    ValidationError, the engine into a resource or stack failure)."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class ResourceFailure(Exception):
    """A resource operation failed: ``message`` is what the stack event shows (the service's error)."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def format_error(message: str) -> ServiceError:
    return ValidationError(f"Template format error: {message}")


def stack_not_found(name: str) -> ServiceError:
    return ValidationError(f"Stack with id {name} does not exist")
