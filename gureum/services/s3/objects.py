"""The values S3 keeps: buckets and object versions (rows of store.py), and what a version's stored attributes
(content headers, user metadata, checksums, tags, parts) answer in GetObject / HeadObject."""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from email.utils import formatdate
from typing import Any

from .blobs import Segments

NULL_VERSION = "null"
# request members kept as the object's content headers, answered back by GetObject / HeadObject
CONTENT_HEADERS = (
    "ContentType",
    "ContentEncoding",
    "ContentDisposition",
    "ContentLanguage",
    "CacheControl",
    "ExpiresString",
    "WebsiteRedirectLocation",
    "ServerSideEncryption",
    "SSEKMSKeyId",
    "BucketKeyEnabled",
)
DEFAULT_CONTENT_TYPE = "binary/octet-stream"


@dataclass(slots=True)
class Bucket:
    name: str
    account: str
    region: str
    created_at: float
    versioning: str | None  # None (never enabled), "Enabled" or "Suspended"
    config: dict[str, Any] = field(default_factory=dict)  # subresources: tagging, policy, cors, lifecycle, …


@dataclass(slots=True)
class Version:
    bucket: str
    key: str
    version_id: str
    latest: bool
    delete_marker: bool
    size: int
    etag: str  # quoted, as answered
    modified: float
    storage_class: str
    segments: Segments
    attributes: dict[str, Any]

    @property
    def checksums(self) -> dict[str, str]:
        return dict(self.attributes.get("Checksum") or {})

    @property
    def tags(self) -> dict[str, str]:
        return dict(self.attributes.get("Tags") or {})


@dataclass(slots=True)
class Upload:
    upload_id: str
    bucket: str
    key: str
    initiated: float
    storage_class: str
    attributes: dict[str, Any]


@dataclass(slots=True)
class Part:
    number: int
    size: int
    etag: str
    modified: float
    segments: Segments
    checksum: str | None


def new_version_id() -> str:
    return secrets.token_urlsafe(24)


def new_upload_id() -> str:
    return secrets.token_urlsafe(48)


def visible_version_id(version: Version) -> str | None:
    """The x-amz-version-id header: none for an object written while versioning was never enabled."""
    return version.version_id


# storage classes whose objects are read only through a restored copy (RestoreObject); GLACIER_IR is read at once
ARCHIVED = frozenset({"GLACIER", "DEEP_ARCHIVE"})


def restored_until(version: Version) -> float | None:
    """When the restored copy of an archived object expires (None: never restored)."""
    expiry = version.attributes.get("Restore")
    return float(expiry) if expiry is not None else None


def restoring(version: Version, now: float) -> bool:
    """Whether a restore of the version is still in progress (its copy not ready yet: GUREUM_S3_RESTORE_SECONDS)."""
    ready = version.attributes.get("RestoreReady")
    return ready is not None and float(ready) > now


def archived_at(version: Version, now: float) -> bool:
    """Whether the version's body cannot be read now: archived, without a ready, live restored copy."""
    return version.storage_class in ARCHIVED and ((restored_until(version) or 0.0) <= now or restoring(version, now))


def restore_header(version: Version, now: float) -> str | None:
    """The x-amz-restore header of a version being restored or whose restored copy is live."""
    if restoring(version, now):
        return 'ongoing-request="true"'
    expiry = restored_until(version)
    if expiry is None or expiry <= now:
        return None
    return f'ongoing-request="false", expiry-date="{formatdate(expiry, usegmt=True)}"'


def restore_status(version: Version, now: float) -> dict[str, Any] | None:
    """A listing's RestoreStatus of a version being restored or whose restored copy is live (listings that ask for
    it with OptionalObjectAttributes=RestoreStatus)."""
    if restoring(version, now):
        return {"IsRestoreInProgress": True}
    expiry = restored_until(version)
    if expiry is None or expiry <= now:
        return None
    return {"IsRestoreInProgress": False, "RestoreExpiryDate": expiry}


def head_fields(version: Version, with_checksums: bool) -> dict[str, Any]:
    """The output members GetObject and HeadObject share."""
    attrs = version.attributes
    out: dict[str, Any] = {
        "ETag": version.etag,
        "LastModified": version.modified,
        "ContentLength": version.size,
        "ContentType": attrs.get("ContentType") or DEFAULT_CONTENT_TYPE,
        "AcceptRanges": "bytes",
    }
    for name in CONTENT_HEADERS[1:]:
        if attrs.get(name) is not None:
            out[name] = attrs[name]
    if attrs.get("Expires") is not None:
        out["Expires"] = attrs["Expires"]
    if attrs.get("Metadata"):
        out["Metadata"] = attrs["Metadata"]
    if version.storage_class != "STANDARD":
        out["StorageClass"] = version.storage_class
    if attrs.get("PartsCount"):
        out["PartsCount"] = attrs["PartsCount"]
    if version.tags:
        out["TagCount"] = len(version.tags)
    if with_checksums and version.checksums:
        for algorithm, value in version.checksums.items():
            out[f"Checksum{algorithm}"] = value
        out["ChecksumType"] = attrs.get("ChecksumType", "FULL_OBJECT")
    return out
