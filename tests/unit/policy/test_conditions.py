"""Condition operators: each family, IfExists, the set qualifiers, missing keys and bad values."""

from __future__ import annotations

from typing import Any

import pytest

from gureum.policy import Condition
from gureum.policy.conditions import holds


def check(operator: str, key: str, values: Any, context: dict[str, Any], resolve: Any = None) -> bool:
    name = operator.lower()
    qualifier, _, base = name.rpartition(":")
    if_exists = base.endswith("ifexists")
    base = base.removesuffix("ifexists")
    policy_values = tuple(values) if isinstance(values, list) else (values,)
    lowered = {k.lower(): v for k, v in context.items()}
    return holds(Condition(base, key.lower(), policy_values, if_exists, qualifier or None), lowered, resolve)


@pytest.mark.parametrize(
    ("operator", "values", "value", "expected"),
    [
        ("StringEquals", "abc", "abc", True),
        ("StringEquals", "abc", "ABC", False),
        ("StringEquals", ["x", "abc"], "abc", True),
        ("StringNotEquals", "abc", "abd", True),
        ("StringNotEquals", ["x", "abc"], "abc", False),
        ("StringEqualsIgnoreCase", "abc", "ABC", True),
        ("StringNotEqualsIgnoreCase", "abc", "ABC", False),
        ("StringLike", "https://*.example.com/*", "https://a.example.com/hook", True),
        ("StringLike", "https://*.example.com/*", "https://example.org/x", False),
        ("StringLike", "a?c", "abc", True),
        ("StringNotLike", "*@example.com", "ana@example.com", False),
        ("StringNotLike", "*@example.com", "ana@evil.com", True),
        ("NumericEquals", "10", "10.0", True),
        ("NumericNotEquals", "10", "11", True),
        ("NumericLessThan", "10", "9", True),
        ("NumericLessThan", "10", "10", False),
        ("NumericLessThanEquals", "10", "10", True),
        ("NumericGreaterThan", "10", "11", True),
        ("NumericGreaterThanEquals", "10", "9", False),
        ("NumericEquals", "10", "ten", False),
        ("NumericEquals", "nan", "nan", False),
        ("DateLessThan", "2030-01-01T00:00:00Z", "2029-12-31T23:59:59Z", True),
        ("DateGreaterThan", "2030-01-01T00:00:00Z", "2029-12-31T23:59:59Z", False),
        ("DateEquals", "2030-01-01T00:00:00Z", "1893456000", True),  # epoch seconds
        ("DateNotEquals", "2030-01-01", "2030-01-01T00:00:00+00:00", False),
        ("DateLessThanEquals", "2030-01-01T00:00:00Z", "not a date", False),
        ("DateGreaterThanEquals", "2020-01-01T00:00:00Z", "2020-01-01T01:00:00+01:00", True),
        ("Bool", "true", "true", True),
        ("Bool", "true", "TRUE", True),
        ("Bool", "false", "true", False),
        ("BinaryEquals", "QmluYXJ5", "QmluYXJ5", True),
        ("BinaryEquals", "QmluYXJ5", "QmluYXJ6", False),
        ("BinaryEquals", "QmluYXJ5", "%%%", False),
        ("IpAddress", "203.0.113.0/24", "203.0.113.7", True),
        ("IpAddress", "203.0.113.0/24", "203.0.114.7", False),
        ("IpAddress", "203.0.113.7", "203.0.113.7", True),
        ("IpAddress", "2001:db8::/32", "2001:db8::1", True),
        ("IpAddress", "2001:db8::/32", "203.0.113.7", False),
        ("IpAddress", "not-a-network", "203.0.113.7", False),
        ("NotIpAddress", "203.0.113.0/24", "198.51.100.1", True),
        ("NotIpAddress", "203.0.113.0/24", "203.0.113.1", False),
        ("ArnEquals", "arn:aws:sns:us-east-1:111111111111:t", "arn:aws:sns:us-east-1:111111111111:t", True),
        ("ArnLike", "arn:aws:s3:::bucket-*", "arn:aws:s3:::bucket-1", True),
        ("ArnLike", "arn:aws:sns:*:111111111111:*", "arn:aws:sns:eu-west-1:111111111111:t", True),
        ("ArnLike", "arn:aws:sns:*:111111111111:*", "arn:aws:sns:eu-west-1:222222222222:t", False),
        ("ArnLike", "arn:aws:sns:*:111111111111:t*", "arn:aws:sns:eu:west:111111111111:t", False),  # per part
        ("ArnLike", "*", "arn:aws:sns:r:1:t", True),
        ("ArnLike", "arn:aws:s3:::bucket-*", "not-an-arn", False),
        ("ArnNotLike", "arn:aws:s3:::bucket-*", "arn:aws:s3:::other", True),
        ("ArnNotEquals", "arn:aws:s3:::bucket-*", "arn:aws:s3:::bucket-2", False),
        ("SomeFutureOperator", "x", "x", False),
    ],
)
def test_operators(operator: str, values: Any, value: str, expected: bool) -> None:
    assert check(operator, "k:Key", values, {"k:key": value}) is expected


