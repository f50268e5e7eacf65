"""Time to live and durability end to end: UpdateTimeToLive / DescribeTimeToLive, the sweep deleting expired items
(from their table and its indexes) and leaving the rest, and items surviving a restart of the server."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from ...conftest import StoreFactory, make_client
from ...expect import expect_error
from ...server import Server


def test_ttl_sweep(ddb: Any, make_table: Callable[..., str]) -> None:
    name = make_table(attributes={"g": "S"}, GlobalSecondaryIndexes=[{
        "IndexName": "by-g", "KeySchema": [{"AttributeName": "g", "KeyType": "HASH"}],
        "Projection": {"ProjectionType": "KEYS_ONLY"}}])  # fmt: skip
    assert ddb.describe_time_to_live(TableName=name)["TimeToLiveDescription"]["TimeToLiveStatus"] == "DISABLED"
    past, future = str(int(time.time()) - 60), str(int(time.time()) + 3600)
    ddb.put_item(TableName=name, Item={"pk": {"S": "old"}, "exp": {"N": past}, "g": {"S": "x"}})
    ddb.put_item(TableName=name, Item={"pk": {"S": "new"}, "exp": {"N": future}, "g": {"S": "x"}})
    ddb.put_item(TableName=name, Item={"pk": {"S": "none"}, "g": {"S": "x"}})
    spec = ddb.update_time_to_live(TableName=name, TimeToLiveSpecification={"Enabled": True, "AttributeName": "exp"})
    assert spec["TimeToLiveSpecification"] == {"Enabled": True, "AttributeName": "exp"}
    expect_error(ddb.update_time_to_live, "ValidationException", "TimeToLive is already enabled", TableName=name,
                 TimeToLiveSpecification={"Enabled": True, "AttributeName": "exp"})  # fmt: skip
    ddb.put_item(TableName=name, Item={"pk": {"S": "later"}, "exp": {"N": past}, "g": {"S": "x"}})
    deadline = time.monotonic() + 10
    while ddb.scan(TableName=name, Select="COUNT")["Count"] != 2:
        assert time.monotonic() < deadline, "expired items were not swept"
        time.sleep(0.1)
    keys = sorted(i["pk"]["S"] for i in ddb.scan(TableName=name)["Items"])
    assert keys == ["new", "none"]
    assert ddb.scan(TableName=name, IndexName="by-g")["Count"] == 2
    assert ddb.describe_time_to_live(TableName=name)["TimeToLiveDescription"] == {
        "TimeToLiveStatus": "ENABLED",
        "AttributeName": "exp",
    }


def test_restart_durability(store: StoreFactory) -> None:
    args = store()
    first = Server(**args).start()
    try:
        ddb = make_client(first.endpoint, "dynamodb")
        ddb.create_table(TableName="durable", AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
                         KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
                             BillingMode="PAY_PER_REQUEST")  # fmt: skip
        for i in range(20):
            ddb.put_item(TableName="durable", Item={"pk": {"S": f"k{i}"}, "n": {"N": str(i)}})
    finally:
        first.stop()
    second = Server(**args).start()
    try:
        ddb = make_client(second.endpoint, "dynamodb")
        assert ddb.scan(TableName="durable", Select="COUNT")["Count"] == 20
        assert ddb.get_item(TableName="durable", Key={"pk": {"S": "k7"}})["Item"]["n"] == {"N": "7"}
    finally:
        second.stop()
