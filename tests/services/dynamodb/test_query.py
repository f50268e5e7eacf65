"""Query and Scan end to end: order by numeric, string and binary sort keys, ScanIndexForward, Limit and paging
with LastEvaluatedKey over a few thousand items, 1 MB pages, Select COUNT, parallel Scan, key condition errors."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ...expect import expect_error


def _fill(ddb: Any, name: str, count: int, pad: int = 0) -> None:
    for start in range(0, count, 25):
        requests = [
            {
                "PutRequest": {
                    "Item": {
                        "pk": {"S": "p"},
                        "sk": {"N": str(i - count // 2)},
                        "v": {"N": str(i - count // 2)},
                        "d": {"S": "x" * pad},
                    }
                }
            }
            for i in range(start, min(count, start + 25))
        ]
        ddb.batch_write_item(RequestItems={name: requests})


def _all(ddb: Any, **kwargs: Any) -> tuple[list[int], int]:
    out: list[int] = []
    pages = 0
    while True:
        page = ddb.query(**kwargs)
        pages += 1
        out += [int(i["sk"]["N"]) for i in page["Items"]]
        if "LastEvaluatedKey" not in page:
            return out, pages
        kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]


def test_order_and_paging(ddb: Any, make_table: Callable[..., str]) -> None:
    name = make_table(("pk", "S"), ("sk", "N"))
    _fill(ddb, name, 2000)
    values = {":p": {"S": "p"}}
    forward, pages = _all(ddb, TableName=name, KeyConditionExpression="pk = :p", ExpressionAttributeValues=values,
                          Limit=300)  # fmt: skip
    assert forward == list(range(-1000, 1000)) and pages == 7
    backward, _ = _all(ddb, TableName=name, KeyConditionExpression="pk = :p AND sk < :z", Limit=450,
                       ExpressionAttributeValues={**values, ":z": {"N": "-990.5"}}, ScanIndexForward=False)  # fmt: skip
    assert backward == list(range(-991, -1001, -1))
    between = ddb.query(TableName=name, KeyConditionExpression="pk = :p AND sk BETWEEN :a AND :b",
                        ExpressionAttributeValues={**values, ":a": {"N": "-3"}, ":b": {"N": "2"}})  # fmt: skip
    assert [int(i["sk"]["N"]) for i in between["Items"]] == [-3, -2, -1, 0, 1, 2]
    count = ddb.query(TableName=name, KeyConditionExpression="pk = :p AND sk >= :a", Select="COUNT",
                      ExpressionAttributeValues={**values, ":a": {"N": "990"}})  # fmt: skip
    assert count["Count"] == 10 and "Items" not in count
    filtered = ddb.query(TableName=name, KeyConditionExpression="pk = :p", FilterExpression="v > :a", Limit=100,
                         ExpressionAttributeValues={**values, ":a": {"N": "-950"}})  # fmt: skip
    assert filtered["Count"] == 49 and filtered["ScannedCount"] == 100


def test_string_and_binary_order(ddb: Any, make_table: Callable[..., str]) -> None:
    name = make_table(("pk", "S"), ("sk", "S"))
    words = ["b", "a", "ab", "a\x00b", "\u00e9", "z", "B", "aa"]
    for w in words:
        ddb.put_item(TableName=name, Item={"pk": {"S": "p"}, "sk": {"S": w}})
    page = ddb.query(TableName=name, KeyConditionExpression="pk = :p", ExpressionAttributeValues={":p": {"S": "p"}})
    assert [i["sk"]["S"] for i in page["Items"]] == sorted(words, key=lambda w: w.encode())
    page = ddb.query(TableName=name, KeyConditionExpression="pk = :p AND begins_with(sk, :a)",
                     ExpressionAttributeValues={":p": {"S": "p"}, ":a": {"S": "a"}})  # fmt: skip
    assert [i["sk"]["S"] for i in page["Items"]] == ["a", "a\x00b", "aa", "ab"]
    binary = make_table(("pk", "S"), ("sk", "B"))
    for b in (b"\x02", b"\x00", b"\x00\x00", b"\xff", b"\x01\xff"):
        ddb.put_item(TableName=binary, Item={"pk": {"S": "p"}, "sk": {"B": b}})
    page = ddb.query(TableName=binary, KeyConditionExpression="pk = :p", ExpressionAttributeValues={":p": {"S": "p"}})
    assert [i["sk"]["B"] for i in page["Items"]] == [b"\x00", b"\x00\x00", b"\x01\xff", b"\x02", b"\xff"]


def test_number_order(ddb: Any, make_table: Callable[..., str]) -> None:
    name = make_table(("pk", "S"), ("sk", "N"))
    numbers = ["-1E+100", "-12.5", "-1", "-0.5", "-0.05", "0", "1E-130", "0.05", "0.5", "1", "9.99", "10", "1E+125"]
    for n in reversed(numbers):
        ddb.put_item(TableName=name, Item={"pk": {"S": "p"}, "sk": {"N": n}})
    page = ddb.query(TableName=name, KeyConditionExpression="pk = :p", ExpressionAttributeValues={":p": {"S": "p"}})
    from decimal import Decimal

    assert [Decimal(i["sk"]["N"]) for i in page["Items"]] == [Decimal(n) for n in numbers]


def test_one_megabyte_pages(ddb: Any, make_table: Callable[..., str]) -> None:
    name = make_table(("pk", "S"), ("sk", "N"))
    _fill(ddb, name, 60, pad=100_000)
    _items, pages = _all(ddb, TableName=name, KeyConditionExpression="pk = :p",
                         ExpressionAttributeValues={":p": {"S": "p"}})  # fmt: skip
    assert _items == list(range(-30, 30)) and pages >= 6


def test_scan_segments(ddb: Any, make_table: Callable[..., str]) -> None:
    name = make_table(("pk", "S"))
    for i in range(0, 200, 25):
        ddb.batch_write_item(
            RequestItems={name: [{"PutRequest": {"Item": {"pk": {"S": f"k{j}"}}}} for j in range(i, i + 25)]}
        )
    seen: list[str] = []
    for segment in range(4):
        kwargs: dict[str, Any] = {"TableName": name, "Segment": segment, "TotalSegments": 4, "Limit": 20}
        while True:
            page = ddb.scan(**kwargs)
            seen += [i["pk"]["S"] for i in page["Items"]]
            if "LastEvaluatedKey" not in page:
                break
            kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]
    assert sorted(seen) == sorted(f"k{j}" for j in range(200))
    expect_error(ddb.scan, "ValidationException", "The TotalSegments parameter is required but was not present in "
                 "the request when Segment parameter is present", TableName=name, Segment=1)  # fmt: skip
    expect_error(ddb.scan, "ValidationException", "The Segment parameter is required but was not present in the "
                 "request when parameter TotalSegments is present", TableName=name, TotalSegments=2)  # fmt: skip


def test_key_condition_errors(ddb: Any, make_table: Callable[..., str]) -> None:
    name = make_table(("pk", "S"), ("sk", "N"))
    v = {":p": {"S": "p"}, ":n": {"N": "1"}}
    expect_error(ddb.query, "ValidationException", "Query condition missed key schema element: pk", TableName=name,
                 KeyConditionExpression="sk = :n", ExpressionAttributeValues={":n": {"N": "1"}})  # fmt: skip
    expect_error(ddb.query, "ValidationException",
                 "Invalid KeyConditionExpression: Invalid operator used in KeyConditionExpression: OR",
                 TableName=name, KeyConditionExpression="pk = :p OR sk = :n", ExpressionAttributeValues=v)  # fmt: skip
    expect_error(ddb.query, "ValidationException", "Query key condition not supported", TableName=name,
                 KeyConditionExpression="pk < :p", ExpressionAttributeValues={":p": {"S": "p"}})  # fmt: skip
    expect_error(ddb.query, "ValidationException",
                 'Invalid KeyConditionExpression: Syntax error; token: "<EOF>", near: "="', TableName=name,
                 KeyConditionExpression="pk =", ExpressionAttributeValues={":p": {"S": "p"}})  # fmt: skip
