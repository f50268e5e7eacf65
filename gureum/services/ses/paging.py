"""SES v1's List operations' pages: MaxItems items from NextToken on (at most the operation's limit, which is also
the page when none is asked for, unless the operation has a ``default``), and the NextToken of the rest
(gureum.aws.paging)."""

from __future__ import annotations

from typing import Any

from ...aws.paging import offset_page


def paged(items: list[Any], req: dict[str, Any], member: str, most: int, default: int | None = None) -> dict[str, Any]:
    size = min(int(req.get("MaxItems") or default or most), most)
    page, token = offset_page(items, req.get("NextToken"), size)
    return {member: page, "NextToken": token} if token is not None else {member: page}
