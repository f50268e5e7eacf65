"""Generated tests: properties every pattern engine answer must have, checked against plain Python."""

from __future__ import annotations

import json
import math
import string
from typing import Any

from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from gureum.patterns import (
    EventPatternError,
    FilterPolicyError,
    compile_event_pattern,
    compile_filter_policy,
    filter_policy_combinations,
)
from gureum.patterns._json import JsonReader, Tok

GENERATED = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])

keys = st.text(alphabet=string.ascii_letters + "-_", min_size=1, max_size=6)
scalars = st.one_of(
    st.text(max_size=8),
    st.integers(-(10**12), 10**12),
    st.floats(allow_nan=False, allow_infinity=False),
    st.booleans(),
    st.none(),
)
# Arrays hold scalars only here, so any choice of leaves is array-consistent.
values = st.recursive(
    st.one_of(scalars, st.lists(scalars, min_size=1, max_size=4)),
    lambda children: st.dictionaries(keys, children, min_size=1, max_size=4),
    max_leaves=12,
)
events = st.dictionaries(keys, values, min_size=1, max_size=5)


def leaves(node: Any, path: tuple[str, ...] = ()) -> list[tuple[tuple[str, ...], Any]]:
    if isinstance(node, dict):
        return [leaf for key, value in node.items() for leaf in leaves(value, (*path, key))]
    return [(path, node)]


def nest(path: tuple[str, ...], value: Any, into: dict[str, Any]) -> None:
    for key in path[:-1]:
        into = into.setdefault(key, {})
    into[path[-1]] = value


def eb(pattern: Any, event: Any) -> bool:
    return compile_event_pattern(pattern, max_length=None).matches(event)


@GENERATED
@given(events, st.data())
def test_a_pattern_built_from_an_events_own_values_matches_it(event: dict[str, Any], data: st.DataObject) -> None:
    found = leaves(event)
    chosen = data.draw(
        st.lists(st.sampled_from(found), min_size=1, max_size=len(found), unique_by=lambda leaf: leaf[0])
    )
    pattern: dict[str, Any] = {}
    for path, value in chosen:
        picked = data.draw(st.sampled_from(value)) if isinstance(value, list) else value
        nest(path, [picked], pattern)
    assert eb(pattern, event)
    assert eb(json.dumps(pattern, indent=2), json.dumps(event))


@GENERATED
@given(events, st.data())
def test_exists_agrees_with_the_events_leaves(event: dict[str, Any], data: st.DataObject) -> None:
    path, _ = data.draw(st.sampled_from(leaves(event)))
    present: dict[str, Any] = {}
    nest(path, [{"exists": True}], present)
    absent: dict[str, Any] = {}
    nest(path, [{"exists": False}], absent)
    assert eb(present, event)
    assert not eb(absent, event)


@GENERATED
@given(st.text(max_size=10), st.lists(st.text(max_size=10), max_size=4))
def test_anything_but_never_matches_the_excluded_string(value: str, others: list[str]) -> None:
    assert not eb({"f": [{"anything-but": [value, *others]}]}, {"f": value})
    assert not eb({"f": [{"anything-but": value}]}, {"f": value})
    assert eb({"f": [{"anything-but": [value, *others]}]}, {"f": value + "!"}) is (value + "!" not in others)


@GENERATED
@given(st.integers(-(10**9), 10**9), st.lists(st.integers(-(10**9), 10**9), max_size=4))
def test_anything_but_never_matches_the_excluded_number(value: int, others: list[int]) -> None:
    assert not eb({"f": [{"anything-but": [value, *others]}]}, {"f": value})
    assert not eb({"f": [{"anything-but": [value, *others]}]}, {"f": float(value)})


@GENERATED
@given(st.text(max_size=10), st.text(min_size=1, max_size=4))
def test_anything_but_prefix_is_the_negation_of_prefix(value: str, prefix: str) -> None:
    event = {"f": value}
    assert eb({"f": [{"anything-but": {"prefix": prefix}}]}, event) is not eb({"f": [{"prefix": prefix}]}, event)
    assert eb({"f": [{"anything-but": {"suffix": prefix}}]}, event) is not eb({"f": [{"suffix": prefix}]}, event)


bounds = st.one_of(st.integers(-(10**9), 10**9), st.floats(-1e9, 1e9, allow_nan=False).map(lambda x: round(x, 6)))


@GENERATED
@given(
    bounds, bounds, st.sampled_from([">", ">="]), st.sampled_from(["<", "<="]), st.one_of(bounds, st.floats(-6e9, 6e9))
)
def test_numeric_ranges_agree_with_python(low: float, high: float, lower_op: str, upper_op: str, value: float) -> None:
    assume(low < high)
    ops = {">": lambda a, b: a > b, ">=": lambda a, b: a >= b, "<": lambda a, b: a < b, "<=": lambda a, b: a <= b}
    in_range = -5e9 <= value <= 5e9
    assert eb({"f": [{"numeric": [lower_op, low, upper_op, high]}]}, {"f": value}) is (
        in_range and ops[lower_op](value, low) and ops[upper_op](value, high)
    )
    assert eb({"f": [{"numeric": [lower_op, low]}]}, {"f": value}) is (in_range and ops[lower_op](value, low))
    assert eb({"f": [{"numeric": ["=", low]}]}, {"f": value}) is (value == low)


small_keys = st.sampled_from(["a", "b", "c"])
small_values = st.sampled_from(["x", "y", "z"])
terms = st.one_of(
    small_values, small_values.map(lambda v: {"prefix": v}), small_values.map(lambda v: {"anything-but": v})
)
simple_patterns = st.dictionaries(small_keys, st.lists(terms, min_size=1, max_size=2), min_size=1, max_size=2)
small_events = st.dictionaries(small_keys, st.one_of(small_values, st.lists(small_values, max_size=2)), max_size=3)


