"""DynamoDB tables end to end: create, describe (AWS's TableDescription), list with paging, update, delete,
deletion protection, tags, errors worded as AWS words them."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from ...conftest import StoreFactory, make_client
from ...expect import ACCOUNT, REGION, expect_error
from ...server import Server


def test_create_describe_delete(ddb: Any, make_table: Callable[..., str]) -> None:
    name = make_table(("pk", "S"), ("sk", "N"))
    table = ddb.describe_table(TableName=name)["Table"]
    assert table["TableStatus"] == "ACTIVE"
    assert table["KeySchema"] == [
        {"AttributeName": "pk", "KeyType": "HASH"},
        {"AttributeName": "sk", "KeyType": "RANGE"},
    ]
    assert table["TableArn"] == f"arn:aws:dynamodb:{REGION}:{ACCOUNT}:table/{name}"
    assert table["BillingModeSummary"]["BillingMode"] == "PAY_PER_REQUEST"
    assert table["ItemCount"] == 0 and table["TableSizeBytes"] == 0
    assert len(table["TableId"]) == 36
    ddb.put_item(TableName=name, Item={"pk": {"S": "a"}, "sk": {"N": "1"}, "v": {"S": "abc"}})
    table = ddb.describe_table(TableName=name)["Table"]
    assert table["ItemCount"] == 1
    assert table["TableSizeBytes"] == len("pk") + 1 + len("sk") + 2 + len("v") + 3
    gone = ddb.delete_table(TableName=name)["TableDescription"]
    assert gone["TableStatus"] == "DELETING"
    expect_error(ddb.describe_table, "ResourceNotFoundException",
                 f"Requested resource not found: Table: {name} not found", TableName=name)  # fmt: skip
    expect_error(ddb.get_item, "ResourceNotFoundException", "Requested resource not found",
                 TableName=name, Key={"pk": {"S": "a"}, "sk": {"N": "1"}})  # fmt: skip


def test_create_errors(ddb: Any, make_table: Callable[..., str]) -> None:
    name = make_table()
    expect_error(ddb.create_table, "ResourceInUseException",
                 f"Table already exists: {name}", TableName=name,
                 AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
                 KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}], BillingMode="PAY_PER_REQUEST")  # fmt: skip
    expect_error(
        ddb.create_table, "ValidationException",
        "One or more parameter values were invalid: Some index key attributes are not defined in "
        "AttributeDefinitions. Keys: [id], AttributeDefinitions: [pk]",
        TableName="bad-table", AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
        KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}], BillingMode="PAY_PER_REQUEST",
    )  # fmt: skip
    expect_error(
        ddb.create_table, "ValidationException", "No provisioned throughput specified for the table",
        TableName="bad-table", AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
    )  # fmt: skip


def test_provisioned_and_update(ddb: Any, make_table: Callable[..., str]) -> None:
    name = make_table(
        BillingMode="PROVISIONED", ProvisionedThroughput={"ReadCapacityUnits": 5, "WriteCapacityUnits": 3}
    )
    table = ddb.describe_table(TableName=name)["Table"]
    assert table["ProvisionedThroughput"]["ReadCapacityUnits"] == 5
    assert table["ProvisionedThroughput"]["WriteCapacityUnits"] == 3
    assert table["BillingModeSummary"]["BillingMode"] == "PROVISIONED"
    updated = ddb.update_table(TableName=name, BillingMode="PAY_PER_REQUEST")["TableDescription"]
    assert updated["BillingModeSummary"]["BillingMode"] == "PAY_PER_REQUEST"
    assert updated["ProvisionedThroughput"]["ReadCapacityUnits"] == 0


def test_list_tables_paging(ddb: Any, make_table: Callable[..., str]) -> None:
    names = sorted(make_table() for _ in range(5))
    seen: list[str] = []
    start: dict[str, Any] = {}
    while True:
        page = ddb.list_tables(Limit=2, **start)
        assert len(page["TableNames"]) <= 2
        seen += page["TableNames"]
        if "LastEvaluatedTableName" not in page:
            break
        start = {"ExclusiveStartTableName": page["LastEvaluatedTableName"]}
    assert set(names) <= set(seen)
    assert seen == sorted(seen)


def test_deletion_protection_and_tags(ddb: Any, make_table: Callable[..., str]) -> None:
    name = make_table(DeletionProtectionEnabled=True, Tags=[{"Key": "team", "Value": "a"}])
    arn = f"arn:aws:dynamodb:{REGION}:{ACCOUNT}:table/{name}"
    expect_error(ddb.delete_table, "ValidationException", TableName=name)
    ddb.tag_resource(ResourceArn=arn, Tags=[{"Key": "env", "Value": "dev"}])
    ddb.untag_resource(ResourceArn=arn, TagKeys=["team"])
    assert ddb.list_tags_of_resource(ResourceArn=arn)["Tags"] == [{"Key": "env", "Value": "dev"}]
    ddb.update_table(TableName=name, DeletionProtectionEnabled=False)
    ddb.delete_table(TableName=name)


def test_server_side_encryption(ddb: Any, make_table: Callable[..., str]) -> None:
    """SSESpecification as Terraform's server_side_encryption block sends it: the AWS managed key when none is
    named, a named key's ARN kept, an alias shown as one key ARN every time, the AWS owned key (no SSEDescription)
    when disabled; UpdateTable switches, a restored table keeps the backup's or takes SSESpecificationOverride."""
    plain = make_table()
    assert "SSEDescription" not in ddb.describe_table(TableName=plain)["Table"]
    managed = make_table(SSESpecification={"Enabled": True})
    described = ddb.describe_table(TableName=managed)["Table"]["SSEDescription"]
    assert described["Status"] == "ENABLED" and described["SSEType"] == "KMS"
    assert described["KMSMasterKeyArn"].startswith(f"arn:aws:kms:{REGION}:{ACCOUNT}:key/")
    again = make_table(SSESpecification={"Enabled": True, "SSEType": "KMS", "KMSMasterKeyId": "alias/aws/dynamodb"})
    assert ddb.describe_table(TableName=again)["Table"]["SSEDescription"] == described  # the same managed key
    key_arn = f"arn:aws:kms:{REGION}:{ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab"
    own = make_table(SSESpecification={"Enabled": True, "SSEType": "KMS", "KMSMasterKeyId": key_arn})
    created = ddb.describe_table(TableName=own)["Table"]["SSEDescription"]
    assert created == {"Status": "ENABLED", "SSEType": "KMS", "KMSMasterKeyArn": key_arn}
    bare = make_table(SSESpecification={"Enabled": True, "KMSMasterKeyId": "1234abcd-12ab-34cd-56ef-1234567890ab"})
    assert ddb.describe_table(TableName=bare)["Table"]["SSEDescription"]["KMSMasterKeyArn"] == key_arn
    off = make_table(SSESpecification={"Enabled": False})
    assert "SSEDescription" not in ddb.describe_table(TableName=off)["Table"]

    updated = ddb.update_table(TableName=plain, SSESpecification={"Enabled": True, "KMSMasterKeyId": "alias/app"})
    alias_key = updated["TableDescription"]["SSEDescription"]["KMSMasterKeyArn"]
    assert alias_key.startswith(f"arn:aws:kms:{REGION}:{ACCOUNT}:key/") and alias_key != described["KMSMasterKeyArn"]
    assert ddb.describe_table(TableName=plain)["Table"]["SSEDescription"]["KMSMasterKeyArn"] == alias_key
    ddb.update_table(TableName=own, SSESpecification={"Enabled": False})
    assert "SSEDescription" not in ddb.describe_table(TableName=own)["Table"]
    bad_key = {"Enabled": True, "KMSMasterKeyId": "arn:aws:kms:nowhere"}
    expect_error(ddb.update_table, "ValidationException",
                 "Invalid KMSMasterKeyId: arn:aws:kms:nowhere is not a key ARN or an alias ARN",
                 TableName=plain, SSESpecification=bad_key)  # fmt: skip
    expect_error(ddb.create_table, "ValidationException", TableName=f"{plain}-x",
                 AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
                 KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}], BillingMode="PAY_PER_REQUEST",
                 SSESpecification={"Enabled": True, "KMSMasterKeyId": "arn:aws:s3:::bucket"})  # fmt: skip

    backup = ddb.create_backup(TableName=managed, BackupName="sse")["BackupDetails"]["BackupArn"]
    features = ddb.describe_backup(BackupArn=backup)["BackupDescription"]["SourceTableFeatureDetails"]
    assert features["SSEDescription"] == described
    kept = ddb.restore_table_from_backup(TargetTableName=f"{managed}-kept", BackupArn=backup)["TableDescription"]
    assert kept["SSEDescription"] == described
    owned = ddb.restore_table_from_backup(TargetTableName=f"{managed}-owned", BackupArn=backup,
                                          SSESpecificationOverride={"Enabled": False})["TableDescription"]  # fmt: skip
    assert "SSEDescription" not in owned
    for name in (f"{managed}-kept", f"{managed}-owned"):
        ddb.delete_table(TableName=name)


