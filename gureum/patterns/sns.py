"""SNS subscription filter policies: ``compile_filter_policy(policy, scope) -> FilterPolicy``.

The same engine with SNS's event-ruler build (no wildcard, anything-but takes only a prefix, numbers
within +-1e9) and SNS's limits (subscription-filter-policy-constraints.html): at most 5 top-level keys,
at most 150 combinations (``filter_policy_combinations``), no nesting in the MessageAttributes scope,
256 KB, numbers compared to five decimal places. MessageAttributes are matched by type: String as a string,
Number as a number, ``*.Array`` as a JSON array of leaves, Binary ignored. MessageBody policies match the JSON
body like EventBridge.
Imports nothing from gureum outside this package.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from .compile import OR, SNS, Branch, compile_branches
from .errors import FilterPolicyError, PatternError, TooManyBranches
from .match import CompiledBranch, FieldRule, Matcher
from .operators import AnythingBut, ExactNumber, NumericRange, Term, comparable, is_number

SCOPES = ("MessageAttributes", "MessageBody")
MAX_KEYS = 5
MAX_COMBINATIONS = 150
MAX_POLICY_BYTES = 256 * 1024
PLACES = 10**5  # "numeric matching ... with five digits of accuracy after the decimal point"


def _fixed(value: int | float) -> int:
    """A number as SNS compares it: floored to five decimal places, in units of 1e-5 (from its shortest decimal
    text, so 0.3 is 30000 units, not 29999)."""
    return value * PLACES if isinstance(value, int) else math.floor(Decimal(repr(value)) * PLACES)


@dataclass(frozen=True, slots=True)
class _FixedRange(NumericRange):
    """A numeric range, or an exact number (low == high, both closed), compared at five decimal places."""

    def matches(self, value: Any) -> bool:
        if not is_number(value) or not comparable(value, self.limit):
            return False
        number = _fixed(value)
        above = number > self.low if self.low_open else number >= self.low
        below = number < self.high if self.high_open else number <= self.high
        return above and below


@dataclass(frozen=True, slots=True)
class _FixedAnythingBut(AnythingBut):
    """anything-but whose excluded numbers (in 1e-5 units) exclude every number equal to five places."""

    def matches(self, value: Any) -> bool:
        if is_number(value):
            return not comparable(value, SNS.numeric_limit) or _fixed(value) not in self.numbers
        return AnythingBut.matches(self, value)


def _at_sns_precision(term: Term) -> Term:
    limit = SNS.numeric_limit
    if isinstance(term, ExactNumber):
        return _FixedRange(_fixed(term.value), False, _fixed(term.value), False, limit)
    if isinstance(term, NumericRange):
        return _FixedRange(_fixed(term.low), term.low_open, _fixed(term.high), term.high_open, limit)
    if isinstance(term, AnythingBut) and term.numbers:
        return _FixedAnythingBut(term.strings, frozenset(_fixed(n) for n in term.numbers))
    return term


def _is_or(key: str, value: Any) -> bool:
    """Whether "$or" here is the operator (an array of at least two objects), not an attribute name."""
    return key == OR and isinstance(value, list) and len(value) >= 2 and all(isinstance(v, Mapping) for v in value)


def filter_policy_combinations(policy: Mapping[str, Any]) -> int:
    """SNS's complexity measure: multiply the value counts of every array, each weighted by the depth of
    its key (3 values two levels down count 3 x 2); ``$or`` branches add up."""

    def walk(node: Mapping[str, Any], depth: int, total: int) -> int:
        for key, value in node.items():
            if isinstance(value, Mapping):
                total = walk(value, depth + 1, total)
            elif _is_or(key, value):
                total = sum(walk(branch, depth, total) for branch in value)
            elif isinstance(value, list):
                total *= len(value) * depth
        return total

    return walk(policy, 1, 1)


def _has_nesting(node: Mapping[str, Any]) -> bool:
    for key, value in node.items():
        if _is_or(key, value):
            if any(_has_nesting(branch) for branch in value):
                return True
        elif isinstance(value, Mapping):
            return True
    return False


class FilterPolicy:
    """A validated policy. An empty policy ("{}") accepts every message."""

    def __init__(self, source: str, scope: str, branches: list[Branch]) -> None:
        self.source = source
        self.scope = scope
        self.branches = tuple(
            CompiledBranch(
                tuple(
                    FieldRule.build(path, map(_at_sns_precision, terms), strict_exists=True)
                    for path, terms in b.items()
                )
            )
            for b in branches
        )
        self._body = Matcher(self.branches)

    def matches(self, message_attributes: Mapping[str, Mapping[str, Any]] | None, body: str) -> bool:
        """Dispatch on the subscription's FilterPolicyScope."""
        if self.scope == "MessageBody":
            return self.matches_body(body)
        return self.matches_attributes(message_attributes or {})

    def matches_body(self, body: str) -> bool:
        """The body must be a JSON object; anything else never matches a body policy."""
        if not self.branches:
            return True
        return self._body.matches(body)

    def matches_attributes(self, message_attributes: Mapping[str, Mapping[str, Any]]) -> bool:
        if not self.branches:
            return True
        values, arrays = attribute_values(message_attributes)
        if not values and not any(_has_value(a) for a in message_attributes.values()):
            return False  # "an empty set of attributes results in the filter not matching"
        return any(_attributes_match(branch, values, arrays) for branch in self.branches)


