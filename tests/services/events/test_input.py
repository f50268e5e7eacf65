"""What targets receive: Input, InputPath and InputTransformer, byte for byte as AWS sends them."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest

from ._helpers import entry, receive, rule_to_queue

DETAIL = {"command": "update-account", "payload": {"acc_id": "0a787ecb-4015", "sf_id": "baz"}, "count": 7}


@pytest.fixture(scope="module")
def events(aws: Callable[..., Any]) -> Any:
    return aws("events")


def _deliver(events: Any, sqs: Any, name: str, **target: Any) -> tuple[str, str]:
    """Route one event through a rule with this target configuration; (body received, event id)."""
    url, _ = rule_to_queue(events, sqs, name, {"source": [name]}, **target)
    event_id = events.put_events(Entries=[entry(name, DETAIL, detail_type="core.update-account-command")])["Entries"][
        0
    ]["EventId"]
    [message] = receive(sqs, url)
    return message["Body"], event_id


def test_constant_input(events: Any, sqs: Any, name: str) -> None:
    body, _ = _deliver(events, sqs, name, Input='{"fixed": [1, 2, 3]}')
    assert body == '{"fixed": [1, 2, 3]}'


def test_input_path(events: Any, sqs: Any, name: str) -> None:
    body, _ = _deliver(events, sqs, name, InputPath="$.detail.payload")
    assert body == '{"acc_id":"0a787ecb-4015","sf_id":"baz"}'


def test_input_path_to_a_string(events: Any, sqs: Any, name: str) -> None:
    body, _ = _deliver(events, sqs, name, InputPath="$.detail.payload.sf_id")
    assert body == '"baz"'


def test_transformer_string_template(events: Any, sqs: Any, name: str) -> None:
    transformer = {
        "InputPathsMap": {"detail-type": "$.detail-type", "command": "$.detail.command", "missing": "$.detail.nothing"},
        "InputTemplate": '"Event of <detail-type> type, command <command><missing>, rule <aws.events.rule-name>"',
    }
    body, _ = _deliver(events, sqs, name, InputTransformer=transformer)
    assert body == f'"Event of core.update-account-command type, command update-account, rule {name}"'


def test_transformer_json_template(events: Any, sqs: Any, name: str) -> None:
    transformer = {
        "InputPathsMap": {
            "command": "$.detail.command",
            "payload": "$.detail.payload",
            "count": "$.detail.count",
            "missing": "$.detail.nothing",
        },
        "InputTemplate": '{"command": <command>, "quoted": "<command>", "payload": <payload>, "n": <count>, '
        '"text": "n=<count> p=<payload>", "gone": <missing>}',
    }
    body, _ = _deliver(events, sqs, name, InputTransformer=transformer)
    assert body == (
        '{"command": "update-account", "quoted": "update-account", '
        '"payload": {"acc_id":"0a787ecb-4015","sf_id":"baz"}, '
        '"n": 7, "text": "n=7 p={acc_id:0a787ecb-4015,sf_id:baz}", "gone": ""}'
    )


def test_transformer_reserved_variables(events: Any, sqs: Any, name: str) -> None:
    transformer = {
        "InputTemplate": '{"arn": <aws.events.rule-arn>, "name": <aws.events.rule-name>, '
        '"event": <aws.events.event>, "full": <aws.events.event.json>}'
    }
    body, event_id = _deliver(events, sqs, name, InputTransformer=transformer)
    out = json.loads(body)
    assert out["arn"] == f"arn:aws:events:us-east-1:000000000000:rule/{name}" and out["name"] == name
    assert out["full"]["id"] == event_id and out["full"]["detail"] == DETAIL
    assert out["event"]["id"] == event_id and out["event"]["detailType"] == "core.update-account-command"
    assert "detail" not in out["event"]
