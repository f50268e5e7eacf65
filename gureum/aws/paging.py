"""Pages of a list an operation answers whole from the store: from an offset token on, ``size`` items, and the token
of the rest. The token is the offset as text (AWS's tokens are opaque: a client only hands them back); a token that
is no offset starts at the beginning."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TypeVar

T = TypeVar("T")


def offset_page(items: Sequence[T], token: str | None, size: int) -> tuple[list[T], str | None]:
    """(the page of ``items`` at ``token``, the next page's token or None)."""
    text = str(token or "")
    start = int(text) if text.isdigit() else 0
    size = max(0, size)
    end = start + size
    return list(items[start:end]), (str(end) if end < len(items) else None)
