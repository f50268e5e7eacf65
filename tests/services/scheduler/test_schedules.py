"""Schedules: create, get, update, delete, list, with Scheduler's defaults and errors."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from ..events._helpers import expect_error, queue
from ._helpers import OFF, ROLE, target


@pytest.fixture(scope="module")
def scheduler(aws: Callable[..., Any]) -> Any:
    return aws("scheduler")


@pytest.fixture
def queue_arn(sqs: Any, name: str) -> str:
    return queue(sqs, name)[1]


def test_create_get_update_delete(scheduler: Any, queue_arn: str, name: str) -> None:
    arn = scheduler.create_schedule(
        Name=name,
        ScheduleExpression="cron(0 9 ? * MON-FRI *)",
        ScheduleExpressionTimezone="Asia/Seoul",
        Description="weekday mornings",
        FlexibleTimeWindow={"Mode": "FLEXIBLE", "MaximumWindowInMinutes": 15},
        Target=target(queue_arn, Input='{"hello": "world"}'),
    )["ScheduleArn"]
    assert arn == f"arn:aws:scheduler:us-east-1:000000000000:schedule/default/{name}"
    got = scheduler.get_schedule(Name=name)
    assert (got["Arn"], got["GroupName"], got["State"], got["ActionAfterCompletion"]) == (
        arn,
        "default",
        "ENABLED",
        "NONE",
    )
    assert (got["ScheduleExpression"], got["ScheduleExpressionTimezone"], got["Description"]) == (
        "cron(0 9 ? * MON-FRI *)",
        "Asia/Seoul",
        "weekday mornings",
    )
    assert got["FlexibleTimeWindow"] == {"Mode": "FLEXIBLE", "MaximumWindowInMinutes": 15}
    assert got["Target"] == {
        "Arn": queue_arn,
        "RoleArn": ROLE,
        "Input": '{"hello": "world"}',
        "RetryPolicy": {"MaximumEventAgeInSeconds": 86400, "MaximumRetryAttempts": 185},
    }
    scheduler.update_schedule(
        Name=name,
        ScheduleExpression="rate(5 minutes)",
        FlexibleTimeWindow=OFF,
        Target=target(queue_arn),
        State="DISABLED",
    )
    got = scheduler.get_schedule(Name=name)
    assert (got["ScheduleExpression"], got["State"], got["ScheduleExpressionTimezone"]) == (
        "rate(5 minutes)",
        "DISABLED",
        "UTC",
    )
    assert "Description" not in got  # UpdateSchedule replaces every setting
    listed = scheduler.list_schedules(NamePrefix=name)["Schedules"]
    assert [(s["Name"], s["State"], s["Target"]) for s in listed] == [(name, "DISABLED", {"Arn": queue_arn})]
    scheduler.delete_schedule(Name=name)
    expect_error(scheduler.get_schedule, "ResourceNotFoundException", f"Schedule {name} does not exist.", Name=name)
    expect_error(scheduler.delete_schedule, "ResourceNotFoundException", f"Schedule {name} does not exist.", Name=name)


def test_conflict_and_client_token(scheduler: Any, queue_arn: str, name: str) -> None:
    token = uuid.uuid4().hex
    first = scheduler.create_schedule(
        Name=name,
        ScheduleExpression="rate(1 day)",
        FlexibleTimeWindow=OFF,
        Target=target(queue_arn),
        State="DISABLED",
        ClientToken=token,
    )
    again = scheduler.create_schedule(
        Name=name,
        ScheduleExpression="rate(1 day)",
        FlexibleTimeWindow=OFF,
        Target=target(queue_arn),
        State="DISABLED",
        ClientToken=token,
    )
    assert first["ScheduleArn"] == again["ScheduleArn"]  # a retried request is not a conflict
    expect_error(
        scheduler.create_schedule,
        "ConflictException",
        f"Schedule {name} already exists.",
        Name=name,
        ScheduleExpression="rate(1 day)",
        FlexibleTimeWindow=OFF,
        Target=target(queue_arn),
    )


def test_validation(scheduler: Any, aws: Callable[..., Any], queue_arn: str, name: str) -> None:
    def create(**kwargs: Any) -> Any:
        args = {
            "Name": name,
            "ScheduleExpression": "rate(1 day)",
            "FlexibleTimeWindow": OFF,
            "Target": target(queue_arn),
            **kwargs,
        }
        return scheduler.create_schedule(**args)

    for bad in ("rate(1 days)", "cron(* * * * * *)", "at(2030-02-30T00:00:00)", "every day"):
        expect_error(create, "ValidationException", f"Invalid Schedule Expression {bad}.", ScheduleExpression=bad)
    expect_error(create, "ValidationException", ScheduleExpressionTimezone="Mars/Olympus")
    expect_error(create, "ValidationException", FlexibleTimeWindow={"Mode": "FLEXIBLE"})
    long_ago = datetime.now(UTC) - timedelta(hours=1)
    expect_error(
        create,
        "ValidationException",
        "The StartDate you specify cannot be earlier than 5 minutes ago.",
        StartDate=long_ago,
    )
    expect_error(create, "ValidationException", Target=target(queue_arn + ".fifo"))
    expect_error(create, "ValidationException", Target=target("arn:aws:scheduler:::aws-sdk:sqs:sendMessage"))
    expect_error(
        create, "ValidationException", Target=target("arn:aws:events:us-east-1:000000000000:event-bus/default")
    )
    expect_error(create, "ResourceNotFoundException", f"Schedule group {name}-x does not exist.", GroupName=f"{name}-x")
    unchecked = aws("scheduler", parameter_validation=False)
    error = expect_error(
        unchecked.create_schedule,
        "ValidationException",
        Name=name,
        ScheduleExpression="rate(1 day)",
        FlexibleTimeWindow=OFF,
        Target=target(queue_arn, RetryPolicy={"MaximumRetryAttempts": 186}),
    )
    assert "maximumRetryAttempts" in error["Message"]


def test_list_pages_and_filters(scheduler: Any, queue_arn: str, name: str) -> None:
    scheduler.create_schedule_group(Name=name)
    for i in range(3):
        scheduler.create_schedule(
            Name=f"{name}-{i}",
            GroupName=name,
            ScheduleExpression="rate(1 day)",
            FlexibleTimeWindow=OFF,
            Target=target(queue_arn),
            State="ENABLED" if i else "DISABLED",
        )
    first = scheduler.list_schedules(GroupName=name, MaxResults=2)
    assert [s["Name"] for s in first["Schedules"]] == [f"{name}-0", f"{name}-1"]
    rest = scheduler.list_schedules(GroupName=name, MaxResults=2, NextToken=first["NextToken"])
    assert [s["Name"] for s in rest["Schedules"]] == [f"{name}-2"] and "NextToken" not in rest
    assert [s["Name"] for s in scheduler.list_schedules(GroupName=name, State="DISABLED")["Schedules"]] == [f"{name}-0"]
    expect_error(scheduler.list_schedules, "ResourceNotFoundException", GroupName=f"{name}-x")
