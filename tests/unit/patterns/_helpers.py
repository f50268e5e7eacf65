"""Shared helpers for the pattern tests: compile-and-match shorthands and error capture."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

import pytest

from gureum.patterns import (
    EventPatternError,
    FilterPolicyError,
    compile_event_pattern,
    compile_filter_policy,
)


def eb(pattern: Any, event: Any) -> bool:
    return compile_event_pattern(pattern).matches(event)


def eb_error(pattern: Any) -> str:
    """The full message PutRule would return for an invalid pattern."""
    with pytest.raises(EventPatternError) as info:
        compile_event_pattern(pattern)
    return info.value.message


def eb_reason(pattern: Any) -> str:
    with pytest.raises(EventPatternError) as info:
        compile_event_pattern(pattern)
    return info.value.reason


def source_at(pattern: str, line: int, column: int) -> str:
    return f'\n at [Source: (String)"{pattern}"; line: {line}, column: {column}]'


def attrs(**values: Any) -> dict[str, dict[str, str]]:
    """SNS message attributes: str -> String, int/float -> Number, list -> String.Array."""
    out: dict[str, dict[str, str]] = {}
    for name, value in values.items():
        if isinstance(value, list):
            out[name] = {"DataType": "String.Array", "StringValue": json.dumps(value)}
        elif isinstance(value, (int, float)):
            out[name] = {"DataType": "Number", "StringValue": str(value)}
        else:
            out[name] = {"DataType": "String", "StringValue": value}
    return out


def sns_attrs(policy: Any, message_attributes: Mapping[str, Mapping[str, Any]]) -> bool:
    return compile_filter_policy(policy, "MessageAttributes").matches_attributes(message_attributes)


def sns_body(policy: Any, body: Any) -> bool:
    return compile_filter_policy(policy, "MessageBody").matches_body(
        body if isinstance(body, str) else json.dumps(body)
    )


def sns_error(policy: Any, scope: str = "MessageAttributes", operation: str = "SetSubscriptionAttributes") -> str:
    with pytest.raises(FilterPolicyError) as info:
        compile_filter_policy(policy, scope)
    return info.value.message_for(operation)
