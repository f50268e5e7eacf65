"""Resource policies on tables and streams (Put/Get/DeleteResourcePolicy with revision ids) and what they decide:
another account's calls naming a table by its ARN are refused with AccessDeniedException unless the table's policy
allows that principal the action (an explicit Deny wins, a transaction checks each item's action, an index query
the index); Contributor Insights settings stored and answered per table and index."""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Callable
from typing import Any

import pytest

from ...conftest import make_client
from ...expect import expect_error
from ...server import Server

OWNER, OTHER = "111111111111", "222222222222"


@pytest.fixture(scope="module")
def owner(ddb_server: Server) -> Any:
    return make_client(ddb_server.endpoint, "dynamodb", access_key=OWNER)


@pytest.fixture(scope="module")
def other(ddb_server: Server) -> Any:
    return make_client(ddb_server.endpoint, "dynamodb", access_key=OTHER)


def _table(client: Any, **extra: Any) -> str:
    name = f"p-{uuid.uuid4().hex[:10]}"
    client.create_table(TableName=name, BillingMode="PAY_PER_REQUEST",
                        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"},
                                              {"AttributeName": "g", "AttributeType": "S"}],
                        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
                        GlobalSecondaryIndexes=[{"IndexName": "by-g",
                                                 "KeySchema": [{"AttributeName": "g", "KeyType": "HASH"}],
                                                 "Projection": {"ProjectionType": "ALL"}}], **extra)  # fmt: skip
    return str(client.describe_table(TableName=name)["Table"]["TableArn"])


def _policy(*statements: dict[str, Any]) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


def test_policy_revisions_on_tables_and_streams(owner: Any) -> None:
    arn = _table(owner, StreamSpecification={"StreamEnabled": True, "StreamViewType": "KEYS_ONLY"})
    expect_error(owner.get_resource_policy, "PolicyNotFoundException",
                 f"Resource-based policy not found for the provided ResourceArn: {arn}", ResourceArn=arn)  # fmt: skip
    allow = _policy({"Effect": "Allow", "Principal": {"AWS": OTHER}, "Action": "dynamodb:GetItem", "Resource": arn})
    first = owner.put_resource_policy(ResourceArn=arn, Policy=allow)["RevisionId"]
    got = owner.get_resource_policy(ResourceArn=arn)
    assert got["Policy"] == allow and got["RevisionId"] == first
    expect_error(owner.put_resource_policy, "PolicyNotFoundException", None, ResourceArn=arn, Policy=allow,
                 ExpectedRevisionId="12345")  # fmt: skip
    expect_error(owner.put_resource_policy, "PolicyNotFoundException", None, ResourceArn=arn, Policy=allow,
                 ExpectedRevisionId="NO_POLICY")  # fmt: skip
    second = owner.put_resource_policy(ResourceArn=arn, Policy=allow, ExpectedRevisionId=first)["RevisionId"]
    assert int(second) > int(first)
    expect_error(owner.put_resource_policy, "ValidationException", None, ResourceArn=arn, Policy="{not json")

    stream = owner.describe_table(TableName=arn)["Table"]["LatestStreamArn"]
    expect_error(owner.get_resource_policy, "PolicyNotFoundException", None, ResourceArn=stream)
    reads = _policy({"Effect": "Allow", "Principal": {"AWS": OTHER}, "Action": "dynamodb:GetRecords",
                     "Resource": stream})  # fmt: skip
    owner.put_resource_policy(ResourceArn=stream, Policy=reads)
    assert owner.get_resource_policy(ResourceArn=stream)["Policy"] == reads
    assert owner.get_resource_policy(ResourceArn=arn)["Policy"] == allow  # the table's is its own

    assert owner.delete_resource_policy(ResourceArn=arn)["RevisionId"] == second
    expect_error(owner.delete_resource_policy, "PolicyNotFoundException", None, ResourceArn=arn)
    missing = arn.rsplit("/", 1)[0] + "/no-such-table"
    expect_error(owner.put_resource_policy, "ResourceNotFoundException", None, ResourceArn=missing, Policy=allow)


