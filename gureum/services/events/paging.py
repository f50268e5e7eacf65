"""NextToken for EventBridge's List* operations: an opaque token holding where the last page stopped."""

from __future__ import annotations

import base64
import json
from typing import Any

from ... import safejson
from .errors import ValidationException


def encode(after: Any) -> str:
    return base64.urlsafe_b64encode(json.dumps({"after": after}).encode()).decode()


def decode(token: str | None, default: Any = "") -> Any:
    """The position a NextToken continues from; ValidationException for a token that is not ours."""
    if not token:
        return default
    try:
        return safejson.loads(base64.urlsafe_b64decode(token.encode()))["after"]
    except (ValueError, KeyError, TypeError):
        raise ValidationException("The NextToken provided is invalid.") from None


def page(items: list[Any], limit: int | None, default: int, key: Any) -> tuple[list[Any], str | None]:
    """The first ``limit`` items and the NextToken for the rest (``key(item)`` is what the next page starts after)."""
    size = limit or default
    if len(items) <= size:
        return items, None
    return items[:size], encode(key(items[size - 1]))
