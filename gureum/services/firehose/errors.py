"""Firehose's error codes (the model's), with the messages AWS words them with."""

from __future__ import annotations

from ...aws.errors import ServiceError, error_class

ResourceNotFoundException = error_class("ResourceNotFoundException")
ResourceInUseException = error_class("ResourceInUseException")
InvalidArgumentException = error_class("InvalidArgumentException")
LimitExceededException = error_class("LimitExceededException")
ConcurrentModificationException = error_class("ConcurrentModificationException")
InvalidSourceException = error_class("InvalidSourceException")
ServiceUnavailableException = error_class("ServiceUnavailableException", status=503, sender_fault=False)

__all__ = [
    "ServiceError",
    "ResourceNotFoundException",
    "ResourceInUseException",
    "InvalidArgumentException",
    "LimitExceededException",
    "ConcurrentModificationException",
    "InvalidSourceException",
    "ServiceUnavailableException",
    "not_found",
    "in_use",
]


def not_found(name: str, account: str) -> ServiceError:
    return ResourceNotFoundException(f"Firehose {name} under account {account} not found.")


def in_use(name: str, account: str, status: str) -> ServiceError:
    return ResourceInUseException(f"Firehose {name} under account {account} is in {status} state.")