@pytest.mark.parametrize(
    ("operator", "expected"),
    [
        ("StringEquals", False),
        ("StringLike", False),
        ("ArnLike", False),
        ("IpAddress", False),
        ("StringNotEquals", True),  # a negated operator is true when the key is missing
        ("StringNotLike", True),
        ("ArnNotLike", True),
        ("NotIpAddress", True),
        ("StringEqualsIfExists", True),
        ("ArnLikeIfExists", True),
        ("ForAllValues:StringEquals", True),
        ("ForAnyValue:StringEquals", False),
    ],
)
def test_missing_keys(operator: str, expected: bool) -> None:
    assert check(operator, "aws:SourceArn", "x", {}) is expected


def test_if_exists_still_compares_a_present_key() -> None:
    assert check("StringEqualsIfExists", "k", "a", {"k": "a"})
    assert not check("StringEqualsIfExists", "k", "a", {"k": "b"})


def test_null() -> None:
    assert check("Null", "aws:SourceArn", "true", {})
    assert not check("Null", "aws:SourceArn", "true", {"aws:SourceArn": "x"})
    assert check("Null", "aws:SourceArn", "false", {"aws:SourceArn": "x"})
    assert not check("Null", "aws:SourceArn", "false", {})


def test_set_qualifiers() -> None:
    tags = {"aws:TagKeys": ["team", "cost"]}
    assert check("ForAllValues:StringEquals", "aws:TagKeys", ["team", "cost", "env"], tags)
    assert not check("ForAllValues:StringEquals", "aws:TagKeys", ["team"], tags)
    assert check("ForAnyValue:StringEquals", "aws:TagKeys", ["team"], tags)
    assert not check("ForAnyValue:StringEquals", "aws:TagKeys", ["env"], tags)
    assert check("ForAnyValue:StringNotEquals", "aws:TagKeys", ["team"], tags)  # "cost" is not "team"
    assert not check("ForAllValues:StringNotEquals", "aws:TagKeys", ["team"], tags)
    assert check("ForAllValues:StringEquals", "aws:TagKeys", ["team"], {"aws:TagKeys": []})


def test_multivalued_key_without_a_qualifier() -> None:
    tags = {"aws:TagKeys": ["team", "cost"]}
    assert check("StringEquals", "aws:TagKeys", "team", tags)
    assert not check("StringNotEquals", "aws:TagKeys", "team", tags)


def test_variables_in_condition_values() -> None:
    context = {"aws:principalaccount": "222222222222", "k": "222222222222-x"}

    def resolve(key: str) -> str | None:
        value = context.get(key.lower())
        return value if isinstance(value, str) else None

    assert check("StringEquals", "k", "${aws:PrincipalAccount}-x", context, resolve)
    assert check("StringLike", "k", "${aws:PrincipalAccount}-*", context, resolve)
    assert not check("StringEquals", "k", "${aws:username}-x", context, resolve)
    assert not check("StringEquals", "k", "${aws:PrincipalAccount}-x", context)  # no variables in 2008-10-17
