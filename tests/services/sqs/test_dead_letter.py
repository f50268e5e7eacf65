"""SQS dead-letter queues end to end through boto3: maxReceiveCount, ListDeadLetterSourceQueues,
RedriveAllowPolicy, and message move tasks (Start/List/CancelMessageMoveTask)."""

from __future__ import annotations

import base64
import json
import threading
import time
import uuid
from typing import Any

import pytest
from botocore.exceptions import ClientError

from ._client import arn, attrs, bodies, counts, create, drain, expect_error, receive, wait_until

TRACE = "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1"
NO_SOURCE = "The resource that you specified for the SourceArn parameter doesn't exist."


def redrive(dlq_arn: str, count: int = 1) -> str:
    return json.dumps({"deadLetterTargetArn": dlq_arn, "maxReceiveCount": count})


def pipe(sqs: Any, name: str, count: int = 1) -> tuple[str, str, str, str]:
    """A source queue dead-lettering into a DLQ: (source url, source arn, dlq url, dlq arn)."""
    dlq = sqs.create_queue(QueueName=f"{name}-dlq")["QueueUrl"]
    dlq_arn = arn(sqs, dlq)
    source = create(sqs, name, RedrivePolicy=redrive(dlq_arn, count))
    return source, arn(sqs, source), dlq, dlq_arn


def dead_letter(sqs: Any, source: str, dlq: str, bodies_: list[str]) -> None:
    """Send messages and receive each twice (maxReceiveCount=1) so that they move to the DLQ."""
    for body in bodies_:
        sqs.send_message(QueueUrl=source, MessageBody=body)
    for _ in range(2 * len(bodies_)):
        receive(sqs, source, VisibilityTimeout=0)
    assert receive(sqs, source, VisibilityTimeout=0) == []
    assert counts(sqs, dlq) == (len(bodies_), 0, 0)


def tasks(sqs: Any, source_arn: str, limit: int = 10) -> list[dict[str, Any]]:
    return sqs.list_message_move_tasks(SourceArn=source_arn, MaxResults=limit)["Results"]  # type: ignore[no-any-return]


def wait_for_status(sqs: Any, source_arn: str, status: str) -> dict[str, Any]:
    return wait_until(lambda: next((t for t in tasks(sqs, source_arn, 1) if t["Status"] == status), None), timeout=5)  # type: ignore[no-any-return]


# --- maxReceiveCount ---------------------------------------------------------------------------------------


def test_max_receive_count_moves_messages_with_their_attributes(sqs: Any, name: str) -> None:
    source, source_arn, dlq, _ = pipe(sqs, name)
    user = {"MyAttribute": {"StringValue": "foobar", "DataType": "String"}}
    first = sqs.send_message(
        QueueUrl=source,
        MessageBody="message-1",
        MessageAttributes=user,
        MessageSystemAttributes={"AWSTraceHeader": {"DataType": "String", "StringValue": TRACE}},
    )
    second = sqs.send_message(QueueUrl=source, MessageBody="message-2")
    before = []
    for _ in range(4):
        before += receive(sqs, source, VisibilityTimeout=0, AttributeNames=["All"], MessageAttributeNames=["All"])
    assert sorted(bodies(before)) == ["message-1", "message-2"]  # each delivered once, then dead-lettered
    assert counts(sqs, source) == (0, 0, 0)
    dead = {m["Body"]: m for m in drain(sqs, dlq, 2, AttributeNames=["All"], MessageAttributeNames=["All"])}
    assert sorted(dead) == ["message-1", "message-2"]
    one = dead["message-1"]
    assert one["MessageId"] == first["MessageId"] and dead["message-2"]["MessageId"] == second["MessageId"]
    assert one["MessageAttributes"] == user and one["MD5OfMessageAttributes"] == "adb59cd4678ea5a855436b949cd07ab6"
    assert one["Attributes"]["AWSTraceHeader"] == TRACE
    assert one["Attributes"]["DeadLetterQueueSourceArn"] == source_arn
    assert one["Attributes"]["ApproximateReceiveCount"] == "2"  # the count goes on in the DLQ
    original = next(m for m in before if m["Body"] == "message-1")["Attributes"]
    assert one["Attributes"]["SentTimestamp"] == original["SentTimestamp"]
    assert "DeadLetterQueueSourceArn" not in original


