"""What every CloudWatch Logs operation shares: input checks with AWS's error code, the clock, resolving a log
group by name or identifier, and paging tokens."""

from __future__ import annotations

import base64
import json
import re
from typing import Any

from ...aws.context import RequestContext
from ...store.base import Tx
from . import limits, store
from .errors import InvalidParameterException, no_group
from .filter_patterns import FilterPattern, PatternError, compile_pattern

# logGroupIdentifier: a name, or an ARN with or without the trailing ":*"
_GROUP_ARN = re.compile(r"^arn:aws[\w-]*:logs:([^:]*):(\d{12}):log-group:([^:]+)(?::\*)?$")


def now_ms(ctx: RequestContext) -> int:
    return int(ctx.runtime.clock.now() * 1000)


def group_name(ctx: RequestContext, req: dict[str, Any]) -> str:
    """The group a request names through logGroupName or logGroupIdentifier (exactly one of them)."""
    name, identifier = req.get("logGroupName"), req.get("logGroupIdentifier")
    if name and identifier:
        raise InvalidParameterException("LogGroup name and LogGroup ARN are mutually exclusive parameters.")
    if identifier:
        match = _GROUP_ARN.match(identifier)
        if match is None:
            if identifier.startswith("arn:"):
                raise InvalidParameterException(f"The log group identifier {identifier} is not valid.")
            return str(identifier)
        region, account, group = match.groups()
        if (region and region != ctx.region) or account != ctx.account:
            raise no_group()  # another account's or region's group is not visible here
        return group
    if not name:
        raise InvalidParameterException("Either logGroupName or logGroupIdentifier should be provided.")
    return str(name)


def require_group(tx: Tx, ctx: RequestContext, name: str) -> store.Group:
    group = store.get_group(tx, ctx.account, ctx.region, name)
    if group is None:
        raise no_group()
    return group


def group_by_arn(tx: Tx, ctx: RequestContext, arn: str) -> store.Group:
    """A log group from a resource ARN (tagging operations)."""
    match = _GROUP_ARN.match(arn)
    if match is None:
        raise InvalidParameterException(
            f"Invalid resource arn: {arn}" if arn.startswith("arn:") else "Invalid resource arn"
        )
    region, account, name = match.groups()
    if region != ctx.region or account != ctx.account:
        raise no_group()
    return require_group(tx, ctx, name)


def compile_filter(text: str | None) -> FilterPattern:
    try:
        return compile_pattern(text)
    except PatternError as error:
        raise InvalidParameterException(f"Invalid filter pattern: {error}") from None


def encode_token(value: Any) -> str:
    return base64.urlsafe_b64encode(json.dumps(value, separators=(",", ":")).encode()).decode()


def decode_token(token: str | None) -> Any:
    if token is None:
        return None
    try:
        return json.loads(base64.urlsafe_b64decode(token.encode()))
    except ValueError:
        raise InvalidParameterException("The specified nextToken is invalid.") from None


def page_sorted(
    items: list[Any], key: Any, token: str | None, limit: int | None, descending: bool = False
) -> tuple[list[Any], str | None]:
    """One page of items sorted by ``key``: those after the token's key; the token of the next page or None."""
    items = sorted(items, key=key, reverse=descending)
    after = decode_token(token)
    if after is not None:
        after = tuple(after) if isinstance(after, list) else after
        try:
            items = [item for item in items if (key(item) < after if descending else key(item) > after)]
        except TypeError:
            raise InvalidParameterException("The specified nextToken is invalid.") from None
    size = limit or limits.DESCRIBE_LIMIT
    shown = items[:size]
    return shown, (encode_token(key(shown[-1])) if len(items) > size else None)
