"""API Gateway v2's error codes (the API reference's Errors section), one class each."""

from __future__ import annotations

from ...aws.errors import ServiceError, error_class

BadRequestException = error_class("BadRequestException", 400)
NotFoundException = error_class("NotFoundException", 404)
ConflictException = error_class("ConflictException", 409)
TooManyRequestsException = error_class("TooManyRequestsException", 429)


def not_found(kind: str, identifier: str) -> ServiceError:
    """AWS's words: 'Invalid API identifier specified 123456789012:abc1234567' (ResourceType names the kind)."""
    return NotFoundException(f"Invalid {kind} identifier specified {identifier}", fields={"ResourceType": kind})


def bad_request(message: str) -> ServiceError:
    return BadRequestException(message)