def test_max_receive_count_is_exceeded_not_reached(sqs: Any, name: str) -> None:
    source, _, dlq, _ = pipe(sqs, name, count=3)
    sqs.send_message(QueueUrl=source, MessageBody="m")
    for _ in range(3):
        assert bodies(receive(sqs, source, VisibilityTimeout=0)) == ["m"]
    assert counts(sqs, dlq) == (0, 0, 0)
    assert receive(sqs, source, VisibilityTimeout=0) == []
    assert counts(sqs, dlq) == (1, 0, 0)


def test_dead_lettered_message_wakes_a_long_poll_on_the_dlq(sqs: Any, aws: Any, name: str) -> None:
    source, _, dlq, _ = pipe(sqs, name)
    sqs.send_message(QueueUrl=source, MessageBody="m")
    receive(sqs, source, VisibilityTimeout=1)
    start = time.monotonic()
    # the visibility timeout lapses after ~1 s; the next receive on the source moves the message
    mover = aws("sqs")
    timer = threading.Timer(1.2, lambda: mover.receive_message(QueueUrl=source))
    timer.start()
    try:
        got = receive(sqs, dlq, WaitTimeSeconds=5)
    finally:
        timer.join()
    assert bodies(got) == ["m"] and time.monotonic() - start < 3


# --- ListDeadLetterSourceQueues -----------------------------------------------------------------------------


def test_list_dead_letter_source_queues(sqs: Any, name: str) -> None:
    source, _, dlq, dlq_arn = pipe(sqs, name, count=50)
    other = create(sqs, f"{name}-b", RedrivePolicy=redrive(dlq_arn, 5))
    assert sorted(sqs.list_dead_letter_source_queues(QueueUrl=dlq)["queueUrls"]) == sorted([source, other])
    assert sqs.list_dead_letter_source_queues(QueueUrl=source)["queueUrls"] == []
    page = sqs.list_dead_letter_source_queues(QueueUrl=dlq, MaxResults=1)
    assert len(page["queueUrls"]) == 1 and page["NextToken"]
    rest = sqs.list_dead_letter_source_queues(QueueUrl=dlq, MaxResults=1, NextToken=page["NextToken"])
    assert sorted(page["queueUrls"] + rest["queueUrls"]) == sorted([source, other]) and "NextToken" not in rest
    sqs.set_queue_attributes(QueueUrl=other, Attributes={"RedrivePolicy": ""})
    assert sqs.list_dead_letter_source_queues(QueueUrl=dlq)["queueUrls"] == [source]
    expect_error(
        sqs.list_dead_letter_source_queues,
        "AWS.SimpleQueueService.NonExistentQueue",
        "The specified queue does not exist.",
        QueueUrl=dlq + "-missing",
    )


def test_source_queues_of_a_dlq_whose_arn_prefixes_another(sqs: Any, name: str) -> None:
    dlq = sqs.create_queue(QueueName=f"{name}-dlq")["QueueUrl"]
    longer = sqs.create_queue(QueueName=f"{name}-dlq-2")["QueueUrl"]
    create(
        sqs, f"{name}-a", RedrivePolicy=redrive(arn(sqs, longer))
    )  # sorts first, and its policy contains the DLQ's ARN
    b = create(sqs, f"{name}-b", RedrivePolicy=redrive(arn(sqs, dlq)))
    c = create(sqs, f"{name}-c", RedrivePolicy=redrive(arn(sqs, dlq)))
    first = sqs.list_dead_letter_source_queues(QueueUrl=dlq, MaxResults=1)
    assert first["queueUrls"] == [b] and first["NextToken"]
    assert sqs.list_dead_letter_source_queues(QueueUrl=dlq, MaxResults=1, NextToken=first["NextToken"])[
        "queueUrls"
    ] == [c]
    # the DLQ counts as a dead-letter queue for a move task
    assert sqs.start_message_move_task(SourceArn=arn(sqs, dlq))["TaskHandle"]


