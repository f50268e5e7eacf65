"""Patterns and events built to make a naive matcher backtrack, recurse or explode: each answers at once.

Wildcards are matched segment by segment (no regex), ``$or`` expansion is capped, flattening and array
leaves are iterative, the array-consistency search is bounded, and IP-shaped checks never backtrack.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gureum.patterns import compile_filter_policy, wildcard
from gureum.patterns.compile import MAX_BRANCHES
from gureum.patterns.operators import cidr_bounds, parse_ip

from ._helpers import eb, eb_error, sns_error

pytestmark = pytest.mark.timeout(20)


@contextmanager
def _fast(seconds: float = 5.0) -> Iterator[None]:
    """The block must finish within ``seconds`` (generous: a backtracking matcher takes minutes to hours)."""
    started = time.monotonic()
    yield
    assert time.monotonic() - started < seconds


@pytest.mark.parametrize(
    ("text", "value", "expected"),
    [
        ("a*b", "ab", True),
        ("a*b", "axxb", True),
        ("a*b", "axxbc", False),
        ("*", "", True),
        ("a*a", "a", False),  # prefix and suffix may not overlap
        ("a*a", "aa", True),
        ("*ab*ab*", "xabyab", True),
        ("*ab*ab*", "xaba", False),
        ("x*", "y", False),
        ("\\**", "*star", True),
        ("\\**", "star", False),
    ],
)
def test_glob_semantics(text: str, value: str, expected: bool) -> None:
    assert wildcard.compile_wildcard(text).fullmatch(value) is expected


def test_wildcard_with_many_stars_on_a_long_value() -> None:
    """The issue's reproduction: "*a*a*a*a*a*a*a*a*b" against a long run of a's stalled the server."""
    value = "a" * 200_000
    with _fast():
        assert not wildcard.compile_wildcard("*a*a*a*a*a*a*a*a*b").fullmatch(value)
        assert wildcard.compile_wildcard("*a*a*a*a*a*a*a*a*").fullmatch(value)
    with _fast():
        assert not eb({"a": [{"wildcard": "*a*a*a*a*b"}]}, {"a": value})
        assert not eb({"a": [{"anything-but": {"wildcard": ["*a*a*a*b"]}}]}, {"a": value + "b"})


def test_ip_shaped_values_do_not_backtrack() -> None:
    with _fast():
        assert parse_ip(":" * 200_000 + "x") is None
        assert parse_ip("1" * 5_000 + ".1.1.1") is None  # no int() of thousands of digits
        assert parse_ip("::1") == (128, 1)
    with _fast():
        assert not eb({"ip": [{"cidr": "10.0.0.0/8"}]}, {"ip": ":" * 200_000 + "g"})
    with pytest.raises(ValueError, match="mask bits must be an integer"):
        cidr_bounds("10.0.0.0/" + "9" * 6_000)


def _ors(count: int) -> str:
    """``count`` sibling "$or" keys: the branches double with each."""
    return "{" + ",".join(f'"$or":[{{"a{i}":[1]}},{{"b{i}":[1]}}]' for i in range(count)) + "}"


def test_or_expansion_is_capped() -> None:
    assert 2**10 <= MAX_BRANCHES < 2**11
    with _fast():
        assert eb(_ors(10), {"a0": 1, **{f"b{i}": 1 for i in range(1, 10)}})
    with _fast():
        assert "too complex" in eb_error(_ors(60))
    with _fast():
        assert "Filter policy is too complex" in sns_error(_ors(60), "MessageBody")


def test_deeply_nested_events_and_attributes() -> None:
    deep_list = "[" * 5_000 + "1" + "]" * 5_000
    with _fast():
        assert not eb({"a": [1]}, '{"a":' + deep_list + "}")  # deeper than Python's stack: no match
    nested: object = 1
    for _ in range(3_000):
        nested = [nested]
    with _fast():
        assert eb({"a": [1]}, {"a": nested})  # already decoded: flattened without recursion
    policy = compile_filter_policy({"tags": ["x"]})
    attributes = {"tags": {"DataType": "String.Array", "StringValue": "[" * 3_000 + '"x"' + "]" * 3_000}}
    with _fast():
        assert policy.matches_attributes(attributes) in (True, False)


def test_array_consistency_search_is_bounded() -> None:
    """Many fields, each matching many elements of arrays that only they own, plus one field that can never
    agree with them: reducing memberships to shared arrays makes this one step per field."""
    pattern = {"a": {"x": [1], "y": [1], "z": [1], "v": [1], "w": [1]}}
    event = {"a": [{"x": [1] * 60, "y": [1] * 60, "z": [1] * 60, "v": [1] * 60}, {"w": [1] * 60}]}
    with _fast():
        assert not eb(pattern, event)
    event["a"][0]["w"] = [1]
    with _fast():
        assert eb(pattern, json.dumps(event))


def _iam_regex(pattern: str) -> re.Pattern[str]:
    """How resource-policy wildcards were matched before (and still are in some services)."""
    return re.compile(re.escape(pattern).replace(r"\*", ".*").replace(r"\?", "."), re.DOTALL)


@settings(max_examples=500, deadline=None)
@given(pattern=st.text(alphabet="ab*?/", max_size=10), text=st.text(alphabet="ab/", max_size=14))
def test_iam_glob_agrees_with_the_regex(pattern: str, text: str) -> None:
    assert wildcard.IamGlob.of(pattern).fullmatch(text) is (_iam_regex(pattern).fullmatch(text) is not None)


def test_iam_glob_on_an_attackers_path() -> None:
    """A resource policy's "abc/*/*/*/x" against a request path of thousands of slashes: the regex takes
    O(n^3) (0.4 s at 800 characters, minutes at the request-line limit); the glob reads it once."""
    arn = "arn:aws:execute-api:us-east-1:000000000000:abc/" + "/" * 15_000 + "y"
    with _fast():
        assert not wildcard.IamGlob.of("arn:aws:execute-api:us-east-1:000000000000:abc/*/*/*/x").fullmatch(arn)
        assert wildcard.IamGlob.of("arn:aws:execute-api:*:*:abc/*/?").fullmatch(arn)
