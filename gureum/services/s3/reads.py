"""What a read answers: conditional requests (If-Match, If-None-Match, If-Modified-Since, If-Unmodified-Since, as
the S3 API reference's GetObject describes their combinations) and byte ranges (one range; 416 when it starts past
the end)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from email.utils import formatdate
from typing import Any

from ...aws.errors import ServiceError
from .errors import invalid_range, precondition_failed


def _etag_matches(header: str, etag: str) -> bool:
    wanted = [item.strip() for item in header.split(",")]
    bare = etag.strip('"')
    return any(item == "*" or item.strip('"') == bare for item in wanted)


def _seconds(value: Any) -> float:
    if isinstance(value, dt.datetime):
        return value.timestamp()
    return float(value)


def not_modified(etag: str, modified: float) -> ServiceError:
    """304 Not Modified: no body; the version's ETag and Last-Modified as headers."""
    return ServiceError(
        "Not Modified",
        code="NotModified",
        status=304,
        headers={"ETag": etag, "Last-Modified": formatdate(int(modified), usegmt=True)},
    )


def check_conditions(
    etag: str,
    modified: float,
    if_match: str | None,
    if_none_match: str | None,
    if_modified_since: Any,
    if_unmodified_since: Any,
) -> None:
    """Raise 412 PreconditionFailed or 304 Not Modified as S3 does for a GET or HEAD of a version."""
    whole = int(modified)  # Last-Modified has whole seconds
    if if_match is not None:
        if not _etag_matches(if_match, etag):
            raise precondition_failed("If-Match")
    elif if_unmodified_since is not None and whole > _seconds(if_unmodified_since):
        raise precondition_failed("If-Unmodified-Since")
    if if_none_match is not None:
        if _etag_matches(if_none_match, etag):
            raise not_modified(etag, modified)
    elif if_modified_since is not None and whole <= _seconds(if_modified_since):
        raise not_modified(etag, modified)


def check_write_conditions(current_etag: str | None, if_match: str | None, if_none_match: str | None) -> None:
    """Conditional writes (PutObject, CompleteMultipartUpload, CopyObject): If-None-Match: * refuses an existing
    key; If-Match requires the current ETag (a missing key is 404 NoSuchKey, raised by the caller)."""
    if if_none_match is not None:
        if if_none_match.strip() != "*":
            raise ServiceError(
                "If-None-Match only supports the value *", code="NotImplemented", status=501, sender_fault=False
            )
        if current_etag is not None:
            raise precondition_failed("If-None-Match")
    if if_match is not None and current_etag is not None and not _etag_matches(if_match, current_etag):
        raise precondition_failed("If-Match")


@dataclass(frozen=True, slots=True)
class ByteRange:
    start: int
    end: int  # exclusive

    def content_range(self, size: int) -> str:
        return f"bytes {self.start}-{self.end - 1}/{size}"


def parse_range(header: str | None, size: int) -> ByteRange | None:
    """The one range a Range header asks for; None for the whole object (no header, or one S3 ignores: several
    ranges, another unit, a malformed value)."""
    if header is None:
        return None
    unit, _, spec = header.strip().partition("=")
    if unit.strip().lower() != "bytes" or "," in spec:
        return None
    first, dash, last = spec.strip().partition("-")
    if not dash:
        return None
    try:
        if first == "":
            suffix = int(last)
            if suffix <= 0:
                raise invalid_range(header, size)
            return ByteRange(max(0, size - suffix), size) if size else _unsatisfiable(header, size)
        start = int(first)
        end = int(last) + 1 if last else max(size, start + 1)
    except ValueError:
        return None
    if 0 <= start < end and start >= size:
        raise invalid_range(header, size)
    if start < 0 or end <= start:
        return None
    return ByteRange(start, min(end, size))


def _unsatisfiable(header: str, size: int) -> ByteRange:
    raise invalid_range(header, size)
