"""Pages of SNS listings: the opaque NextToken of ListTopics, ListSubscriptions(ByTopic), ListPlatformApplications
and ListEndpointsByPlatformApplication (base64 JSON of the last row id), and a page as the backend returns it."""

from __future__ import annotations

import base64
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from ... import safejson
from . import limits
from .errors import invalid

T = TypeVar("T")


def page_token(after: int) -> str:
    return base64.b64encode(json.dumps({"after": after}).encode()).decode()


def read_page_token(token: str | None, member: str = "NextToken") -> int:
    """The row id a NextToken continues after (0: from the start)."""
    if not token:
        return 0
    try:
        after = safejson.loads(base64.b64decode(token, validate=True))["after"]
    except (ValueError, KeyError, TypeError):
        raise invalid(member) from None
    if not isinstance(after, int):
        raise invalid(member)
    return after


@dataclass(slots=True, frozen=True)
class Page(Generic[T]):
    items: list[T]
    next_token: str | None

    def shape(self, member: str, items: list[Any], token_member: str = "NextToken") -> dict[str, Any]:
        """The response: ``items`` (this page's items as AWS lists them) under ``member``, and the token if any."""
        out: dict[str, Any] = {member: items}
        if self.next_token is not None:
            out[token_member] = self.next_token
        return out


def page(rows: list[T], token: Callable[[T], str], size: int = limits.PAGE_SIZE) -> Page[T]:
    """A page from ``size + 1`` rows read: the extra row only says that another page follows."""
    if len(rows) > size:
        return Page(rows[:size], token(rows[size - 1]))
    return Page(rows, None)
