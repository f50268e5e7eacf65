"""Kinesis Data Streams limits and defaults as data (API reference, "Quotas and limits" in the developer guide),
and the service's run-time settings (Settings), read once at start from GUREUM_KINESIS_* variables."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

MIB = 1024 * 1024

# hash keys: the MD5 of a partition key as a 128-bit number; shards divide [0, 2^128 - 1]
HASH_SPACE = 1 << 128
MAX_HASH_KEY = HASH_SPACE - 1
MAX_SHARD_INDEX = 2_147_483_647  # shard ids are shardId-<12 digits>; AWS takes indexes up to 2^31 - 1
MAX_STREAM_SHARDS = 10_000  # open shards of one stream (UpdateShardCount's bound; gureum holds CreateStream to it too)
ON_DEMAND_SHARDS = 4  # an on-demand stream starts with 4 shards (4 MiB/s, 4,000 records/s in)
DEFAULT_PROVISIONED_SHARDS = 4  # CreateStream without ShardCount in PROVISIONED mode (as LocalStack answers)

RETENTION_HOURS_DEFAULT = 24
RETENTION_HOURS_MIN = 24
RETENTION_HOURS_MAX = 8_760

# records
MAX_PARTITION_KEY = 256  # characters (the model's constraint: a ValidationException beyond)
MAX_RECORD_KIB_DEFAULT = 1_024  # a stream's MaxRecordSizeInKiB (data + partition key); UpdateMaxRecordSize: 1-10 MiB
MAX_PUT_RECORDS = 500
# the whole PutRecords request, partition keys included: 10 MiB since AWS raised records to 10 MiB (2025; it was
# 5 MiB before): the installed model's documentation says "up to a limit of 10 MiB for the entire request"
MAX_PUT_RECORDS_BYTES = 10 * MIB
MAX_GET_RECORDS = 10_000
MAX_GET_RECORDS_BYTES = 10 * MIB
GET_RECORDS_CHUNK = 500  # rows read per query while a GetRecords response is filled
SEQUENCE_BITS = 40  # a record's row id is (shard key << SEQUENCE_BITS) | its sequence index in the shard

# paging
DESCRIBE_STREAM_SHARDS = 100  # DescribeStream's default and largest page
LIST_STREAMS_DEFAULT = 100
LIST_SHARDS_DEFAULT = 1_000  # ListShards' default and largest page (MaxResults above 1,000 returns 1,000)
LIST_CONSUMERS_DEFAULT = 100
LIST_TAGS_DEFAULT = 50
SUBSCRIPTION_SECONDS = 300  # a SubscribeToShard subscription lasts 5 minutes
SUBSCRIPTION_HEARTBEAT_SECONDS = 5  # an empty event when no record came for this long
SUBSCRIPTION_TAKEOVER_SECONDS = 5  # a second SubscribeToShard this soon after the holder's is ResourceInUse
NEXT_TOKEN_SECONDS = 300  # ListShards and ListStreamConsumers tokens expire (ExpiredNextTokenException)
ITERATOR_SECONDS = 300  # a shard iterator expires 5 minutes after it was issued

MAX_TAGS = 50
SHARD_LEVEL_METRICS = (
    "IncomingBytes",
    "IncomingRecords",
    "OutgoingBytes",
    "OutgoingRecords",
    "WriteProvisionedThroughputExceeded",
    "ReadProvisionedThroughputExceeded",
    "IteratorAgeMilliseconds",
)

# quotas and throughput, enforced only when Settings.limits is on (GUREUM_KINESIS_LIMITS=1)
SHARD_LIMIT_LARGE_REGIONS = frozenset({"us-east-1", "us-west-2", "eu-west-1"})
SHARD_LIMIT_LARGE = 500  # shards per account in us-east-1, us-west-2 and eu-west-1
SHARD_LIMIT = 200  # in every other Region
ON_DEMAND_STREAM_LIMIT = 50
MAX_CONSUMERS = 20  # registered enhanced fan-out consumers per stream
MAX_CREATING_CONSUMERS = 5
MAX_CREATING_STREAMS = 5
SHARD_WRITE_BYTES_PER_SECOND = MIB
SHARD_WRITE_RECORDS_PER_SECOND = 1_000
SHARD_READ_BYTES_PER_SECOND = 2 * MIB
SHARD_READ_CALLS_PER_SECOND = 5
CONSUMER_READ_BYTES_PER_SECOND = 2 * MIB  # per enhanced fan-out consumer and shard (SubscribeToShard pacing)
SUBSCRIBE_INTERVAL_SECONDS = 1.0  # one SubscribeToShard call per second per consumer and shard

# account settings: a minimum throughput billing commitment lasts at least this long once enabled
COMMITMENT_SECONDS = 24 * 3600


def shard_limit(region: str) -> int:
    return SHARD_LIMIT_LARGE if region in SHARD_LIMIT_LARGE_REGIONS else SHARD_LIMIT


@dataclass(frozen=True, slots=True)
class Settings:
    """How this server runs Kinesis; every field has a GUREUM_KINESIS_* variable (see from_env).

    - delay: seconds a stream or consumer stays CREATING / UPDATING / DELETING (0: the change is immediate).
    - limits: enforce AWS's per-shard throughput and account quotas (ProvisionedThroughputExceededException,
      LimitExceededException); per node.
    - iterator_seconds: how long a shard iterator lives (AWS: 300).
    - hour_seconds: the length of one retention hour (AWS: 3,600; tests shorten it to watch records expire).
    - sweep_seconds: how often the leader deletes expired records (None: the server's retention sweep period).
    """

    delay: float = 0.5
    limits: bool = False
    iterator_seconds: float = ITERATOR_SECONDS
    hour_seconds: float = 3600.0
    sweep_seconds: float | None = None

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> Settings:
        default = cls()
        sweep = env.get("GUREUM_KINESIS_SWEEP_SECONDS")
        return cls(
            delay=max(0.0, float(env.get("GUREUM_KINESIS_DELAY", default.delay))),
            limits=env.get("GUREUM_KINESIS_LIMITS", "").lower() in ("1", "true", "yes", "on"),
            iterator_seconds=float(env.get("GUREUM_KINESIS_ITERATOR_SECONDS", default.iterator_seconds)),
            hour_seconds=float(env.get("GUREUM_KINESIS_RETENTION_HOUR_SECONDS", default.hour_seconds)),
            sweep_seconds=float(sweep) if sweep else None,
        )

    def retention_ms(self, hours: int) -> int:
        return int(hours * self.hour_seconds * 1000)