def test_another_account_needs_the_policy(owner: Any, other: Any) -> None:
    arn = _table(owner)
    owner.put_item(TableName=arn, Item={"pk": {"S": "k"}, "g": {"S": "x"}})
    denied = expect_error(other.get_item, "AccessDeniedException", None, TableName=arn, Key={"pk": {"S": "k"}})
    assert denied["Message"] == (f"User: arn:aws:iam::{OTHER}:root is not authorized to perform: dynamodb:GetItem on "
                                 f"resource: {arn} because no resource-based policy allows the dynamodb:GetItem "
                                 "action")  # fmt: skip
    # the same name in the caller's own account is another table
    expect_error(other.get_item, "ResourceNotFoundException", None, TableName=arn.rsplit("/", 1)[1],
                 Key={"pk": {"S": "k"}})  # fmt: skip

    owner.put_resource_policy(ResourceArn=arn, Policy=_policy(
        {"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{OTHER}:root"},
         "Action": ["dynamodb:GetItem", "dynamodb:Query", "dynamodb:ConditionCheckItem"],
         "Resource": [arn, f"{arn}/index/*"]},
        {"Effect": "Deny", "Principal": "*", "Action": "dynamodb:DeleteItem", "Resource": arn},
    ))  # fmt: skip
    assert other.get_item(TableName=arn, Key={"pk": {"S": "k"}})["Item"]["g"] == {"S": "x"}
    found = other.query(TableName=arn, IndexName="by-g", KeyConditionExpression="g = :g",
                        ExpressionAttributeValues={":g": {"S": "x"}})  # fmt: skip
    assert [i["pk"]["S"] for i in found["Items"]] == ["k"]
    expect_error(other.put_item, "AccessDeniedException", None, TableName=arn, Item={"pk": {"S": "mine"}})
    explicit = expect_error(other.delete_item, "AccessDeniedException", None, TableName=arn, Key={"pk": {"S": "k"}})
    assert explicit["Message"].endswith("with an explicit deny in a resource-based policy")
    expect_error(other.transact_write_items, "AccessDeniedException", None, TransactItems=[
        {"ConditionCheck": {"TableName": arn, "Key": {"pk": {"S": "k"}},
                            "ConditionExpression": "attribute_exists(pk)"}},
        {"Put": {"TableName": arn, "Item": {"pk": {"S": "sneak"}}}},
    ])  # fmt: skip
    assert "Item" not in owner.get_item(TableName=arn, Key={"pk": {"S": "sneak"}})
    expect_error(other.delete_table, "AccessDeniedException", None, TableName=arn)
    missing = arn.rsplit("/", 1)[0] + "/absent"
    expect_error(other.get_item, "AccessDeniedException", None, TableName=missing, Key={"pk": {"S": "k"}})


def test_contributor_insights(ddb: Any, make_table: Callable[..., str]) -> None:
    name = make_table(range_key=("sk", "S"), attributes={"g": "S"}, GlobalSecondaryIndexes=[{
        "IndexName": "by-g", "KeySchema": [{"AttributeName": "g", "KeyType": "HASH"}],
        "Projection": {"ProjectionType": "KEYS_ONLY"}}])  # fmt: skip
    assert ddb.describe_contributor_insights(TableName=name)["ContributorInsightsStatus"] == "DISABLED"
    changed = ddb.update_contributor_insights(TableName=name, ContributorInsightsAction="ENABLE")
    assert changed["TableName"] == name and changed["ContributorInsightsStatus"] in ("ENABLING", "ENABLED")
    time.sleep(0.05)
    described = ddb.describe_contributor_insights(TableName=name)
    assert described["ContributorInsightsStatus"] == "ENABLED"
    rules = described["ContributorInsightsRuleList"]
    assert [r.split("-")[1] for r in rules] == ["PKC", "PKT", "SKC", "SKT"] and all(name in r for r in rules)
    ddb.update_contributor_insights(TableName=name, IndexName="by-g", ContributorInsightsAction="ENABLE",
                                    ContributorInsightsMode="THROTTLED_KEYS")  # fmt: skip
    index = ddb.describe_contributor_insights(TableName=name, IndexName="by-g")
    assert index["ContributorInsightsMode"] == "THROTTLED_KEYS" and len(index["ContributorInsightsRuleList"]) == 2
    listed = ddb.list_contributor_insights(TableName=name)["ContributorInsightsSummaries"]
    assert {(s.get("IndexName"), s["ContributorInsightsStatus"]) for s in listed} == {
        (None, "ENABLED"),
        ("by-g", "ENABLED"),
    }
    ddb.update_contributor_insights(TableName=name, ContributorInsightsAction="DISABLE")
    time.sleep(0.05)
    assert ddb.describe_contributor_insights(TableName=name)["ContributorInsightsStatus"] == "DISABLED"
    expect_error(ddb.describe_contributor_insights, "ResourceNotFoundException", None, TableName=name,
                 IndexName="nope")  # fmt: skip
    expect_error(ddb.update_contributor_insights, "ResourceNotFoundException", None, TableName="absent-table",
                 ContributorInsightsAction="ENABLE")  # fmt: skip


