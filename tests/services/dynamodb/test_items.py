"""DynamoDB items end to end: Put/Get/Update/Delete with conditions and ReturnValues, number normalisation and
precision, binary, sets, documents, key checks and AWS's messages, item size, the resource layer."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

from boto3.dynamodb.conditions import Attr, Key

from ...expect import expect_error


def test_crud_and_return_values(ddb: Any, make_table: Callable[..., str]) -> None:
    name = make_table(("pk", "S"), ("sk", "N"))
    key = {"pk": {"S": "a"}, "sk": {"N": "1"}}
    assert "Attributes" not in ddb.put_item(TableName=name, Item={**key, "n": {"N": "1.50"}}, ReturnValues="ALL_OLD")
    old = ddb.put_item(TableName=name, Item={**key, "n": {"N": "2"}}, ReturnValues="ALL_OLD")["Attributes"]
    assert old["n"] == {"N": "1.5"}
    got = ddb.update_item(TableName=name, Key=key, UpdateExpression="SET n = n + :d",
        ExpressionAttributeValues={":d": {"N": "3"}},
                          ReturnValues="UPDATED_NEW")["Attributes"]  # fmt: skip
    assert got == {"n": {"N": "5"}}
    got = ddb.update_item(TableName=name, Key=key, UpdateExpression="SET m = :m",
        ExpressionAttributeValues={":m": {"S": ""}},
                          ReturnValues="UPDATED_OLD")  # fmt: skip
    assert "Attributes" not in got  # there was no m
    assert ddb.get_item(TableName=name, Key=key, ConsistentRead=True)["Item"] == {
        **key,
        "n": {"N": "5"},
        "m": {"S": ""},
    }
    deleted = ddb.delete_item(TableName=name, Key=key, ReturnValues="ALL_OLD")["Attributes"]
    assert deleted["n"] == {"N": "5"}
    assert "Item" not in ddb.get_item(TableName=name, Key=key)


def test_numbers_binary_sets(ddb: Any, make_table: Callable[..., str]) -> None:
    name = make_table(("pk", "B"))
    big = "1234567890123456789012345678901234567.8"
    item = {
        "pk": {"B": b"\x00\xff"},
        "big": {"N": big},
        "tiny": {"N": "1E-130"},
        "e": {"N": "1.2300e3"},
        "neg": {"N": "-000.50"},
        "ss": {"SS": ["a", "b"]},
        "ns": {"NS": ["1", "2.5"]},
        "bs": {"BS": [b"x", b"y"]},
        "doc": {"M": {"l": {"L": [{"NULL": True}, {"BOOL": False}, {"N": "7"}]}}},
    }
    ddb.put_item(TableName=name, Item=item)
    got = ddb.get_item(TableName=name, Key={"pk": {"B": b"\x00\xff"}})["Item"]
    assert got["big"] == {"N": big}
    assert got["e"] == {"N": "1230"}
    assert got["neg"] == {"N": "-0.5"}
    assert got["tiny"]["N"] == "0." + "0" * 129 + "1"
    assert got["bs"] == {"BS": [b"x", b"y"]}
    assert got["doc"] == item["doc"]
    expect_error(ddb.put_item, "ValidationException", "Attempting to store more than 38 significant digits in a Number",
                 TableName=name, Item={"pk": {"B": b"1"}, "n": {"N": "1" * 39}})  # fmt: skip
    expect_error(ddb.put_item, "ValidationException",
                 "Number overflow. Attempting to store a number with magnitude larger than supported range",
                 TableName=name, Item={"pk": {"B": b"1"}, "n": {"N": "1E126"}})  # fmt: skip
    expect_error(ddb.put_item, "ValidationException", "A value provided cannot be converted into a number",
                 TableName=name, Item={"pk": {"B": b"1"}, "n": {"N": "12abc"}})  # fmt: skip
    expect_error(ddb.put_item, "ValidationException",
                 "One or more parameter values were invalid: An string set  may not be empty",
                 TableName=name, Item={"pk": {"B": b"1"}, "s": {"SS": []}})  # fmt: skip
    expect_error(ddb.put_item, "ValidationException",
                 "One or more parameter values were invalid: Input collection [a, a] contains duplicates.",
                 TableName=name, Item={"pk": {"B": b"1"}, "s": {"SS": ["a", "a"]}})  # fmt: skip


def test_key_errors(ddb: Any, make_table: Callable[..., str]) -> None:
    name = make_table(("pk", "S"), ("sk", "N"))
    expect_error(ddb.put_item, "ValidationException",
        "One or more parameter values were invalid: Missing the key sk in the item",
                 TableName=name, Item={"pk": {"S": "a"}})  # fmt: skip
    expect_error(ddb.put_item, "ValidationException",
                 "One or more parameter values were invalid: Type mismatch for key sk expected: N actual: S",
                 TableName=name, Item={"pk": {"S": "a"}, "sk": {"S": "x"}})  # fmt: skip
    expect_error(ddb.get_item, "ValidationException", "The provided key element does not match the schema",
                 TableName=name, Key={"pk": {"S": "a"}})  # fmt: skip
    expect_error(ddb.put_item, "ValidationException",
                 "One or more parameter values are not valid. The AttributeValue for a key attribute cannot contain an "
                 "empty string value. Key: pk", TableName=name, Item={"pk": {"S": ""}, "sk": {"N": "1"}})  # fmt: skip
    expect_error(ddb.update_item, "ValidationException",
                 "One or more parameter values were invalid: Cannot update attribute sk. "
                 "This attribute is part of the key",
                 TableName=name, Key={"pk": {"S": "a"}, "sk": {"N": "1"}}, UpdateExpression="SET sk = :v",
                 ExpressionAttributeValues={":v": {"N": "2"}})  # fmt: skip


def test_conditions_and_failure_item(ddb: Any, make_table: Callable[..., str]) -> None:
    name = make_table()
    ddb.put_item(
        TableName=name, Item={"pk": {"S": "a"}, "v": {"N": "1"}}, ConditionExpression="attribute_not_exists(pk)"
    )
    error = expect_error(ddb.put_item, "ConditionalCheckFailedException", "The conditional request failed",
                         TableName=name, Item={"pk": {"S": "a"}},
                             ConditionExpression="attribute_not_exists(pk)")  # fmt: skip
    assert "Item" not in error
    try:
        ddb.delete_item(TableName=name, Key={"pk": {"S": "a"}}, ConditionExpression="v > :x",
                        ExpressionAttributeValues={":x": {"N": "5"}},
                            ReturnValuesOnConditionCheckFailure="ALL_OLD")  # fmt: skip
        raise AssertionError("no error")
    except ddb.exceptions.ConditionalCheckFailedException as exc:
        assert exc.response["Item"] == {"pk": {"S": "a"}, "v": {"N": "1"}}
    ddb.delete_item(TableName=name, Key={"pk": {"S": "a"}}, ConditionExpression="v < :x",
                    ExpressionAttributeValues={":x": {"N": "5"}})  # fmt: skip


def test_item_size_limit(ddb: Any, make_table: Callable[..., str]) -> None:
    name = make_table()
    ddb.put_item(TableName=name, Item={"pk": {"S": "a"}, "d": {"S": "x" * (400 * 1024 - 10)}})
    expect_error(ddb.put_item, "ValidationException", "Item size has exceeded the maximum allowed size",
                 TableName=name, Item={"pk": {"S": "a"}, "d": {"S": "x" * (400 * 1024)}})  # fmt: skip


def test_consumed_capacity(ddb: Any, make_table: Callable[..., str]) -> None:
    name = make_table()
    out = ddb.put_item(TableName=name, Item={"pk": {"S": "a"}, "d": {"S": "x" * 2500}}, ReturnConsumedCapacity="TOTAL")
    assert out["ConsumedCapacity"]["CapacityUnits"] == 3.0
    out = ddb.get_item(TableName=name, Key={"pk": {"S": "a"}}, ReturnConsumedCapacity="TOTAL")
    assert out["ConsumedCapacity"]["CapacityUnits"] == 0.5


def test_resource_layer(resource: Any, make_table: Callable[..., str]) -> None:
    table = resource.Table(make_table(("pk", "S"), ("sk", "N")))
    with table.batch_writer() as batch:
        for i in range(60):
            batch.put_item(Item={"pk": "p", "sk": i, "price": Decimal(i) / 4, "tags": {"x", f"t{i % 3}"}})
    got = table.get_item(Key={"pk": "p", "sk": 10})["Item"]
    assert got["price"] == Decimal("2.5") and got["tags"] == {"x", "t1"}
    page = table.query(KeyConditionExpression=Key("pk").eq("p") & Key("sk").between(5, 9),
                       FilterExpression=Attr("price").gte(Decimal("1.5")) & Attr("tags").contains("t0"))  # fmt: skip
    assert [int(i["sk"]) for i in page["Items"]] == [6, 9]
    table.update_item(Key={"pk": "p", "sk": 1}, UpdateExpression="ADD tags :t REMOVE price",
                      ExpressionAttributeValues={":t": {"y"}})  # fmt: skip
    assert table.get_item(Key={"pk": "p", "sk": 1})["Item"] == {"pk": "p", "sk": 1, "tags": {"x", "t1", "y"}}
    assert table.scan(Select="COUNT")["Count"] == 60


def test_batch_get_answers_at_most_16_mb(ddb: Any, make_table: Callable[..., str]) -> None:
    """BatchGetItem answers up to 16 MB of items, the rest of the keys (with the table's request options) as
    UnprocessedKeys, as AWS does; asked again, they come. Its read capacity rounds each item up to 4 KB on its own
    (a missing item costs the least read), unlike Query's one sum."""
    name = make_table()
    big = "x" * (390 * 1024)
    for i in range(45):
        ddb.put_item(TableName=name, Item={"pk": {"S": f"b{i:02d}"}, "d": {"S": big}})
    size = len("pk") + 3 + len("d") + len(big)
    keys = [{"pk": {"S": f"b{i:02d}"}} for i in range(45)]
    first = ddb.batch_get_item(RequestItems={name: {"Keys": keys, "ProjectionExpression": "pk, d"}})
    answered = first["Responses"][name]
    assert len(answered) == (16 * 1024 * 1024) // size
    left = first["UnprocessedKeys"][name]
    assert left["ProjectionExpression"] == "pk, d" and len(left["Keys"]) == 45 - len(answered)
    rest = ddb.batch_get_item(RequestItems=first["UnprocessedKeys"])
    assert rest["UnprocessedKeys"] == {}
    got = sorted(i["pk"]["S"] for i in answered + rest["Responses"][name])
    assert got == [f"b{i:02d}" for i in range(45)]

    small = make_table()
    for i in range(10):
        ddb.put_item(TableName=small, Item={"pk": {"S": f"s{i}"}, "v": {"S": "tiny"}})
    ten = [{"pk": {"S": f"s{i}"}} for i in range(10)] + [{"pk": {"S": "missing"}}]
    out = ddb.batch_get_item(RequestItems={small: {"Keys": ten}}, ReturnConsumedCapacity="TOTAL")
    assert out["ConsumedCapacity"] == [{"TableName": small, "CapacityUnits": 5.5, "ReadCapacityUnits": 5.5}]
    strong = ddb.batch_get_item(RequestItems={small: {"Keys": ten, "ConsistentRead": True}},
                                ReturnConsumedCapacity="TOTAL")  # fmt: skip
    assert strong["ConsumedCapacity"][0]["CapacityUnits"] == 11.0
