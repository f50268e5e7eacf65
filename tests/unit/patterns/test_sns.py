"""SNS filter policies: the developer guide's examples for both scopes, attribute types, limits and errors."""

from __future__ import annotations

import json
from typing import Any

import pytest

from gureum.patterns import compile_filter_policy, filter_policy_combinations

from ._helpers import attrs, sns_attrs, sns_body, sns_error


@pytest.mark.parametrize(
    ("value", "expected"),
    [("rugby", True), ("tennis", True), (["rugby", "tennis"], True), ("baseball", False), (["baseball"], False)],
)
def test_string_exact_matching(value: Any, expected: bool) -> None:
    policy = {"customer_interests": ["rugby", "tennis"]}
    assert sns_attrs(policy, attrs(customer_interests=value)) is expected
    assert sns_body(policy, {"customer_interests": value}) is expected


@pytest.mark.parametrize(("value", "expected"), [("baseball", True), ("basketball", True), ("rugby", False)])
def test_string_prefix_matching(value: str, expected: bool) -> None:
    assert sns_attrs({"customer_interests": [{"prefix": "bas"}]}, attrs(customer_interests=value)) is expected


def test_string_anything_but_matching() -> None:
    policy = {"customer_interests": [{"anything-but": ["rugby", "tennis"]}]}
    assert sns_attrs(policy, attrs(customer_interests="baseball"))
    assert sns_attrs(policy, attrs(customer_interests="football"))
    assert not sns_attrs(policy, attrs(customer_interests="rugby"))
    # String.Array attributes: matches only when none of the elements is excluded (current guide text).
    assert sns_attrs(policy, attrs(customer_interests=["baseball", "football"]))
    assert not sns_attrs(policy, attrs(customer_interests=["rugby", "baseball"]))
    # Message bodies: an array matches when it contains a value that isn't excluded.
    assert sns_body(policy, {"customer_interests": ["rugby", "baseball"]})
    assert not sns_body(policy, {"customer_interests": ["rugby", "tennis"]})


def test_anything_but_combined_with_exists_false() -> None:
    policy = {"customer_interests": [{"anything-but": ["rugby"]}, {"exists": False}]}
    assert sns_attrs(policy, attrs(store="fans"))
    assert sns_attrs(policy, attrs(customer_interests="golf"))
    assert not sns_attrs(policy, attrs(customer_interests="rugby"))


@pytest.mark.parametrize(
    ("value", "expected"), [("data-entry", True), ("order_number", True), ("order-cancelled", False)]
)
def test_anything_but_prefix(value: str, expected: bool) -> None:
    assert sns_attrs({"event": [{"anything-but": {"prefix": "order-"}}]}, attrs(event=value)) is expected


@pytest.mark.parametrize(("value", "expected"), [("10.0.0.0", True), ("10.0.0.255", True), ("10.1.1.0", False)])
def test_ip_address_matching(value: str, expected: bool) -> None:
    assert sns_attrs({"source_ip": [{"cidr": "10.0.0.0/24"}]}, attrs(source_ip=value)) is expected


def test_suffix_and_equals_ignore_case() -> None:
    assert sns_attrs({"f": [{"suffix": "ball"}]}, attrs(f="baseball"))
    assert not sns_attrs({"f": [{"suffix": "ball"}]}, attrs(f="rugby"))
    assert sns_attrs({"f": [{"equals-ignore-case": "RUGBY"}]}, attrs(f="Rugby"))
    assert sns_body({"f": [{"equals-ignore-case": "RUGBY"}]}, {"f": "rugby"})


def test_numeric_exact_matching_compares_numerically() -> None:
    policy = {"price_usd": [{"numeric": ["=", 301.5]}]}
    assert sns_attrs(policy, {"price_usd": {"DataType": "Number", "StringValue": "301.5"}})
    assert sns_attrs(policy, {"price_usd": {"DataType": "Number", "StringValue": "3.015e2"}})
    assert sns_body(policy, '{"price_usd": 3.015e2}')
    assert not sns_body(policy, {"price_usd": "301.5"})


