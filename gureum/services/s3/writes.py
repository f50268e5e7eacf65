"""What a write asks to keep with an object: content headers, user metadata (2 KB), tags (from the x-amz-tagging
query string), storage class, and conditional-write headers — read from an operation's parsed members; and the
encryption an object gets when the write names none (the bucket's default encryption)."""

from __future__ import annotations

import uuid
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
    return WriteSpec(
        attributes,
        storage_class,
        parse_tagging(req.get("Tagging")),
        req.get("IfMatch"),
        req.get("IfNoneMatch"),
    )


ENCRYPTION_ATTRIBUTES = ("ServerSideEncryption", "SSEKMSKeyId", "BucketKeyEnabled")


def kms_key_arn(key: str | None, account: str, region: str) -> str:
    """The KMS key an object is encrypted with, as S3 shows it (a key ARN): a key ARN as it is, a key id in the
    bucket's account and Region, and an alias (alias/aws/s3 when none is named: the AWS managed key) as a key id
    derived from its ARN, the same every time. gureum serves no KMS: the key is recorded, not used."""
    key = key or "alias/aws/s3"
    if not key.startswith("arn:"):
        key = f"arn:aws:kms:{region}:{account}:{key if key.startswith('alias/') else 'key/' + key}"
    parts = key.split(":", 5)
    if len(parts) == 6 and parts[5].startswith("alias/"):
        return f"arn:aws:kms:{parts[3]}:{parts[4]}:key/{uuid.uuid5(uuid.NAMESPACE_URL, key)}"
    return key


def apply_encryption(
    attributes: dict[str, Any], bucket_encryption: dict[str, Any] | None, account: str, region: str
) -> None:
    """An object written without encryption headers gets the bucket's default encryption (SSE-S3, or SSE-KMS with
    its key and bucket-key setting: the PutBucketEncryption reference); SSE-KMS named without a key uses the AWS
    managed key."""
    if "ServerSideEncryption" not in attributes:
        rule = ((bucket_encryption or {}).get("Rules") or [{}])[0]
        default = rule.get("ApplyServerSideEncryptionByDefault") or {}
        algorithm = default.get("SSEAlgorithm") or "AES256"
        if not algorithm.startswith("aws:kms"):
            attributes["ServerSideEncryption"] = "AES256"
            return
        attributes["ServerSideEncryption"] = algorithm
        attributes["SSEKMSKeyId"] = default.get("KMSMasterKeyID")
        if rule.get("BucketKeyEnabled"):
            attributes["BucketKeyEnabled"] = True
    if str(attributes["ServerSideEncryption"]).startswith("aws:kms"):
        attributes["SSEKMSKeyId"] = kms_key_arn(attributes.get("SSEKMSKeyId"), account, region)


def encryption_answer(attributes: dict[str, Any]) -> dict[str, Any]:
    """The encryption members a write answers with."""
    return {name: attributes[name] for name in ENCRYPTION_ATTRIBUTES if attributes.get(name) is not None}
