"""Schedules invoke their targets on real time: at() a few seconds ahead, rate() at once, FIFO queues,
EventBridge buses, dead-letter queues, ActionAfterCompletion DELETE; disabled schedules stay quiet."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from ..events._helpers import bodies, expect_error, nothing_more, queue, receive, rule_to_queue
from ._helpers import OFF, at_in, target


@pytest.fixture(scope="module")
def scheduler(aws: Callable[..., Any]) -> Any:
    return aws("scheduler")


def test_at_fires_once_with_context_attributes(scheduler: Any, sqs: Any, name: str) -> None:
    url, arn = queue(sqs, name)
    expression = at_in(2)
    started = time.time()
    template = (
        '{"arn": "<aws.scheduler.schedule-arn>", "at": "<aws.scheduler.scheduled-time>", '
        '"id": "<aws.scheduler.execution-id>", "n": <aws.scheduler.attempt-number>}'
    )
    schedule_arn = scheduler.create_schedule(
        Name=name, ScheduleExpression=expression, FlexibleTimeWindow=OFF, Target=target(arn, Input=template)
    )["ScheduleArn"]
    assert nothing_more(sqs, url, wait=1)  # not before its time
    [message] = receive(sqs, url, timeout=6)
    assert time.time() - started >= 1.5
    body = json.loads(message["Body"])
    assert (
        body["arn"] == schedule_arn
        and body["at"] == expression[3:-1] + "Z"
        and body["n"] == 1
        and len(body["id"]) == 36
    )
    assert nothing_more(sqs, url, wait=2)
    assert scheduler.get_schedule(Name=name)["State"] == "ENABLED"  # ActionAfterCompletion NONE keeps it


def test_action_after_completion_delete(scheduler: Any, sqs: Any, name: str) -> None:
    url, arn = queue(sqs, name)
    scheduler.create_schedule(
        Name=name,
        ScheduleExpression=at_in(1),
        FlexibleTimeWindow=OFF,
        Target=target(arn),
        ActionAfterCompletion="DELETE",
    )
    assert len(receive(sqs, url, timeout=6)) == 1
    deadline = time.monotonic() + 3
    while time.monotonic() < deadline:
        try:
            scheduler.get_schedule(Name=name)
        except scheduler.exceptions.ResourceNotFoundException:
            return
        time.sleep(0.1)
    pytest.fail("the completed schedule was not deleted")


def test_rate_starts_at_once_and_disabled_stays_quiet(scheduler: Any, sqs: Any, name: str) -> None:
    url, arn = queue(sqs, name)
    scheduler.create_schedule(
        Name=name, ScheduleExpression="rate(1 hour)", FlexibleTimeWindow=OFF, Target=target(arn, Input='"tick"')
    )
    assert [m["Body"] for m in receive(sqs, url, timeout=5)] == ['"tick"']
    assert nothing_more(sqs, url)  # the next is an hour away
    quiet_url, quiet_arn = queue(sqs, f"{name}-quiet")
    scheduler.create_schedule(
        Name=f"{name}-quiet",
        ScheduleExpression=at_in(1),
        FlexibleTimeWindow=OFF,
        Target=target(quiet_arn),
        State="DISABLED",
    )
    assert nothing_more(sqs, quiet_url, wait=3)


def test_update_moves_the_firing(scheduler: Any, sqs: Any, name: str) -> None:
    url, arn = queue(sqs, name)
    scheduler.create_schedule(
        Name=name,
        ScheduleExpression="at(2099-01-01T00:00:00)",
        FlexibleTimeWindow=OFF,
        Target=target(arn, Input='"moved"'),
    )
    scheduler.update_schedule(
        Name=name, ScheduleExpression=at_in(1), FlexibleTimeWindow=OFF, Target=target(arn, Input='"moved"')
    )
    assert [m["Body"] for m in receive(sqs, url, timeout=6)] == ['"moved"']


def test_fifo_queue_target(scheduler: Any, sqs: Any, name: str) -> None:
    url, arn = queue(sqs, f"{name}.fifo")
    scheduler.create_schedule(
        Name=name,
        ScheduleExpression=at_in(1),
        FlexibleTimeWindow=OFF,
        Target=target(arn, Input='{"fifo": true}', SqsParameters={"MessageGroupId": "g"}),
    )
    [message] = receive(sqs, url, timeout=6, AttributeNames=["MessageGroupId"])
    assert message["Body"] == '{"fifo": true}' and message["Attributes"]["MessageGroupId"] == "g"


def test_event_bus_target(scheduler: Any, aws: Callable[..., Any], sqs: Any, name: str) -> None:
    events = aws("events")
    bus_arn = events.create_event_bus(Name=name)["EventBusArn"]
    url, _ = rule_to_queue(events, sqs, name, {"source": ["my.scheduler"]}, bus=name)
    parameters = {"DetailType": "Nightly", "Source": "my.scheduler"}
    schedule_arn = scheduler.create_schedule(
        Name=name,
        ScheduleExpression=at_in(1),
        FlexibleTimeWindow=OFF,
        Target=target(bus_arn, Input='{"job": 7}', EventBridgeParameters=parameters),
    )["ScheduleArn"]
    [event] = bodies(receive(sqs, url, timeout=6))
    assert (event["source"], event["detail-type"], event["detail"], event["resources"]) == (
        "my.scheduler",
        "Nightly",
        {"job": 7},
        [schedule_arn],
    )


def test_dead_letter_queue(scheduler: Any, sqs: Any, name: str) -> None:
    gone_url, gone_arn = queue(sqs, f"{name}-gone")
    dlq_url, dlq_arn = queue(sqs, f"{name}-dlq")
    sqs.delete_queue(QueueUrl=gone_url)
    schedule_arn = scheduler.create_schedule(
        Name=name,
        ScheduleExpression=at_in(1),
        FlexibleTimeWindow=OFF,
        Target=target(gone_arn, Input='"lost"', DeadLetterConfig={"Arn": dlq_arn}),
    )["ScheduleArn"]
    [message] = receive(sqs, dlq_url, timeout=6, MessageAttributeNames=["All"])
    assert message["Body"] == '"lost"'
    attributes = {k: v["StringValue"] for k, v in message["MessageAttributes"].items()}
    assert attributes["SCHEDULE_ARN"] == schedule_arn and attributes["TARGET_ARN"] == gone_arn
    assert attributes["ERROR_CODE"] == "AWS.SimpleQueueService.NonExistentQueue" and attributes["EXECUTION_ID"]


def test_start_date_in_the_future(scheduler: Any, sqs: Any, name: str) -> None:
    url, arn = queue(sqs, name)
    start = datetime.now(UTC) + timedelta(seconds=2)
    scheduler.create_schedule(
        Name=name, ScheduleExpression="rate(1 hour)", StartDate=start, FlexibleTimeWindow=OFF, Target=target(arn)
    )
    assert nothing_more(sqs, url, wait=1)
    assert len(receive(sqs, url, timeout=6)) == 1
    expect_error(scheduler.get_schedule, "ResourceNotFoundException", Name=f"{name}-x")
