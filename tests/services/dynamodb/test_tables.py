"""DynamoDB tables end to end: create, describe (AWS's TableDescription), list with paging, update, delete,
deletion protection, tags, errors worded as AWS words them."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ...expect import ACCOUNT, REGION, expect_error


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