def test_limits_endpoints_and_replica_auto_scaling(ddb: Any, make_table: Callable[..., str]) -> None:
    """DescribeLimits (AWS's default quotas), DescribeEndpoints (the address called, so endpoint discovery stays
    here), DescribeTableReplicaAutoScaling (no replicas in one Region), UpdateTableReplicaAutoScaling refused."""
    assert {k: v for k, v in ddb.describe_limits().items() if k != "ResponseMetadata"} == {
        "AccountMaxReadCapacityUnits": 80000,
        "AccountMaxWriteCapacityUnits": 80000,
        "TableMaxReadCapacityUnits": 40000,
        "TableMaxWriteCapacityUnits": 40000,
    }
    host = ddb.meta.endpoint_url.split("://", 1)[1]
    assert ddb.describe_endpoints()["Endpoints"] == [{"Address": host, "CachePeriodInMinutes": 1440}]
    name = make_table()
    scaling = ddb.describe_table_replica_auto_scaling(TableName=name)["TableAutoScalingDescription"]
    assert scaling == {"TableName": name, "TableStatus": "ACTIVE", "Replicas": []}
    expect_error(ddb.describe_table_replica_auto_scaling, "ResourceNotFoundException",
                 "Requested resource not found: Table: no-such-table not found", TableName="no-such-table")  # fmt: skip
    expect_error(ddb.update_table_replica_auto_scaling, "ValidationException", TableName=name,
                 ProvisionedWriteCapacityAutoScalingUpdate={"MinimumUnits": 1, "MaximumUnits": 5})  # fmt: skip
    expect_error(ddb.update_table_replica_auto_scaling, "ResourceNotFoundException", TableName="no-such-table",
                 ProvisionedWriteCapacityAutoScalingUpdate={"MinimumUnits": 1, "MaximumUnits": 5})  # fmt: skip


