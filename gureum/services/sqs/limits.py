"""SQS limits and attribute defaults as data (Amazon SQS Developer Guide, "Amazon SQS quotas")."""

from __future__ import annotations

import re

MAX_MESSAGE_SIZE = 1_048_576  # bytes: default and maximum since 2025
MIN_MESSAGE_SIZE_SETTING = 1_024
MAX_BATCH_ENTRIES = 10
MAX_MESSAGE_ATTRIBUTES = 10
MAX_RECEIVE = 10
MAX_WAIT_SECONDS = 20
MAX_DELAY_SECONDS = 900
MAX_VISIBILITY_TIMEOUT = 43_200
DEDUP_WINDOW_SECONDS = 300
RECEIVE_ATTEMPT_SECONDS = 300
QUEUE_DELETE_GRACE_SECONDS = 60
PURGE_INTERVAL_SECONDS = 60
MAX_TAGS = 50
MAX_LIST_QUEUES = 1000
MAX_REDRIVE_SOURCE_ARNS = 10
MAX_MOVE_RATE = 500  # MaxNumberOfMessagesPerSecond of a message move task
MAX_LIST_MOVE_TASKS = 10
MOVE_BATCH = 100  # messages a move task moves per transaction, at most

# settable attribute → (default, minimum, maximum) for the integer ones
INTEGER_ATTRIBUTES: dict[str, tuple[int, int, int]] = {
    "DelaySeconds": (0, 0, MAX_DELAY_SECONDS),
    "MaximumMessageSize": (MAX_MESSAGE_SIZE, MIN_MESSAGE_SIZE_SETTING, MAX_MESSAGE_SIZE),
    "MessageRetentionPeriod": (345_600, 60, 1_209_600),
    "ReceiveMessageWaitTimeSeconds": (0, 0, MAX_WAIT_SECONDS),
    "VisibilityTimeout": (30, 0, MAX_VISIBILITY_TIMEOUT),
    "KmsDataKeyReusePeriodSeconds": (300, 60, 86_400),
}
STRING_ATTRIBUTES = {"Policy", "RedrivePolicy", "RedriveAllowPolicy", "KmsMasterKeyId", "SqsManagedSseEnabled"}
FIFO_ONLY_ATTRIBUTES = {"ContentBasedDeduplication", "DeduplicationScope", "FifoThroughputLimit"}
ENUM_ATTRIBUTES = {
    "DeduplicationScope": ("messageGroup", "queue"),
    "FifoThroughputLimit": ("perQueue", "perMessageGroupId"),
}
BOOLEAN_ATTRIBUTES = {"FifoQueue", "ContentBasedDeduplication", "SqsManagedSseEnabled"}
# GetQueueAttributes' AttributeNames: the model's QueueAttributeName enum
QUEUE_ATTRIBUTE_NAMES = frozenset(
    {
        "All", "Policy", "VisibilityTimeout", "MaximumMessageSize", "MessageRetentionPeriod",
        "ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible", "CreatedTimestamp",
        "LastModifiedTimestamp", "QueueArn", "ApproximateNumberOfMessagesDelayed", "DelaySeconds",
        "ReceiveMessageWaitTimeSeconds", "RedrivePolicy", "FifoQueue", "ContentBasedDeduplication", "KmsMasterKeyId",
        "KmsDataKeyReusePeriodSeconds", "DeduplicationScope", "FifoThroughputLimit", "RedriveAllowPolicy",
        "SqsManagedSseEnabled",
    }
)  # fmt: skip
COUNT_ATTRIBUTES = frozenset(
    {"ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible", "ApproximateNumberOfMessagesDelayed"}
)
# AddPermission: the actions a queue policy statement may grant another account, the actions only the queue's owner
# may call (named in their own error), and how many actions one statement takes
PERMISSION_ACTIONS = frozenset(
    {
        "*", "SendMessage", "ReceiveMessage", "DeleteMessage", "ChangeMessageVisibility", "GetQueueAttributes",
        "GetQueueUrl", "ListDeadLetterSourceQueues", "PurgeQueue", "ListQueueTags",
    }
)  # fmt: skip
OWNER_ONLY_ACTIONS = frozenset(
    {
        "AddPermission", "RemovePermission", "CreateQueue", "DeleteQueue", "ListQueues", "SetQueueAttributes",
        "TagQueue", "UntagQueue",
    }
)  # fmt: skip
MAX_PERMISSION_ACTIONS = 7
# the actions a queue policy can grant another account; every other action on another account's queue is refused
# ("Limitations of Amazon SQS custom policies": not AddPermission, Create/DeleteQueue, ListQueues, ListQueueTags,
# RemovePermission, SetQueueAttributes, Tag/UntagQueue nor the message move tasks)
CROSS_ACCOUNT_ACTIONS = frozenset(
    {
        "SendMessage", "ReceiveMessage", "DeleteMessage", "ChangeMessageVisibility", "GetQueueAttributes",
        "GetQueueUrl", "ListDeadLetterSourceQueues", "PurgeQueue",
    }
)  # fmt: skip

QUEUE_NAME = re.compile(r"^[A-Za-z0-9_-]{1,80}$")
FIFO_QUEUE_NAME = re.compile(r"^[A-Za-z0-9_-]{1,75}\.fifo$")
BATCH_ENTRY_ID = re.compile(r"^[A-Za-z0-9_-]{1,80}$")
PERMISSION_LABEL = re.compile(r"^[A-Za-z0-9_-]{1,80}$")
# attribute names: letters and digits (any script, 'attr.1øßä' is valid on AWS), '-', '_' and single inner dots
ATTRIBUTE_NAME = re.compile(r"^(?!\.)(?!.*\.\.)(?!.*\.$)[\w.-]{1,256}$")
RESERVED_ATTRIBUTE_PREFIXES = ("aws.", "amazon.")
# MessageDeduplicationId / MessageGroupId: 1-128 alphanumeric or punctuation characters
TOKEN = re.compile(r"^[!-~]{1,128}$")
# Valid message characters: #x9 | #xA | #xD | #x20-#xD7FF | #xE000-#xFFFD | #x10000-#x10FFFF
INVALID_BODY_CHAR = re.compile("[^\x09\x0a\x0d\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
VALID_CHARS_TEXT = "#x9 | #xA | #xD | [#x20-#xD7FF] | [#xE000-#xFFFD] | [#x10000-#x10FFFF]"
