"""Log groups and streams through boto3: create, describe (prefix, pattern, paging, ordering), delete, errors,
retention values, tags (current and legacy APIs), account and region isolation."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import pytest

from tests.expect import ACCOUNT, REGION, expect_error

NO_GROUP = "The specified log group does not exist."


@pytest.fixture
def logs(aws: Callable[..., Any]) -> Any:
    return aws("logs")


def test_create_describe_delete_group(logs: Any, name: str) -> None:
    before = int(time.time() * 1000)
    logs.create_log_group(logGroupName=f"/app/{name}", tags={"team": "a"})
    expect_error(
        logs.create_log_group,
        "ResourceAlreadyExistsException",
        "The specified log group already exists",
        logGroupName=f"/app/{name}",
    )
    group = logs.describe_log_groups(logGroupNamePrefix=f"/app/{name}")["logGroups"][0]
    assert group["logGroupName"] == f"/app/{name}"
    assert group["arn"] == f"arn:aws:logs:{REGION}:{ACCOUNT}:log-group:/app/{name}:*"
    assert group["logGroupArn"] == f"arn:aws:logs:{REGION}:{ACCOUNT}:log-group:/app/{name}"
    assert group["storedBytes"] == 0 and group["metricFilterCount"] == 0 and group["logGroupClass"] == "STANDARD"
    assert before <= group["creationTime"] <= int(time.time() * 1000)
    assert "retentionInDays" not in group
    logs.delete_log_group(logGroupName=f"/app/{name}")
    assert logs.describe_log_groups(logGroupNamePrefix=f"/app/{name}")["logGroups"] == []
    expect_error(logs.delete_log_group, "ResourceNotFoundException", NO_GROUP, logGroupName=f"/app/{name}")


def test_kms_key(logs: Any, name: str) -> None:
    key = f"arn:aws:kms:{REGION}:{ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab"
    logs.create_log_group(logGroupName=name)
    logs.associate_kms_key(logGroupName=name, kmsKeyId=key)
    assert logs.describe_log_groups(logGroupNamePrefix=name)["logGroups"][0]["kmsKeyId"] == key
    logs.disassociate_kms_key(resourceIdentifier=f"arn:aws:logs:{REGION}:{ACCOUNT}:log-group:{name}")
    assert "kmsKeyId" not in logs.describe_log_groups(logGroupNamePrefix=name)["logGroups"][0]
    expect_error(logs.associate_kms_key, "ResourceNotFoundException", NO_GROUP, logGroupName=name + "-x", kmsKeyId=key)


def test_deletion_protection(logs: Any, name: str) -> None:
    logs.create_log_group(logGroupName=name, deletionProtectionEnabled=True)
    assert logs.describe_log_groups(logGroupNamePrefix=name)["logGroups"][0]["deletionProtectionEnabled"] is True
    expect_error(logs.delete_log_group, "ValidationException", logGroupName=name)
    logs.put_log_group_deletion_protection(logGroupIdentifier=name, deletionProtectionEnabled=False)
    logs.delete_log_group(logGroupName=name)
    assert logs.describe_log_groups(logGroupNamePrefix=name)["logGroups"] == []


def test_group_name_rules(logs: Any, name: str) -> None:
    error = expect_error(logs.create_log_group, "InvalidParameterException", logGroupName=f"bad:{name}")
    assert "Member must satisfy regular expression pattern" in error["Message"]
    expect_error(
        logs.create_log_group,
        "InvalidParameterException",
        "Log groups starting with AWS/ are reserved for AWS.",
        logGroupName=f"aws/{name}",
    )
    error = expect_error(logs.create_log_group, "InvalidParameterException", logGroupName="x" * 513)
    assert error["Message"].startswith("1 validation error detected: ")


def test_describe_groups_prefix_pattern_and_paging(logs: Any, name: str) -> None:
    names = [f"{name}/svc-{i:02d}" for i in range(7)] + [f"{name}/Other"]
    for group in names:
        logs.create_log_group(logGroupName=group)
    listed, token, pages = [], None, 0
    while True:
        page = logs.describe_log_groups(logGroupNamePrefix=name, limit=3, **({"nextToken": token} if token else {}))
        listed += [g["logGroupName"] for g in page["logGroups"]]
        pages += 1
        token = page.get("nextToken")
        if not token:
            break
    assert listed == sorted(names) and pages == 3
    # the paginator walks the same pages
    pager = logs.get_paginator("describe_log_groups").paginate(
        logGroupNamePrefix=name, PaginationConfig={"PageSize": 2}
    )
    assert [g["logGroupName"] for page in pager for g in page["logGroups"]] == sorted(names)
    # logGroupNamePattern: a case-sensitive substring anywhere in the name; only three members come back
    found = logs.describe_log_groups(logGroupNamePattern=f"{name[2:]}/Oth")["logGroups"]
    assert [g["logGroupName"] for g in found] == [f"{name}/Other"] and set(found[0]) == {
        "logGroupName",
        "creationTime",
        "arn",
    }
    assert logs.describe_log_groups(logGroupNamePattern=f"{name[2:]}/OTHER")["logGroups"] == []
    expect_error(
        logs.describe_log_groups, "InvalidParameterException", logGroupNamePrefix=name, logGroupNamePattern="x"
    )
    expect_error(logs.describe_log_groups, "InvalidParameterException", limit=51)
    expect_error(
        logs.describe_log_groups, "InvalidParameterException", "The specified nextToken is invalid.", nextToken="!!!"
    )


def test_streams_crud_ordering_and_paging(logs: Any, name: str) -> None:
    logs.create_log_group(logGroupName=name)
    expect_error(
        logs.create_log_stream, "ResourceNotFoundException", NO_GROUP, logGroupName=name + "-missing", logStreamName="s"
    )
    now = int(time.time() * 1000)
    for i, stream in enumerate(["b", "a", "c", "d"]):
        logs.create_log_stream(logGroupName=name, logStreamName=stream)
        logs.put_log_events(
            logGroupName=name,
            logStreamName=stream,
            logEvents=[{"timestamp": now - 10_000 + i * 1000, "message": f"m{i}"}],
        )
    logs.create_log_stream(logGroupName=name, logStreamName="e-empty")
    expect_error(
        logs.create_log_stream,
        "ResourceAlreadyExistsException",
        "The specified log stream already exists",
        logGroupName=name,
        logStreamName="a",
    )
    expect_error(logs.create_log_stream, "InvalidParameterException", logGroupName=name, logStreamName="x:y")

    streams = logs.describe_log_streams(logGroupName=name)["logStreams"]
    assert [s["logStreamName"] for s in streams] == ["a", "b", "c", "d", "e-empty"]
    a = streams[0]
    assert a["firstEventTimestamp"] == a["lastEventTimestamp"] == now - 9_000
    assert a["lastIngestionTime"] >= a["creationTime"] and a["storedBytes"] == 0
    assert a["arn"] == f"arn:aws:logs:{REGION}:{ACCOUNT}:log-group:{name}:log-stream:a"
    assert "firstEventTimestamp" not in streams[4]

    by_time = logs.describe_log_streams(logGroupName=name, orderBy="LastEventTime", descending=True)["logStreams"]
    assert [s["logStreamName"] for s in by_time] == ["d", "c", "a", "b", "e-empty"]
    desc = logs.describe_log_streams(logGroupName=name, descending=True, limit=2)
    assert [s["logStreamName"] for s in desc["logStreams"]] == ["e-empty", "d"]
    rest = logs.describe_log_streams(logGroupName=name, descending=True, limit=2, nextToken=desc["nextToken"])
    assert [s["logStreamName"] for s in rest["logStreams"]] == ["c", "b"]
    group_arn = f"arn:aws:logs:{REGION}:{ACCOUNT}:log-group:{name}"
    by_arn = logs.describe_log_streams(logGroupIdentifier=group_arn, logStreamNamePrefix="e")["logStreams"]
    assert [s["logStreamName"] for s in by_arn] == ["e-empty"]
    expect_error(
        logs.describe_log_streams,
        "InvalidParameterException",
        "Cannot order by LastEventTime with a logStreamNamePrefix.",
        logGroupName=name,
        orderBy="LastEventTime",
        logStreamNamePrefix="a",
    )
    expect_error(logs.describe_log_streams, "ResourceNotFoundException", NO_GROUP, logGroupName=name + "-missing")

    logs.delete_log_stream(logGroupName=name, logStreamName="a")
    expect_error(
        logs.delete_log_stream,
        "ResourceNotFoundException",
        "The specified log stream does not exist.",
        logGroupName=name,
        logStreamName="a",
    )
    assert len(logs.describe_log_streams(logGroupName=name)["logStreams"]) == 4
    stored = logs.describe_log_groups(logGroupNamePrefix=name)["logGroups"][0]["storedBytes"]
    assert stored == len("m0m2m3")  # the group counts its events' bytes; deleting a stream drops its events


def test_retention_values(logs: Any, name: str) -> None:
    logs.create_log_group(logGroupName=name)
    logs.put_retention_policy(logGroupName=name, retentionInDays=30)
    assert logs.describe_log_groups(logGroupNamePrefix=name)["logGroups"][0]["retentionInDays"] == 30
    error = expect_error(logs.put_retention_policy, "InvalidParameterException", logGroupName=name, retentionInDays=2)
    assert "Member must satisfy enum value set: [1, 3, 5, 7, 14, 30," in error["Message"]
    expect_error(
        logs.put_retention_policy, "ResourceNotFoundException", NO_GROUP, logGroupName=name + "-x", retentionInDays=1
    )
    logs.delete_retention_policy(logGroupName=name)
    assert "retentionInDays" not in logs.describe_log_groups(logGroupNamePrefix=name)["logGroups"][0]


def test_tags_current_and_legacy(logs: Any, name: str) -> None:
    logs.create_log_group(logGroupName=name, tags={"a": "1"})
    arn = f"arn:aws:logs:{REGION}:{ACCOUNT}:log-group:{name}"
    logs.tag_resource(resourceArn=arn, tags={"b": "2", "c": "3"})
    assert logs.list_tags_for_resource(resourceArn=arn)["tags"] == {"a": "1", "b": "2", "c": "3"}
    logs.untag_resource(resourceArn=arn, tagKeys=["a"])
    assert logs.list_tags_log_group(logGroupName=name)["tags"] == {"b": "2", "c": "3"}
    logs.tag_log_group(logGroupName=name, tags={"d": "4"})
    logs.untag_log_group(logGroupName=name, tags=["b"])
    assert logs.list_tags_for_resource(resourceArn=arn + ":*")["tags"] == {"c": "3", "d": "4"}
    expect_error(logs.tag_resource, "TooManyTagsException", resourceArn=arn, tags={f"k{i}": "v" for i in range(49)})
    expect_error(logs.list_tags_for_resource, "ResourceNotFoundException", NO_GROUP, resourceArn=arn + "-missing")
    expect_error(
        logs.list_tags_for_resource, "InvalidParameterException", resourceArn="arn:aws:sqs:us-east-1:000000000000:q"
    )


def test_accounts_and_regions_are_isolated(aws: Callable[..., Any], name: str) -> None:
    home = aws("logs")
    home.create_log_group(logGroupName=name)
    other_region = aws("logs", region="eu-west-1")
    other_account = aws("logs", access_key="111122223333")
    for client in (other_region, other_account):
        assert client.describe_log_groups(logGroupNamePrefix=name)["logGroups"] == []
        expect_error(
            client.create_log_stream, "ResourceNotFoundException", NO_GROUP, logGroupName=name, logStreamName="s"
        )
    other_region.create_log_group(logGroupName=name)  # the same name is free elsewhere
    arn = other_region.describe_log_groups(logGroupNamePrefix=name)["logGroups"][0]["logGroupArn"]
    assert arn == f"arn:aws:logs:eu-west-1:{ACCOUNT}:log-group:{name}"