def test_on_demand_and_warm_throughput(ddb: Any, make_table: Callable[..., str]) -> None:
    """OnDemandThroughput and WarmThroughput (Terraform's on_demand_throughput and warm_throughput blocks) on the
    table and its global secondary indexes: kept as set, an update replacing only the members it names (-1 is
    AWS's "no maximum"), shown by DescribeTable; a restore takes OnDemandThroughputOverride."""
    plain = make_table()
    described = ddb.describe_table(TableName=plain)["Table"]
    assert "OnDemandThroughput" not in described and "WarmThroughput" not in described
    name = make_table(
        attributes={"g": "S"},
        OnDemandThroughput={"MaxReadRequestUnits": 100, "MaxWriteRequestUnits": 50},
        WarmThroughput={"ReadUnitsPerSecond": 13000, "WriteUnitsPerSecond": 5000},
        GlobalSecondaryIndexes=[{
            "IndexName": "by-g", "KeySchema": [{"AttributeName": "g", "KeyType": "HASH"}],
            "Projection": {"ProjectionType": "ALL"}, "OnDemandThroughput": {"MaxReadRequestUnits": 10},
        }],
    )  # fmt: skip
    table = ddb.describe_table(TableName=name)["Table"]
    assert table["OnDemandThroughput"] == {"MaxReadRequestUnits": 100, "MaxWriteRequestUnits": 50}
    assert table["WarmThroughput"] == {"ReadUnitsPerSecond": 13000, "WriteUnitsPerSecond": 5000, "Status": "ACTIVE"}
    assert table["GlobalSecondaryIndexes"][0]["OnDemandThroughput"] == {"MaxReadRequestUnits": 10}
    ddb.update_table(
        TableName=name,
        OnDemandThroughput={"MaxWriteRequestUnits": -1},
        WarmThroughput={"ReadUnitsPerSecond": 15000},
        GlobalSecondaryIndexUpdates=[{"Update": {"IndexName": "by-g", "OnDemandThroughput": {"MaxWriteRequestUnits": 7},
                                                 "WarmThroughput": {"WriteUnitsPerSecond": 4500}}}],
    )  # fmt: skip
    table = ddb.describe_table(TableName=name)["Table"]
    assert table["OnDemandThroughput"] == {"MaxReadRequestUnits": 100, "MaxWriteRequestUnits": -1}
    assert table["WarmThroughput"] == {"ReadUnitsPerSecond": 15000, "WriteUnitsPerSecond": 5000, "Status": "ACTIVE"}
    index = table["GlobalSecondaryIndexes"][0]
    assert index["OnDemandThroughput"] == {"MaxReadRequestUnits": 10, "MaxWriteRequestUnits": 7}
    assert index["WarmThroughput"] == {"WriteUnitsPerSecond": 4500, "Status": "ACTIVE"}
    backup = ddb.create_backup(TableName=name, BackupName="on-demand")["BackupDetails"]["BackupArn"]
    restored = ddb.restore_table_from_backup(TargetTableName=f"{name}-r", BackupArn=backup,
                                             OnDemandThroughputOverride={"MaxReadRequestUnits": 3})  # fmt: skip
    assert restored["TableDescription"]["OnDemandThroughput"] == {"MaxReadRequestUnits": 3}
    ddb.delete_table(TableName=f"{name}-r")