# --- RedriveAllowPolicy ---------------------------------------------------------------------------------------


def test_redrive_allow_policy_deny_all(sqs: Any, name: str) -> None:
    dlq = create(sqs, f"{name}-dlq", RedriveAllowPolicy=json.dumps({"redrivePermission": "denyAll"}))
    dlq_arn = arn(sqs, dlq)
    expect_error(
        sqs.create_queue, "InvalidParameterValue", QueueName=name, Attributes={"RedrivePolicy": redrive(dlq_arn)}
    )
    source = sqs.create_queue(QueueName=f"{name}-src")["QueueUrl"]
    expect_error(
        sqs.set_queue_attributes,
        "InvalidParameterValue",
        QueueUrl=source,
        Attributes={"RedrivePolicy": redrive(dlq_arn)},
    )
    sqs.set_queue_attributes(
        QueueUrl=dlq, Attributes={"RedriveAllowPolicy": json.dumps({"redrivePermission": "allowAll"})}
    )
    sqs.set_queue_attributes(QueueUrl=source, Attributes={"RedrivePolicy": redrive(dlq_arn)})
    assert sqs.list_dead_letter_source_queues(QueueUrl=dlq)["queueUrls"] == [source]


def test_redrive_allow_policy_by_queue(sqs: Any, name: str) -> None:
    allowed = sqs.create_queue(QueueName=f"{name}-allowed")["QueueUrl"]
    refused = sqs.create_queue(QueueName=f"{name}-refused")["QueueUrl"]
    dlq = create(
        sqs,
        f"{name}-dlq",
        RedriveAllowPolicy=json.dumps({"redrivePermission": "byQueue", "sourceQueueArns": [arn(sqs, allowed)]}),
    )
    dlq_arn = arn(sqs, dlq)
    sqs.set_queue_attributes(QueueUrl=allowed, Attributes={"RedrivePolicy": redrive(dlq_arn)})
    expect_error(
        sqs.set_queue_attributes,
        "InvalidParameterValue",
        QueueUrl=refused,
        Attributes={"RedrivePolicy": redrive(dlq_arn)},
    )
    assert sqs.list_dead_letter_source_queues(QueueUrl=dlq)["queueUrls"] == [allowed]


# --- message move tasks ----------------------------------------------------------------------------------------


def test_move_task_back_to_the_source_queue(sqs: Any, name: str) -> None:
    source, _, dlq, dlq_arn = pipe(sqs, name)
    dead_letter(sqs, source, dlq, ["message-1", "message-2"])
    handle = sqs.start_message_move_task(SourceArn=dlq_arn)["TaskHandle"]
    decoded = json.loads(base64.b64decode(handle))
    assert decoded["sourceArn"] == dlq_arn and uuid.UUID(decoded["taskId"])
    task = wait_for_status(sqs, dlq_arn, "COMPLETED")
    assert task["ApproximateNumberOfMessagesMoved"] == 2 and task["ApproximateNumberOfMessagesToMove"] == 2
    assert task["SourceArn"] == dlq_arn and "DestinationArn" not in task and "TaskHandle" not in task
    assert abs(task["StartedTimestamp"] / 1000 - time.time()) < 60
    moved = drain(sqs, source, 2, AttributeNames=["All"])
    assert sorted(bodies(moved)) == ["message-1", "message-2"]
    assert all("DeadLetterQueueSourceArn" not in m["Attributes"] for m in moved)
    assert counts(sqs, dlq) == (0, 0, 0)


