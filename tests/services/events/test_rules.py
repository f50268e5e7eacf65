"""Rules and targets: PutRule … ListTargetsByRule, limits, TestEventPattern, with AWS's errors."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest

from ._helpers import expect_error, queue

ACCOUNT = "000000000000"
PATTERN = {"source": ["my.app"], "detail-type": ["created"]}


@pytest.fixture(scope="module")
def events(aws: Callable[..., Any]) -> Any:
    return aws("events")


def test_put_describe_list_delete(events: Any, name: str) -> None:
    arn = events.put_rule(
        Name=name, EventPattern=json.dumps(PATTERN), Description="d", RoleArn="arn:aws:iam::000000000000:role/r"
    )["RuleArn"]
    assert arn == f"arn:aws:events:us-east-1:{ACCOUNT}:rule/{name}"
    described = events.describe_rule(Name=name)
    assert described["Name"] == name and described["Arn"] == arn
    assert json.loads(described["EventPattern"]) == PATTERN
    assert (described["State"], described["EventBusName"], described["CreatedBy"], described["Description"]) == (
        "ENABLED",
        "default",
        ACCOUNT,
        "d",
    )
    listed = events.list_rules(NamePrefix=name)["Rules"]
    assert [r["Name"] for r in listed] == [name] and "CreatedBy" not in listed[0]
    events.delete_rule(Name=name)
    expect_error(
        events.describe_rule, "ResourceNotFoundException", f"Rule {name} does not exist on EventBus default.", Name=name
    )
    events.delete_rule(Name=name)  # deleting a missing rule succeeds, as on AWS


def test_put_rule_replaces_and_keeps_targets(events: Any, sqs: Any, name: str) -> None:
    _, arn = queue(sqs, name)
    events.put_rule(Name=name, EventPattern=json.dumps(PATTERN), Description="first")
    events.put_targets(Rule=name, Targets=[{"Id": "t", "Arn": arn}])
    events.put_rule(Name=name, EventPattern='{"source": ["other"]}', State="DISABLED")
    described = events.describe_rule(Name=name)
    assert described["State"] == "DISABLED" and "Description" not in described
    assert [t["Id"] for t in events.list_targets_by_rule(Rule=name)["Targets"]] == ["t"]


def test_enable_disable(events: Any, name: str) -> None:
    events.put_rule(Name=name, EventPattern=json.dumps(PATTERN))
    events.disable_rule(Name=name)
    assert events.describe_rule(Name=name)["State"] == "DISABLED"
    events.enable_rule(Name=name)
    assert events.describe_rule(Name=name)["State"] == "ENABLED"
    expect_error(
        events.enable_rule,
        "ResourceNotFoundException",
        f"Rule {name}-x does not exist on EventBus default.",
        Name=f"{name}-x",
    )


def test_rule_errors(events: Any, name: str) -> None:
    expect_error(
        events.put_rule,
        "ValidationException",
        "Parameter(s) EventPattern or ScheduleExpression must be specified.",
        Name=name,
    )
    error = expect_error(events.put_rule, "InvalidEventPatternException", Name=name, EventPattern='{"source": "x"}')
    assert error["Message"].startswith('Event pattern is not valid. Reason: "source" must be an object or an array')
    expect_error(events.put_rule, "InvalidEventPatternException", Name=name, EventPattern="{not json")
    for bad in ("rate(1 minutes)", "rate(5 minute)", "cron(* * * * * *)", "cron(0 12 * * ?)", "every minute"):
        expect_error(
            events.put_rule,
            "ValidationException",
            "Parameter ScheduleExpression is not valid.",
            Name=name,
            ScheduleExpression=bad,
        )
    events.create_event_bus(Name=name)
    expect_error(
        events.put_rule,
        "ValidationException",
        "ScheduleExpression is supported only on the default event bus.",
        Name=name,
        EventBusName=name,
        ScheduleExpression="rate(5 minutes)",
    )
    expect_error(
        events.put_rule,
        "ResourceNotFoundException",
        f"Event bus {name}-x does not exist.",
        Name=name,
        EventBusName=f"{name}-x",
        EventPattern='{"source": ["x"]}',
    )


def test_scheduled_rule_is_described(events: Any, name: str) -> None:
    events.put_rule(Name=name, ScheduleExpression="cron(0 12 ? * MON-FRI *)")
    described = events.describe_rule(Name=name)
    assert described["ScheduleExpression"] == "cron(0 12 ? * MON-FRI *)" and "EventPattern" not in described


def test_targets_put_list_remove(events: Any, sqs: Any, name: str) -> None:
    _, arn = queue(sqs, name)
    events.put_rule(Name=name, EventPattern=json.dumps(PATTERN))
    out = events.put_targets(
        Rule=name, Targets=[{"Id": f"t{i}", "Arn": arn, "Input": json.dumps({"i": i})} for i in range(5)]
    )
    assert (out["FailedEntryCount"], out["FailedEntries"]) == (0, [])
    first = events.list_targets_by_rule(Rule=name, Limit=3)
    assert [t["Id"] for t in first["Targets"]] == ["t0", "t1", "t2"]
    assert first["Targets"][0] == {"Id": "t0", "Arn": arn, "Input": '{"i": 0}'}
    rest = events.list_targets_by_rule(Rule=name, NextToken=first["NextToken"])
    assert [t["Id"] for t in rest["Targets"]] == ["t3", "t4"]
    expect_error(
        events.put_targets,
        "LimitExceededException",
        "The requested resource exceeds the maximum number allowed.",
        Rule=name,
        Targets=[{"Id": "t5", "Arn": arn}],
    )
    events.put_targets(Rule=name, Targets=[{"Id": "t0", "Arn": arn}])  # replacing one is no new target
    assert events.list_rule_names_by_target(TargetArn=arn)["RuleNames"] == [name]
    expect_error(events.delete_rule, "ValidationException", "Rule can't be deleted since it has targets.", Name=name)
    assert events.remove_targets(Rule=name, Ids=[f"t{i}" for i in range(5)])["FailedEntryCount"] == 0
    assert events.list_targets_by_rule(Rule=name)["Targets"] == []
    events.delete_rule(Name=name)


def test_target_validation(events: Any, aws: Callable[..., Any], name: str) -> None:
    unchecked = aws("events", parameter_validation=False)
    events.put_rule(Name=name, EventPattern=json.dumps(PATTERN))
    arn = f"arn:aws:sqs:us-east-1:{ACCOUNT}:{name}"
    expect_error(
        events.put_targets,
        "ValidationException",
        "Only one of Input, InputPath, or InputTransformer must be provided for target t.",
        Rule=name,
        Targets=[{"Id": "t", "Arn": arn, "InputPath": "$.detail", "InputTransformer": {"InputTemplate": '"x"'}}],
    )
    expect_error(
        events.put_targets,
        "ValidationException",
        "InputTemplate for target t contains invalid placeholder notdefinedkey.",
        Rule=name,
        Targets=[
            {
                "Id": "t",
                "Arn": arn,
                "InputTransformer": {
                    "InputPathsMap": {"a": "$.a"},
                    "InputTemplate": '{"a": <a>, "b": <notdefinedkey>}',
                },
            }
        ],
    )
    expect_error(
        events.put_targets,
        "ValidationException",
        "1 validation error detected: Value '!@#$@!#$' at 'targets.1.member.id' failed to satisfy constraint: "
        "Member must satisfy regular expression pattern: [\\.\\-_A-Za-z0-9]+",
        Rule=name,
        Targets=[{"Id": "!@#$@!#$", "Arn": arn}],
    )
    expect_error(
        unchecked.put_targets,
        "ValidationException",
        Rule=name,
        Targets=[{"Id": "t", "Arn": arn, "RetryPolicy": {"MaximumRetryAttempts": 186}}],
    )
    expect_error(
        unchecked.put_targets,
        "ValidationException",
        Rule=name,
        Targets=[{"Id": "t", "Arn": arn, "RetryPolicy": {"MaximumEventAgeInSeconds": 59}}],
    )
    expect_error(
        events.put_targets,
        "ValidationException",
        "Parameter(s) SqsParameters must be specified for target: t.",
        Rule=name,
        Targets=[{"Id": "t", "Arn": arn + ".fifo"}],
    )
    expect_error(
        events.put_targets,
        "ResourceNotFoundException",
        f"Rule {name}-x does not exist on EventBus default.",
        Rule=f"{name}-x",
        Targets=[{"Id": "t", "Arn": arn}],
    )


def _event(**fields: Any) -> str:
    base = {
        "id": "1",
        "account": ACCOUNT,
        "source": "my.app",
        "time": "2024-01-01T00:00:00Z",
        "region": "us-east-1",
        "detail-type": "created",
        "resources": [],
        "detail": {"n": 5},
    }
    return json.dumps({**base, **fields})


def test_test_event_pattern(events: Any) -> None:
    assert events.test_event_pattern(EventPattern=json.dumps(PATTERN), Event=_event())["Result"] is True
    assert events.test_event_pattern(EventPattern=json.dumps(PATTERN), Event=_event(source="other"))["Result"] is False
    numeric = {"detail": {"n": [{"numeric": [">", 3, "<=", 5]}]}}
    assert events.test_event_pattern(EventPattern=json.dumps(numeric), Event=_event())["Result"] is True
    error = expect_error(
        events.test_event_pattern,
        "InvalidEventPatternException",
        EventPattern='{"source": [{"prefix": 1}]}',
        Event=_event(),
    )
    assert error["Message"].startswith("Event pattern is not valid. Reason:")
    expect_error(
        events.test_event_pattern,
        "ValidationException",
        "Parameter Event is not valid.",
        EventPattern=json.dumps(PATTERN),
        Event="{nope",
    )
    missing_time = json.loads(_event())
    del missing_time["time"]
    expect_error(
        events.test_event_pattern,
        "ValidationException",
        "Parameter Event is not valid.",
        EventPattern=json.dumps(PATTERN),
        Event=json.dumps(missing_time),
    )