def test_numeric_anything_but() -> None:
    policy = {"price": [{"anything-but": [100, 500]}]}
    assert sns_attrs(policy, attrs(price=101))
    assert sns_attrs(policy, attrs(price=100.1))
    assert not sns_attrs(policy, attrs(price=100))
    assert sns_body(policy, {"price": [100, 50]})
    assert not sns_body(policy, {"price": 100})


def test_numeric_value_range_matching() -> None:
    negative = {"price_usd": [{"numeric": ["<", 0]}]}
    assert sns_attrs(negative, attrs(price_usd=-1))
    assert not sns_attrs(negative, attrs(price_usd=0))
    upto = {"price_usd": [{"numeric": [">", 0, "<=", 150]}]}
    assert sns_attrs(upto, attrs(price_usd=150))
    assert not sns_attrs(upto, attrs(price_usd=150.5))


def test_attribute_types_matter() -> None:
    assert not sns_attrs({"n": [100]}, {"n": {"DataType": "String", "StringValue": "100"}})
    assert not sns_attrs({"n": ["100"]}, {"n": {"DataType": "Number", "StringValue": "100"}})
    assert sns_attrs({"n": [100]}, {"n": {"DataType": "Number.int", "StringValue": "1e2"}})
    assert sns_attrs({"s": ["x"]}, {"s": {"DataType": "String.custom", "StringValue": "x"}})
    assert sns_attrs({"a": [7]}, {"a": {"DataType": "String.Array", "StringValue": '["x", 7, true]'}})
    assert sns_attrs({"a": [True]}, {"a": {"DataType": "String.Array", "StringValue": '["x", 7, true]'}})
    # notification-style shape
    assert sns_attrs({"s": ["x"]}, {"s": {"Type": "String", "Value": "x"}})


def test_binary_attributes_are_ignored() -> None:
    binary = {"b": {"DataType": "Binary", "BinaryValue": b"\x00"}}
    assert not sns_attrs({"b": [{"exists": True}]}, binary)
    assert sns_attrs({"b": [{"exists": False}]}, {**binary, **attrs(other="x")})
    assert not sns_attrs({"b": [{"exists": False}]}, binary)  # no usable attributes at all


def test_key_matching() -> None:
    present = attrs(store="fans", customer_interests=["baseball", "basketball"])
    absent = attrs(customer_interests=["baseball", "basketball"])
    assert sns_attrs({"store": [{"exists": True}]}, present)
    assert not sns_attrs({"store": [{"exists": True}]}, absent)
    assert not sns_attrs({"store": [{"exists": False}]}, present)
    assert sns_attrs({"store": [{"exists": False}]}, absent)
    assert not sns_attrs({"store": [{"exists": False}]}, {})  # an empty set of attributes never matches
    assert sns_body({"store": [{"exists": True}]}, {"store": "fans", "customer_interests": ["baseball"]})
    assert sns_body({"store": [{"exists": False}]}, {"customer_interests": ["baseball", "basketball"]})


def test_exists_true_needs_a_non_null_non_empty_value() -> None:
    assert not sns_body({"store": [{"exists": True}]}, {"store": None})
    assert not sns_body({"store": [{"exists": True}]}, {"store": ""})
    assert sns_body({"store": [{"exists": True}]}, {"store": 0})


def test_and_logic_across_properties() -> None:
    policy = {"customer_interests": ["rugby"], "price_usd": [{"numeric": [">", 100]}]}
    assert sns_attrs(policy, attrs(customer_interests="rugby", price_usd=101))
    assert not sns_attrs(policy, attrs(customer_interests="rugby", price_usd=100))
    assert not sns_attrs(policy, attrs(price_usd=101))


