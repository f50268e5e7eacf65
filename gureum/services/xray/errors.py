"""X-Ray's error codes (its model's)."""

from __future__ import annotations

from ...aws.errors import ServiceError, error_class

InvalidRequestException = error_class("InvalidRequestException")
RuleLimitExceededException = error_class("RuleLimitExceededException")
ResourceNotFoundException = error_class("ResourceNotFoundException", 404)
TooManyTagsException = error_class("TooManyTagsException")
MalformedPolicyDocumentException = error_class("MalformedPolicyDocumentException")
InvalidPolicyRevisionIdException = error_class("InvalidPolicyRevisionIdException")
PolicySizeLimitExceededException = error_class("PolicySizeLimitExceededException")
PolicyCountLimitExceededException = error_class("PolicyCountLimitExceededException")

__all__ = [
    "ServiceError",
    "InvalidRequestException",
    "RuleLimitExceededException",
    "ResourceNotFoundException",
    "TooManyTagsException",
    "MalformedPolicyDocumentException",
    "InvalidPolicyRevisionIdException",
    "PolicySizeLimitExceededException",
    "PolicyCountLimitExceededException",
]
