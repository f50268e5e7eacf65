"""Parameter Store's error codes (the ssm model's) and the messages AWS sends with them."""

from __future__ import annotations

from ...aws.errors import ServiceError, error_class

ValidationException = error_class("ValidationException")
ParameterNotFound = error_class("ParameterNotFound")
ParameterVersionNotFound = error_class("ParameterVersionNotFound")
ParameterAlreadyExists = error_class("ParameterAlreadyExists")
ParameterLimitExceeded = error_class("ParameterLimitExceeded")
ParameterMaxVersionLimitExceeded = error_class("ParameterMaxVersionLimitExceeded")
ParameterPatternMismatchException = error_class("ParameterPatternMismatchException")
ParameterVersionLabelLimitExceeded = error_class("ParameterVersionLabelLimitExceeded")
HierarchyLevelLimitExceededException = error_class("HierarchyLevelLimitExceededException")
InvalidAllowedPatternException = error_class("InvalidAllowedPatternException")
InvalidPolicyTypeException = error_class("InvalidPolicyTypeException")
InvalidPolicyAttributeException = error_class("InvalidPolicyAttributeException")
IncompatiblePolicyException = error_class("IncompatiblePolicyException")
PoliciesLimitExceededException = error_class("PoliciesLimitExceededException")
InvalidFilterKey = error_class("InvalidFilterKey")
InvalidFilterOption = error_class("InvalidFilterOption")
InvalidFilterValue = error_class("InvalidFilterValue")
InvalidNextToken = error_class("InvalidNextToken")
InvalidResourceType = error_class("InvalidResourceType")
InvalidResourceId = error_class("InvalidResourceId")
TooManyTagsError = error_class("TooManyTagsError")
UnsupportedParameterType = error_class("UnsupportedParameterType")

__all__ = ["ServiceError"]


def not_found() -> ServiceError:
    """AWS answers a missing parameter with the code alone (no message)."""
    return ParameterNotFound("")
