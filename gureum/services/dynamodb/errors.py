"""DynamoDB error codes and the messages AWS words them with (as recorded by dynalite and moto against AWS)."""

from __future__ import annotations

from ...aws.errors import ServiceError, error_class

ValidationException = error_class("ValidationException")
ResourceNotFoundException = error_class("ResourceNotFoundException")
ResourceInUseException = error_class("ResourceInUseException")
ConditionalCheckFailedException = error_class("ConditionalCheckFailedException")
TransactionCanceledException = error_class("TransactionCanceledException")
IdempotentParameterMismatchException = error_class("IdempotentParameterMismatchException")
LimitExceededException = error_class("LimitExceededException")
ExpiredIteratorException = error_class("ExpiredIteratorException")
TrimmedDataAccessException = error_class("TrimmedDataAccessException")
DuplicateItemException = error_class("DuplicateItemException")
TableNotFoundException = error_class("TableNotFoundException")
TableAlreadyExistsException = error_class("TableAlreadyExistsException")
TableInUseException = error_class("TableInUseException")
BackupNotFoundException = error_class("BackupNotFoundException")
BackupInUseException = error_class("BackupInUseException")
PointInTimeRecoveryUnavailableException = error_class("PointInTimeRecoveryUnavailableException")
InvalidRestoreTimeException = error_class("InvalidRestoreTimeException")
GlobalTableNotFoundException = error_class("GlobalTableNotFoundException")
InvalidExportTimeException = error_class("InvalidExportTimeException")
ExportNotFoundException = error_class("ExportNotFoundException")
ExportConflictException = error_class("ExportConflictException")
ImportNotFoundException = error_class("ImportNotFoundException")
ImportConflictException = error_class("ImportConflictException")
PolicyNotFoundException = error_class("PolicyNotFoundException")
AccessDeniedException = error_class("AccessDeniedException")
ProvisionedThroughputExceededException = error_class("ProvisionedThroughputExceededException")

__all__ = [
    "ServiceError",
    "ValidationException",
    "ResourceNotFoundException",
    "ResourceInUseException",
    "ConditionalCheckFailedException",
    "TransactionCanceledException",
    "IdempotentParameterMismatchException",
    "LimitExceededException",
    "ExpiredIteratorException",
    "TrimmedDataAccessException",
    "DuplicateItemException",
    "TableNotFoundException",
    "TableAlreadyExistsException",
    "TableInUseException",
    "BackupNotFoundException",
    "BackupInUseException",
    "PointInTimeRecoveryUnavailableException",
    "InvalidRestoreTimeException",
    "GlobalTableNotFoundException",
    "InvalidExportTimeException",
    "ExportNotFoundException",
    "ExportConflictException",
    "ImportNotFoundException",
    "ImportConflictException",
    "PolicyNotFoundException",
    "AccessDeniedException",
    "ProvisionedThroughputExceededException",
    "invalid",
    "table_not_found",
    "no_such_resource",
    "key_mismatch",
    "condition_failed",
    "expression_error",
    "no_replicas",
]

CONDITION_FAILED = "The conditional request failed"


def invalid(detail: str) -> ServiceError:
    """AWS's wording for a bad parameter value."""
    return ValidationException(f"One or more parameter values were invalid: {detail}")


def table_not_found(name: str) -> ServiceError:
    """DescribeTable, UpdateTable, DeleteTable of a table that does not exist."""
    return ResourceNotFoundException(f"Requested resource not found: Table: {name} not found")


def no_such_resource() -> ServiceError:
    """An item operation on a table (or index) that does not exist."""
    return ResourceNotFoundException("Requested resource not found")


def key_mismatch() -> ServiceError:
    return ValidationException("The provided key element does not match the schema")


def condition_failed(item: dict[str, object] | None = None) -> ServiceError:
    """ConditionalCheckFailedException; ``item`` in its wire form (ReturnValuesOnConditionCheckFailure ALL_OLD)."""
    return ConditionalCheckFailedException(CONDITION_FAILED, fields={"Item": item} if item else None)


def expression_error(kind: str, detail: str) -> ServiceError:
    """A problem with one expression: "Invalid UpdateExpression: Syntax error; token: …"."""
    return ValidationException(f"Invalid {kind}: {detail}")


def no_replicas(region: str) -> ServiceError:
    """Global tables' replicas: refused (one process is one Region)."""
    return ValidationException(
        f"Global tables are not supported here: this server is one Region ({region}), so a replica in another "
        "Region cannot exist. Supported: single-Region tables with streams, Kinesis streaming destinations, "
        "on-demand backups and point-in-time recovery."
    )
