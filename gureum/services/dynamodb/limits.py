"""DynamoDB's limits as data (AWS's documented quotas) and the service's settings from GUREUM_DYNAMODB_*
variables."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

NUMBER_DIGITS = 38
NUMBER_MAX_MAGNITUDE = 126  # 9.99…E+125 = 0.999… × 10^126
NUMBER_MIN_MAGNITUDE = -129  # 1E-130 = 0.1 × 10^-129
MAX_DEPTH = 32  # nesting of documents and document paths
ITEM_BYTES = 400 * 1024
HASH_KEY_BYTES = 2048
RANGE_KEY_BYTES = 1024
EXPRESSION_BYTES = 4096
EXPRESSION_DEPTH = 64  # parentheses, NOT and function nesting the parser follows
PAGE_BYTES = 1024 * 1024  # Query and Scan stop reading after 1 MB
PAGE_CHUNK = 500  # rows a Query or Scan reads from the store at a time
EXPRESSION_OPERATORS = 300
BATCH_GET_ITEMS = 100
BATCH_GET_BYTES = 16 * 1024 * 1024  # a BatchGetItem answer: the items past 16 MB come back as UnprocessedKeys
BATCH_WRITE_ITEMS = 25
TRANSACT_ITEMS = 100
TRANSACT_BYTES = 4 * 1024 * 1024
TOKEN_SECONDS = 600  # a TransactWriteItems ClientRequestToken is remembered for 10 minutes
LIST_TABLES_LIMIT = 100
GSI_PER_TABLE = 20
LSI_PER_TABLE = 5
PROJECTED_ATTRIBUTES = 100  # NonKeyAttributes over all of a table's indexes
TTL_HORIZON_SECONDS = 5 * 365 * 24 * 3600  # items that expired more than five years ago are left alone
TTL_BATCH = 500
PITR_DAYS = 35  # the longest RecoveryPeriodInDays (and the default)
# DescribeLimits: AWS's default quotas of provisioned capacity per account and Region and per table
ACCOUNT_MAX_CAPACITY_UNITS = 80_000
TABLE_MAX_CAPACITY_UNITS = 40_000
ENDPOINT_CACHE_MINUTES = 1440  # DescribeEndpoints' CachePeriodInMinutes, as AWS answers
COLLECTION_GB = 1024**3  # ItemCollectionMetrics' SizeEstimateRangeGB: the collection's size in whole gigabytes
BURST_SECONDS = 300  # provisioned capacity unused for up to five minutes is kept as burst capacity
READ_UNIT_BYTES = 4096
WRITE_UNIT_BYTES = 1024

RESERVED_WORDS = frozenset(
    line.strip().upper() for line in (Path(__file__).parent / "reserved_words.txt").read_text().splitlines() if line
)


@dataclass(frozen=True)
class Settings:
    delay: float = 0.0  # seconds a table or index stays CREATING / UPDATING
    ttl_sweep_seconds: float = 30.0  # how often the leader deletes expired items
    shard_seconds: float = 4 * 3600.0  # how long a stream's shard takes records before its child does (AWS: ~4 h)
    incremental_min_seconds: float = 900.0  # the shortest incremental export period (AWS: 15 minutes)
    throttle: bool = False  # enforce provisioned tables' capacity (ProvisionedThroughputExceededException)

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> Settings:
        return cls(
            delay=float(env.get("GUREUM_DYNAMODB_DELAY", "0")),
            ttl_sweep_seconds=float(env.get("GUREUM_DYNAMODB_TTL_SWEEP_SECONDS", "30")),
            shard_seconds=float(env.get("GUREUM_DYNAMODB_SHARD_SECONDS", "14400")),
            incremental_min_seconds=float(env.get("GUREUM_DYNAMODB_INCREMENTAL_MIN_SECONDS", "900")),
            throttle=env.get("GUREUM_DYNAMODB_THROTTLE", "") in ("1", "true", "yes"),
        )