def test_move_task_to_each_original_source(sqs: Any, name: str) -> None:
    source_a, _, dlq, dlq_arn = pipe(sqs, name)
    source_b = create(sqs, f"{name}-b", RedrivePolicy=redrive(dlq_arn))
    dead_letter(sqs, source_a, dlq, ["a1", "a2"])
    for body in ("b1", "b2"):
        sqs.send_message(QueueUrl=source_b, MessageBody=body)
    for _ in range(5):
        receive(sqs, source_b, VisibilityTimeout=0)
    assert counts(sqs, dlq) == (4, 0, 0)
    sqs.start_message_move_task(SourceArn=dlq_arn)
    assert wait_for_status(sqs, dlq_arn, "COMPLETED")["ApproximateNumberOfMessagesMoved"] == 4
    assert sorted(bodies(drain(sqs, source_a, 2))) == ["a1", "a2"]
    assert sorted(bodies(drain(sqs, source_b, 2))) == ["b1", "b2"]


def test_move_task_to_a_destination_arn(sqs: Any, name: str) -> None:
    source, _, dlq, dlq_arn = pipe(sqs, name)
    destination = sqs.create_queue(QueueName=f"{name}-dest")["QueueUrl"]
    destination_arn = arn(sqs, destination)
    dead_letter(sqs, source, dlq, ["message-1", "message-2"])
    sqs.start_message_move_task(SourceArn=dlq_arn, DestinationArn=destination_arn)
    task = wait_for_status(sqs, dlq_arn, "COMPLETED")
    assert task["DestinationArn"] == destination_arn and task["ApproximateNumberOfMessagesMoved"] == 2
    assert sorted(bodies(drain(sqs, destination, 2))) == ["message-1", "message-2"]
    assert counts(sqs, source) == (0, 0, 0) and counts(sqs, dlq) == (0, 0, 0)


def test_move_task_running_then_cancelled(sqs: Any, name: str) -> None:
    source, _, dlq, dlq_arn = pipe(sqs, name)
    destination_arn = arn(sqs, sqs.create_queue(QueueName=f"{name}-dest")["QueueUrl"])
    dead_letter(sqs, source, dlq, [f"m{i}" for i in range(5)])
    handle = sqs.start_message_move_task(
        SourceArn=dlq_arn, DestinationArn=destination_arn, MaxNumberOfMessagesPerSecond=1
    )["TaskHandle"]
    [running] = tasks(sqs, dlq_arn)
    assert running["Status"] == "RUNNING" and running["TaskHandle"] == handle
    assert running["MaxNumberOfMessagesPerSecond"] == 1 and running["ApproximateNumberOfMessagesToMove"] == 5
    message = "There is already a task running. Only one active task is allowed for a source queue arn at a given time."
    expect_error(
        sqs.start_message_move_task, "InvalidParameterValue", message, SourceArn=dlq_arn, DestinationArn=destination_arn
    )
    moved = sqs.cancel_message_move_task(TaskHandle=handle)["ApproximateNumberOfMessagesMoved"]
    assert 0 <= moved < 5
    cancelled = wait_for_status(sqs, dlq_arn, "CANCELLED")
    assert "TaskHandle" not in cancelled
    time.sleep(1.2)  # nothing moves after the cancel
    assert counts(sqs, dlq)[0] == 5 - tasks(sqs, dlq_arn, 1)[0]["ApproximateNumberOfMessagesMoved"] >= 3
    # a new task may start once the old one stopped; the list is newest first
    sqs.start_message_move_task(SourceArn=dlq_arn, DestinationArn=destination_arn)
    wait_for_status(sqs, dlq_arn, "COMPLETED")
    assert [t["Status"] for t in tasks(sqs, dlq_arn)] == ["COMPLETED", "CANCELLED"]
    assert len(tasks(sqs, dlq_arn, 1)) == 1
    assert counts(sqs, dlq) == (0, 0, 0)


