"""The expression language end to end: every function and operator, nested paths, update actions, projections,
ExpressionAttributeNames/Values checks and syntax errors worded as AWS words them."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest

from ...expect import expect_error

ITEM = {
    "pk": {"S": "k"},
    "s": {"S": "hello"},
    "n": {"N": "10"},
    "b": {"B": b"\x01\x02"},
    "ss": {"SS": ["a", "b"]},
    "ns": {"NS": ["1", "2"]},
    "l": {"L": [{"S": "x"}, {"M": {"c": {"N": "3"}}}]},
    "m": {"M": {"a": {"M": {"b": {"L": [{"N": "0"}, {"M": {"c": {"S": "deep"}}}]}}}}},
    "nul": {"NULL": True},
    "t": {"BOOL": True},
}
V = {":hel": {"S": "hel"}, ":five": {"N": "5"}, ":ten": {"N": "10"}, ":a": {"S": "a"}, ":x": {"S": "x"},
     ":three": {"N": "3"}, ":deep": {"S": "deep"}, ":S": {"S": "S"}, ":NULL": {"S": "NULL"},
         ":b1": {"B": b"\x01"}}  # fmt: skip

CASES = [
    ("attribute_exists(s)", True),
    ("attribute_not_exists(s)", False),
    ("attribute_exists(m.a.b[1].c)", True),
    ("attribute_exists(m.a.b[2])", False),
    ("attribute_type(s, :S)", True),
    ("attribute_type(nul, :NULL)", True),
    ("begins_with(s, :hel)", True),
    ("begins_with(b, :b1)", True),
    ("contains(s, :hel)", True),
    ("contains(ss, :a)", True),
    ("contains(l, :x)", True),
    ("size(s) = :five", True),
    ("size(l) < :three", True),
    ("n BETWEEN :five AND :ten", True),
    ("n IN (:three, :ten)", True),
    ("n IN (:three, :five)", False),
    ("n <> :ten", False),
    ("n >= :ten AND n <= :ten", True),
    ("n > :ten OR s = :hel", False),
    ("NOT (n > :ten OR s = :hel)", True),
    ("l[1].c = :three AND m.a.b[1].c = :deep", True),
    ("(((n = :ten)))", True),
]


@pytest.mark.parametrize("condition, holds", CASES)
def test_condition(ddb: Any, make_table: Callable[..., str], condition: str, holds: bool) -> None:
    name = make_table()
    ddb.put_item(TableName=name, Item=ITEM)
    used = {k: v for k, v in V.items() if k in re.findall(r":\w+", condition)}
    kwargs: dict[str, Any] = {"ExpressionAttributeValues": used} if used else {}
    page = ddb.scan(TableName=name, FilterExpression=condition, **kwargs)
    assert page["Count"] == (1 if holds else 0), condition


def test_updates(ddb: Any, make_table: Callable[..., str]) -> None:
    name = make_table()
    key = {"pk": {"S": "k"}}
    ddb.put_item(TableName=name, Item=ITEM)
    new = ddb.update_item(
        TableName=name,
        Key=key,
        UpdateExpression="SET n = n - :three, m.a.b[1].c = :x, #new = if_not_exists(#new, :ten), "
        "l = list_append(:l, l) "
        "REMOVE nul ADD ns :ns, cnt :three DELETE ss :ss",
        ExpressionAttributeNames={"#new": "new"},
        ExpressionAttributeValues={":three": {"N": "3"}, ":x": {"S": "x"}, ":ten": {"N": "10"},
                                   ":l": {"L": [{"S": "first"}]}, ":ns": {"NS": ["2", "9"]}, ":ss": {"SS": ["a", "b"]}},
        ReturnValues="ALL_NEW",
    )["Attributes"]  # fmt: skip
    assert new["n"] == {"N": "7"}
    assert new["m"]["M"]["a"]["M"]["b"]["L"][1] == {"M": {"c": {"S": "x"}}}
    assert new["new"] == {"N": "10"}
    assert new["l"]["L"] == [{"S": "first"}, {"S": "x"}, {"M": {"c": {"N": "3"}}}]
    assert "nul" not in new and "ss" not in new
    assert sorted(new["ns"]["NS"]) == ["1", "2", "9"]
    assert new["cnt"] == {"N": "3"}
    removed = ddb.update_item(TableName=name, Key=key, UpdateExpression="REMOVE l[0], l[2]", ReturnValues="ALL_NEW")
    assert removed["Attributes"]["l"] == {"L": [{"S": "x"}]}


def test_projection(ddb: Any, make_table: Callable[..., str]) -> None:
    name = make_table()
    ddb.put_item(TableName=name, Item=ITEM)
    got = ddb.get_item(TableName=name, Key={"pk": {"S": "k"}}, ProjectionExpression="s, m.a.b[1], #l[1].c",
                       ExpressionAttributeNames={"#l": "l"})["Item"]  # fmt: skip
    assert got == {"s": ITEM["s"], "m": {"M": {"a": {"M": {"b": {"L": [{"M": {"c": {"S": "deep"}}}]}}}}},
                   "l": {"L": [{"M": {"c": {"N": "3"}}}]}}  # fmt: skip


SYNTAX = [
    ("UpdateExpression", "SET a = ", 'Invalid UpdateExpression: Syntax error; token: "<EOF>", near: "= "'),
    ("UpdateExpression", "SET a = :v :v", 'Invalid UpdateExpression: Syntax error; token: ":v", near: ":v :v"'),
    ("UpdateExpression", "SET a = :v SET b = :v",
        'Invalid UpdateExpression: The "SET" section can only be used once in an update expression;'),
    ("UpdateExpression", "SET a = :v, a = :v", "Invalid UpdateExpression: Two document paths overlap with each other; "
     "must remove or rewrite one of these paths; path one: [a], path two: [a]"),
    ("UpdateExpression", "SET #n = :v", "Invalid UpdateExpression: An expression attribute name used in the document "
     "path is not defined; attribute name: #n"),
    ("UpdateExpression", "SET a = :w", "Invalid UpdateExpression: An expression attribute value used in expression is "
     "not defined; attribute value: :w"),
    ("UpdateExpression", "SET status = :v",
        "Invalid UpdateExpression: Attribute name is a reserved keyword; reserved keyword: status"),
    ("ConditionExpression", "a = :v AND", 'Invalid ConditionExpression: Syntax error; token: "<EOF>", near: "AND"'),
    ("ConditionExpression", "a = :v @ b", 'Invalid ConditionExpression: Syntax error; token: "@", near: ":v @"'),
    ("ConditionExpression", "foo(a)", "Invalid ConditionExpression: Invalid function name; function: foo"),
    ("ConditionExpression", "begins_with(a)",
        "Invalid ConditionExpression: Incorrect number of operands for operator or "
     "function; operator or function: begins_with, number of operands: 1"),
]  # fmt: skip


@pytest.mark.parametrize("kind, text, message", SYNTAX)
def test_syntax_errors(ddb: Any, make_table: Callable[..., str], kind: str, text: str, message: str) -> None:
    name = make_table()
    kwargs: dict[str, Any] = {kind: text, "ExpressionAttributeValues": {":v": {"S": "x"}}}
    if kind == "ConditionExpression":
        kwargs["UpdateExpression"] = "SET z = :v"
    expect_error(ddb.update_item, "ValidationException", message, TableName=name, Key={"pk": {"S": "k"}}, **kwargs)


def test_attribute_checks(ddb: Any, make_table: Callable[..., str]) -> None:
    name = make_table()
    key = {"pk": {"S": "k"}}
    expect_error(ddb.update_item, "ValidationException", "ExpressionAttributeValues must not be empty",
                 TableName=name, Key=key, UpdateExpression="REMOVE a", ExpressionAttributeValues={})  # fmt: skip
    expect_error(ddb.update_item, "ValidationException",
                 "Value provided in ExpressionAttributeValues unused in expressions: keys: {:u}",
                 TableName=name, Key=key, UpdateExpression="REMOVE a",
                 ExpressionAttributeValues={":u": {"S": "x"}})  # fmt: skip
    expect_error(ddb.update_item, "ValidationException",
                 "Invalid UpdateExpression: An operand in the update expression has an incorrect data type",
                 TableName=name, Key=key, UpdateExpression="SET a = :s + :s",
                 ExpressionAttributeValues={":s": {"S": "x"}})  # fmt: skip
    expect_error(ddb.update_item, "ValidationException",
                 "Invalid UpdateExpression: The provided expression refers to an attribute that does not exist in the "
                 "item", TableName=name, Key=key, UpdateExpression="SET a = nothere + :n",
                 ExpressionAttributeValues={":n": {"N": "1"}})  # fmt: skip


def test_deep_nesting_refused(ddb: Any, make_table: Callable[..., str]) -> None:
    name = make_table()
    text = "(" * 5000 + "a = :v" + ")" * 5000
    expect_error(ddb.scan, "ValidationException", TableName=name, FilterExpression=text[:4000],
                 ExpressionAttributeValues={":v": {"S": "x"}})  # fmt: skip
    text = "(" * 1500 + "a = :v" + ")" * 1500
    expect_error(ddb.scan, "ValidationException", TableName=name, FilterExpression=text,
                 ExpressionAttributeValues={":v": {"S": "x"}})  # fmt: skip
