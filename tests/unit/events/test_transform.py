"""Target input: Input, InputPath and InputTransformer templates, against the examples of
eb-transform-target-input.html and outputs recorded from AWS (pure logic)."""

from __future__ import annotations

import json
from typing import Any

import pytest

from gureum.services.events.transform import dumps, extract, invalid_placeholder, render, target_input

EVENT: dict[str, Any] = {
    "version": "0",
    "id": "7bf73129-1428-4cd3-a780-95db273d1602",
    "detail-type": "EC2 Instance State-change Notification",
    "source": "aws.ec2",
    "account": "123456789012",
    "time": "2015-11-11T21:29:54Z",
    "region": "us-east-1",
    "resources": ["arn:aws:ec2:us-east-1:123456789012:instance/i-abcd1111"],
    "detail": {"instance-id": "i-0123456789", "state": "RUNNING", "count": 3, "tags": {"a": "b"}, "list": [1, 2]},
}
PATHS = {
    "timestamp": "$.time",
    "instance": "$.detail.instance-id",
    "state": "$.detail.state",
    "count": "$.detail.count",
    "tags": "$.detail.tags",
    "missing": "$.detail.nope",
}
RULE = "arn:aws:events:us-east-2:123456789012:rule/example"


def transformed(template: str) -> str:
    target = {"Id": "t", "Arn": "arn", "InputTransformer": {"InputPathsMap": PATHS, "InputTemplate": template}}
    return target_input(target, EVENT, RULE, "example", "2015-11-11T21:29:55Z")


@pytest.mark.parametrize(
    "template, expected",
    [
        ('"instance <instance> is in <state>"', '"instance i-0123456789 is in RUNNING"'),
        ("<instance> is in state <state>", "i-0123456789 is in state RUNNING"),
        (
            '{\n  "instance" : <instance>,\n  "state": <state>\n}',
            '{\n  "instance" : "i-0123456789",\n  "state": "RUNNING"\n}',
        ),
        (
            '{"instance" : <instance>, "state": "<state>", '
            '"instanceStatus": "instance \\"<instance>\\" is in <state>"}',
            '{"instance" : "i-0123456789", "state": "RUNNING", '
            '"instanceStatus": "instance \\"i-0123456789\\" is in RUNNING"}',
        ),
        (
            '{"instance" : <instance>, "state": [ 9, <state>, true ], "Transformed" : "Yes"}',
            '{"instance" : "i-0123456789", "state": [ 9, "RUNNING", true ], "Transformed" : "Yes"}',
        ),
        ('"<aws.events.rule-name> triggered"', '"example triggered"'),
        (
            '{"ruleArn" : <aws.events.rule-arn>, "n": <count>, "s": "n=<count>"}',
            '{"ruleArn" : "' + RULE + '", "n": 3, "s": "n=3"}',
        ),
        (
            '{"command": <missing>, "text": "x<missing>y"}',
            '{"command": "", "text": "xy"}',
        ),  # a path that is not in the event
        ('{"tags": <tags>, "text": "Detail is <tags>"}', '{"tags": {"a":"b"}, "text": "Detail is {a:b}"}'),
        (
            '"{[/Check with special starting characters for <state>"',
            '"{[/Check with special starting characters for RUNNING"',
        ),
        ("<not a placeholder> <unknown>", "<not a placeholder> <unknown>"),
    ],
)
def test_templates(template: str, expected: str) -> None:
    assert transformed(template) == expected


def test_predefined_event_variables() -> None:
    out = json.loads(transformed('{"originalEvent": <aws.events.event>, "originalEventJson": <aws.events.event.json>}'))
    assert out["originalEventJson"] == EVENT
    assert out["originalEvent"] == {
        "id": EVENT["id"], "account": "123456789012", "detailType": EVENT["detail-type"],
        "time": "2015-11-11T21:29:55Z", "source": "aws.ec2", "region": "us-east-1", "resources": EVENT["resources"],
        "version": "0",
    }  # fmt: skip
    assert transformed('"<aws.events.event.ingestion-time>"') == '"2015-11-11T21:29:55Z"'


def test_input_and_input_path() -> None:
    assert (
        target_input({"Id": "t", "Arn": "a", "Input": '{"fixed": true}'}, EVENT, RULE, "r", "now") == '{"fixed": true}'
    )
    assert target_input({"Id": "t", "Arn": "a", "InputPath": "$.detail.state"}, EVENT, RULE, "r", "now") == '"RUNNING"'
    assert (
        json.loads(target_input({"Id": "t", "Arn": "a", "InputPath": "$.detail"}, EVENT, RULE, "r", "now"))
        == EVENT["detail"]
    )
    assert target_input({"Id": "t", "Arn": "a"}, EVENT, RULE, "r", "now") == dumps(EVENT)
    assert dumps(EVENT).startswith('{"version":"0","id":')  # compact, in envelope order


@pytest.mark.parametrize(
    "path, expected",
    [
        ("$", EVENT),
        ("$.detail.state", "RUNNING"),
        ("$.resources[0]", EVENT["resources"][0]),
        ("$.detail.list[*]", [1, 2]),
        ("$.detail.tags.*", ["b"]),
        ("$['detail']['instance-id']", "i-0123456789"),
        ("$.detail.list[5]", None),
        ("$.nope.deeper", None),
        ("detail", None),
    ],
)
def test_paths(path: str, expected: Any) -> None:
    found = extract(EVENT, path)
    assert (found if isinstance(found, (dict, list, str, int)) else None) == expected


def test_invalid_placeholder() -> None:
    assert (
        invalid_placeholder({"InputPathsMap": {"a": "$.a"}, "InputTemplate": '{"x": <a>, "y": <aws.events.rule-arn>}'})
        is None
    )
    assert (
        invalid_placeholder({"InputPathsMap": {"a": "$.a"}, "InputTemplate": '{"x": <a>, "y": <notdefinedkey>}'})
        == "notdefinedkey"
    )


def test_render_leaves_unknown_names() -> None:
    assert render("a <b> c", {}) == "a <b> c"
