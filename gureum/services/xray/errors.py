"""X-Ray's error codes (its model's: InvalidRequestException, ThrottledException)."""

from __future__ import annotations

from ...aws.errors import ServiceError, error_class

InvalidRequestException = error_class("InvalidRequestException")

__all__ = ["ServiceError", "InvalidRequestException"]
