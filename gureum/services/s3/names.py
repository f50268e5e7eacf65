"""Bucket names and object keys as AWS accepts them (the S3 user guide's "Bucket naming rules", "Object key
naming"); the Region a LocationConstraint names."""

from __future__ import annotations

from .errors import InvalidBucketName, KeyTooLongError, ServiceError
from .limits import MAX_KEY_BYTES

_NAME_CHARS = frozenset("abcdefghijklmnopqrstuvwxyz0123456789.-")


def invalid_bucket(name: str) -> ServiceError:
    return InvalidBucketName("The specified bucket is not valid.", fields={"BucketName": name})


def check_bucket_name(name: str) -> None:
    """CreateBucket's rules: 3–63 characters of a-z, 0-9, "." and "-", a letter or digit at each end, no "..", not an
    IP address, none of AWS's reserved prefixes and suffixes."""
    if not 3 <= len(name) <= 63 or not set(name) <= _NAME_CHARS:
        raise invalid_bucket(name)
    if not (name[0].isalnum() and name[-1].isalnum()) or ".." in name or ".-" in name or "-." in name:
        raise invalid_bucket(name)
    parts = name.split(".")
    if len(parts) == 4 and all(part.isdigit() for part in parts):
        raise invalid_bucket(name)
    if name.startswith(("xn--", "sthree-", "amzn-s3-demo-")) or name.endswith(("-s3alias", "--ol-s3", "--x-s3")):
        raise invalid_bucket(name)


def check_key(key: str) -> None:
    if len(key.encode("utf-8", "surrogatepass")) > MAX_KEY_BYTES:
        raise KeyTooLongError("Your key is too long", fields={"Size": str(len(key.encode())), "MaxSizeAllowed": "1024"})


def key_bytes(key: str) -> bytes:
    """How a key is stored: UTF-8 bytes, so that both stores order keys as S3 lists them (by UTF-8 bytes)."""
    return key.encode("utf-8", "surrogatepass")


def key_text(raw: bytes | memoryview) -> str:
    return bytes(raw).decode("utf-8", "surrogatepass")


def prefix_end(prefix: bytes) -> bytes | None:
    """The least byte string greater than every string that starts with ``prefix`` (None: no bound)."""
    trimmed = prefix.rstrip(b"\xff")
    if not trimmed:
        return None
    return trimmed[:-1] + bytes([trimmed[-1] + 1])