def test_move_task_fails_when_destination_is_deleted(sqs: Any, name: str) -> None:
    source, _, dlq, dlq_arn = pipe(sqs, name)
    destination = sqs.create_queue(QueueName=f"{name}-dest")["QueueUrl"]
    dead_letter(sqs, source, dlq, [f"m{i}" for i in range(4)])
    sqs.start_message_move_task(SourceArn=dlq_arn, DestinationArn=arn(sqs, destination), MaxNumberOfMessagesPerSecond=1)
    sqs.delete_queue(QueueUrl=destination)
    task = wait_until(lambda: next((t for t in tasks(sqs, dlq_arn, 1) if t["Status"] != "RUNNING"), None), timeout=5)
    assert task["Status"] == "FAILED" and task["FailureReason"] == "AWS.SimpleQueueService.NonExistentQueue"
    assert counts(sqs, dlq)[0] >= 1


def test_move_task_errors(sqs: Any, name: str) -> None:
    source, source_arn, dlq, dlq_arn = pipe(sqs, name)
    plain_arn = arn(sqs, sqs.create_queue(QueueName=f"{name}-plain")["QueueUrl"])
    expect_error(
        sqs.start_message_move_task,
        "InvalidParameterValue",
        "Source queue must be configured as a Dead Letter Queue.",
        SourceArn=source_arn,
        DestinationArn=plain_arn,
    )
    expect_error(
        sqs.start_message_move_task,
        "InvalidParameterValue",
        "Source queue must be configured as a Dead Letter Queue.",
        SourceArn=plain_arn,
    )
    expect_error(
        sqs.start_message_move_task, "ResourceNotFoundException", NO_SOURCE, 404, SourceArn=dlq_arn + "-missing"
    )
    expect_error(
        sqs.start_message_move_task,
        "ResourceNotFoundException",
        "The resource that you specified for the DestinationArn parameter doesn't exist.",
        404,
        SourceArn=dlq_arn,
        DestinationArn=plain_arn + "doesntexist",
    )
    for rate in (0, 501):
        expect_error(
            sqs.start_message_move_task, "InvalidParameterValue", SourceArn=dlq_arn, MaxNumberOfMessagesPerSecond=rate
        )
    expect_error(
        sqs.list_message_move_tasks, "ResourceNotFoundException", NO_SOURCE, 404, SourceArn=dlq_arn + "-missing"
    )
    assert tasks(sqs, dlq_arn) == []


def test_cancel_message_move_task_errors(sqs: Any, name: str) -> None:
    queue_arn = arn(sqs, sqs.create_queue(QueueName=name)["QueueUrl"])

    def handle(task_id: str, source_arn: str) -> str:
        return base64.b64encode(json.dumps({"taskId": task_id, "sourceArn": source_arn}).encode()).decode()

    expect_error(
        sqs.cancel_message_move_task,
        "InvalidParameterValue",
        "Value for parameter TaskHandle is invalid.",
        TaskHandle="foobared",
    )
    missing = "arn:aws:sqs:us-east-1:878966065785:test-queue-doesnt-exist-123456"
    expect_error(
        sqs.cancel_message_move_task,
        "ResourceNotFoundException",
        NO_SOURCE,
        404,
        TaskHandle=handle("10f57157-fc38-4da9-a113-4de7e12d05dd", missing),
    )
    expect_error(
        sqs.cancel_message_move_task,
        "ResourceNotFoundException",
        "Task does not exist.",
        404,
        TaskHandle=handle("10f57157-fc38-4da9-a113-4de7e12d05aa", queue_arn),
    )


def test_completed_task_cannot_be_cancelled(sqs: Any, name: str) -> None:
    source, _, dlq, dlq_arn = pipe(sqs, name)
    dead_letter(sqs, source, dlq, ["m"])
    handle = sqs.start_message_move_task(SourceArn=dlq_arn)["TaskHandle"]
    wait_for_status(sqs, dlq_arn, "COMPLETED")
    with pytest.raises(ClientError):  # only RUNNING tasks can be cancelled (the exact AWS error is not documented)
        sqs.cancel_message_move_task(TaskHandle=handle)
    assert tasks(sqs, dlq_arn, 1)[0]["Status"] == "COMPLETED"
    assert attrs(sqs, source, "ApproximateNumberOfMessages") == {"ApproximateNumberOfMessages": "1"}
