"""SNS error codes as the model declares them (code, HTTP status), and AWS's recurring messages."""

from __future__ import annotations

from ...aws.errors import ServiceError, error_class

InvalidParameter = error_class("InvalidParameter", type_name="InvalidParameterException")
# the model's InvalidParameterValueException answers with the code ParameterValueInvalid (message attributes)
ParameterValueInvalid = error_class("ParameterValueInvalid", type_name="InvalidParameterValueException")
NotFound = error_class("NotFound", 404, type_name="NotFoundException")
ResourceNotFound = error_class("ResourceNotFound", 404, type_name="ResourceNotFoundException")
AuthorizationError = error_class("AuthorizationError", 403, type_name="AuthorizationErrorException")
Throttled = error_class("Throttled", 429, type_name="ThrottledException")
TagLimitExceeded = error_class("TagLimitExceeded", type_name="TagLimitExceededException")
TopicLimitExceeded = error_class("TopicLimitExceeded", 403, type_name="TopicLimitExceededException")
SubscriptionLimitExceeded = error_class(
    "SubscriptionLimitExceeded", 403, type_name="SubscriptionLimitExceededException"
)
EndpointDisabled = error_class("EndpointDisabled", type_name="EndpointDisabledException")
PlatformApplicationDisabled = error_class(
    "PlatformApplicationDisabled", type_name="PlatformApplicationDisabledException"
)
OptedOut = error_class("OptedOut", type_name="OptedOutException")
UserError = error_class("UserError", type_name="UserErrorException")
VerificationException = error_class("VerificationException")
ValidationError = error_class("ValidationError", type_name="ValidationException")
EmptyBatchRequest = error_class("EmptyBatchRequest", type_name="EmptyBatchRequestException")
TooManyEntriesInBatchRequest = error_class(
    "TooManyEntriesInBatchRequest", type_name="TooManyEntriesInBatchRequestException"
)
BatchEntryIdsNotDistinct = error_class("BatchEntryIdsNotDistinct", type_name="BatchEntryIdsNotDistinctException")
InvalidBatchEntryId = error_class("InvalidBatchEntryId", type_name="InvalidBatchEntryIdException")
BatchRequestTooLong = error_class("BatchRequestTooLong", type_name="BatchRequestTooLongException")

__all__ = ["ServiceError"] + [name for name in dir() if name[0].isupper() and name != "ServiceError"]


def invalid(what: str, reason: str | None = None) -> ServiceError:
    """AWS's usual shape: "Invalid parameter: <what>" or "Invalid parameter: <what> Reason: <reason>"."""
    return InvalidParameter(f"Invalid parameter: {what}" + (f" Reason: {reason}" if reason else ""))


def no_topic() -> ServiceError:
    return NotFound("Topic does not exist")


def no_subscription() -> ServiceError:
    return NotFound("Subscription does not exist")
