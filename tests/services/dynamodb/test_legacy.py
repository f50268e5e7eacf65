"""The legacy (non-expression) parameters through boto3: Expected with Value/Exists and every ComparisonOperator,
ConditionalOperator, AttributeUpdates PUT/ADD/DELETE, KeyConditions, QueryFilter, ScanFilter, and AWS's refusal to
mix them with expression parameters."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from ...expect import expect_error

MIXED = "Can not use both expression and non-expression parameters in the same request: "


def _s(v: str) -> dict[str, str]:
    return {"S": v}


def _n(v: int) -> dict[str, str]:
    return {"N": str(v)}


def test_expected_value_and_exists(ddb: Any, make_table: Callable[..., str]) -> None:
    name = make_table()
    ddb.put_item(TableName=name, Item={"pk": _s("a"), "v": _n(1)})
    expect_error(ddb.put_item, "ConditionalCheckFailedException", "The conditional request failed", TableName=name,
                 Item={"pk": _s("a"), "v": _n(2)}, Expected={"pk": {"Exists": False}})  # fmt: skip
    assert ddb.get_item(TableName=name, Key={"pk": _s("a")})["Item"]["v"] == _n(1)
    ddb.put_item(TableName=name, Item={"pk": _s("a"), "v": _n(2)}, Expected={"v": {"Value": _n(1)}})
    expect_error(ddb.put_item, "ConditionalCheckFailedException", "The conditional request failed", TableName=name,
                 Item={"pk": _s("a"), "v": _n(3)}, Expected={"v": {"Value": _n(1), "Exists": True}})  # fmt: skip
    ddb.put_item(TableName=name, Item={"pk": _s("b")}, Expected={"pk": {"Exists": False}})
    expect_error(ddb.put_item, "ValidationException",
                 "One or more parameter values were invalid: Exists is set to TRUE for attribute (v), Value must "
                 "also be set", TableName=name, Item={"pk": _s("a")}, Expected={"v": {"Exists": True}})  # fmt: skip
    expect_error(ddb.put_item, "ValidationException",
                 "One or more parameter values were invalid: Value cannot be used when Exists is false for attribute "
                 "(v)", TableName=name, Item={"pk": _s("a")},
                 Expected={"v": {"Exists": False, "Value": _n(1)}})  # fmt: skip
    expect_error(ddb.delete_item, "ConditionalCheckFailedException", "The conditional request failed",
                 TableName=name, Key={"pk": _s("a")}, Expected={"v": {"Value": _n(9)}})  # fmt: skip
    ddb.delete_item(TableName=name, Key={"pk": _s("a")}, Expected={"v": {"Value": _n(2)}})
    assert "Item" not in ddb.get_item(TableName=name, Key={"pk": _s("a")})


CASES = [
    ("EQ", [_n(5)], True), ("EQ", [_n(6)], False), ("NE", [_n(6)], True), ("NE", [_n(5)], False),
    ("LE", [_n(5)], True), ("LT", [_n(5)], False), ("GE", [_n(5)], True), ("GT", [_n(4)], True),
    ("GT", [_n(5)], False), ("BETWEEN", [_n(1), _n(5)], True), ("BETWEEN", [_n(6), _n(9)], False),
    ("IN", [_n(1), _n(5)], True), ("IN", [_n(1), _n(2)], False),
]  # fmt: skip


@pytest.mark.parametrize(("op", "args", "holds"), CASES)
def test_expected_comparison_operators(
    ddb: Any, make_table: Callable[..., str], op: str, args: list[Any], holds: bool
) -> None:
    name = make_table()
    ddb.put_item(TableName=name, Item={"pk": _s("a"), "v": _n(5)})
    call = {"TableName": name, "Item": {"pk": _s("a"), "v": _n(5), "w": _n(1)},
            "Expected": {"v": {"ComparisonOperator": op, "AttributeValueList": args}}}  # fmt: skip
    if holds:
        ddb.put_item(**call)
    else:
        expect_error(ddb.put_item, "ConditionalCheckFailedException", "The conditional request failed", **call)


def test_expected_string_and_set_operators(ddb: Any, make_table: Callable[..., str]) -> None:
    name = make_table()
    ddb.put_item(TableName=name, Item={"pk": _s("a"), "s": _s("hello"), "ss": {"SS": ["x", "y"]}})

    def check(conditions: dict[str, Any], holds: bool, operator: str | None = None) -> None:
        extra = {"ConditionalOperator": operator} if operator else {}
        call = {"TableName": name, "Key": {"pk": _s("a")}, "Expected": conditions, **extra}
        if holds:
            ddb.update_item(**call)
        else:
            expect_error(ddb.update_item, "ConditionalCheckFailedException", "The conditional request failed", **call)

    check({"s": {"ComparisonOperator": "BEGINS_WITH", "AttributeValueList": [_s("he")]}}, True)
    check({"s": {"ComparisonOperator": "BEGINS_WITH", "AttributeValueList": [_s("lo")]}}, False)
    check({"s": {"ComparisonOperator": "CONTAINS", "AttributeValueList": [_s("ell")]}}, True)
    check({"ss": {"ComparisonOperator": "CONTAINS", "AttributeValueList": [_s("x")]}}, True)
    check({"ss": {"ComparisonOperator": "NOT_CONTAINS", "AttributeValueList": [_s("x")]}}, False)
    check({"ss": {"ComparisonOperator": "NOT_CONTAINS", "AttributeValueList": [_s("z")]}}, True)
    check({"s": {"ComparisonOperator": "NOT_NULL"}}, True)
    check({"nope": {"ComparisonOperator": "NULL"}}, True)
    check({"nope": {"ComparisonOperator": "NOT_NULL"}}, False)
    two = {"s": {"ComparisonOperator": "NULL"}, "ss": {"ComparisonOperator": "NOT_NULL"}}
    check(two, False, "AND")
    check(two, False)
    check(two, True, "OR")
    expect_error(ddb.update_item, "ValidationException", "One or more parameter values were invalid: Invalid number "
                 "of argument(s) for the EQ ComparisonOperator", TableName=name, Key={"pk": _s("a")},
                 Expected={"s": {"ComparisonOperator": "EQ"}})  # fmt: skip
    expect_error(ddb.update_item, "ValidationException", "One or more parameter values were invalid: "
                 "ComparisonOperator LT is not valid for SS AttributeValue type", TableName=name,
                 Key={"pk": _s("a")},
                 Expected={"s": {"ComparisonOperator": "LT", "AttributeValueList": [{"SS": ["a"]}]}})  # fmt: skip
    expect_error(ddb.update_item, "ValidationException", "One or more parameter values were invalid: "
                 "ConditionalOperator can only be used when Expected has two or more elements", TableName=name,
                 Key={"pk": _s("a")}, Expected={"s": {"ComparisonOperator": "NOT_NULL"}},
                 ConditionalOperator="OR")  # fmt: skip


def test_attribute_updates(ddb: Any, make_table: Callable[..., str]) -> None:
    name = make_table()
    key = {"pk": _s("a")}
    ddb.update_item(TableName=name, Key=key, AttributeUpdates={
        "n": {"Action": "ADD", "Value": _n(3)}, "s": {"Action": "PUT", "Value": _s("x")},
        "set": {"Action": "ADD", "Value": {"SS": ["a", "b"]}}, "l": {"Action": "ADD", "Value": {"L": [_n(1)]}},
    })  # fmt: skip
    out = ddb.update_item(TableName=name, Key=key, ReturnValues="ALL_NEW", AttributeUpdates={
        "n": {"Action": "ADD", "Value": _n(2)}, "s": {"Action": "DELETE"},
        "set": {"Action": "DELETE", "Value": {"SS": ["a"]}}, "l": {"Action": "ADD", "Value": {"L": [_n(2)]}},
        "p": {"Value": _s("put by default")},
    })  # fmt: skip
    assert out["Attributes"] == {"pk": _s("a"), "n": _n(5), "set": {"SS": ["b"]}, "l": {"L": [_n(1), _n(2)]},
                                 "p": _s("put by default")}  # fmt: skip
    expect_error(ddb.update_item, "ValidationException", "One or more parameter values were invalid: Cannot update "
                 "attribute pk. This attribute is part of the key", TableName=name, Key=key,
                 AttributeUpdates={"pk": {"Action": "PUT", "Value": _s("b")}})  # fmt: skip
    expect_error(ddb.update_item, "ValidationException", "One or more parameter values were invalid: Only DELETE "
                 "action is allowed when no attribute value is specified", TableName=name, Key=key,
                 AttributeUpdates={"s": {"Action": "PUT"}})  # fmt: skip
    expect_error(ddb.update_item, "ConditionalCheckFailedException", "The conditional request failed",
                 TableName=name, Key=key, AttributeUpdates={"n": {"Action": "ADD", "Value": _n(1)}},
                 Expected={"n": {"Value": _n(1)}})  # fmt: skip
    assert ddb.get_item(TableName=name, Key=key)["Item"]["n"] == _n(5)


def test_key_conditions_and_query_filter(ddb: Any, make_table: Callable[..., str]) -> None:
    name = make_table(range_key=("sk", "N"))
    for i in range(10):
        ddb.put_item(TableName=name, Item={"pk": _s("p"), "sk": _n(i), "odd": {"BOOL": i % 2 == 1}})
    got = ddb.query(TableName=name, KeyConditions={
        "pk": {"ComparisonOperator": "EQ", "AttributeValueList": [_s("p")]},
        "sk": {"ComparisonOperator": "BETWEEN", "AttributeValueList": [_n(2), _n(7)]},
    }, QueryFilter={"odd": {"ComparisonOperator": "EQ", "AttributeValueList": [{"BOOL": True}]}},
        ScanIndexForward=False, AttributesToGet=["sk"])  # fmt: skip
    assert [i["sk"]["N"] for i in got["Items"]] == ["7", "5", "3"]
    assert got["ScannedCount"] == 6
    got = ddb.query(TableName=name, KeyConditions={
        "pk": {"ComparisonOperator": "EQ", "AttributeValueList": [_s("p")]},
        "sk": {"ComparisonOperator": "GE", "AttributeValueList": [_n(8)]}})  # fmt: skip
    assert [i["sk"]["N"] for i in got["Items"]] == ["8", "9"]
    expect_error(ddb.query, "ValidationException", "One or more parameter values were invalid: Attempted "
                 "conditional constraint is not an indexable operation", TableName=name,
                 KeyConditions={"pk": {"ComparisonOperator": "NE", "AttributeValueList": [_s("p")]}})  # fmt: skip
    expect_error(ddb.query, "ValidationException", "Query condition missed key schema element: pk", TableName=name,
                 KeyConditions={"sk": {"ComparisonOperator": "EQ", "AttributeValueList": [_n(1)]}})  # fmt: skip
    expect_error(ddb.query, "ValidationException", MIXED + "Non-expression parameters: {KeyConditions} Expression "
                 "parameters: {KeyConditionExpression}", TableName=name, KeyConditionExpression="pk = :p",
                 ExpressionAttributeValues={":p": _s("p")},
                 KeyConditions={"pk": {"ComparisonOperator": "EQ", "AttributeValueList": [_s("p")]}})  # fmt: skip


def test_scan_filter(ddb: Any, make_table: Callable[..., str]) -> None:
    name = make_table()
    for i in range(6):
        ddb.put_item(TableName=name, Item={"pk": _s(f"k{i}"), "n": _n(i)})
    got = ddb.scan(TableName=name, ScanFilter={
        "n": {"ComparisonOperator": "LT", "AttributeValueList": [_n(2)]},
        "pk": {"ComparisonOperator": "EQ", "AttributeValueList": [_s("k5")]}}, ConditionalOperator="OR")  # fmt: skip
    assert sorted(i["pk"]["S"] for i in got["Items"]) == ["k0", "k1", "k5"]
    got = ddb.scan(TableName=name, ScanFilter={"n": {"ComparisonOperator": "IN", "AttributeValueList": [_n(3)]}})
    assert [i["pk"]["S"] for i in got["Items"]] == ["k3"]
    expect_error(ddb.scan, "ValidationException", MIXED + "Non-expression parameters: {ScanFilter} Expression "
                 "parameters: {FilterExpression}", TableName=name, FilterExpression="n > :n",
                 ExpressionAttributeValues={":n": _n(1)},
                 ScanFilter={"n": {"ComparisonOperator": "NOT_NULL"}})  # fmt: skip


def test_mixing_refused(ddb: Any, make_table: Callable[..., str]) -> None:
    name = make_table()
    expect_error(ddb.put_item, "ValidationException", MIXED + "Non-expression parameters: {Expected} Expression "
                 "parameters: {ConditionExpression}", TableName=name, Item={"pk": _s("a")},
                 ConditionExpression="attribute_not_exists(pk)", Expected={"pk": {"Exists": False}})  # fmt: skip
    expect_error(ddb.update_item, "ValidationException", MIXED + "Non-expression parameters: {AttributeUpdates} "
                 "Expression parameters: {UpdateExpression}", TableName=name, Key={"pk": _s("a")},
                 UpdateExpression="SET v = :v", ExpressionAttributeValues={":v": _n(1)},
                 AttributeUpdates={"w": {"Action": "PUT", "Value": _n(1)}})  # fmt: skip
    assert "Item" not in ddb.get_item(TableName=name, Key={"pk": _s("a")})
