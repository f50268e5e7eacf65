"""Kinesis Data Analytics error codes (both API versions answer with the same codes) and AWS's wording."""

from __future__ import annotations

from ...aws.errors import ServiceError, error_class

ResourceNotFoundException = error_class("ResourceNotFoundException")
ResourceInUseException = error_class("ResourceInUseException")
InvalidArgumentException = error_class("InvalidArgumentException")
CodeValidationException = error_class("CodeValidationException")
ConcurrentModificationException = error_class("ConcurrentModificationException")
UnableToDetectSchemaException = error_class("UnableToDetectSchemaException")
InvalidApplicationConfigurationException = error_class("InvalidApplicationConfigurationException")
UnsupportedOperationException = error_class("UnsupportedOperationException")
TooManyTagsException = error_class("TooManyTagsException")
LimitExceededException = error_class("LimitExceededException")

__all__ = [
    "ServiceError",
    "ResourceNotFoundException",
    "ResourceInUseException",
    "InvalidArgumentException",
    "CodeValidationException",
    "ConcurrentModificationException",
    "UnableToDetectSchemaException",
    "InvalidApplicationConfigurationException",
    "UnsupportedOperationException",
    "TooManyTagsException",
    "LimitExceededException",
    "not_found",
    "in_use",
    "stale_version",
]


def not_found(name: str, account: str) -> ServiceError:
    return ResourceNotFoundException(f"Application {name} is not found under account {account}")


def in_use(name: str, status: str) -> ServiceError:
    return ResourceInUseException(f"Application {name} is in {status} state. Operation can not be performed.")


def stale_version(name: str, given: int, current: int) -> ServiceError:
    return ConcurrentModificationException(
        f"Current version id {given} of application {name} does not match the current version {current}. "
        "Please provide the latest application version id."
    )
