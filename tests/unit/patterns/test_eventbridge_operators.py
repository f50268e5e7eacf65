"""Operator semantics beyond the guide's examples: value types, arrays, exists, IPs, wildcards, $or nesting."""

from __future__ import annotations

from typing import Any

import pytest

from gureum.patterns import compile_event_pattern

from ._helpers import eb


@pytest.mark.parametrize(
    ("pattern_value", "event_value", "expected"),
    [
        (300, 3.0e2, True),
        (300, 300.0, True),
        (3.018e2, 301.8, True),
        (300, "300", False),
        ("300", 300, False),
        (1, True, False),
        (True, 1, False),
        (True, True, True),
        (False, False, True),
        (False, None, False),
        (None, None, True),
        (None, "null", False),
        (123456789012, 123456789012, True),  # account numbers are beyond numeric range but still match exactly
        (0, -0.0, True),
        ("::1", "0:0:0:0:0:0:0:1", True),  # address-shaped strings compare as addresses
        ("10.0.0.1", "::ffff:a00:1", True),  # an IPv4-mapped IPv6 literal is that IPv4 address
        ("10.0.0.1", "10.0.0.2", False),
        ("x", ["a", "x"], True),
        (5, [1, [2, [5]]], True),
        ("x", [], False),
        ("x", {"x": "x"}, False),
    ],
)
def test_exact_values(pattern_value: Any, event_value: Any, expected: bool) -> None:
    assert eb({"f": [pattern_value]}, {"f": event_value}) is expected


@pytest.mark.parametrize(
    ("operator", "event_value", "expected"),
    [
        ({"prefix": "ab"}, "abc", True),
        ({"prefix": "ab"}, "xabc", False),
        ({"prefix": ""}, "anything", True),
        ({"prefix": "1"}, 123, False),
        ({"suffix": "bc"}, "abc", True),
        ({"suffix": "bc"}, "abcd", False),
        ({"suffix": "3"}, 123, False),
        ({"prefix": {"equals-ignore-case": "AB"}}, "abc", True),
        ({"suffix": {"equals-ignore-case": "BC"}}, "aBc", True),
        ({"suffix": {"equals-ignore-case": "BC"}}, "abd", False),
        ({"equals-ignore-case": "école"}, "ÉCOLE", True),
        ({"equals-ignore-case": "abc"}, "abcd", False),
        ({"equals-ignore-case": "1"}, 1, False),
        ({"anything-but": "x"}, "y", True),
        ({"anything-but": "x"}, "x", False),
        ({"anything-but": "x"}, 5, True),
        ({"anything-but": "x"}, None, True),
        ({"anything-but": "x"}, False, True),
        ({"anything-but": 5}, "5", True),
        ({"anything-but": 5}, 5.0, False),
        ({"anything-but": "x"}, ["x", "y"], True),  # any element that is not excluded
        ({"anything-but": "x"}, ["x", "x"], False),
        ({"anything-but": {"prefix": "a"}}, 5, True),
        ({"anything-but": {"prefix": ["a", "b"]}}, "bcd", False),
        ({"anything-but": {"prefix": ["a", "b"]}}, "cde", True),
        ({"anything-but": {"suffix": ["a", "b"]}}, "xxb", False),
        ({"anything-but": {"equals-ignore-case": ["ONE", "Two"]}}, "two", False),
        ({"anything-but": {"equals-ignore-case": ["ONE", "Two"]}}, "three", True),
        ({"anything-but": {"wildcard": ["*.png", "tmp/*"]}}, "tmp/a.txt", False),
        ({"anything-but": {"wildcard": ["*.png", "tmp/*"]}}, "var/a.txt", True),
        ({"anything-but": {"wildcard": "*.png"}}, 5, True),
        ({"numeric": [">=", -1.5, "<", 2]}, -1.5, True),
        ({"numeric": [">=", -1.5, "<", 2]}, 2, False),
        ({"numeric": [">", 0]}, 6e9, False),  # beyond the comparable range nothing matches numerically
        ({"numeric": ["<", 0]}, -6e9, False),
        ({"numeric": [">", 0]}, True, False),
        ({"numeric": [">", 0]}, "1", False),
        ({"numeric": ["=", 0.000001]}, 1e-6, True),
        ({"numeric": ["<=", 5]}, [9, 4], True),
        ({"cidr": "10.0.0.0/24"}, "10.0.0.77", True),
        ({"cidr": "10.0.0.5/24"}, "10.0.0.4", False),  # event-ruler starts the range at the address given
        ({"cidr": "10.0.0.5/24"}, "10.0.0.255", True),
        ({"cidr": "10.0.0.0/8"}, "10.255.1.1", True),
        ({"cidr": "10.0.0.0/8"}, "11.0.0.0", False),
        ({"cidr": "10.0.0.0/8"}, 10, False),
        ({"cidr": "10.0.0.0/8"}, "::ffff:a00:1", True),
        ({"cidr": "2001:db8::/32"}, "2001:db8:1::5", True),
        ({"cidr": "2001:db8::/32"}, "2001:db9::1", False),
        ({"cidr": "2001:db8::/32"}, "10.0.0.1", False),
        ({"cidr": "0.0.0.0/0"}, "255.255.255.255", True),
        ({"wildcard": "a\\*b"}, "a*b", True),  # escaped star is literal
        ({"wildcard": "a\\*b"}, "axb", False),
        ({"wildcard": "a\\\\b"}, "a\\b", True),
        ({"wildcard": "a.b*"}, "axb", False),  # regex characters are literal
        ({"wildcard": "*"}, "", True),
        ({"wildcard": "a*"}, "a\nb", True),
        ({"wildcard": "*x*y"}, "xxyy", True),
        ({"wildcard": "ab"}, "ab", True),
        ({"wildcard": "ab"}, 5, False),
    ],
)
def test_operators(operator: dict[str, Any], event_value: Any, expected: bool) -> None:
    assert eb({"f": [operator]}, {"f": event_value}) is expected


