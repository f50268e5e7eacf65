"""The Kinesis Client Library's lease table, driven as KCL 2.x's DynamoDBLeaseRefresher drives it (its requests'
shapes: legacy Expected and AttributeUpdates, consistent scans): a lease created only if absent, renewed by its
owner (leaseCounter ADD 1 on the counter it last saw), taken by another worker, checkpointed, evicted and deleted; a
worker acting on a stale counter loses with ConditionalCheckFailedException, as two workers racing do on AWS."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ...expect import expect_error


def _s(v: str) -> dict[str, str]:
    return {"S": v}


def _n(v: int) -> dict[str, str]:
    return {"N": str(v)}


def test_lease_lifecycle(ddb: Any, make_table: Callable[..., str]) -> None:
    table = make_table(("leaseKey", "S"))
    key = {"leaseKey": _s("shardId-000000000000")}
    absent = {"leaseKey": {"Exists": False}}
    lease = {**key, "leaseCounter": _n(0), "ownerSwitchesSinceCheckpoint": _n(0), "checkpoint": _s("TRIM_HORIZON"),
             "checkpointSubSequenceNumber": _n(0)}  # fmt: skip
    ddb.put_item(TableName=table, Item=lease, Expected=absent)  # createLeaseIfNotExists
    expect_error(ddb.put_item, "ConditionalCheckFailedException", "The conditional request failed",
                 TableName=table, Item=lease, Expected=absent)  # fmt: skip

    def counter_is(value: int) -> dict[str, Any]:
        return {"leaseCounter": {"Value": _n(value), "Exists": True}}

    # takeLease by worker A: the counter it saw, a new owner, the counter and owner switches bumped
    taken = ddb.update_item(
        TableName=table,
        Key=key,
        Expected=counter_is(0),
        ReturnValues="ALL_NEW",
        AttributeUpdates={
            "leaseOwner": {"Value": _s("A"), "Action": "PUT"},
            "leaseCounter": {"Value": _n(1), "Action": "ADD"},
            "ownerSwitchesSinceCheckpoint": {"Value": _n(1), "Action": "ADD"},
        },
    )
    assert taken["Attributes"]["leaseOwner"] == _s("A") and taken["Attributes"]["leaseCounter"] == _n(1)
    # renewLease: owner and counter expected, counter bumped
    for seen in (1, 2):
        ddb.update_item(TableName=table, Key=key,
                        Expected={**counter_is(seen), "leaseOwner": {"Value": _s("A"), "Exists": True}},
                        AttributeUpdates={"leaseCounter": {"Value": _n(1), "Action": "ADD"}})  # fmt: skip
    # worker B acts on the counter it read before A's renewals: refused, and nothing of it is applied
    expect_error(ddb.update_item, "ConditionalCheckFailedException", TableName=table, Key=key, Expected=counter_is(1),
                 AttributeUpdates={"leaseOwner": {"Value": _s("B"), "Action": "PUT"},
                                   "leaseCounter": {"Value": _n(1), "Action": "ADD"}})  # fmt: skip
    # updateLease (checkpoint) by the owner, parent shard ids as a string set
    ddb.update_item(
        TableName=table,
        Key=key,
        Expected={**counter_is(3), "leaseOwner": {"Value": _s("A"), "Exists": True}},
        AttributeUpdates={
            "leaseCounter": {"Value": _n(1), "Action": "ADD"},
            "checkpoint": {"Value": _s("49590338271490256608559692538361571095921575989136588898"), "Action": "PUT"},
            "checkpointSubSequenceNumber": {"Value": _n(0), "Action": "PUT"},
            "ownerSwitchesSinceCheckpoint": {"Value": _n(0), "Action": "PUT"},
            "parentShardId": {"Value": {"SS": ["shardId-000000000009"]}, "Action": "PUT"},
        },
    )
    # listLeases: a consistent scan, paged
    scanned = ddb.scan(TableName=table, ConsistentRead=True, Limit=10)["Items"]
    assert scanned == [
        {
            **key,
            "leaseOwner": _s("A"),
            "leaseCounter": _n(4),
            "ownerSwitchesSinceCheckpoint": _n(0),
            "checkpoint": _s("49590338271490256608559692538361571095921575989136588898"),
            "checkpointSubSequenceNumber": _n(0),
            "parentShardId": {"SS": ["shardId-000000000009"]},
        }
    ]
    # evictLease: the owner removed (DELETE without a value) when it is still A
    ddb.update_item(TableName=table, Key=key, Expected={"leaseOwner": {"Value": _s("A"), "Exists": True}},
                    AttributeUpdates={"leaseOwner": {"Action": "DELETE"},
                                      "leaseCounter": {"Value": _n(1), "Action": "ADD"}})  # fmt: skip
    item = ddb.get_item(TableName=table, Key=key, ConsistentRead=True)["Item"]
    assert "leaseOwner" not in item and item["leaseCounter"] == _n(5)
    expect_error(ddb.update_item, "ConditionalCheckFailedException", TableName=table, Key=key,
                 Expected={"leaseOwner": {"Value": _s("A"), "Exists": True}},
                 AttributeUpdates={"leaseOwner": {"Action": "DELETE"}})  # fmt: skip
    # deleteLease: only while nobody owns it
    ddb.delete_item(TableName=table, Key=key, Expected={"leaseOwner": {"Exists": False}})
    assert "Item" not in ddb.get_item(TableName=table, Key=key, ConsistentRead=True)
