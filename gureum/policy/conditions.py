"""Condition operators as IAM evaluates them (IAM User Guide, "IAM JSON policy elements: Condition operators"):
String*, Numeric*, Date*, Bool, BinaryEquals, IpAddress/NotIpAddress, Arn*, Null; the IfExists suffix and the
ForAnyValue/ForAllValues set qualifiers. Values of one key are ORed, keys and operators are ANDed; a key absent
from the request makes a condition false, except for negated operators (true), IfExists (true) and
ForAllValues (true). No regex from policy text. Imports nothing from gureum outside this package.
"""

from __future__ import annotations

import base64
import binascii
import ipaddress
import math
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime

from .document import Condition
from .wildcard import Resolve, like, substitute

ContextValue = str | Sequence[str]
Compare = Callable[[str, str, Resolve | None], bool]  # (request value, policy value, variables) -> match


def _number(text: str) -> float | None:
    try:
        value = float(text)
    except ValueError:
        return None
    return value if math.isfinite(value) else None


def _date(text: str) -> float | None:
    """Seconds since the epoch for an ISO 8601 date/time or an epoch number (both appear in policies)."""
    number = _number(text)
    if number is not None:
        return number
    try:
        when = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return when.timestamp()


def _ip(value: str, network: str) -> bool:
    try:
        address = ipaddress.ip_address(value.strip())
        net = ipaddress.ip_network(network.strip(), strict=False)
    except ValueError:
        return False
    return address.version == net.version and address in net


def _binary(value: str, policy: str) -> bool:
    try:
        return base64.b64decode(value, validate=True) == base64.b64decode(policy, validate=True)
    except (binascii.Error, ValueError):
        return False


def _arn_like(value: str, pattern: str, resolve: Resolve | None) -> bool:
    """Each of an ARN's six colon-separated parts is matched on its own (wildcards do not cross a colon between
    parts); a pattern that is not an ARN (such as "*") is matched against the whole value."""
    if "*" not in pattern and "?" not in pattern and (resolve is None or "${" not in pattern):
        return pattern == value  # literal: part by part is the whole text (ArnEquals on one topic, the usual case)
    pattern_parts = pattern.split(":", 5)
    if len(pattern_parts) < 6:
        return like(pattern, value, resolve=resolve)
    value_parts = value.split(":", 5)
    if len(value_parts) < 6:
        return False
    return all(like(p, v, resolve=resolve) for p, v in zip(pattern_parts, value_parts))


def _string_equals(value: str, policy: str, resolve: Resolve | None) -> bool:
    return substitute(policy, resolve) == value


def _string_equals_ignore_case(value: str, policy: str, resolve: Resolve | None) -> bool:
    expected = substitute(policy, resolve)
    return expected is not None and expected.casefold() == value.casefold()


def _string_like(value: str, policy: str, resolve: Resolve | None) -> bool:
    return like(policy, value, resolve=resolve)


def _numeric(test: Callable[[float, float], bool]) -> Compare:
    def compare(value: str, policy: str, resolve: Resolve | None) -> bool:
        a, b = _number(value), _number(policy)
        return a is not None and b is not None and test(a, b)

    return compare


def _dated(test: Callable[[float, float], bool]) -> Compare:
    def compare(value: str, policy: str, resolve: Resolve | None) -> bool:
        a, b = _date(value), _date(policy)
        return a is not None and b is not None and test(a, b)

    return compare


def _bool(value: str, policy: str, resolve: Resolve | None) -> bool:
    return value.lower() == policy.lower()


def _eq(a: float, b: float) -> bool:
    return a == b


def _lt(a: float, b: float) -> bool:
    return a < b


def _le(a: float, b: float) -> bool:
    return a <= b


def _gt(a: float, b: float) -> bool:
    return a > b


def _ge(a: float, b: float) -> bool:
    return a >= b


# operator -> (comparison, negated); a negated operator is true when the value matches none of the policy values
OPERATORS: dict[str, tuple[Compare, bool]] = {
    "stringequals": (_string_equals, False),
    "stringnotequals": (_string_equals, True),
    "stringequalsignorecase": (_string_equals_ignore_case, False),
    "stringnotequalsignorecase": (_string_equals_ignore_case, True),
    "stringlike": (_string_like, False),
    "stringnotlike": (_string_like, True),
    "numericequals": (_numeric(_eq), False),
    "numericnotequals": (_numeric(_eq), True),
    "numericlessthan": (_numeric(_lt), False),
    "numericlessthanequals": (_numeric(_le), False),
    "numericgreaterthan": (_numeric(_gt), False),
    "numericgreaterthanequals": (_numeric(_ge), False),
    "dateequals": (_dated(_eq), False),
    "datenotequals": (_dated(_eq), True),
    "datelessthan": (_dated(_lt), False),
    "datelessthanequals": (_dated(_le), False),
    "dategreaterthan": (_dated(_gt), False),
    "dategreaterthanequals": (_dated(_ge), False),
    "bool": (_bool, False),
    "binaryequals": (lambda value, policy, resolve: _binary(value, policy), False),
    "ipaddress": (lambda value, policy, resolve: _ip(value, policy), False),
    "notipaddress": (lambda value, policy, resolve: _ip(value, policy), True),
    "arnequals": (_arn_like, False),
    "arnlike": (_arn_like, False),
    "arnnotequals": (_arn_like, True),
    "arnnotlike": (_arn_like, True),
}


def _values(context: Mapping[str, ContextValue], key: str) -> list[str] | None:
    value = context.get(key)
    if value is None:
        return None
    return [value] if isinstance(value, str) else list(value)


def holds(condition: Condition, context: Mapping[str, ContextValue], resolve: Resolve | None) -> bool:
    """Is ``condition`` true for the request? ``context``: lower-case keys; an unknown operator is false."""
    present = _values(context, condition.key)
    if condition.operator == "null":
        absent = not present
        return any(absent == (v.lower() == "true") for v in condition.values)
    known = OPERATORS.get(condition.operator)
    if known is None:
        return False
    compare, negated = known

    def matches(value: str) -> bool:
        hit = any(compare(value, policy, resolve) for policy in condition.values)
        return not hit if negated else hit

    if condition.qualifier == "forallvalues":
        return all(matches(v) for v in present or [])
    if condition.qualifier == "foranyvalue":
        return any(matches(v) for v in present or [])
    if not present:
        return condition.if_exists or negated
    return all(matches(v) for v in present) if negated else any(matches(v) for v in present)


def all_hold(conditions: Sequence[Condition], context: Mapping[str, ContextValue], resolve: Resolve | None) -> bool:
    return all(holds(c, context, resolve) for c in conditions)
