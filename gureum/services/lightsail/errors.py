"""Lightsail's error codes (NotFoundException, InvalidInputException, OperationFailureException, …) and the
messages AWS words them with."""

from __future__ import annotations

from ...aws.errors import ServiceError, error_class

NotFoundException = error_class("NotFoundException")
InvalidInputException = error_class("InvalidInputException")
OperationFailureException = error_class("OperationFailureException")
AccessDeniedException = error_class("AccessDeniedException")
ServiceException = error_class("ServiceException", 500, sender_fault=False)

__all__ = [
    "ServiceError",
    "NotFoundException",
    "InvalidInputException",
    "OperationFailureException",
    "AccessDeniedException",
    "ServiceException",
    "not_found",
    "in_use",
]


def not_found(kind: str, name: str) -> ServiceError:
    """AWS: "The Instance does not exist: name" (kind as Lightsail's resource type)."""
    return NotFoundException(f"The {kind} does not exist: {name}")


def in_use(names: list[str]) -> ServiceError:
    return InvalidInputException(f"Some names are already in use: {', '.join(names)}")
