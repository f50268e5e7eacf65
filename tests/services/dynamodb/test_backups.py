"""Backups and point-in-time recovery end to end: CreateBackup / DescribeBackup / ListBackups / DeleteBackup,
RestoreTableFromBackup (the items as backed up, indexes rebuilt, overrides, RestoreSummary), and
UpdateContinuousBackups / DescribeContinuousBackups / RestoreTableToPointInTime restoring the table's state at a
moment between later changes; AWS's errors for each."""

from __future__ import annotations

import datetime as dt
import time
import uuid
from collections.abc import Callable
from typing import Any

from ...expect import expect_error

GSI = [{"IndexName": "by-g", "KeySchema": [{"AttributeName": "g", "KeyType": "HASH"}],
        "Projection": {"ProjectionType": "ALL"}}]  # fmt: skip


def _keys(ddb: Any, name: str) -> list[str]:
    return sorted(i["pk"]["S"] for i in ddb.scan(TableName=name)["Items"])


def test_backup_and_restore(ddb: Any, make_table: Callable[..., str]) -> None:
    name = make_table(attributes={"g": "S"}, GlobalSecondaryIndexes=GSI)
    for i in range(5):
        ddb.put_item(TableName=name, Item={"pk": {"S": f"k{i}"}, "g": {"S": "even" if i % 2 == 0 else "odd"}})
    details = ddb.create_backup(TableName=name, BackupName="nightly")["BackupDetails"]
    arn = details["BackupArn"]
    assert (
        details["BackupStatus"] == "AVAILABLE"
        and details["BackupType"] == "USER"
        and arn.startswith(f"arn:aws:dynamodb:us-east-1:000000000000:table/{name}/backup/")
    )
    ddb.delete_item(TableName=name, Key={"pk": {"S": "k0"}})
    ddb.put_item(TableName=name, Item={"pk": {"S": "after"}, "g": {"S": "odd"}})
    description = ddb.describe_backup(BackupArn=arn)["BackupDescription"]
    assert description["SourceTableDetails"]["ItemCount"] == 5
    assert description["SourceTableDetails"]["TableName"] == name
    assert description["SourceTableFeatureDetails"]["GlobalSecondaryIndexes"][0]["IndexName"] == "by-g"
    listed = ddb.list_backups(TableName=name)["BackupSummaries"]
    assert [b["BackupArn"] for b in listed] == [arn] and listed[0]["BackupName"] == "nightly"
    target = f"{name}-restored"
    table = ddb.restore_table_from_backup(TargetTableName=target, BackupArn=arn)["TableDescription"]
    assert table["RestoreSummary"]["SourceBackupArn"] == arn
    assert table["RestoreSummary"]["SourceTableArn"].endswith(f":table/{name}")
    assert _keys(ddb, target) == ["k0", "k1", "k2", "k3", "k4"]
    assert _keys(ddb, name) == ["after", "k1", "k2", "k3", "k4"]
    odd = ddb.query(TableName=target, IndexName="by-g", KeyConditionExpression="g = :g",
                    ExpressionAttributeValues={":g": {"S": "odd"}})  # fmt: skip
    assert sorted(i["pk"]["S"] for i in odd["Items"]) == ["k1", "k3"]
    assert ddb.describe_table(TableName=target)["Table"]["ItemCount"] == 5
    # the restored table is a table of its own
    ddb.put_item(TableName=target, Item={"pk": {"S": "mine"}})
    assert "Item" not in ddb.get_item(TableName=name, Key={"pk": {"S": "mine"}})
    expect_error(ddb.restore_table_from_backup, "TableAlreadyExistsException", TargetTableName=target, BackupArn=arn)
    throughput = {"ReadCapacityUnits": 3, "WriteCapacityUnits": 4}
    plain = ddb.restore_table_from_backup(TargetTableName=f"{name}-plain", BackupArn=arn,
                                          GlobalSecondaryIndexOverride=[], BillingModeOverride="PROVISIONED",
                                          ProvisionedThroughputOverride=throughput)["TableDescription"]  # fmt: skip
    assert "GlobalSecondaryIndexes" not in plain and plain["ProvisionedThroughput"]["WriteCapacityUnits"] == 4
    assert ddb.delete_backup(BackupArn=arn)["BackupDescription"]["BackupDetails"]["BackupStatus"] == "DELETED"
    expect_error(ddb.describe_backup, "BackupNotFoundException", BackupArn=arn)
    expect_error(ddb.restore_table_from_backup, "BackupNotFoundException", TargetTableName="xyz-restore", BackupArn=arn)
    expect_error(ddb.create_backup, "TableNotFoundException", TableName=f"no-{uuid.uuid4().hex}", BackupName="bkp")
    assert ddb.list_backups(TableName=name)["BackupSummaries"] == []


