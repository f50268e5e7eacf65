"""Provisioned capacity enforced on a server with GUREUM_DYNAMODB_THROTTLE=1: a PROVISIONED table holds 300 seconds
of its capacity as burst; a request that finds less than one unit left is refused with
ProvisionedThroughputExceededException (AWS's message), a global secondary index's write capacity limits the table's
writes, batches hand a spent table's requests back as UnprocessedItems / UnprocessedKeys, and on-demand tables are
never throttled."""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator
from typing import Any

import pytest

from ...conftest import StoreFactory, make_client
from ...expect import expect_error
from ...server import Server

TABLE_SPENT = (
    "The level of configured provisioned throughput for the table was exceeded. Consider increasing your "
    "provisioning level with the UpdateTable API."
)
BIG = "x" * (399 * 1024)  # with its key, an item of 400 write units (100 read units): past a 1-unit burst of 300


@pytest.fixture(scope="module")
def throttled(store: StoreFactory) -> Iterator[Any]:
    srv = Server(**store(), env={"GUREUM_DYNAMODB_THROTTLE": "1"}).start()
    yield make_client(srv.endpoint, "dynamodb")  # make_client's retry setting: a refusal is not waited out
    srv.stop()


def _table(client: Any, read: int = 1, write: int = 1, **extra: Any) -> str:
    name = f"th-{uuid.uuid4().hex[:10]}"
    billing: dict[str, Any] = (
        {"BillingMode": "PAY_PER_REQUEST"} if read == 0
        else {"BillingMode": "PROVISIONED", "ProvisionedThroughput": {"ReadCapacityUnits": read,
                                                                      "WriteCapacityUnits": write}}
    )  # fmt: skip
    client.create_table(TableName=name, AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}]
                        + extra.pop("attributes", []), KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
                        **billing, **extra)  # fmt: skip
    return name


def test_writes_and_reads_past_the_burst_are_refused(throttled: Any) -> None:
    name = _table(throttled, read=1, write=1)
    used = throttled.put_item(
        TableName=name, Item={"pk": {"S": "big"}, "d": {"S": BIG}}, ReturnConsumedCapacity="TOTAL"
    )
    assert used["ConsumedCapacity"]["CapacityUnits"] == 400.0  # the burst is 100 units in debt: ~100 s refused
    expect_error(throttled.put_item, "ProvisionedThroughputExceededException", TABLE_SPENT, 400,
                 TableName=name, Item={"pk": {"S": "a"}})  # fmt: skip
    expect_error(throttled.update_item, "ProvisionedThroughputExceededException", TABLE_SPENT,
                 TableName=name, Key={"pk": {"S": "a"}}, UpdateExpression="SET v = :v",
                 ExpressionAttributeValues={":v": {"N": "1"}})  # fmt: skip
    expect_error(throttled.delete_item, "ProvisionedThroughputExceededException", TABLE_SPENT,
                 TableName=name, Key={"pk": {"S": "big"}})  # fmt: skip
    assert "Item" not in throttled.get_item(TableName=name, Key={"pk": {"S": "a"}}), "nothing was written"
    _into_read_debt(throttled, name)
    expect_error(throttled.get_item, "ProvisionedThroughputExceededException", TABLE_SPENT,
                 TableName=name, Key={"pk": {"S": "big"}})  # fmt: skip
    expect_error(throttled.query, "ProvisionedThroughputExceededException", TABLE_SPENT, TableName=name,
                 KeyConditionExpression="pk = :p", ExpressionAttributeValues={":p": {"S": "big"}})  # fmt: skip
    expect_error(throttled.scan, "ProvisionedThroughputExceededException", TABLE_SPENT, TableName=name)
    # more capacity: UpdateTable's new rate fills the burst faster
    throttled.update_table(TableName=name, ProvisionedThroughput={"ReadCapacityUnits": 1000,
                                                                  "WriteCapacityUnits": 1000})  # fmt: skip
    time.sleep(0.5)  # 500 units of each at 1,000 per second
    throttled.put_item(TableName=name, Item={"pk": {"S": "a"}})
    assert throttled.get_item(TableName=name, Key={"pk": {"S": "a"}})["Item"] == {"pk": {"S": "a"}}


