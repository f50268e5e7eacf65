"""AWS Glue error codes (the Data Catalog operations' "Errors") and the messages gureum gives them."""

from __future__ import annotations

from ...aws.errors import ServiceError, error_class

InvalidInputException = error_class("InvalidInputException")
EntityNotFoundException = error_class("EntityNotFoundException")
AlreadyExistsException = error_class("AlreadyExistsException")
ConcurrentModificationException = error_class("ConcurrentModificationException")
ResourceNumberLimitExceededException = error_class("ResourceNumberLimitExceededException")

__all__ = [
    "ServiceError",
    "InvalidInputException",
    "EntityNotFoundException",
    "AlreadyExistsException",
    "ConcurrentModificationException",
    "ResourceNumberLimitExceededException",
]


def no_database(name: str) -> ServiceError:
    return EntityNotFoundException(f"Database {name} not found.")


def no_table(name: str) -> ServiceError:
    return EntityNotFoundException(f"Table {name} not found.")
