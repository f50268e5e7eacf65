"""IAM wildcards (* and ?), policy variables, and matching time on hostile patterns."""

from __future__ import annotations

import time

import pytest

from gureum.policy import compile_glob, like


@pytest.mark.parametrize(
    ("pattern", "value", "expected"),
    [
        ("*", "", True),
        ("*", "anything:at/all", True),
        ("sqs:SendMessage", "sqs:SendMessage", True),
        ("sqs:SendMessage", "sqs:SendMessageBatch", False),
        ("sqs:Send*", "sqs:SendMessageBatch", True),
        ("sqs:*Message", "sqs:ReceiveMessage", True),
        ("sqs:*Message", "sqs:ReceiveMessages", False),
        ("a*b*c", "abc", True),
        ("a*b*c", "aXbYc", True),
        ("a*b*c", "acb", False),
        ("ab*ba", "aba", False),  # prefix and suffix may not overlap
        ("ab*ba", "abba", True),
        ("?", "", False),
        ("?", "x", True),
        ("a?c", "abc", True),
        ("a?c", "ac", False),
        ("*?b?*", "xxbx", True),
        ("*?b?*", "bx", False),
        ("arn:aws:sns:*:111111111111:t-?", "arn:aws:sns:us-east-1:111111111111:t-1", True),
        ("arn:aws:sns:*:111111111111:t-?", "arn:aws:sns:us-east-1:111111111111:t-12", False),
        ("*a?c*", "xxabxxadcxx", True),
        ("*a?c*", "xxabxxadxx", False),
        ("x*??*y", "xaby", True),
        ("x*??*y", "xay", False),
    ],
)
def test_like(pattern: str, value: str, expected: bool) -> None:
    assert like(pattern, value) is expected


def test_actions_ignore_case() -> None:
    assert like("SNS:Publish", "sns:publish", ignore_case=True)
    assert like("sns:pub*", "SNS:Publish", ignore_case=True)
    assert not like("SNS:Publish", "sns:publish")


def test_variables() -> None:
    values = {"aws:username": "ana", "aws:sourceaccount": "111111111111"}

    def resolve(key: str) -> str | None:
        return values.get(key.lower())

    assert like("arn:aws:s3:::home/${aws:username}/*", "arn:aws:s3:::home/ana/x", resolve=resolve)
    assert not like("arn:aws:s3:::home/${aws:username}/*", "arn:aws:s3:::home/bob/x", resolve=resolve)
    assert compile_glob("${aws:userid}", resolve=resolve) is None  # an absent key matches nothing
    assert like("${aws:userid, 'nobody'}", "nobody", resolve=resolve)  # ... unless a default is given
    assert like("a${*}b", "a*b", resolve=resolve) and not like("a${*}b", "axb", resolve=resolve)
    assert like("a${?}", "a?", resolve=resolve) and not like("a${?}", "ab", resolve=resolve)
    assert like("${$}x", "$x", resolve=resolve)
    # without a resolver (a 2008-10-17 policy) ${...} is plain text
    assert like("${aws:username}", "${aws:username}")


def test_variable_values_are_literal() -> None:
    def resolve(key: str) -> str | None:
        return "a*"

    assert like("x-${k}", "x-a*", resolve=resolve)
    assert not like("x-${k}", "x-abc", resolve=resolve)


@pytest.mark.parametrize(
    ("pattern", "value"),
    [
        ("*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*b", "a" * 20_000),
        ("*?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?b*", "a" * 20_000),
        ("*" + "?" * 200 + "b", "a" * 20_000),
    ],
)
def test_hostile_patterns_are_fast(pattern: str, value: str) -> None:
    started = time.perf_counter()
    assert not like(pattern, value)
    assert time.perf_counter() - started < 2.0  # a backtracking matcher takes hours here