def _into_read_debt(client: Any, name: str) -> None:
    """Reads have their own budget: 300 units of burst at 1 RCU; reading the big item strongly consistent takes 100,
    eventually consistent 50: 100 + 100 + 50 leave 50, and the next 100 are admitted into 50 units of debt."""
    for consistent in (True, True, False, True):
        client.get_item(TableName=name, Key={"pk": {"S": "big"}}, ConsistentRead=consistent)


def test_index_capacity_limits_table_writes(throttled: Any) -> None:
    name = _table(throttled, read=1000, write=1000, attributes=[{"AttributeName": "g", "AttributeType": "S"}],
                  GlobalSecondaryIndexes=[{"IndexName": "by-g",
                                           "KeySchema": [{"AttributeName": "g", "KeyType": "HASH"}],
                                           "Projection": {"ProjectionType": "ALL"},
                                           "ProvisionedThroughput": {"ReadCapacityUnits": 1,
                                                                     "WriteCapacityUnits": 1}}])  # fmt: skip
    throttled.put_item(TableName=name, Item={"pk": {"S": "big"}, "g": {"S": "x"}, "d": {"S": BIG}})
    error = expect_error(throttled.put_item, "ProvisionedThroughputExceededException",
                         TableName=name, Item={"pk": {"S": "a"}})  # fmt: skip
    assert "global secondary indexes" in error["Message"]
    assert throttled.get_item(TableName=name, Key={"pk": {"S": "big"}}, ProjectionExpression="pk")["Item"]


def test_index_read_capacity(throttled: Any) -> None:
    name = _table(throttled, read=1000, write=1000, attributes=[{"AttributeName": "g", "AttributeType": "S"}],
                  GlobalSecondaryIndexes=[{"IndexName": "by-g",
                                           "KeySchema": [{"AttributeName": "g", "KeyType": "HASH"}],
                                           "Projection": {"ProjectionType": "ALL"},
                                           "ProvisionedThroughput": {"ReadCapacityUnits": 1,
                                                                     "WriteCapacityUnits": 1000}}])  # fmt: skip
    for i in range(4):
        throttled.put_item(TableName=name, Item={"pk": {"S": f"big{i}"}, "g": {"S": "x"}, "d": {"S": BIG}})
    query: dict[str, Any] = {"TableName": name, "IndexName": "by-g", "KeyConditionExpression": "g = :g",
             "ExpressionAttributeValues": {":g": {"S": "x"}}}  # fmt: skip
    # eventually consistent, from the index's burst of 300: two big items take 100, a 1 MB page (three) 150
    assert throttled.query(**query, Limit=2)["Count"] == 2
    assert throttled.query(**query)["Count"] == 3
    assert throttled.query(**query)["Count"] == 3  # admitted with 50 left: 100 units of debt
    expect_error(throttled.query, "ProvisionedThroughputExceededException", **query)
    assert throttled.scan(TableName=name, Limit=1)["Count"] == 1  # the table has its own capacity