def _has_value(attribute: Mapping[str, Any]) -> bool:
    return not str(attribute.get("DataType") or attribute.get("Type") or "").startswith("Binary")


def _number(text: str) -> int | float | str:
    try:
        return int(text)
    except ValueError:
        pass
    try:
        return float(text)
    except ValueError:
        return text


def attribute_values(message_attributes: Mapping[str, Mapping[str, Any]]) -> tuple[dict[str, list[Any]], set[str]]:
    """Leaf values per attribute name (both API and notification shapes: DataType/StringValue or
    Type/Value), and the names whose type is an array."""
    values: dict[str, list[Any]] = {}
    arrays: set[str] = set()
    for name, attribute in message_attributes.items():
        data_type = str(attribute.get("DataType") or attribute.get("Type") or "String")
        raw = attribute.get("StringValue", attribute.get("Value"))
        if data_type.startswith("Binary") or raw is None:
            continue  # SNS ignores Binary attributes
        if data_type.endswith(".Array"):
            try:
                parsed = json.loads(raw) if isinstance(raw, str) else raw
            except (ValueError, RecursionError):  # not JSON, or nested deeper than Python's stack
                parsed = raw
            if isinstance(parsed, list):
                leaves = [v for v in _flat(parsed) if not isinstance(v, Mapping)]
                if leaves:
                    values[name] = leaves
                    arrays.add(name)
                continue
            values[name] = [parsed]
        elif data_type.split(".")[0] == "Number":
            values[name] = [_number(raw) if isinstance(raw, str) else raw]
        else:
            values[name] = [raw]
    return values, arrays


def _flat(items: Sequence[Any]) -> list[Any]:
    """The leaves of nested lists, in order (iteratively: nesting depth costs no stack)."""
    out: list[Any] = []
    stack: list[Any] = list(reversed(items))
    while stack:
        item = stack.pop()
        if isinstance(item, list):
            stack.extend(reversed(item))
        else:
            out.append(item)
    return out


def _attributes_match(branch: CompiledBranch, values: Mapping[str, list[Any]], arrays: set[str]) -> bool:
    for rule in branch.fields:
        found = values.get(rule.path)
        if not found:
            if rule.exists_false:
                continue
            return False
        if rule.path in arrays:
            # String.Array: anything-but holds only when no element is excluded (sns string-value-matching).
            ok = any(rule.positive(v) for v in found) or bool(rule.negatives) and all(rule.negative(v) for v in found)
        else:
            ok = any(rule.test(v) for v in found)
        if not ok:
            return False
    return True


def compile_filter_policy(policy: str | Mapping[str, Any], scope: str = "MessageAttributes") -> FilterPolicy:
    """Validate and compile; raises FilterPolicyError (use ``message_for(operation)`` for the AWS text)."""
    source = policy if isinstance(policy, str) else json.dumps(policy)
    if len(source.encode("utf-8", "surrogatepass")) > MAX_POLICY_BYTES:
        raise FilterPolicyError("Filter policy is too long")
    try:  # Jackson stops after the first value, so trailing text is ignored; raw_decode does the same
        parsed: Any = json.JSONDecoder().raw_decode(source.lstrip(" \t\r\n"))[0]
    except (ValueError, RecursionError):
        parsed = None
    if parsed == {}:
        return FilterPolicy(source, scope, [])
    try:
        branches = compile_branches(source, SNS)
    except TooManyBranches:  # far more than MAX_COMBINATIONS
        raise FilterPolicyError("Filter policy is too complex") from None
    except PatternError as error:
        raise FilterPolicyError(error.reason, error.location) from None
    assert isinstance(parsed, dict)  # the compiler accepted it, so it is a JSON object
    if len(parsed) > MAX_KEYS:
        raise FilterPolicyError("Filter policy can not have more than 5 keys")
    if scope == "MessageAttributes" and _has_nesting(parsed):
        raise FilterPolicyError("Filter policy scope MessageAttributes does not support nested filter policy", field="")
    try:
        combinations = filter_policy_combinations(parsed)
    except RecursionError:  # hundreds of levels: far beyond the limit anyway
        combinations = MAX_COMBINATIONS + 1
    if combinations > MAX_COMBINATIONS:
        raise FilterPolicyError("Filter policy is too complex")
    return FilterPolicy(source, scope, branches)