def test_unchanged_provisioned_throughput_is_refused(ddb: Any, make_table: Callable[..., str]) -> None:
    """UpdateTable asking a provisioned table for the capacity it has is AWS's ValidationException (tools match on
    "will not change"); a change, or the same numbers while switching from on-demand, is taken."""
    same = {"ReadCapacityUnits": 5, "WriteCapacityUnits": 3}
    name = make_table(BillingMode="PROVISIONED", ProvisionedThroughput=same)
    expect_error(ddb.update_table, "ValidationException",
                 "The provisioned throughput for the table will not change. The requested value equals the current "
                 "value. Current ReadCapacityUnits provisioned for the table: 5. Requested ReadCapacityUnits: 5. "
                 "Current WriteCapacityUnits provisioned for the table: 3. Requested WriteCapacityUnits: 3. Refer to "
                 "the Amazon DynamoDB Developer Guide for current limits and how to request higher limits.",
                 TableName=name, ProvisionedThroughput=same)  # fmt: skip
    changed = ddb.update_table(TableName=name, ProvisionedThroughput={"ReadCapacityUnits": 5, "WriteCapacityUnits": 4})
    assert changed["TableDescription"]["ProvisionedThroughput"]["WriteCapacityUnits"] == 4
    ddb.update_table(TableName=name, BillingMode="PAY_PER_REQUEST")
    again = ddb.update_table(TableName=name, BillingMode="PROVISIONED",
                             ProvisionedThroughput={"ReadCapacityUnits": 5, "WriteCapacityUnits": 4})  # fmt: skip
    assert again["TableDescription"]["BillingModeSummary"]["BillingMode"] == "PROVISIONED"


def test_delete_table_only_when_active(store: StoreFactory) -> None:
    """DeleteTable of a table still CREATING or UPDATING is AWS's ResourceInUseException (on a server whose tables
    take a second to create and update); once ACTIVE it goes."""
    srv = Server(**store(), env={"GUREUM_DYNAMODB_DELAY": "1"}).start()
    try:
        ddb = make_client(srv.endpoint, "dynamodb")
        ddb.create_table(TableName="slow", BillingMode="PAY_PER_REQUEST",
                         AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
                         KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}])  # fmt: skip
        assert ddb.describe_table(TableName="slow")["Table"]["TableStatus"] == "CREATING"
        expect_error(ddb.delete_table, "ResourceInUseException",
                     "Attempt to change a resource which is still in use: Table is being created: slow",
                     TableName="slow")  # fmt: skip
        ddb.get_waiter("table_exists").wait(TableName="slow", WaiterConfig={"Delay": 0.2, "MaxAttempts": 50})
        ddb.update_table(TableName="slow", BillingMode="PROVISIONED",
                         ProvisionedThroughput={"ReadCapacityUnits": 1, "WriteCapacityUnits": 1})  # fmt: skip
        expect_error(ddb.delete_table, "ResourceInUseException",
                     "Attempt to change a resource which is still in use: Table is being updated: slow",
                     TableName="slow")  # fmt: skip
        deadline = time.monotonic() + 10
        while ddb.describe_table(TableName="slow")["Table"]["TableStatus"] != "ACTIVE":
            assert time.monotonic() < deadline
            time.sleep(0.1)
        assert ddb.delete_table(TableName="slow")["TableDescription"]["TableStatus"] == "DELETING"
        expect_error(ddb.describe_table, "ResourceNotFoundException", TableName="slow")
    finally:
        srv.stop()