def test_or_operator() -> None:
    policy = {"source": ["aws.cloudwatch"], "$or": [{"metricName": ["CPUUtilization"]}, {"namespace": ["AWS/EC2"]}]}
    assert sns_attrs(policy, attrs(source="aws.cloudwatch", metricName="CPUUtilization"))
    assert sns_attrs(policy, attrs(source="aws.cloudwatch", namespace="AWS/EC2"))
    assert not sns_attrs(policy, attrs(source="aws.cloudwatch", namespace="AWS/ES"))
    assert not sns_attrs(policy, attrs(source="aws.ec2", metricName="CPUUtilization"))
    assert sns_body(policy, {"source": "aws.cloudwatch", "namespace": "AWS/EC2"})


def test_or_with_reserved_keywords_is_an_attribute_name() -> None:
    policy = {"$or": [{"prefix": "abc"}, {"suffix": "xyz"}]}
    assert sns_attrs(policy, attrs(**{"$or": "abc123"}))
    assert not sns_attrs(policy, attrs(other="abc123"))


def test_message_body_nesting_and_arrays_of_objects() -> None:
    policy = {"Records": {"eventName": [{"prefix": "ObjectCreated:"}], "s3": {"bucket": {"name": ["photos"]}}}}
    body = {
        "Records": [
            {"eventName": "ObjectRemoved:Delete"},
            {"eventName": "ObjectCreated:Put", "s3": {"bucket": {"name": "photos"}}},
        ]
    }
    assert sns_body(policy, body)
    split = {"Records": [{"eventName": "ObjectCreated:Put"}, {"s3": {"bucket": {"name": "photos"}}}]}
    assert not sns_body(policy, split)


@pytest.mark.parametrize("body", ["not json", "[1, 2]", '"text"', "", "{"])
def test_message_body_must_be_a_json_object(body: str) -> None:
    assert not sns_body({"a": [{"exists": False}]}, body)


def test_empty_policy_accepts_everything() -> None:
    policy = compile_filter_policy("{}")
    assert policy.matches_attributes({})
    assert policy.matches_body("not json")
    assert policy.matches(None, "x")


def test_scope_dispatch() -> None:
    body_policy = compile_filter_policy({"a": ["1"]}, "MessageBody")
    assert body_policy.matches(attrs(a="2"), '{"a": "1"}')
    attr_policy = compile_filter_policy({"a": ["1"]}, "MessageAttributes")
    assert attr_policy.matches(attrs(a="1"), '{"a": "2"}')
    assert not attr_policy.matches(None, '{"a": "1"}')


# -- limits -----------------------------------------------------------------------------------------
def test_combination_count_examples_from_the_guide() -> None:
    flat = {
        "key_a": ["value_one", "value_two", "value_three"],
        "key_b": ["value_one"],
        "key_c": ["value_one", "value_two"],
    }
    assert filter_policy_combinations(flat) == 6
    nested = {
        "key_a": {"key_b": {"key_c": ["value_one", "value_two", "value_three", "value_four"]}},
        "key_d": {"key_e": ["value_one", "value_two", "value_three"]},
    }
    assert filter_policy_combinations(nested) == 72  # 3 x 4 x 2 x 3


def test_combination_count_adds_or_branches() -> None:
    policy = {"source": ["a", "b"], "$or": [{"x": ["1", "2", "3"]}, {"y": ["1"]}]}
    assert filter_policy_combinations(policy) == 2 * 3 + 2 * 1


def test_too_complex_policy() -> None:
    assert (
        sns_error({"store": [str(i) for i in range(151)]})
        == "Invalid parameter: FilterPolicy: Filter policy is too complex"
    )
    compile_filter_policy({"store": [str(i) for i in range(150)]})
    nested = {"a": {"b": [str(i) for i in range(40)]}, "c": ["1", "2"]}  # 40 x 2 x 2 = 160
    assert sns_error(nested, "MessageBody") == "Invalid parameter: FilterPolicy: Filter policy is too complex"


def test_at_most_five_keys() -> None:
    six = {f"k{i}": ["v"] for i in range(6)}
    assert sns_error(six) == "Invalid parameter: FilterPolicy: Filter policy can not have more than 5 keys"
    assert sns_error(six, operation="Subscribe") == (
        "Invalid parameter: Attributes Reason: FilterPolicy: Filter policy can not have more than 5 keys"
    )
    compile_filter_policy({f"k{i}": ["v"] for i in range(5)})