def test_anything_but_needs_the_field_to_be_present() -> None:
    assert not eb({"f": [{"anything-but": "x"}]}, {"g": "y"})
    assert eb({"f": [{"anything-but": "x"}, {"exists": False}]}, {"g": "y"})


def test_exists_treats_null_as_present_and_empty_arrays_and_objects_as_absent() -> None:
    present, absent = {"f": [{"exists": True}]}, {"f": [{"exists": False}]}
    assert eb(present, {"f": None})
    assert not eb(absent, {"f": None})
    assert not eb(present, {"f": []})
    assert eb(absent, {"f": []})
    assert eb(absent, {"f": {}})
    assert eb(present, {"f": [1]})


def test_exists_false_ored_with_a_value() -> None:
    pattern = {"f": [{"exists": False}, "x"]}
    assert eb(pattern, {})
    assert eb(pattern, {"f": "x"})
    assert not eb(pattern, {"f": "y"})


def test_fields_are_anded_and_values_ored() -> None:
    pattern = {"a": ["1", "2"], "b": {"c": [3, 4]}}
    assert eb(pattern, {"a": "2", "b": {"c": 4}})
    assert not eb(pattern, {"a": "2", "b": {"c": 5}})
    assert not eb(pattern, {"a": "3", "b": {"c": 4}})


def test_fields_in_one_array_element_must_match_together() -> None:
    pattern = {"items": {"kind": ["book"], "price": [{"numeric": ["<", 10]}]}}
    assert eb(pattern, {"items": [{"kind": "book", "price": 5}, {"kind": "pen", "price": 50}]})
    assert not eb(pattern, {"items": [{"kind": "book", "price": 50}, {"kind": "pen", "price": 5}]})
    exists = {"items": {"kind": ["book"], "isbn": [{"exists": True}]}}
    assert not eb(exists, {"items": [{"kind": "book"}, {"isbn": "1"}]})
    assert eb(exists, {"items": [{"kind": "pen"}, {"kind": "book", "isbn": "1"}]})


def test_array_consistency_applies_per_array_not_across_arrays() -> None:
    pattern = {"a": {"x": ["1"]}, "b": {"y": ["2"]}}
    assert eb(pattern, {"a": [{"x": "0"}, {"x": "1"}], "b": [{"y": "2"}, {"y": "3"}]})
    nested = {"o": {"a": {"x": ["1"]}, "k": ["k1"]}}
    event = {"o": [{"k": "k1", "a": [{"x": "0"}, {"x": "1"}]}, {"k": "k2", "a": [{"x": "1"}]}]}
    assert eb(nested, event)
    assert not eb({"o": {"a": {"x": ["1"]}, "k": ["k3"]}}, event)


def test_or_nested_inside_objects_and_other_ors() -> None:
    pattern = {
        "detail": {
            "$or": [
                {"a": ["1"], "$or": [{"b": ["2"]}, {"c": ["3"]}]},
                {"d": {"e": [{"prefix": "x"}]}},
            ]
        }
    }
    assert eb(pattern, {"detail": {"a": "1", "c": "3"}})
    assert eb(pattern, {"detail": {"d": {"e": "xyz"}}})
    assert not eb(pattern, {"detail": {"a": "1"}})
    assert not eb(pattern, {"detail": {"d": {"e": "abc"}}, "a": "1", "b": "2"})


def test_fields_after_an_or_apply_to_every_branch() -> None:
    pattern = {"$or": [{"a": ["1"]}, {"b": ["2"]}], "c": ["3"]}
    assert eb(pattern, {"b": "2", "c": "3"})
    assert not eb(pattern, {"b": "2", "c": "4"})


def test_events_that_are_not_objects_never_match() -> None:
    matcher = compile_event_pattern({"a": [{"exists": False}]})
    assert matcher.matches({})
    assert not matcher.matches("[1, 2]")
    assert not matcher.matches("3")


def test_only_paths_named_in_the_pattern_are_read() -> None:
    matcher = compile_event_pattern({"detail": {"a": ["x"]}})
    assert matcher.index.paths == {"detail.a"}
    assert matcher.index.prefixes == {"detail"}
    huge = {"detail": {"a": "x", **{f"k{i}": list(range(50)) for i in range(100)}}}
    assert matcher.matches(huge)
