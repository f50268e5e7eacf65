"""SQS error codes (the codes clients see; the JSON shape name where the model has one)."""

from __future__ import annotations

from ...aws.errors import ServiceError, error_class

QueueDoesNotExist = error_class("AWS.SimpleQueueService.NonExistentQueue", type_name="QueueDoesNotExist")
QueueNameExists = error_class("QueueAlreadyExists", type_name="QueueNameExists")
QueueDeletedRecently = error_class("AWS.SimpleQueueService.QueueDeletedRecently", type_name="QueueDeletedRecently")
InvalidAttributeName = error_class("InvalidAttributeName")
InvalidAttributeValue = error_class("InvalidAttributeValue")
# the JSON protocol's __type for these two is an -Exception name the model does not list (seen on AWS)
InvalidParameterValue = error_class("InvalidParameterValue", type_name="InvalidParameterValueException")
MissingParameter = error_class("MissingParameter", type_name="MissingRequiredParameterException")
InvalidMessageContents = error_class("InvalidMessageContents")
ReceiptHandleIsInvalid = error_class("ReceiptHandleIsInvalid", 404)  # the Smithy model's awsQueryError status
MessageNotInflight = error_class("AWS.SimpleQueueService.MessageNotInflight", type_name="MessageNotInflight")
EmptyBatchRequest = error_class("AWS.SimpleQueueService.EmptyBatchRequest", type_name="EmptyBatchRequest")
TooManyEntriesInBatchRequest = error_class(
    "AWS.SimpleQueueService.TooManyEntriesInBatchRequest", type_name="TooManyEntriesInBatchRequest"
)
BatchEntryIdsNotDistinct = error_class(
    "AWS.SimpleQueueService.BatchEntryIdsNotDistinct", type_name="BatchEntryIdsNotDistinct"
)
InvalidBatchEntryId = error_class("AWS.SimpleQueueService.InvalidBatchEntryId", type_name="InvalidBatchEntryId")
BatchRequestTooLong = error_class("AWS.SimpleQueueService.BatchRequestTooLong", type_name="BatchRequestTooLong")
PurgeQueueInProgress = error_class("AWS.SimpleQueueService.PurgeQueueInProgress", 403, type_name="PurgeQueueInProgress")
OverLimit = error_class("OverLimit", 403)
UnsupportedOperation = error_class("AWS.SimpleQueueService.UnsupportedOperation", type_name="UnsupportedOperation")
ResourceNotFound = error_class("ResourceNotFoundException", 404, type_name="ResourceNotFoundException")
AccessDenied = error_class("AccessDenied", 403, type_name="AccessDeniedException")

__all__ = [
    "ServiceError",
    "QueueDoesNotExist",
    "QueueNameExists",
    "QueueDeletedRecently",
    "InvalidAttributeName",
    "InvalidAttributeValue",
    "InvalidParameterValue",
    "MissingParameter",
    "InvalidMessageContents",
    "ReceiptHandleIsInvalid",
    "MessageNotInflight",
    "EmptyBatchRequest",
    "TooManyEntriesInBatchRequest",
    "BatchEntryIdsNotDistinct",
    "InvalidBatchEntryId",
    "BatchRequestTooLong",
    "PurgeQueueInProgress",
    "OverLimit",
    "UnsupportedOperation",
    "ResourceNotFound",
    "AccessDenied",
    "access_denied",
    "invalid_value",
    "no_such_queue",
]


def invalid_value(name: str, value: object, reason: str) -> ServiceError:
    return InvalidParameterValue(f"Value {value} for parameter {name} is invalid. Reason: {reason}")


_NO_SUCH_QUEUE = "The specified queue does not exist."


def no_such_queue() -> ServiceError:
    return QueueDoesNotExist(_NO_SUCH_QUEUE)


# AWS's authorization layer, not SQS's model, answers a refusal: over JSON its __type names that layer's shape
# (x-amzn-query-error still says AccessDenied;Sender, which is the code SDKs report)
_ACCESS_DENIED_TYPE = "com.amazon.coral.service#AccessDeniedException"


def access_denied(message: str) -> ServiceError:
    return AccessDenied(message, fields={"__type": _ACCESS_DENIED_TYPE})
