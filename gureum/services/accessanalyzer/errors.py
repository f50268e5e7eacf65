"""Access Analyzer's error codes (its model's ValidationException: message, reason, fieldList)."""

from __future__ import annotations

from ...aws.errors import ServiceError, error_class

ValidationException = error_class("ValidationException")


def invalid(message: str, reason: str = "other", field: str | None = None) -> ServiceError:
    fields: dict[str, object] = {"reason": reason}
    if field is not None:
        fields["fieldList"] = [{"name": field, "message": message}]
    return ValidationException(message, fields=fields)
