"""AWS Batch's error codes: ClientException for every invalid request, ServerException only for gureum's own
faults (never caused by input)."""

from __future__ import annotations

from ...aws.errors import ServiceError, error_class

ClientException = error_class("ClientException")
ServerException = error_class("ServerException", 500, sender_fault=False)

__all__ = ["ServiceError", "ClientException", "ServerException"]