def test_batches_hand_back_a_spent_tables_requests(throttled: Any) -> None:
    spent = _table(throttled, read=1, write=1)
    fresh = _table(throttled, read=0)  # on demand: never throttled
    throttled.put_item(TableName=spent, Item={"pk": {"S": "big"}, "d": {"S": BIG}})
    writes = {
        spent: [{"PutRequest": {"Item": {"pk": {"S": "s1"}}}}],
        fresh: [{"PutRequest": {"Item": {"pk": {"S": "f1"}}}}],
    }
    out = throttled.batch_write_item(RequestItems=writes)
    assert out["UnprocessedItems"] == {spent: writes[spent]}
    assert throttled.get_item(TableName=fresh, Key={"pk": {"S": "f1"}})["Item"] == {"pk": {"S": "f1"}}
    expect_error(throttled.batch_write_item, "ProvisionedThroughputExceededException", TABLE_SPENT,
                 RequestItems={spent: writes[spent]})  # fmt: skip
    _into_read_debt(throttled, spent)
    reads = {spent: {"Keys": [{"pk": {"S": "big"}}]}, fresh: {"Keys": [{"pk": {"S": "f1"}}]}}
    got = throttled.batch_get_item(RequestItems=reads)
    assert got["Responses"] == {fresh: [{"pk": {"S": "f1"}}]}
    assert got["UnprocessedKeys"] == {spent: reads[spent]}
    expect_error(throttled.batch_get_item, "ProvisionedThroughputExceededException", TABLE_SPENT,
                 RequestItems={spent: reads[spent]})  # fmt: skip
    for i in range(50):  # on demand
        throttled.put_item(TableName=fresh, Item={"pk": {"S": f"n{i}"}, "d": {"S": BIG[:100_000]}})


def test_transactions_draw_from_the_same_capacity(throttled: Any) -> None:
    name = _table(throttled, read=1, write=1)
    other = _table(throttled, read=0)
    both = [{"Put": {"TableName": other, "Item": {"pk": {"S": "o"}}}},
            {"Put": {"TableName": name, "Item": {"pk": {"S": "t"}}}}]  # fmt: skip
    used = throttled.transact_write_items(TransactItems=both, ReturnConsumedCapacity="TOTAL")["ConsumedCapacity"]
    assert {c["TableName"]: c["CapacityUnits"] for c in used} == {other: 2.0, name: 2.0}
    throttled.put_item(TableName=name, Item={"pk": {"S": "big"}, "d": {"S": BIG}})
    expect_error(throttled.transact_write_items, "ProvisionedThroughputExceededException", TABLE_SPENT,
                 TransactItems=[{"Put": {"TableName": other, "Item": {"pk": {"S": "o2"}}}},
                                {"Put": {"TableName": name, "Item": {"pk": {"S": "t2"}}}}])  # fmt: skip
    assert "Item" not in throttled.get_item(TableName=other, Key={"pk": {"S": "o2"}}), "all or nothing"
    _into_read_debt(throttled, name)
    expect_error(throttled.transact_get_items, "ProvisionedThroughputExceededException", TABLE_SPENT,
                 TransactItems=[{"Get": {"TableName": name, "Key": {"pk": {"S": "t"}}}}])  # fmt: skip
    got = throttled.transact_get_items(TransactItems=[{"Get": {"TableName": other, "Key": {"pk": {"S": "o"}}}}])
    assert got["Responses"] == [{"Item": {"pk": {"S": "o"}}}]


def test_partiql_statements_draw_from_the_same_capacity(throttled: Any) -> None:
    name = _table(throttled, read=1, write=1)
    throttled.execute_statement(Statement=f"INSERT INTO \"{name}\" VALUE {{'pk': 'a'}}")
    throttled.put_item(TableName=name, Item={"pk": {"S": "big"}, "d": {"S": BIG}})
    expect_error(throttled.execute_statement, "ProvisionedThroughputExceededException", TABLE_SPENT,
                 Statement=f"INSERT INTO \"{name}\" VALUE {{'pk': 'b'}}")  # fmt: skip
    expect_error(throttled.execute_statement, "ProvisionedThroughputExceededException", TABLE_SPENT,
                 Statement=f"UPDATE \"{name}\" SET v = 1 WHERE pk = 'a'")  # fmt: skip
    _into_read_debt(throttled, name)
    expect_error(throttled.execute_statement, "ProvisionedThroughputExceededException", TABLE_SPENT,
                 Statement=f"SELECT * FROM \"{name}\" WHERE pk = 'a'")  # fmt: skip