def test_attribute_scope_rejects_nesting() -> None:
    nested = {"store": {"name": ["x"]}}
    assert (
        sns_error(nested)
        == "Invalid parameter: Filter policy scope MessageAttributes does not support nested filter policy"
    )
    assert sns_error(nested, operation="Subscribe") == (
        "Invalid parameter: Attributes Reason: "
        "Filter policy scope MessageAttributes does not support nested filter policy"
    )
    compile_filter_policy(nested, "MessageBody")
    compile_filter_policy({"$or": [{"a": ["1"]}, {"b": ["2"]}]}, "MessageAttributes")


def test_policy_size_limit() -> None:
    assert sns_error({"a": ["x" * (256 * 1024)]}) == "Invalid parameter: FilterPolicy: Filter policy is too long"


# -- errors from the rule compiler ------------------------------------------------------------------
def test_numeric_error_message_as_aws_returns_it() -> None:
    policy = '{"price":[{"numeric":["<","100"]}]}'
    assert sns_error(policy, operation="Subscribe") == (
        "Invalid parameter: Attributes Reason: FilterPolicy: Value of < must be numeric"
        '\n at [Source: (String)"{"price":[{"numeric":["<","100"]}]}"; line: 1, column: 28]'
    )


@pytest.mark.parametrize(
    ("policy", "reason"),
    [
        ({"store": [["example_corp"]]}, "Match value must be String, number, true, false, or null"),
        ({"store": "example_corp"}, '"store" must be an object or an array'),
        ({"store": []}, "Empty arrays are not allowed"),
        ({"a": [{"exists": "yes"}]}, "exists match pattern must be either true or false."),
        ({"a": [{"wildcard": "a*"}]}, "Unrecognized match type wildcard"),
        ({"a": [{"anything-but": {"suffix": "x"}}]}, "Unsupported anything-but pattern: suffix"),
        ({"a": [{"anything-but": {"prefix": ["x"]}}]}, "prefix/suffix match pattern must be a string"),
        ({"a": [{"anything-but": {"prefix": ""}}]}, "Null prefix/suffix not allowed"),
        ({"a": [{"anything-but": {"prefix": "x", "b": 1}}]}, "Only one key allowed in match expression"),
        ({"a": [{"prefix": {"equals-ignore-case": "x"}}]}, "prefix match pattern must be a string"),
        ({"a": [{"numeric": ["<", 2e9]}]}, "Value must be between -1.0E9 and 1.0E9, inclusive"),
        ({"a": [{"numeric": [">", 2e9]}]}, "Bottom must be less than top"),
        ({"a": [{"numeric": [">", 1, "<", 1]}]}, "Bottom must be less than top"),
    ],
)
def test_compiler_errors_use_the_filter_policy_prefix(policy: Any, reason: str) -> None:
    message = sns_error(policy, "MessageBody")
    assert message.startswith(f"Invalid parameter: FilterPolicy: {reason}\n at [Source: (String)")
    assert json.dumps(policy) in message


def test_cidr_errors_have_no_location() -> None:
    assert (
        sns_error({"ip": [{"cidr": "10.0.0.0/40"}]}) == "Invalid parameter: FilterPolicy: IPv4 mask bits must be < 32"
    )


def test_invalid_json() -> None:
    assert sns_error('{"a": ["x"').startswith("Invalid parameter: FilterPolicy: Unexpected end-of-input")
    assert sns_error("[]").startswith("Invalid parameter: FilterPolicy: Filter is not an object")


def test_deep_policies_fail_cleanly() -> None:
    assert sns_error('{"a":' * 3000, "MessageBody").startswith(
        "Invalid parameter: FilterPolicy: Document nesting depth"
    )
    deep = '{"a":' * 200 + '["x"]' + "}" * 200
    assert sns_error(deep, "MessageBody") == "Invalid parameter: FilterPolicy: Filter policy is too complex"