@GENERATED
@given(st.lists(simple_patterns, min_size=2, max_size=3), small_events, st.none() | simple_patterns)
def test_or_is_the_union_of_its_branches(
    branches: list[dict[str, Any]], event: dict[str, Any], common: dict[str, Any] | None
) -> None:
    pattern: dict[str, Any] = {"$or": branches}
    shared: dict[str, Any] = {}
    if common:
        shared = {f"shared-{k}": v for k, v in common.items()}
        pattern.update(shared)
        event = {**event, **{f"shared-{k}": v for k, v in event.items()}}
    expected = any(eb(branch, event) for branch in branches) and (not shared or eb(shared, event))
    assert eb(pattern, event) is expected


@GENERATED
@given(st.text(max_size=12), st.text(max_size=4))
def test_string_operators_agree_with_python(value: str, operand: str) -> None:
    event = {"f": value}
    assert eb({"f": [{"prefix": operand}]}, event) is value.startswith(operand)
    assert eb({"f": [{"suffix": operand}]}, event) is value.endswith(operand)
    assert eb({"f": [{"equals-ignore-case": operand}]}, event) is (value.lower() == operand.lower())
    assert eb({"f": [{"prefix": {"equals-ignore-case": operand}}]}, event) is value.lower().startswith(operand.lower())


def escape(literal: str) -> str:
    return literal.replace("\\", "\\\\").replace("*", "\\*")


@GENERATED
@given(st.text(max_size=12), st.data())
def test_a_wildcard_cut_from_a_value_matches_it(value: str, data: st.DataObject) -> None:
    cuts = sorted(data.draw(st.sets(st.integers(0, len(value)), max_size=6)))
    pieces, previous, stars = [], 0, 0
    for i, cut in enumerate(cuts):
        if i % 2 == 0:
            pieces.append(escape(value[previous:cut]))
            previous = cut
        else:
            pieces.append("*")
            previous = cut
            stars += 1
    pieces.append(escape(value[previous:]))
    text = "".join(pieces)
    assume("**" not in text)
    assert eb({"f": [{"wildcard": text}]}, {"f": value})
    assert eb({"f": [{"wildcard": escape(value)}]}, {"f": value + "x"}) is False


json_values = st.recursive(
    st.one_of(
        st.text(max_size=6), st.integers(), st.floats(allow_nan=False, allow_infinity=False), st.booleans(), st.none()
    ),
    lambda children: st.one_of(
        st.lists(children, max_size=3), st.dictionaries(st.text(max_size=4), children, max_size=3)
    ),
    max_leaves=15,
)


def rebuild(reader: JsonReader, token: Tok | None) -> Any:
    if token is Tok.START_OBJECT:
        out: dict[str, Any] = {}
        while reader.next_token() is Tok.FIELD_NAME:
            name = reader.name
            out[name] = rebuild(reader, reader.next_token())
        return out
    if token is Tok.START_ARRAY:
        items = []
        while (nxt := reader.next_token()) is not Tok.END_ARRAY:
            items.append(rebuild(reader, nxt))
        return items
    if token in (Tok.INT, Tok.FLOAT):
        return json.loads(reader.text())
    if token is Tok.STRING:
        return reader.text()
    literals: dict[Tok | None, Any] = {Tok.TRUE: True, Tok.FALSE: False, Tok.NULL: None}
    return literals[token]


@GENERATED
@given(json_values, st.booleans(), st.sampled_from([None, 1, 4]))
def test_the_reader_reads_what_json_writes(value: Any, ascii_only: bool, indent: int | None) -> None:
    text = json.dumps(value, ensure_ascii=ascii_only, indent=indent)
    reader = JsonReader(text)
    rebuilt = rebuild(reader, reader.next_token())
    assert rebuilt == json.loads(text) or (isinstance(value, float) and math.isclose(rebuilt, value))


garbage = st.text(alphabet='{}[]":,0123456789.-eEtrufalsn \\ab*$ox/', max_size=40)


@GENERATED
@given(st.one_of(garbage, st.text(max_size=30)))
def test_any_text_compiles_or_fails_with_an_aws_error(text: str) -> None:
    try:
        compile_event_pattern(text)
    except EventPatternError as error:
        assert error.message.startswith("Event pattern is not valid. Reason: ")
    for scope in ("MessageAttributes", "MessageBody"):
        try:
            compile_filter_policy(text, scope)
        except FilterPolicyError as error:
            assert error.message_for("Subscribe").startswith("Invalid parameter: Attributes Reason: ")


@GENERATED
@given(st.dictionaries(keys, st.lists(st.text(max_size=3), min_size=1, max_size=6), min_size=1, max_size=5))
def test_flat_policy_combinations_are_the_product_of_value_counts(policy: dict[str, list[str]]) -> None:
    assert filter_policy_combinations(policy) == math.prod(len(v) for v in policy.values())


@GENERATED
@given(
    st.dictionaries(small_keys, st.one_of(small_values, st.lists(small_values, min_size=1, max_size=3)), max_size=3),
    simple_patterns,
)
def test_sns_body_and_attribute_scopes_agree_on_flat_string_messages(
    message: dict[str, Any], policy: dict[str, Any]
) -> None:
    assume(not any(isinstance(v, list) for v in message.values()))  # arrays differ on purpose (anything-but)
    attributes = {k: {"DataType": "String", "StringValue": v} for k, v in message.items()}
    by_attributes = compile_filter_policy(policy, "MessageAttributes").matches_attributes(attributes)
    by_body = compile_filter_policy(policy, "MessageBody").matches_body(json.dumps(message))
    assert by_attributes is (by_body and bool(message))
