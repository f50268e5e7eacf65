"""Secondary indexes end to end: GSIs with KEYS_ONLY / INCLUDE / ALL projections kept in step with writes, sparse
indexes, LSIs, a GSI added to a table with items (backfilled) and removed."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from ...conftest import StoreFactory, make_client
from ...expect import expect_error
from ...server import Server


def _gsi(name: str, key: str, projection: dict[str, Any]) -> dict[str, Any]:
    return {"IndexName": name, "KeySchema": [{"AttributeName": key, "KeyType": "HASH"},
            {"AttributeName": "sk", "KeyType": "RANGE"}], "Projection": projection}  # fmt: skip


def test_gsi_projections_and_sparse(ddb: Any, make_table: Callable[..., str]) -> None:
    name = make_table(("pk", "S"), ("sk", "N"), attributes={"g": "S"}, GlobalSecondaryIndexes=[
        _gsi("keys", "g", {"ProjectionType": "KEYS_ONLY"}),
        _gsi("some", "g", {"ProjectionType": "INCLUDE", "NonKeyAttributes": ["a"]}),
        _gsi("all", "g", {"ProjectionType": "ALL"}),
    ])  # fmt: skip
    for i in range(10):
        item = {"pk": {"S": f"p{i}"}, "sk": {"N": str(i)}, "a": {"S": "A"}, "b": {"S": "B"}}
        if i % 2 == 0:
            item["g"] = {"S": "even"}
        ddb.put_item(TableName=name, Item=item)
    v = {":g": {"S": "even"}}
    keys = ddb.query(TableName=name, IndexName="keys", KeyConditionExpression="g = :g", ExpressionAttributeValues=v)
    assert keys["Count"] == 5 and set(keys["Items"][0]) == {"pk", "sk", "g"}
    assert [int(i["sk"]["N"]) for i in keys["Items"]] == [0, 2, 4, 6, 8]
    some = ddb.query(TableName=name, IndexName="some", KeyConditionExpression="g = :g", ExpressionAttributeValues=v)
    assert set(some["Items"][0]) == {"pk", "sk", "g", "a"}
    every = ddb.query(TableName=name, IndexName="all", KeyConditionExpression="g = :g", ExpressionAttributeValues=v,
                      Limit=2, ScanIndexForward=False)  # fmt: skip
    assert set(every["Items"][0]) == {"pk", "sk", "g", "a", "b"}
    assert every["LastEvaluatedKey"] == {"pk": {"S": "p6"}, "sk": {"N": "6"}, "g": {"S": "even"}}
    rest = ddb.query(TableName=name, IndexName="all", KeyConditionExpression="g = :g", ExpressionAttributeValues=v,
                     ExclusiveStartKey=every["LastEvaluatedKey"], ScanIndexForward=False)  # fmt: skip
    assert [int(i["sk"]["N"]) for i in rest["Items"]] == [4, 2, 0]
    # moving an item out of the index and changing its index key
    ddb.update_item(TableName=name, Key={"pk": {"S": "p0"}, "sk": {"N": "0"}}, UpdateExpression="REMOVE g")
    ddb.update_item(TableName=name, Key={"pk": {"S": "p2"}, "sk": {"N": "2"}}, UpdateExpression="SET g = :o",
                    ExpressionAttributeValues={":o": {"S": "odd"}})  # fmt: skip
    ddb.delete_item(TableName=name, Key={"pk": {"S": "p4"}, "sk": {"N": "4"}})
    keys = ddb.query(TableName=name, IndexName="keys", KeyConditionExpression="g = :g", ExpressionAttributeValues=v)
    assert [int(i["sk"]["N"]) for i in keys["Items"]] == [6, 8]
    assert ddb.scan(TableName=name, IndexName="all")["Count"] == 3
    expect_error(ddb.query, "ValidationException", TableName=name, IndexName="keys", Select="ALL_ATTRIBUTES",
                 KeyConditionExpression="g = :g", ExpressionAttributeValues=v)  # fmt: skip
    expect_error(ddb.query, "ValidationException", "The table does not have the specified index: nope", TableName=name,
                 IndexName="nope", KeyConditionExpression="g = :g", ExpressionAttributeValues=v)  # fmt: skip
    table = ddb.describe_table(TableName=name)["Table"]
    assert {i["IndexName"]: i["ItemCount"] for i in table["GlobalSecondaryIndexes"]} == {"keys": 3, "some": 3, "all": 3}


def test_lsi(ddb: Any, make_table: Callable[..., str]) -> None:
    name = make_table(("pk", "S"), ("sk", "N"), attributes={"lvl": "N"}, LocalSecondaryIndexes=[{
        "IndexName": "by-lvl", "Projection": {"ProjectionType": "KEYS_ONLY"},
        "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "lvl",
            "KeyType": "RANGE"}]}])  # fmt: skip
    for i in range(5):
        ddb.put_item(TableName=name, Item={"pk": {"S": "p"}, "sk": {"N": str(i)}, "lvl": {"N": str(10 - i)},
                                           "x": {"S": "big"}})  # fmt: skip
    page = ddb.query(TableName=name, IndexName="by-lvl", KeyConditionExpression="pk = :p AND lvl > :r",
                     ExpressionAttributeValues={":p": {"S": "p"}, ":r": {"N": "7"}})  # fmt: skip
    assert [int(i["sk"]["N"]) for i in page["Items"]] == [2, 1, 0]
    assert "x" not in page["Items"][0]
    full = ddb.query(TableName=name, IndexName="by-lvl", KeyConditionExpression="pk = :p", Select="ALL_ATTRIBUTES",
                     ExpressionAttributeValues={":p": {"S": "p"}})  # fmt: skip
    assert full["Items"][0]["x"] == {"S": "big"}


def test_gsi_added_and_removed(ddb: Any, make_table: Callable[..., str]) -> None:
    name = make_table(("pk", "S"), ("sk", "N"))
    for i in range(30):
        ddb.put_item(TableName=name, Item={"pk": {"S": f"p{i}"}, "sk": {"N": str(i)}, "g": {"S": f"g{i % 3}"}})
    ddb.update_table(TableName=name, AttributeDefinitions=[{"AttributeName": "g", "AttributeType": "S"}],
                     GlobalSecondaryIndexUpdates=[{"Create": _gsi("late", "g",
                         {"ProjectionType": "ALL"})}])  # fmt: skip
    page = ddb.query(TableName=name, IndexName="late", KeyConditionExpression="g = :g",
                     ExpressionAttributeValues={":g": {"S": "g1"}})  # fmt: skip
    assert page["Count"] == 10
    ddb.update_table(TableName=name, GlobalSecondaryIndexUpdates=[{"Delete": {"IndexName": "late"}}])
    assert "GlobalSecondaryIndexes" not in ddb.describe_table(TableName=name)["Table"]


def test_write_capacity_counts_index_writes(ddb: Any, make_table: Callable[..., str]) -> None:
    """ConsumedCapacity of writes counts each index's own writes as AWS does: a put of the projected item, a delete
    and a put when its index key changes, a delete when it leaves the index, nothing when its projection is
    unchanged; INDEXES breaks them out by global and local index; transactions count twice."""
    name = make_table(
        ("pk", "S"), ("sk", "N"), attributes={"g": "S", "l": "N"},
        GlobalSecondaryIndexes=[{"IndexName": "by-g", "KeySchema": [{"AttributeName": "g", "KeyType": "HASH"}],
                                 "Projection": {"ProjectionType": "ALL"}}],
        LocalSecondaryIndexes=[{"IndexName": "by-l", "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"},
                                                                   {"AttributeName": "l", "KeyType": "RANGE"}],
                                "Projection": {"ProjectionType": "KEYS_ONLY"}}],
    )  # fmt: skip
    key = {"pk": {"S": "a"}, "sk": {"N": "1"}}

    def units(out: dict[str, Any]) -> tuple[float, dict[str, float], dict[str, float]]:
        capacity = out["ConsumedCapacity"]
        assert capacity["Table"] == {"CapacityUnits": 1.0, "WriteCapacityUnits": 1.0}
        assert capacity["CapacityUnits"] == capacity["WriteCapacityUnits"]
        return (
            capacity["CapacityUnits"],
            {n: c["WriteCapacityUnits"] for n, c in capacity.get("GlobalSecondaryIndexes", {}).items()},
            {n: c["WriteCapacityUnits"] for n, c in capacity.get("LocalSecondaryIndexes", {}).items()},
        )

    item = {**key, "g": {"S": "x"}, "l": {"N": "3"}, "v": {"S": "one"}}
    assert units(ddb.put_item(TableName=name, Item=item, ReturnConsumedCapacity="INDEXES")) == (
        3.0, {"by-g": 1.0}, {"by-l": 1.0})  # fmt: skip
    item["v"] = {"S": "two"}  # by-g projects it; by-l (keys only) is unchanged
    assert units(ddb.put_item(TableName=name, Item=item, ReturnConsumedCapacity="INDEXES")) == (
        2.0, {"by-g": 1.0}, {})  # fmt: skip
    moved = ddb.update_item(TableName=name, Key=key, UpdateExpression="SET g = :g", ReturnConsumedCapacity="INDEXES",
                            ExpressionAttributeValues={":g": {"S": "y"}})  # fmt: skip
    assert units(moved) == (3.0, {"by-g": 2.0}, {})  # delete and put in by-g
    left = ddb.update_item(TableName=name, Key=key, UpdateExpression="REMOVE l", ReturnConsumedCapacity="INDEXES")
    assert units(left) == (3.0, {"by-g": 1.0}, {"by-l": 1.0})  # gone from by-l
    gone = ddb.delete_item(TableName=name, Key=key, ReturnConsumedCapacity="INDEXES")
    assert units(gone) == (2.0, {"by-g": 1.0}, {})
    total = ddb.put_item(TableName=name, Item=item, ReturnConsumedCapacity="TOTAL")["ConsumedCapacity"]
    assert total == {"TableName": name, "CapacityUnits": 3.0, "WriteCapacityUnits": 3.0}

    batch = ddb.batch_write_item(ReturnConsumedCapacity="INDEXES", RequestItems={name: [
        {"PutRequest": {"Item": {"pk": {"S": "b"}, "sk": {"N": str(i)}, "g": {"S": "z"}, "l": {"N": "1"}}}}
        for i in range(2)
    ]})["ConsumedCapacity"]  # fmt: skip
    two = {"CapacityUnits": 2.0, "WriteCapacityUnits": 2.0}
    assert batch == [{"TableName": name, "CapacityUnits": 6.0, "WriteCapacityUnits": 6.0, "Table": two,
                      "GlobalSecondaryIndexes": {"by-g": two}, "LocalSecondaryIndexes": {"by-l": two}}]  # fmt: skip
    tx = ddb.transact_write_items(ReturnConsumedCapacity="INDEXES", TransactItems=[
        {"Put": {"TableName": name, "Item": {"pk": {"S": "c"}, "sk": {"N": "1"}, "g": {"S": "z"}}}},
    ])["ConsumedCapacity"]  # fmt: skip
    assert tx == [{"TableName": name, "CapacityUnits": 4.0, "WriteCapacityUnits": 4.0, "Table": two,
                   "GlobalSecondaryIndexes": {"by-g": two}}]  # fmt: skip
    assert ddb.query(TableName=name, IndexName="by-g", KeyConditionExpression="g = :g",
                     ExpressionAttributeValues={":g": {"S": "x"}})["Count"] == 1  # fmt: skip
    assert ddb.query(TableName=name, IndexName="by-l", KeyConditionExpression="pk = :p",
                     ExpressionAttributeValues={":p": {"S": "a"}})["Count"] == 1  # fmt: skip

    # reads of an index spend the index's capacity, not the table's (an eventually consistent read: half a unit)
    half, none = {"CapacityUnits": 0.5, "ReadCapacityUnits": 0.5}, {"CapacityUnits": 0.0, "ReadCapacityUnits": 0.0}
    by_g = ddb.query(TableName=name, IndexName="by-g", KeyConditionExpression="g = :g",
                     ReturnConsumedCapacity="INDEXES", ExpressionAttributeValues={":g": {"S": "x"}})  # fmt: skip
    by_g = by_g["ConsumedCapacity"]
    assert by_g == {"TableName": name, **half, "Table": none, "GlobalSecondaryIndexes": {"by-g": half}}
    by_l = ddb.scan(TableName=name, IndexName="by-l", ReturnConsumedCapacity="INDEXES")["ConsumedCapacity"]
    assert by_l == {"TableName": name, **half, "Table": none, "LocalSecondaryIndexes": {"by-l": half}}
    total = ddb.query(TableName=name, IndexName="by-g", KeyConditionExpression="g = :g", ReturnConsumedCapacity="TOTAL",
                      ExpressionAttributeValues={":g": {"S": "x"}})["ConsumedCapacity"]  # fmt: skip
    assert total == {"TableName": name, **half}
    table = ddb.query(TableName=name, KeyConditionExpression="pk = :p", ReturnConsumedCapacity="INDEXES",
                      ExpressionAttributeValues={":p": {"S": "a"}})["ConsumedCapacity"]  # fmt: skip
    assert table == {"TableName": name, **half, "Table": half}


def test_item_collection_metrics(ddb: Any, make_table: Callable[..., str]) -> None:
    """ReturnItemCollectionMetrics SIZE on a table with a local secondary index: the written item collection's key
    and its size bracketed in whole gigabytes, from PutItem/UpdateItem/DeleteItem, BatchWriteItem and
    TransactWriteItems (one per collection written); nothing for a table without local indexes, as on AWS."""
    lsi = [{"IndexName": "by-l", "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"},
                                               {"AttributeName": "l", "KeyType": "RANGE"}],
            "Projection": {"ProjectionType": "ALL"}}]  # fmt: skip
    name = make_table(("pk", "S"), ("sk", "N"), attributes={"l": "N"}, LocalSecondaryIndexes=lsi)
    small = {"ItemCollectionKey": {"pk": {"S": "a"}}, "SizeEstimateRangeGB": [0.0, 1.0]}
    put = ddb.put_item(TableName=name, Item={"pk": {"S": "a"}, "sk": {"N": "1"}, "l": {"N": "1"}},
                       ReturnItemCollectionMetrics="SIZE")  # fmt: skip
    assert put["ItemCollectionMetrics"] == small
    key = {"pk": {"S": "a"}, "sk": {"N": "1"}}
    updated = ddb.update_item(TableName=name, Key=key, UpdateExpression="SET v = :v",
                              ExpressionAttributeValues={":v": {"S": "x"}},
                              ReturnItemCollectionMetrics="SIZE")  # fmt: skip
    assert updated["ItemCollectionMetrics"] == small
    assert "ItemCollectionMetrics" not in ddb.put_item(TableName=name, Item={**key, "l": {"N": "2"}})
    batch = ddb.batch_write_item(ReturnItemCollectionMetrics="SIZE", RequestItems={name: [
        {"PutRequest": {"Item": {"pk": {"S": "a"}, "sk": {"N": "2"}}}},
        {"PutRequest": {"Item": {"pk": {"S": "b"}, "sk": {"N": "1"}, "l": {"N": "5"}}}},
        {"DeleteRequest": {"Key": {"pk": {"S": "b"}, "sk": {"N": "9"}}}},
    ]})  # fmt: skip
    assert batch["ItemCollectionMetrics"] == {name: [
        small, {"ItemCollectionKey": {"pk": {"S": "b"}}, "SizeEstimateRangeGB": [0.0, 1.0]}]}  # fmt: skip
    tx = ddb.transact_write_items(ReturnItemCollectionMetrics="SIZE", TransactItems=[
        {"Put": {"TableName": name, "Item": {"pk": {"S": "c"}, "sk": {"N": "1"}}}},
        {"ConditionCheck": {"TableName": name, "Key": key, "ConditionExpression": "attribute_exists(pk)"}},
    ])  # fmt: skip
    assert tx["ItemCollectionMetrics"] == {name: [{"ItemCollectionKey": {"pk": {"S": "c"}},
                                                  "SizeEstimateRangeGB": [0.0, 1.0]}]}  # fmt: skip
    deleted = ddb.delete_item(TableName=name, Key=key, ReturnItemCollectionMetrics="SIZE")
    assert deleted["ItemCollectionMetrics"] == small
    plain = make_table(("pk", "S"), ("sk", "N"))
    out = ddb.put_item(TableName=plain, Item=key, ReturnItemCollectionMetrics="SIZE")
    assert "ItemCollectionMetrics" not in out


def test_backfilling_index_is_not_readable(store: StoreFactory) -> None:
    """A global secondary index added to a table with items is CREATING with Backfilling true until it is filled
    (a second on this server), and a Query or Scan of it meanwhile is AWS's ValidationException ("Cannot read from
    backfilling global secondary index"); then it answers with the items it was filled from."""
    srv = Server(**store(), env={"GUREUM_DYNAMODB_DELAY": "1"}).start()
    try:
        ddb = make_client(srv.endpoint, "dynamodb")
        ddb.create_table(TableName="filled", BillingMode="PAY_PER_REQUEST",
                         AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
                         KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}])  # fmt: skip
        ddb.get_waiter("table_exists").wait(TableName="filled", WaiterConfig={"Delay": 0.2, "MaxAttempts": 50})
        ddb.put_item(TableName="filled", Item={"pk": {"S": "a"}, "g": {"S": "x"}})
        definitions = [{"AttributeName": "g", "AttributeType": "S"}]
        added = ddb.update_table(TableName="filled", AttributeDefinitions=definitions,
                                 GlobalSecondaryIndexUpdates=[{"Create": {
                                     "IndexName": "by-g", "KeySchema": [{"AttributeName": "g", "KeyType": "HASH"}],
                                     "Projection": {"ProjectionType": "ALL"}}}])["TableDescription"]  # fmt: skip
        index = added["GlobalSecondaryIndexes"][0]
        assert index["IndexStatus"] == "CREATING" and index["Backfilling"] is True
        query = {"TableName": "filled", "IndexName": "by-g", "KeyConditionExpression": "g = :g",
                 "ExpressionAttributeValues": {":g": {"S": "x"}}}  # fmt: skip
        message = "Cannot read from backfilling global secondary index: by-g"
        expect_error(ddb.query, "ValidationException", message, **query)
        expect_error(ddb.scan, "ValidationException", message, TableName="filled", IndexName="by-g")
        deadline = time.monotonic() + 10
        while ddb.describe_table(TableName="filled")["Table"]["GlobalSecondaryIndexes"][0]["IndexStatus"] != "ACTIVE":
            assert time.monotonic() < deadline
            time.sleep(0.1)
        assert ddb.query(**query)["Items"] == [{"pk": {"S": "a"}, "g": {"S": "x"}}]
    finally:
        srv.stop()
