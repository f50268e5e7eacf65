"""Universal targets (arn:aws:scheduler:::aws-sdk:<service>:<apiAction>): the schedule's Input is the action's
request, made as the target's role through gureum's own services, whatever their protocol (SQS JSON, DynamoDB JSON,
S3 REST-XML); Scheduler's checks at create time; a call the service refuses goes to the dead-letter queue."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from typing import Any

import pytest

from ..events._helpers import expect_error, queue, receive
from ._helpers import OFF, at_in, target

UNIVERSAL = "arn:aws:scheduler:::aws-sdk:"


@pytest.fixture(scope="module")
def scheduler(aws: Callable[..., Any]) -> Any:
    return aws("scheduler")


def _schedule(scheduler: Any, name: str, action: str, request: dict[str, Any], **more: Any) -> str:
    return str(
        scheduler.create_schedule(
            Name=name, ScheduleExpression=at_in(1), FlexibleTimeWindow=OFF,
            Target=target(UNIVERSAL + action, Input=json.dumps(request), **more),
        )["ScheduleArn"]
    )  # fmt: skip


def test_actions_of_three_protocols(aws: Callable[..., Any], scheduler: Any, sqs: Any, name: str) -> None:
    url, _ = queue(sqs, name)
    dynamodb, s3 = aws("dynamodb"), aws("s3")
    dynamodb.create_table(
        TableName=name, BillingMode="PAY_PER_REQUEST",
        KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
    )  # fmt: skip
    s3.create_bucket(Bucket=name)
    _schedule(scheduler, f"{name}-sqs", "sqs:sendMessage", {"QueueUrl": url, "MessageBody": "from a schedule"})
    _schedule(
        scheduler, f"{name}-ddb", "dynamodb:putItem",
        {"TableName": name, "Item": {"id": {"S": "a"}, "n": {"N": "7"}}},
    )  # fmt: skip
    _schedule(scheduler, f"{name}-s3", "s3:putObject", {"Bucket": name, "Key": "k.txt", "Body": "written"})
    [message] = receive(sqs, url, timeout=8)
    assert message["Body"] == "from a schedule"
    deadline = time.monotonic() + 8
    while "Item" not in (item := dynamodb.get_item(TableName=name, Key={"id": {"S": "a"}})):
        assert time.monotonic() < deadline, "the putItem call should have stored the item"
        time.sleep(0.2)
    assert item["Item"]["n"] == {"N": "7"}
    while not s3.list_objects_v2(Bucket=name).get("Contents"):
        assert time.monotonic() < deadline, "the putObject call should have stored the object"
        time.sleep(0.2)
    assert s3.get_object(Bucket=name, Key="k.txt")["Body"].read() == b"written"


def test_checked_when_created(scheduler: Any, name: str) -> None:
    def create(arn: str, request: str | None = '{"QueueUrl": "q"}') -> None:
        more = {} if request is None else {"Input": request}
        scheduler.create_schedule(
            Name=name, ScheduleExpression="rate(1 day)", FlexibleTimeWindow=OFF, Target=target(arn, **more)
        )

    for arn in (UNIVERSAL + "sqs:receiveMessage", UNIVERSAL + "dynamodb:batchGetItem", UNIVERSAL + "s3:listBuckets"):
        error = expect_error(create, "ValidationException", arn=arn)
        assert "read-only" in error["Message"], error
    expect_error(create, "ValidationException", arn=UNIVERSAL + "nosuchservice:doThing")
    expect_error(create, "ValidationException", arn=UNIVERSAL + "sqs:SendMessage")  # actions are named in camelCase
    expect_error(create, "ValidationException", arn=UNIVERSAL + "sqs:sendMessage", request=None)
    expect_error(create, "ValidationException", arn=UNIVERSAL + "sqs:sendMessage", request='"text"')


def test_refused_call_goes_to_the_dead_letter_queue(scheduler: Any, sqs: Any, name: str) -> None:
    dlq_url, dlq_arn = queue(sqs, f"{name}-dlq")
    gone = sqs.get_queue_url(QueueName=f"{name}-dlq")["QueueUrl"].replace(f"{name}-dlq", f"{name}-gone")
    request = {"QueueUrl": gone, "MessageBody": "lost"}
    arn = _schedule(
        scheduler, name, "sqs:sendMessage", request,
        DeadLetterConfig={"Arn": dlq_arn}, RetryPolicy={"MaximumRetryAttempts": 0},
    )  # fmt: skip
    [message] = receive(sqs, dlq_url, timeout=8, MessageAttributeNames=["All"])
    attributes = {k: v["StringValue"] for k, v in message["MessageAttributes"].items()}
    assert json.loads(message["Body"]) == request
    assert attributes["SCHEDULE_ARN"] == arn and attributes["TARGET_ARN"] == UNIVERSAL + "sqs:sendMessage"
    assert attributes["ERROR_CODE"] == "AWS.SimpleQueueService.NonExistentQueue", attributes
    unknown = _schedule(
        scheduler, f"{name}-x", "sqs:fetchEverything", {"QueueUrl": gone}, DeadLetterConfig={"Arn": dlq_arn}
    )
    [message] = receive(sqs, dlq_url, timeout=8, MessageAttributeNames=["All"])
    attributes = {k: v["StringValue"] for k, v in message["MessageAttributes"].items()}
    assert attributes["SCHEDULE_ARN"] == unknown and attributes["ERROR_CODE"] == "ValidationException", attributes
