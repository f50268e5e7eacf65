"""Schedule groups and tags, with Scheduler's errors."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from ..events._helpers import expect_error, queue
from ._helpers import OFF, target


@pytest.fixture(scope="module")
def scheduler(aws: Callable[..., Any]) -> Any:
    return aws("scheduler")


def test_group_lifecycle(scheduler: Any, sqs: Any, name: str) -> None:
    arn = scheduler.create_schedule_group(Name=name, Tags=[{"Key": "team", "Value": "a"}])["ScheduleGroupArn"]
    assert arn == f"arn:aws:scheduler:us-east-1:000000000000:schedule-group/{name}"
    got = scheduler.get_schedule_group(Name=name)
    assert (got["Arn"], got["Name"], got["State"]) == (arn, name, "ACTIVE") and got["CreationDate"]
    assert [g["Name"] for g in scheduler.list_schedule_groups(NamePrefix=name)["ScheduleGroups"]] == [name]
    assert scheduler.list_tags_for_resource(ResourceArn=arn)["Tags"] == [{"Key": "team", "Value": "a"}]
    scheduler.tag_resource(ResourceArn=arn, Tags=[{"Key": "k", "Value": "v"}])
    scheduler.untag_resource(ResourceArn=arn, TagKeys=["team"])
    assert scheduler.list_tags_for_resource(ResourceArn=arn)["Tags"] == [{"Key": "k", "Value": "v"}]
    _, queue_arn = queue(sqs, name)
    scheduler.create_schedule(
        Name=name,
        GroupName=name,
        ScheduleExpression="rate(1 day)",
        FlexibleTimeWindow=OFF,
        Target=target(queue_arn),
        State="DISABLED",
    )
    expect_error(
        scheduler.create_schedule_group, "ConflictException", f"Schedule group {name} already exists.", Name=name
    )
    scheduler.delete_schedule_group(Name=name)  # takes its schedules with it
    expect_error(
        scheduler.get_schedule_group, "ResourceNotFoundException", f"Schedule group {name} does not exist.", Name=name
    )
    expect_error(
        scheduler.get_schedule,
        "ResourceNotFoundException",
        f"Schedule group {name} does not exist.",
        Name=name,
        GroupName=name,
    )


def test_default_group(scheduler: Any) -> None:
    got = scheduler.get_schedule_group(Name="default")
    assert got["Arn"] == "arn:aws:scheduler:us-east-1:000000000000:schedule-group/default" and got["State"] == "ACTIVE"
    assert "default" in [g["Name"] for g in scheduler.list_schedule_groups()["ScheduleGroups"]]
    expect_error(scheduler.delete_schedule_group, "ValidationException", Name="default")
    expect_error(scheduler.create_schedule_group, "ConflictException", Name="default")


def test_group_name_validation(scheduler: Any) -> None:
    expect_error(
        scheduler.create_schedule_group,
        "ValidationException",
        "1 validation error detected: Value 'bad name' at 'name' failed to satisfy constraint: "
        "Member must satisfy regular expression pattern: ^[0-9a-zA-Z-_.]+$",
        Name="bad name",
    )
