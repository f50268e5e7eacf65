"""Listing pages as S3 answers them: keys under a prefix, rolled up into common prefixes at a delimiter, from a
marker (v1 Marker, v2 StartAfter / ContinuationToken, KeyMarker), at most max-keys entries (keys and prefixes
together). Pure: rows come from a ``fetch(after, inclusive, end, limit)`` the caller runs in a store transaction."""

from __future__ import annotations

import base64
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Generic, TypeVar
from urllib.parse import quote

from .errors import InvalidArgument
from .names import key_bytes, prefix_end

T = TypeVar("T")
Fetch = Callable[[bytes, bool, "bytes | None", int], Sequence[T]]
_BATCH = 1_000


@dataclass(slots=True)
class Page(Generic[T]):
    entries: list[T] = field(default_factory=list)
    prefixes: list[str] = field(default_factory=list)
    truncated: bool = False
    last: str | None = None  # the last key or common prefix answered (v1 NextMarker)
    resume: tuple[bytes, bool] | None = None  # where the next page starts (v2 NextContinuationToken)


def list_page(
    fetch: Fetch[T],
    key_of: Callable[[T], str],
    skip: Callable[[T], bool],
    prefix: str,
    delimiter: str | None,
    marker: str | None,
    max_keys: int,
    start: tuple[bytes, bool] | None = None,
) -> Page[T]:
    """One page. ``skip``: rows that are no entry (delete markers among current versions). ``start`` resumes a
    continuation token's position instead of ``marker``."""
    page: Page[T] = Page()
    prefix_b = key_bytes(prefix)
    end = prefix_end(prefix_b) if prefix else None
    if start is not None:
        after, inclusive = start
    elif marker and key_bytes(marker) >= prefix_b:
        after, inclusive = key_bytes(marker), False
    else:
        after, inclusive = prefix_b, True
    count = 0
    while True:
        rows = fetch(after, inclusive, end, _BATCH)
        if not rows:
            return page
        jumped = False
        for row in rows:
            key = key_of(row)
            if skip(row):
                after, inclusive = key_bytes(key), False
                continue
            common = None
            if delimiter:
                at = key.find(delimiter, len(prefix))
                if at >= 0:
                    common = key[: at + len(delimiter)]
            if common is not None and marker is not None and key_bytes(common) <= key_bytes(marker):
                common_end = prefix_end(key_bytes(common))
                if common_end is None:
                    return page
                after, inclusive, jumped = common_end, True, True
                break
            if count >= max_keys:
                page.truncated = True
                return page
            count += 1
            if common is not None:
                page.prefixes.append(common)
                page.last = common
                common_end = prefix_end(key_bytes(common))
                if common_end is None:
                    page.resume = None
                    return page
                after, inclusive, jumped = common_end, True, True
                page.resume = (after, inclusive)
                break
            page.entries.append(row)
            page.last = key
            after, inclusive = key_bytes(key), False
            page.resume = (after, inclusive)
        if not jumped and len(rows) < _BATCH:
            return page


def token(position: tuple[bytes, bool]) -> str:
    return base64.urlsafe_b64encode(json.dumps([base64.b64encode(position[0]).decode(), position[1]]).encode()).decode()


def read_token(text: str) -> tuple[bytes, bool]:
    try:
        raw, inclusive = json.loads(base64.urlsafe_b64decode(text.encode()))
        return base64.b64decode(raw), bool(inclusive)
    except (ValueError, TypeError):
        raise InvalidArgument(
            "The continuation token provided is incorrect",
            fields={"ArgumentName": "continuation-token"},
        ) from None


def encode(value: str | None, url: bool) -> str | None:
    """A key or prefix as encoding-type=url answers it."""
    if value is None or not url:
        return value
    return quote(value, safe="/")