def test_point_in_time_recovery(ddb: Any, make_table: Callable[..., str]) -> None:
    name = make_table(range_key=("sk", "N"))
    ddb.put_item(TableName=name, Item={"pk": {"S": "before"}, "sk": {"N": "1"}, "v": {"N": "1"}})
    off = ddb.describe_continuous_backups(TableName=name)["ContinuousBackupsDescription"]
    assert off["PointInTimeRecoveryDescription"]["PointInTimeRecoveryStatus"] == "DISABLED"
    expect_error(ddb.restore_table_to_point_in_time, "PointInTimeRecoveryUnavailableException",
                 SourceTableName=name, TargetTableName=f"{name}-x", UseLatestRestorableTime=True)  # fmt: skip
    on = ddb.update_continuous_backups(
        TableName=name, PointInTimeRecoverySpecification={"PointInTimeRecoveryEnabled": True}
    )["ContinuousBackupsDescription"]["PointInTimeRecoveryDescription"]
    assert on["PointInTimeRecoveryStatus"] == "ENABLED" and on["RecoveryPeriodInDays"] == 35
    ddb.put_item(TableName=name, Item={"pk": {"S": "a"}, "sk": {"N": "1"}, "v": {"N": "1"}})
    ddb.update_item(TableName=name, Key={"pk": {"S": "before"}, "sk": {"N": "1"}}, UpdateExpression="SET v = :v",
                    ExpressionAttributeValues={":v": {"N": "2"}})  # fmt: skip
    # a moment between the two sets of changes, on a whole second (SDKs send timestamps in whole seconds)
    second = int(time.time()) + 1
    time.sleep(second - time.time() + 0.05)
    moment = dt.datetime.fromtimestamp(second, dt.UTC)
    ddb.delete_item(TableName=name, Key={"pk": {"S": "a"}, "sk": {"N": "1"}})
    ddb.put_item(TableName=name, Item={"pk": {"S": "later"}, "sk": {"N": "1"}})
    ddb.update_item(TableName=name, Key={"pk": {"S": "before"}, "sk": {"N": "1"}}, UpdateExpression="SET v = :v",
                    ExpressionAttributeValues={":v": {"N": "3"}})  # fmt: skip
    restored = ddb.restore_table_to_point_in_time(SourceTableName=name, TargetTableName=f"{name}-then",
                                                  RestoreDateTime=moment)["TableDescription"]  # fmt: skip
    assert restored["RestoreSummary"]["SourceTableArn"].endswith(f":table/{name}")
    then = ddb.scan(TableName=f"{name}-then")["Items"]
    assert sorted((i["pk"]["S"], i["v"]["N"]) for i in then) == [("a", "1"), ("before", "2")]
    source_arn = restored["RestoreSummary"]["SourceTableArn"]
    latest = ddb.restore_table_to_point_in_time(SourceTableArn=source_arn, TargetTableName=f"{name}-now",
                                                UseLatestRestorableTime=True)  # fmt: skip
    assert latest["TableDescription"]["TableName"] == f"{name}-now"
    assert _keys(ddb, f"{name}-now") == ["before", "later"]
    earliest = on["EarliestRestorableDateTime"]
    expect_error(ddb.restore_table_to_point_in_time, "InvalidRestoreTimeException", SourceTableName=name,
                 TargetTableName=f"{name}-y", RestoreDateTime=earliest - dt.timedelta(seconds=60))  # fmt: skip
    expect_error(ddb.restore_table_to_point_in_time, "TableAlreadyExistsException", SourceTableName=name,
                 TargetTableName=f"{name}-now", UseLatestRestorableTime=True)  # fmt: skip
    expect_error(ddb.restore_table_to_point_in_time, "TableNotFoundException", SourceTableName=f"{name}-none",
                 TargetTableName=f"{name}-z", UseLatestRestorableTime=True)  # fmt: skip
    off = ddb.update_continuous_backups(
        TableName=name, PointInTimeRecoverySpecification={"PointInTimeRecoveryEnabled": False}
    )["ContinuousBackupsDescription"]["PointInTimeRecoveryDescription"]
    assert off == {"PointInTimeRecoveryStatus": "DISABLED"}
