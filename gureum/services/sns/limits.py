"""SNS limits, attribute names and defaults as data (Amazon SNS Developer Guide, "Amazon SNS quotas", and the
API reference for each operation).  No HTTP, no SQL."""

from __future__ import annotations

import re

MAX_MESSAGE_BYTES = 262_144  # message plus attributes (names, types, values), as AWS counts them
MAX_BATCH_ENTRIES = 10
MAX_SUBJECT_CHARS = 100
MAX_TAGS = 50
MAX_ATTRIBUTE_NAME_BYTES = 256
PAGE_SIZE = 100  # ListTopics, ListSubscriptions(ByTopic), ListPlatformApplications, ... answer 100 per page
DEDUP_WINDOW_SECONDS = 300
TOKEN_VALID_SECONDS = 3 * 86_400  # a SubscribeURL (and an unsubscribed endpoint's resubscribe link) lasts 3 days
OPT_IN_INTERVAL_SECONDS = 30 * 86_400  # "You can opt in a phone number only once every 30 days."
SANDBOX_MAX_NUMBERS = 10
HTTP_MAX_RETRY_SECONDS = (
    3_600  # "The total policy retry time for an HTTP/S endpoint cannot be greater than 3,600 seconds."
)
CUSTOM_USER_DATA_BYTES = 2_048

TOPIC_NAME = re.compile(r"^[A-Za-z0-9_-]{1,256}$")
FIFO_TOPIC_NAME = re.compile(r"^[A-Za-z0-9_-]{1,251}\.fifo$")
ATTRIBUTE_NAME = re.compile(r"^(?!\.)(?!.*\.$)(?!.*\.\.)[A-Za-z0-9_.-]+$")
ATTRIBUTE_NAME_CHARS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-")
ATTRIBUTE_TYPE = re.compile(r"^(String|Number|Binary)(\..+)?$")
BATCH_ENTRY_ID = re.compile(r"^[A-Za-z0-9_-]+$")
E164 = re.compile(r"^\+?[1-9]\d{1,14}$")
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
HEX_TOKEN = re.compile(r"^[0-9a-f]+$")
UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
PLATFORM_APP_NAME = re.compile(r"^[A-Za-z0-9._-]+$")
SENDER_ID = re.compile(r"^(?=[A-Za-z0-9]{1,11}$)(?=.*[A-Za-z])[A-Za-z0-9]+$")
# deduplication and group ids: 1-128 alphanumeric or punctuation characters (as SQS)
FIFO_TOKEN = re.compile(r"^[!-~]{1,128}$")

PROTOCOLS = ("http", "https", "email", "email-json", "sms", "sqs", "application", "lambda", "firehose")
CONFIRMED_BY_ENDPOINT = ("http", "https", "email", "email-json")  # the others are confirmed when created
RAW_PROTOCOLS = ("sqs", "http", "https", "firehose")

# SetTopicAttributes / CreateTopic Attributes (FifoTopic only at creation)
FEEDBACK_ATTRIBUTES = frozenset(
    f"{proto}{kind}"
    for proto in ("Application", "HTTP", "Lambda", "SQS", "Firehose")
    for kind in ("SuccessFeedbackRoleArn", "SuccessFeedbackSampleRate", "FailureFeedbackRoleArn")
)
TOPIC_ATTRIBUTES = frozenset(
    {
        "DeliveryPolicy", "DisplayName", "Policy", "TracingConfig", "KmsMasterKeyId", "SignatureVersion",
        "ContentBasedDeduplication", "ArchivePolicy", "FifoThroughputScope", "FifoTopic",
    }
) | FEEDBACK_ATTRIBUTES  # fmt: skip
FIFO_ONLY_TOPIC_ATTRIBUTES = frozenset({"ContentBasedDeduplication", "ArchivePolicy", "FifoThroughputScope"})
SUBSCRIPTION_ATTRIBUTES = frozenset(
    {
        "DeliveryPolicy",
        "FilterPolicy",
        "FilterPolicyScope",
        "RawMessageDelivery",
        "RedrivePolicy",
        "SubscriptionRoleArn",
        "ReplayPolicy",
    }
)

POLICY_ACTIONS = (
    "GetTopicAttributes", "SetTopicAttributes", "AddPermission", "RemovePermission", "DeleteTopic", "Subscribe",
    "ListSubscriptionsByTopic", "Publish",
)  # fmt: skip
PERMISSION_ACTIONS = frozenset(POLICY_ACTIONS) | {"Receive"}

PLATFORMS = (
    "ADM",
    "APNS",
    "APNS_SANDBOX",
    "APNS_VOIP",
    "APNS_VOIP_SANDBOX",
    "BAIDU",
    "GCM",
    "MACOS",
    "MACOS_SANDBOX",
    "MPNS",
    "WNS",
)
ENDPOINT_ATTRIBUTES = ("CustomUserData", "Enabled", "Token")

SMS_ATTRIBUTES = (
    "MonthlySpendLimit", "DeliveryStatusIAMRole", "DeliveryStatusSuccessSamplingRate", "DefaultSenderID",
    "DefaultSMSType", "UsageReportS3Bucket",
)  # fmt: skip
SMS_TYPES = ("Promotional", "Transactional")
DEFAULT_MONTHLY_SPEND_LIMIT = "1"  # US dollars, the default quota of a new account

HTTP_USER_AGENT = "Amazon Simple Notification Service Agent"
DEFAULT_CONTENT_TYPE = "text/plain; charset=UTF-8"
DEFAULT_EMAIL_SUBJECT = "AWS Notification Message"
