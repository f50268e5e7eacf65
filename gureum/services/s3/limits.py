"""S3's limits as data (the S3 user guide's "Amazon S3 multipart upload limits", object key and metadata limits),
and the service's run-time settings read once at start (GUREUM_S3_* variables)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

KIB = 1024
MIB = 1024 * KIB
GIB = 1024 * MIB

MAX_KEY_BYTES = 1024  # an object key's UTF-8 length
MAX_PUT_SIZE = 5 * GIB  # one PutObject / UploadPart / CopyObject
MIN_PART_SIZE = 5 * MIB  # every part but the last of a multipart upload
MAX_PART_NUMBER = 10_000
MAX_USER_METADATA = 2 * KIB  # user-defined metadata: keys and values, UTF-8 bytes together
MAX_LIST_KEYS = 1_000  # ListObjects(V2), ListObjectVersions, ListMultipartUploads, ListParts pages
MAX_DELETE_OBJECTS = 1_000  # keys in one DeleteObjects request
MAX_OBJECT_TAGS = 10
MAX_BUCKET_TAGS = 50
MAX_BUCKETS_LISTED = 10_000  # ListBuckets without MaxBuckets answers every bucket (AWS's default quota is 10,000)
MAX_BUCKET_CONFIGURATIONS = 1_000  # analytics, inventory, metrics and intelligent-tiering configurations, each kind
CONFIGURATIONS_LISTED = 100  # one page of List*Configurations
MAX_CONFIGURATION_ID = 64  # a configuration Id's characters (letters, digits, ".", "-", "_")
MAX_REPLICATION_RULES = 1_000

STORAGE_CLASSES = frozenset(
    {
        "STANDARD",
        "REDUCED_REDUNDANCY",
        "STANDARD_IA",
        "ONEZONE_IA",
        "INTELLIGENT_TIERING",
        "GLACIER",
        "DEEP_ARCHIVE",
        "OUTPOSTS",
        "GLACIER_IR",
        "SNOW",
        "EXPRESS_ONEZONE",
        "FSX_OPENZFS",
        "FSX_ONTAP",
    }
)

READ_CHUNK = 1 * MIB  # bytes read from a body file per thread hop when an object is sent
WHOLE_READ = 256 * KIB  # objects up to this size are read in one hop and answered as bytes
IN_READ = 64 * KIB  # bodies up to this size are read in the store's read of their version (no hop of their own)


@dataclass(frozen=True, slots=True)
class Settings:
    """GUREUM_S3_DIR: where object bodies are kept (default: <data dir>/s3; in memory: a temporary directory).
    Several PostgreSQL nodes must all name one shared directory (see README). GUREUM_S3_LIFECYCLE_SECONDS: how
    often lifecycle rules are applied (default 60); GUREUM_S3_DAY_SECONDS: the length of a lifecycle "day"
    (default 86400; tests shorten it, and then expirations are not rounded to midnight). GUREUM_S3_RESTORE_SECONDS:
    how long RestoreObject takes before the restored copy is ready (default 0: at once; AWS takes minutes to hours
    by tier), x-amz-restore showing ongoing-request="true" meanwhile."""

    directory: Path | None = None
    lifecycle_seconds: float = 60.0
    day_seconds: float = 86_400.0
    restore_seconds: float = 0.0

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> Settings:
        raw = env.get("GUREUM_S3_DIR")
        return cls(
            Path(raw) if raw else None,
            float(env.get("GUREUM_S3_LIFECYCLE_SECONDS") or 60.0),
            float(env.get("GUREUM_S3_DAY_SECONDS") or 86_400.0),
            float(env.get("GUREUM_S3_RESTORE_SECONDS") or 0.0),
        )
