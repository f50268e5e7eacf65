"""PutEvents: the event envelope targets receive, per-entry errors, limits, FIFO queues, bus-to-bus routing."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import pytest

from ._helpers import bodies, entry, expect_error, nothing_more, queue, receive, rule_to_queue

ACCOUNT = "000000000000"


@pytest.fixture(scope="module")
def events(aws: Callable[..., Any]) -> Any:
    return aws("events")


def test_event_reaches_sqs_with_aws_envelope(events: Any, sqs: Any, name: str) -> None:
    url, _ = rule_to_queue(events, sqs, name, {"source": [name], "detail": {"n": [{"numeric": [">", 1]}]}})
    when = datetime(2024, 5, 1, 12, 30, 15, tzinfo=UTC)
    out = events.put_events(
        Entries=[
            entry(name, {"n": 2}, Resources=["arn:aws:s3:::b"], Time=when),
            entry(name, {"n": 1}),
            entry("other", {"n": 5}),
        ]
    )
    assert out["FailedEntryCount"] == 0 and all("EventId" in e for e in out["Entries"])
    messages = receive(sqs, url)
    assert len(messages) == 1 and nothing_more(sqs, url)
    raw = messages[0]["Body"]
    event = json.loads(raw)
    assert list(event) == ["version", "id", "detail-type", "source", "account", "time", "region", "resources", "detail"]
    assert event == {
        "version": "0", "id": out["Entries"][0]["EventId"], "detail-type": "test", "source": name, "account": ACCOUNT,
        "time": "2024-05-01T12:30:15Z", "region": "us-east-1", "resources": ["arn:aws:s3:::b"], "detail": {"n": 2},
    }  # fmt: skip
    assert " " not in raw  # compact JSON, as EventBridge writes it


def test_per_entry_errors(events: Any) -> None:
    out = events.put_events(
        Entries=[
            {"DetailType": "t", "Detail": "{}"},
            {"Source": "s", "Detail": "{}"},
            {"Source": "s", "DetailType": "t"},
            {"Source": "s", "DetailType": "t", "Detail": "{not json"},
            {"Source": "s", "DetailType": "t", "Detail": '"a string"'},
            {"Source": "s", "DetailType": "t", "Detail": "[1, 2]"},
            {"Source": "aws.ec2", "DetailType": "t", "Detail": "{}"},
            {"Source": "s", "DetailType": "t", "Detail": "{}"},
        ]
    )
    assert out["FailedEntryCount"] == 7
    assert out["Entries"][:7] == [
        {
            "ErrorCode": "InvalidArgument",
            "ErrorMessage": "Parameter Source is not valid. Reason: Source is a required argument.",
        },
        {
            "ErrorCode": "InvalidArgument",
            "ErrorMessage": "Parameter DetailType is not valid. Reason: DetailType is a required argument.",
        },
        {
            "ErrorCode": "InvalidArgument",
            "ErrorMessage": "Parameter Detail is not valid. Reason: Detail is a required argument.",
        },
        {"ErrorCode": "MalformedDetail", "ErrorMessage": "Detail is malformed."},
        {"ErrorCode": "MalformedDetail", "ErrorMessage": "Detail is malformed."},
        {"ErrorCode": "MalformedDetail", "ErrorMessage": "Detail is malformed."},
        {"ErrorCode": "NotAuthorizedForSourceException", "ErrorMessage": "Not authorized for the source."},
    ]
    assert "EventId" in out["Entries"][7]


def test_limits(events: Any) -> None:
    expect_error(events.put_events, "ValidationException", Entries=[entry("s") for _ in range(11)])
    big = "x" * (128 * 1024)
    expect_error(
        events.put_events,
        "ValidationException",
        "Total size of the entries in the request is over the limit.",
        Entries=[entry("s", {"a": big}), entry("s", {"b": big})],
    )
    just_under = 256 * 1024 - len("s") - len("test") - len('{"a": ""}') - 1
    assert events.put_events(Entries=[entry("s", {"a": "y" * just_under})])["FailedEntryCount"] == 0


def test_nonexistent_bus_is_accepted_and_dropped(events: Any, sqs: Any, name: str) -> None:
    # AWS answers an entry for a bus that does not exist with an EventId and no error (aws/aws-cli#9186)
    url, _ = rule_to_queue(events, sqs, name, {"source": [name]})
    out = events.put_events(Entries=[entry(name, EventBusName=f"{name}-missing"), entry(name)])
    assert out["FailedEntryCount"] == 0 and len(out["Entries"]) == 2
    assert len(receive(sqs, url)) == 1 and nothing_more(sqs, url)


def test_custom_bus_by_name_and_arn(events: Any, sqs: Any, name: str) -> None:
    bus_arn = events.create_event_bus(Name=name)["EventBusArn"]
    url, _ = rule_to_queue(events, sqs, name, {"source": [name]}, bus=name)
    events.put_events(
        Entries=[
            entry(name, {"via": "name"}, EventBusName=name),
            entry(name, {"via": "arn"}, EventBusName=bus_arn),
            entry(name, {"via": "default"}),
        ]
    )
    assert sorted(b["detail"]["via"] for b in bodies(receive(sqs, url, 2))) == ["arn", "name"]
    assert nothing_more(sqs, url)


def test_disabled_rule_does_not_deliver(events: Any, sqs: Any, name: str) -> None:
    url, _ = rule_to_queue(events, sqs, name, {"source": [name]})
    events.disable_rule(Name=name)
    events.put_events(Entries=[entry(name)])
    assert nothing_more(sqs, url)
    events.enable_rule(Name=name)
    events.put_events(Entries=[entry(name)])
    assert len(receive(sqs, url)) == 1


def test_fifo_queue_target(events: Any, sqs: Any, name: str) -> None:
    url, arn = queue(sqs, f"{name}.fifo")
    events.put_rule(Name=name, EventPattern=json.dumps({"source": [name]}))
    events.put_targets(Rule=name, Targets=[{"Id": "fifo", "Arn": arn, "SqsParameters": {"MessageGroupId": "g1"}}])
    events.put_events(Entries=[entry(name, {"i": i}) for i in range(5)])
    messages = receive(sqs, url, 5, AttributeNames=["MessageGroupId"])
    assert [b["detail"]["i"] for b in bodies(messages)] == [0, 1, 2, 3, 4]
    assert {m["Attributes"]["MessageGroupId"] for m in messages} == {"g1"}


def test_bus_to_bus_to_queue(events: Any, sqs: Any, name: str) -> None:
    first = events.create_event_bus(Name=f"{name}-a")["EventBusArn"]
    second = events.create_event_bus(Name=f"{name}-b")["EventBusArn"]
    events.put_rule(Name=name, EventBusName=f"{name}-a", EventPattern=json.dumps({"source": [name]}))
    events.put_targets(Rule=name, EventBusName=f"{name}-a", Targets=[{"Id": "next-bus", "Arn": second}])
    url, _ = rule_to_queue(events, sqs, name, {"source": [name]}, bus=f"{name}-b")
    out = events.put_events(Entries=[entry(name, {"hop": 1}, EventBusName=first)])
    [event] = bodies(receive(sqs, url))
    assert event["id"] == out["Entries"][0]["EventId"] and event["detail"] == {"hop": 1}


def test_one_event_many_targets(events: Any, sqs: Any, name: str) -> None:
    urls = []
    events.put_rule(Name=name, EventPattern=json.dumps({"source": [name]}))
    targets = []
    for i in range(3):
        url, arn = queue(sqs, f"{name}-{i}")
        urls.append(url)
        targets.append({"Id": f"q{i}", "Arn": arn})
    events.put_targets(Rule=name, Targets=targets)
    out = events.put_events(Entries=[entry(name)])
    for url in urls:
        assert bodies(receive(sqs, url))[0]["id"] == out["Entries"][0]["EventId"]


def test_sns_topic_target(events: Any, sqs: Any, aws: Callable[..., Any], name: str) -> None:
    sns = aws("sns")
    topic = sns.create_topic(Name=name)["TopicArn"]
    url, arn = queue(sqs, name)
    sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=arn, Attributes={"RawMessageDelivery": "true"})
    events.put_rule(Name=name, EventPattern=json.dumps({"source": [name]}))
    events.put_targets(Rule=name, Targets=[{"Id": "topic", "Arn": topic, "InputPath": "$.detail"}])
    events.put_events(Entries=[entry(name, {"via": "sns"})])
    assert [m["Body"] for m in receive(sqs, url)] == ['{"via":"sns"}']
