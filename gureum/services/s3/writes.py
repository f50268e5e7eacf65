"""What a write asks to keep with an object: content headers, user metadata (2 KB), tags (from the x-amz-tagging
query string), storage class, and conditional-write headers — read from an operation's parsed members."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl

from ...aws.protocols.base import format_timestamp
from .errors import InvalidArgument, InvalidStorageClass, ServiceError, no_object_lock
from .limits import MAX_OBJECT_TAGS, MAX_USER_METADATA, STORAGE_CLASSES
from .objects import CONTENT_HEADERS


@dataclass(slots=True)
class WriteSpec:
    attributes: dict[str, Any] = field(default_factory=dict)
    storage_class: str = "STANDARD"
    tags: dict[str, str] | None = None
    if_match: str | None = None
    if_none_match: str | None = None


def metadata_too_large() -> ServiceError:
    return ServiceError(
        "Your metadata headers exceed the maximum allowed metadata size",
        code="MetadataTooLarge",
        fields={"Size": "", "MaxSizeAllowed": str(MAX_USER_METADATA)},
    )


def parse_tagging(text: str | None) -> dict[str, str] | None:
    if text is None:
        return None
    pairs = parse_qsl(text, keep_blank_values=True)
    if len(pairs) > MAX_OBJECT_TAGS:
        raise ServiceError("Object tags cannot be greater than 10", code="BadRequest")
    tags: dict[str, str] = {}
    for key, value in pairs:
        if not key or len(key) > 128 or len(value) > 256:
            raise ServiceError("The TagKey you have provided is invalid", code="InvalidTag")
        if key in tags:
            raise ServiceError("Cannot provide multiple Tags with the same key", code="InvalidTag")
        tags[key] = value
    return tags


def write_spec(req: dict[str, Any]) -> WriteSpec:
    """The object attributes a PutObject, CreateMultipartUpload or CopyObject (REPLACE) request sets."""
    attributes: dict[str, Any] = {}
    for name in CONTENT_HEADERS:
        value = req.get(name)
        if value is not None:
            attributes[name] = value
    encoding = attributes.get("ContentEncoding")
    if encoding is not None:  # aws-chunked is how the body travelled, not what it is
        kept = [item.strip() for item in encoding.split(",") if item.strip() and item.strip() != "aws-chunked"]
        if kept:
            attributes["ContentEncoding"] = ",".join(kept)
        else:
            del attributes["ContentEncoding"]
    if req.get("Expires") is not None:
        attributes["Expires"] = format_timestamp(req["Expires"], "rfc822")
    metadata = req.get("Metadata") or {}
    if sum(len(k.encode()) + len(str(v).encode()) for k, v in metadata.items()) > MAX_USER_METADATA:
        raise metadata_too_large()
    if metadata:
        attributes["Metadata"] = {key.lower(): value for key, value in metadata.items()}
    if req.get("ChecksumAlgorithm"):
        attributes["ChecksumAlgorithm"] = req["ChecksumAlgorithm"].upper()
    if req.get("ChecksumType"):
        attributes["ChecksumType"] = req["ChecksumType"]
    storage_class = req.get("StorageClass") or "STANDARD"
    if storage_class not in STORAGE_CLASSES:
        raise InvalidStorageClass(
            "The storage class you specified is not valid", fields={"StorageClassRequested": storage_class}
        )
    if req.get("ObjectLockMode") or req.get("ObjectLockLegalHoldStatus"):
        raise no_object_lock()  # no gureum bucket has Object Lock
    if req.get("SSECustomerAlgorithm"):
        raise InvalidArgument("gureum does not support server-side encryption with customer-provided keys (SSE-C).")
    attributes.setdefault("ServerSideEncryption", "AES256")
    return WriteSpec(
        attributes,
        storage_class,
        parse_tagging(req.get("Tagging")),
        req.get("IfMatch"),
        req.get("IfNoneMatch"),
    )
