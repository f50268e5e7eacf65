"""Event buses: lifecycle, listing, resource policies and tags, with AWS's errors."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest

from ._helpers import expect_error

ACCOUNT = "000000000000"


@pytest.fixture(scope="module")
def events(aws: Callable[..., Any]) -> Any:
    return aws("events")


def test_create_describe_list_delete(events: Any, name: str) -> None:
    arn = events.create_event_bus(Name=name, Description="mine", Tags=[{"Key": "team", "Value": "a"}])["EventBusArn"]
    assert arn == f"arn:aws:events:us-east-1:{ACCOUNT}:event-bus/{name}"
    described = events.describe_event_bus(Name=name)
    assert (described["Name"], described["Arn"], described["Description"]) == (name, arn, "mine")
    assert described["CreationTime"] and described["LastModifiedTime"]
    assert events.describe_event_bus(Name=arn)["Name"] == name  # by ARN too
    listed = events.list_event_buses(NamePrefix=name)["EventBuses"]
    assert [b["Name"] for b in listed] == [name]
    assert events.list_tags_for_resource(ResourceARN=arn)["Tags"] == [{"Key": "team", "Value": "a"}]
    events.delete_event_bus(Name=name)
    expect_error(events.describe_event_bus, "ResourceNotFoundException", f"Event bus {name} does not exist.", Name=name)
    events.delete_event_bus(Name=name)  # deleting again succeeds, as on AWS


def test_default_bus_always_exists(events: Any) -> None:
    described = events.describe_event_bus()
    assert described["Name"] == "default"
    assert described["Arn"] == f"arn:aws:events:us-east-1:{ACCOUNT}:event-bus/default"
    assert described["CreationTime"] and described["LastModifiedTime"]
    assert "default" in [b["Name"] for b in events.list_event_buses()["EventBuses"]]
    expect_error(events.delete_event_bus, "ValidationException", "Cannot delete event bus default.", Name="default")
    expect_error(
        events.create_event_bus, "ResourceAlreadyExistsException", "Event bus default already exists.", Name="default"
    )


def test_duplicate_and_invalid_names(events: Any, name: str) -> None:
    events.create_event_bus(Name=name)
    expect_error(
        events.create_event_bus, "ResourceAlreadyExistsException", f"Event bus {name} already exists.", Name=name
    )
    expect_error(
        events.create_event_bus,
        "ValidationException",
        "1 validation error detected: Value 'bad name' at 'name' failed to satisfy constraint: "
        "Member must satisfy regular expression pattern: [/\\.\\-_A-Za-z0-9]+",
        Name="bad name",
    )


def test_list_pages(events: Any, name: str) -> None:
    for i in range(5):
        events.create_event_bus(Name=f"{name}-{i}")
    first = events.list_event_buses(NamePrefix=name, Limit=3)
    assert [b["Name"] for b in first["EventBuses"]] == [f"{name}-{i}" for i in range(3)]
    second = events.list_event_buses(NamePrefix=name, Limit=3, NextToken=first["NextToken"])
    assert [b["Name"] for b in second["EventBuses"]] == [f"{name}-3", f"{name}-4"]
    assert "NextToken" not in second
    expect_error(events.list_event_buses, "ValidationException", NextToken="garbage!")


def test_update_event_bus(events: Any, name: str) -> None:
    events.create_event_bus(Name=name)
    out = events.update_event_bus(
        Name=name, Description="new", DeadLetterConfig={"Arn": "arn:aws:sqs:us-east-1:000000000000:dlq"}
    )
    assert (out["Name"], out["Description"]) == (name, "new")
    described = events.describe_event_bus(Name=name)
    assert described["Description"] == "new"
    assert described["DeadLetterConfig"] == {"Arn": "arn:aws:sqs:us-east-1:000000000000:dlq"}


def test_put_and_remove_permission(events: Any, name: str) -> None:
    arn = events.create_event_bus(Name=name)["EventBusArn"]
    events.put_permission(EventBusName=name, Action="events:PutEvents", Principal="111122223333", StatementId="one")
    events.put_permission(EventBusName=name, Action="events:PutEvents", Principal="*", StatementId="all")
    policy = json.loads(events.describe_event_bus(Name=name)["Policy"])
    assert policy["Version"] == "2012-10-17"
    assert policy["Statement"] == [
        {
            "Sid": "one",
            "Effect": "Allow",
            "Principal": {"AWS": "arn:aws:iam::111122223333:root"},
            "Action": "events:PutEvents",
            "Resource": arn,
        },
        {"Sid": "all", "Effect": "Allow", "Principal": "*", "Action": "events:PutEvents", "Resource": arn},
    ]
    events.remove_permission(EventBusName=name, StatementId="one")
    assert [s["Sid"] for s in json.loads(events.describe_event_bus(Name=name)["Policy"])["Statement"]] == ["all"]
    expect_error(
        events.remove_permission,
        "ResourceNotFoundException",
        "Statement with the provided id does not exist.",
        EventBusName=name,
        StatementId="one",
    )
    whole = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "svc",
                "Effect": "Allow",
                "Principal": {"Service": "events.amazonaws.com"},
                "Action": "events:ListRules",
                "Resource": "*",
            }
        ],
    }
    events.put_permission(EventBusName=name, Policy=json.dumps(whole))
    assert json.loads(events.describe_event_bus(Name=name)["Policy"]) == whole
    events.remove_permission(EventBusName=name, RemoveAllPermissions=True)
    assert "Policy" not in events.describe_event_bus(Name=name)
    expect_error(
        events.put_permission,
        "ResourceNotFoundException",
        f"Event bus {name}-x does not exist.",
        EventBusName=f"{name}-x",
        Policy=json.dumps(whole),
    )


def test_policy_is_compact_json_in_describe_and_list(events: Any, name: str) -> None:
    # AWS returns the policy as compact JSON text (aws-cli's describe-event-bus example)
    arn = events.create_event_bus(Name=name)["EventBusArn"]
    events.put_permission(EventBusName=name, Action="events:PutEvents", Principal="111122223333", StatementId="one")
    expected = (
        '{"Version":"2012-10-17","Statement":[{"Sid":"one","Effect":"Allow",'
        '"Principal":{"AWS":"arn:aws:iam::111122223333:root"},"Action":"events:PutEvents",'
        f'"Resource":"{arn}"}}]}}'
    )
    assert events.describe_event_bus(Name=name)["Policy"] == expected
    [listed] = events.list_event_buses(NamePrefix=name)["EventBuses"]
    assert listed["Policy"] == expected
    assert set(listed) == {"Name", "Arn", "Policy", "CreationTime", "LastModifiedTime"}  # the model's EventBus


def test_every_field_of_a_bus(events: Any, name: str) -> None:
    key = "arn:aws:kms:us-east-1:000000000000:key/k1"
    dlq = {"Arn": "arn:aws:sqs:us-east-1:000000000000:dlq"}
    log_config = {"IncludeDetail": "FULL", "Level": "INFO"}
    created = events.create_event_bus(
        Name=name, Description="d", KmsKeyIdentifier=key, DeadLetterConfig=dlq, LogConfig=log_config
    )
    assert (created["Description"], created["KmsKeyIdentifier"]) == ("d", key)
    assert (created["DeadLetterConfig"], created["LogConfig"]) == (dlq, log_config)
    described = events.describe_event_bus(Name=name)
    described.pop("ResponseMetadata")
    assert set(described) == {
        "Name", "Arn", "Description", "KmsKeyIdentifier", "DeadLetterConfig", "LogConfig", "CreationTime",
        "LastModifiedTime",
    }  # fmt: skip
    assert described["LogConfig"] == log_config
    updated = events.update_event_bus(Name=name, LogConfig={"IncludeDetail": "NONE", "Level": "ERROR"})
    assert updated["LogConfig"] == {"IncludeDetail": "NONE", "Level": "ERROR"}
    assert updated["Description"] == "d" and updated["KmsKeyIdentifier"] == key
    assert events.describe_event_bus(Name=name)["LogConfig"] == {"IncludeDetail": "NONE", "Level": "ERROR"}
    [listed] = events.list_event_buses(NamePrefix=name)["EventBuses"]
    assert set(listed) == {"Name", "Arn", "Description", "CreationTime", "LastModifiedTime"}


def test_tags_on_buses_and_rules(events: Any, name: str) -> None:
    bus_arn = events.create_event_bus(Name=name)["EventBusArn"]
    rule_arn = events.put_rule(
        Name=name, EventBusName=name, EventPattern='{"source": ["x"]}', Tags=[{"Key": "a", "Value": "1"}]
    )["RuleArn"]
    assert rule_arn == f"arn:aws:events:us-east-1:{ACCOUNT}:rule/{name}/{name}"
    events.tag_resource(ResourceARN=bus_arn, Tags=[{"Key": "k", "Value": "v"}, {"Key": "k2", "Value": "v2"}])
    events.untag_resource(ResourceARN=bus_arn, TagKeys=["k2"])
    assert events.list_tags_for_resource(ResourceARN=bus_arn)["Tags"] == [{"Key": "k", "Value": "v"}]
    events.tag_resource(ResourceARN=rule_arn, Tags=[{"Key": "b", "Value": "2"}])
    assert sorted(t["Key"] for t in events.list_tags_for_resource(ResourceARN=rule_arn)["Tags"]) == ["a", "b"]
    missing = f"arn:aws:events:us-east-1:{ACCOUNT}:rule/{name}/nope"
    expect_error(
        events.list_tags_for_resource,
        "ResourceNotFoundException",
        f"Rule nope does not exist on EventBus {name}.",
        ResourceARN=missing,
    )
