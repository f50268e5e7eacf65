"""CloudWatch Logs' nextToken: an opaque encoding of the sort key after which the next page starts; one page of a
sorted list (the Describe* operations).  Pure: no store, no HTTP."""

from __future__ import annotations

import base64
import json
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from ... import safejson
from . import limits
from .errors import InvalidParameterException

T = TypeVar("T")


def encode_token(value: Any) -> str:
    return base64.urlsafe_b64encode(json.dumps(value, separators=(",", ":")).encode()).decode()


def decode_token(token: str | None) -> Any:
    if token is None:
        return None
    try:
        return safejson.loads(base64.urlsafe_b64decode(token.encode()))
    except ValueError:
        raise InvalidParameterException("The specified nextToken is invalid.") from None


def page_sorted(
    items: Sequence[T], key: Callable[[T], Any], token: str | None, limit: int | None, descending: bool = False
) -> tuple[list[T], str | None]:
    """One page of items sorted by ``key``: those after the token's key; the token of the next page or None."""
    ordered = sorted(items, key=key, reverse=descending)
    after = decode_token(token)
    if after is not None:
        after = tuple(after) if isinstance(after, list) else after
        try:
            ordered = [item for item in ordered if (key(item) < after if descending else key(item) > after)]
        except TypeError:
            raise InvalidParameterException("The specified nextToken is invalid.") from None
    size = limit or limits.DESCRIBE_LIMIT
    shown = ordered[:size]
    return shown, (encode_token(key(shown[-1])) if len(ordered) > size else None)
