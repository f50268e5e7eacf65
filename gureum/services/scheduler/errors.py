"""EventBridge Scheduler error codes (API reference "Errors") and the messages sent with them."""

from __future__ import annotations

from ...aws.errors import ServiceError, error_class

ValidationException = error_class("ValidationException")
ResourceNotFoundException = error_class("ResourceNotFoundException", 404)
ConflictException = error_class("ConflictException", 409)
ServiceQuotaExceededException = error_class("ServiceQuotaExceededException", 402)

__all__ = [
    "ServiceError",
    "ValidationException",
    "ResourceNotFoundException",
    "ConflictException",
    "ServiceQuotaExceededException",
]


def no_schedule(name: str) -> ServiceError:
    return ResourceNotFoundException(f"Schedule {name} does not exist.")


def no_group(name: str) -> ServiceError:
    return ResourceNotFoundException(f"Schedule group {name} does not exist.")
