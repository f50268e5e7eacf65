"""Batch's list paging: nextToken is the offset of the next page, base64-encoded."""

from __future__ import annotations

import base64
from typing import Any

from .errors import ClientException


def offset(text: str | None) -> int:
    """The offset a nextToken stands for (0 without one)."""
    if not text:
        return 0
    try:
        return max(0, int(base64.urlsafe_b64decode(text.encode()).decode()))
    except (ValueError, UnicodeDecodeError):
        raise ClientException("Invalid nextToken.") from None


def token(at: int) -> str:
    return base64.urlsafe_b64encode(str(at).encode()).decode()


def page(items: list[Any], given: str | None, limit: int | None, most: int = 100) -> tuple[list[Any], str | None]:
    """One page of ``items`` from the nextToken ``given``, and the next page's token (None: the last page)."""
    size = limit or most
    if not 1 <= size <= most:
        raise ClientException(f"maxResults must be between 1 and {most}.")
    start = offset(given)
    return items[start : start + size], token(start + size) if start + size < len(items) else None
