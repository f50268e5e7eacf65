"""Firehose's limits and defaults as data (API reference, "Quota" and "Configure buffering hints" in the developer
guide), and the service's run-time settings read once at start from GUREUM_FIREHOSE_* variables."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

MIB = 1024 * 1024

MAX_BATCH_RECORDS = 500  # PutRecordBatch
MAX_BATCH_BYTES = 4 * MIB  # PutRecordBatch's records together
MAX_RECORD_BYTES = 1_000 * 1024  # one record's data before base64 (the model's 1,024,000)
MAX_STREAMS = 5_000  # delivery streams per account and region
MAX_TAGS = 50
LIST_STREAMS_DEFAULT = 10  # ListDeliveryStreams' Limit when none is given (1-10,000)
LIST_TAGS_DEFAULT = 50
# accepted records a stream may hold undelivered before PutRecord(Batch) answers ServiceUnavailableException
# ("Slow down.") per record, as AWS throttles a stream past its throughput quota
MAX_BACKLOG_BYTES = 512 * MIB

# BufferingHints: S3 and ExtendedS3 1-128 MiB (default 5) and 0-900 s (default 300); HTTP endpoints 1-64 MiB
# (default 5) and 0-900 s (default 300); with dynamic partitioning or data format conversion at least 64 MiB
# (default 128)
S3_SIZE_DEFAULT, S3_INTERVAL_DEFAULT = 5, 300
HTTP_SIZE_DEFAULT, HTTP_INTERVAL_DEFAULT = 5, 300
PARTITIONED_SIZE_MIN, PARTITIONED_SIZE_DEFAULT = 64, 128
CONVERSION_SIZE_MIN, CONVERSION_SIZE_DEFAULT = 64, 128  # with data format conversion (Parquet / ORC)
HTTP_RETRY_DEFAULT = 300  # HttpEndpointRetryOptions.DurationInSeconds (0-7,200)
PARTITIONING_RETRY_DEFAULT = 300  # DynamicPartitioningConfiguration.RetryOptions.DurationInSeconds
S3_RETRY_SECONDS = 86_400  # S3 deliveries are retried for a day (records older than that are dropped)

# the Lambda processor: NumberOfRetries 0-300 (default 3), BufferSizeInMBs 0.2-3 (default 1),
# BufferIntervalInSeconds 0-900 (default 60); an invocation's payload stays under Lambda's 6 MB
LAMBDA_RETRIES_DEFAULT, LAMBDA_RETRIES_MAX = 3, 300
LAMBDA_BUFFER_MB_DEFAULT, LAMBDA_BUFFER_MB_MIN, LAMBDA_BUFFER_MB_MAX = 1.0, 0.2, 3.0
LAMBDA_INTERVAL_DEFAULT = 60
LAMBDA_PAYLOAD_MAX = 6 * 1000 * 1000

MAX_PREFIX_KEY = 1024  # an evaluated key (S3's limit)
PARTITION_KEYS_MAX = 50  # active partitions per flush beyond which records fail partitioning (AWS: 500 per stream)
JQ_SECONDS = 5.0  # one flush's metadata-extraction queries together


@dataclass(frozen=True, slots=True)
class Settings:
    """GUREUM_FIREHOSE_RETRY_SECONDS: seconds between tries of a failing delivery (default 5, as AWS retries S3);
    GUREUM_FIREHOSE_HTTP_TIMEOUT: seconds an HTTP endpoint has to answer (default 180, AWS's 3 minutes)."""

    retry_seconds: float = 5.0
    http_timeout: float = 180.0

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> Settings:
        return cls(
            retry_seconds=float(env.get("GUREUM_FIREHOSE_RETRY_SECONDS", "5")),
            http_timeout=float(env.get("GUREUM_FIREHOSE_HTTP_TIMEOUT", "180")),
        )