def test_another_account_reads_a_stream_by_its_policy(owner: Any, ddb_server: Server) -> None:
    arn = _table(owner, StreamSpecification={"StreamEnabled": True, "StreamViewType": "KEYS_ONLY"})
    owner.put_item(TableName=arn, Item={"pk": {"S": "k"}, "g": {"S": "x"}})
    stream = owner.describe_table(TableName=arn)["Table"]["LatestStreamArn"]
    streams = make_client(ddb_server.endpoint, "dynamodbstreams", access_key=OTHER)
    expect_error(streams.describe_stream, "AccessDeniedException", None, StreamArn=stream)
    owner.put_resource_policy(
        ResourceArn=stream,
        Policy=_policy(
            {"Effect": "Allow", "Principal": {"AWS": OTHER}, "Action": "dynamodb:DescribeStream", "Resource": stream}
        ),
    )
    shard = streams.describe_stream(StreamArn=stream)["StreamDescription"]["Shards"][0]["ShardId"]
    expect_error(streams.get_shard_iterator, "AccessDeniedException", None, StreamArn=stream, ShardId=shard,
                 ShardIteratorType="TRIM_HORIZON")  # fmt: skip
    owner.put_resource_policy(ResourceArn=stream, Policy=_policy(
        {"Effect": "Allow", "Principal": {"AWS": OTHER}, "Resource": stream,
         "Action": ["dynamodb:DescribeStream", "dynamodb:GetShardIterator", "dynamodb:GetRecords"]}))  # fmt: skip
    iterator = streams.get_shard_iterator(StreamArn=stream, ShardId=shard,
                                          ShardIteratorType="TRIM_HORIZON")["ShardIterator"]  # fmt: skip
    records = streams.get_records(ShardIterator=iterator)["Records"]
    assert [r["dynamodb"]["Keys"]["pk"]["S"] for r in records] == ["k"]


def test_create_table_with_resource_policy(owner: Any, other: Any) -> None:
    """CreateTable's ResourcePolicy is the table's policy from the start (a revision id, and it decides another
    account's calls); a policy that is no JSON refuses the table, which is not made."""
    name = f"p-{uuid.uuid4().hex[:10]}"
    arn = f"arn:aws:dynamodb:us-east-1:{OWNER}:table/{name}"
    allow = _policy({"Effect": "Allow", "Principal": {"AWS": OTHER}, "Action": "dynamodb:GetItem", "Resource": arn})
    created = owner.create_table(TableName=name, BillingMode="PAY_PER_REQUEST", ResourcePolicy=allow,
                                 AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
                                 KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}])  # fmt: skip
    assert created["TableDescription"]["TableArn"] == arn
    got = owner.get_resource_policy(ResourceArn=arn)
    assert got["Policy"] == allow and got["RevisionId"].isdigit()
    owner.put_item(TableName=name, Item={"pk": {"S": "a"}})
    assert other.get_item(TableName=arn, Key={"pk": {"S": "a"}})["Item"] == {"pk": {"S": "a"}}
    expect_error(other.put_item, "AccessDeniedException", TableName=arn, Item={"pk": {"S": "b"}})
    bad = f"p-{uuid.uuid4().hex[:10]}"
    expect_error(owner.create_table, "ValidationException", TableName=bad, BillingMode="PAY_PER_REQUEST",
                 ResourcePolicy="not a policy", AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
                 KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}])  # fmt: skip
    expect_error(owner.describe_table, "ResourceNotFoundException", TableName=bad)
