"""CloudWatch Logs limits and allowed values, as the API reference and "CloudWatch Logs quotas" give them."""

from __future__ import annotations

import re

GROUP_NAME = re.compile(r"[\.\-_/#A-Za-z0-9]+")
STREAM_NAME = re.compile(r"[^:*]*")
NAME_MAX = 512

# PutRetentionPolicy's allowed retentionInDays
RETENTION_DAYS = frozenset(
    {1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653}
)

# PutLogEvents
EVENT_OVERHEAD = 26  # bytes counted per event on top of its UTF-8 message
MAX_BATCH_BYTES = 1_048_576
MAX_BATCH_EVENTS = 10_000
MAX_EVENT_BYTES = MAX_BATCH_BYTES - EVENT_OVERHEAD  # "Each log event can be no larger than 1 MB" (with its overhead)
MAX_BATCH_SPAN_MS = 24 * 3600 * 1000
MAX_AGE_MS = 14 * 86_400_000
MAX_FUTURE_MS = 2 * 3600 * 1000

# reads
DESCRIBE_LIMIT = 50  # DescribeLogGroups / DescribeLogStreams / DescribeMetricFilters default and maximum
EVENTS_LIMIT = 10_000  # GetLogEvents / FilterLogEvents default and maximum
RESPONSE_BYTES = 1_048_576  # a page of events holds at most 1 MB
FILTER_SCAN_ROWS = 200_000  # FilterLogEvents examines at most this many events per call, then returns a nextToken

MAX_TAGS = 50
METRIC_FILTERS_PER_GROUP = 100
REGEX_FILTERS_PER_GROUP = 5  # filter patterns holding a %regex% ("five regular expression patterns per log group")

# subscriptions ("CloudWatch Logs quotas"; PutSubscriptionFilter, PutAccountPolicy)
SUBSCRIPTION_FILTERS_PER_GROUP = 2
SUBSCRIPTION_POLICY = "SUBSCRIPTION_FILTER_POLICY"
SUBSCRIPTION_POLICIES_PER_ACCOUNT = 1  # one account-level subscription filter policy per account and region
SELECTION_CRITERIA_BYTES = 25 * 1024
# one payload (gzip JSON) per record of the target: a Kinesis record's 1 MiB, a Firehose record's 1,000 KiB, a Lambda
# asynchronous invocation's 256 KB event (the payload base64-encoded in it); larger batches are split
SUBSCRIPTION_PAYLOAD_BYTES = {"kinesis": 1_048_576, "firehose": 1_024_000, "lambda": 262_144}
