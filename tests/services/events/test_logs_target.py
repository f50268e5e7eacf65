"""A CloudWatch Logs log group as a rule's target: each delivery writes the event (or the target's input) as one
log event into a new log stream of the group, stamped with the event's time (eb-targets.html, "CloudWatch log
group"). AWS records one stream per delivery: two targets on the same group give two streams for one event."""

from __future__ import annotations

import json
import re
import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import pytest

from ._helpers import entry, queue, receive

_UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")


@pytest.fixture(scope="module")
def events(aws: Callable[..., Any]) -> Any:
    return aws("events")


@pytest.fixture(scope="module")
def logs(aws: Callable[..., Any]) -> Any:
    return aws("logs")


def _group(logs: Any, name: str) -> tuple[str, str]:
    """An EventBridge-style log group; returns (name, ARN as the console gives it to PutTargets)."""
    group = f"/aws/events/{name}"
    logs.create_log_group(logGroupName=group)
    return group, f"arn:aws:logs:us-east-1:000000000000:log-group:{group}"


def _streams(logs: Any, group: str, expected: int, timeout: float = 5.0) -> list[dict[str, Any]]:
    deadline = time.monotonic() + timeout
    while True:
        streams = logs.describe_log_streams(logGroupName=group)["logStreams"]
        if len(streams) >= expected or time.monotonic() > deadline:
            return streams  # type: ignore[no-any-return]
        time.sleep(0.1)


def _events_of(logs: Any, group: str, stream: str) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = logs.get_log_events(logGroupName=group, logStreamName=stream, startFromHead=True)[
        "events"
    ]
    return found


def test_event_is_logged_in_a_new_stream(events: Any, logs: Any, sqs: Any, name: str) -> None:
    group, arn = _group(logs, name)
    url, queue_arn = queue(sqs, name)
    events.put_rule(Name=name, EventPattern=json.dumps({"source": [name]}))
    events.put_targets(Rule=name, Targets=[{"Id": "log", "Arn": arn}, {"Id": "q", "Arn": queue_arn}])
    at = datetime(2024, 5, 1, 12, 30, 45, tzinfo=UTC)
    event_id = events.put_events(Entries=[entry(name, {"n": 1}, Time=at)])["Entries"][0]["EventId"]
    [stream] = _streams(logs, group, 1)
    assert _UUID.match(stream["logStreamName"])
    [logged] = _events_of(logs, group, stream["logStreamName"])
    [message] = receive(sqs, url)
    assert logged["message"] == message["Body"]  # the event JSON, exactly as other targets receive it
    event = json.loads(logged["message"])
    assert event["id"] == event_id and event["detail"] == {"n": 1}
    assert logged["timestamp"] == int(at.timestamp() * 1000)  # the event's time, not the delivery's


def test_each_target_delivery_gets_its_own_stream(events: Any, logs: Any, name: str) -> None:
    group, arn = _group(logs, name)
    events.put_rule(Name=name, EventPattern=json.dumps({"source": [name]}))
    events.put_targets(Rule=name, Targets=[{"Id": "1", "Arn": arn}, {"Id": "2", "Arn": arn}])
    event_id = events.put_events(Entries=[entry(name)])["Entries"][0]["EventId"]
    streams = _streams(logs, group, 2)
    assert len(streams) == 2
    for stream in streams:
        [logged] = _events_of(logs, group, stream["logStreamName"])
        assert json.loads(logged["message"])["id"] == event_id


def test_input_transformer_in_the_log_event_form(events: Any, logs: Any, name: str) -> None:
    # CDK's LogGroupTargetInput writes {"timestamp": <time>, "message": <text>}: the log event takes both
    group, arn = _group(logs, name)
    events.put_rule(Name=name, EventPattern=json.dumps({"source": [name]}))
    transformer = {
        "InputPathsMap": {"time": "$.time", "kind": "$.detail-type"},
        "InputTemplate": '{"timestamp": <time>, "message": "a <kind> happened"}',
    }
    events.put_targets(Rule=name, Targets=[{"Id": "log", "Arn": arn, "InputTransformer": transformer}])
    at = datetime(2024, 6, 2, 8, 0, 0, tzinfo=UTC)
    events.put_events(Entries=[entry(name, detail_type="Order Placed", Time=at)])
    [stream] = _streams(logs, group, 1)
    [logged] = _events_of(logs, group, stream["logStreamName"])
    assert logged["message"] == "a Order Placed happened"
    assert logged["timestamp"] == int(at.timestamp() * 1000)


def test_plain_input_is_the_message(events: Any, logs: Any, name: str) -> None:
    group, arn = _group(logs, name)
    events.put_rule(Name=name, EventPattern=json.dumps({"source": [name]}))
    events.put_targets(Rule=name, Targets=[{"Id": "log", "Arn": arn, "InputPath": "$.detail"}])
    events.put_events(Entries=[entry(name, {"order": 7})])
    [stream] = _streams(logs, group, 1)
    [logged] = _events_of(logs, group, stream["logStreamName"])
    assert json.loads(logged["message"]) == {"order": 7}


def test_missing_log_group_is_not_created(events: Any, logs: Any, sqs: Any, name: str) -> None:
    group = f"/aws/events/{name}"
    dlq_url, dlq_arn = queue(sqs, f"{name}-dlq")
    events.put_rule(Name=name, EventPattern=json.dumps({"source": [name]}))
    target = {
        "Id": "log",
        "Arn": f"arn:aws:logs:us-east-1:000000000000:log-group:{group}",
        "DeadLetterConfig": {"Arn": dlq_arn},
    }
    events.put_targets(Rule=name, Targets=[target])
    events.put_events(Entries=[entry(name)])
    [dead] = receive(sqs, dlq_url, MessageAttributeNames=["All"])
    assert dead["MessageAttributes"]["ERROR_CODE"]["StringValue"] == "RESOURCE_NOT_FOUND"
    assert not logs.describe_log_groups(logGroupNamePrefix=group)["logGroups"]
