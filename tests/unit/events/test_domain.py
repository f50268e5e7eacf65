"""EventBridge's pure domain logic: PutEvents entries, scheduled rules' next firing, replayed events, the dead
letter's attributes, and what DescribeConnection may show (no server, no store)."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from gureum.services.events.connections import public_auth
from gureum.services.events.errors import ValidationException
from gureum.services.events.ingest import build_event, entry_size
from gureum.services.events.names import resolve_bus, rule_from_arn
from gureum.services.events.routing import dead_letter_attributes
from gureum.services.events.store import Rule
from gureum.services.events.timers import next_firing, with_replay_name

NOW = 1_700_000_000_000  # epoch ms


def _rule(schedule: str, anchor: int | None = None) -> Rule:
    return Rule(1, "000000000000", "us-east-1", "default", "r", None, schedule, "ENABLED", None, None, None, {}, 0,
                anchor, None)  # fmt: skip


def test_entry_size_counts_time_and_resources() -> None:
    entry = {"Source": "src", "DetailType": "dt", "Detail": "{}", "Resources": ["ab", ""]}
    assert entry_size(entry) == 3 + 2 + 2 + 2
    assert entry_size({**entry, "Time": datetime(2024, 1, 1, tzinfo=UTC)}) == 9 + 14


def test_build_event_envelope_and_failures() -> None:
    entry = {"Source": "src", "DetailType": "dt", "Detail": json.dumps({"k": 1}), "Resources": ["arn:x"]}
    event = build_event(entry, "111122223333", "eu-west-1", NOW)
    assert {k: v for k, v in event.items() if k != "id"} == {
        "version": "0",
        "detail-type": "dt",
        "source": "src",
        "account": "111122223333",
        "time": "2023-11-14T22:13:20Z",
        "region": "eu-west-1",
        "resources": ["arn:x"],
        "detail": {"k": 1},
    }
    assert build_event({**entry, "Detail": "[1]"}, "a", "r", NOW) == {
        "ErrorCode": "MalformedDetail",
        "ErrorMessage": "Detail is malformed.",
    }
    assert build_event({**entry, "Source": ""}, "a", "r", NOW)["ErrorCode"] == "InvalidArgument"


def test_next_firing_rate_counts_from_anchor() -> None:
    rule = _rule("rate(5 minutes)", anchor=NOW)
    assert next_firing(rule, NOW) == NOW + 300_000
    assert next_firing(rule, NOW + 301_000) == NOW + 600_000


def test_next_firing_cron_is_utc() -> None:
    rule = _rule("cron(0 12 * * ? *)")
    start = int(datetime(2024, 3, 1, 13, 0, tzinfo=UTC).timestamp() * 1000)
    assert next_firing(rule, start) == int(datetime(2024, 3, 2, 12, 0, tzinfo=UTC).timestamp() * 1000)


def test_replayed_event_names_its_replay_after_region() -> None:
    event = {"id": "1", "region": "us-east-1", "detail": {}}
    assert list(with_replay_name(event, "rp")) == ["id", "region", "replay-name", "detail"]
    assert with_replay_name({"id": "1"}, "rp") == {"id": "1", "replay-name": "rp"}


def test_dead_letter_attributes() -> None:
    given = {
        "ERROR_CODE": {"DataType": "String", "StringValue": "AWS.SimpleQueueService.NonExistentQueue"},
        "ERROR_MESSAGE": {"DataType": "String", "StringValue": "gone"},
        "RETRY_ATTEMPTS": {"DataType": "String", "StringValue": "3"},
    }
    out = {name: value["StringValue"] for name, value in dead_letter_attributes(given, "rule", "t", 3).items()}
    assert out == {
        "RULE_ARN": "rule",
        "TARGET_ARN": "t",
        "ERROR_CODE": "RESOURCE_NOT_FOUND",
        "ERROR_MESSAGE": "gone",
        "EXHAUSTED_RETRY_CONDITION": "MaximumRetryAttempts",
        "RETRY_ATTEMPTS": "2",
    }
    aged = dead_letter_attributes({}, "rule", "t", 5)
    assert aged["EXHAUSTED_RETRY_CONDITION"]["StringValue"] == "MaximumEventAgeInSeconds"
    assert aged["ERROR_CODE"]["StringValue"] == "UNKNOWN" and "ERROR_MESSAGE" not in aged


def test_public_auth_hides_secrets() -> None:
    auth = {
        "ApiKeyAuthParameters": {"ApiKeyName": "x-key", "ApiKeyValue": "secret"},
        "InvocationHttpParameters": {
            "HeaderParameters": [
                {"Key": "a", "Value": "shown", "IsValueSecret": False},
                {"Key": "b", "Value": "hidden", "IsValueSecret": True},
            ]
        },
    }
    shown = public_auth(auth)
    assert shown["ApiKeyAuthParameters"] == {"ApiKeyName": "x-key"}
    assert shown["InvocationHttpParameters"]["HeaderParameters"] == [
        {"Key": "a", "Value": "shown", "IsValueSecret": False},
        {"Key": "b", "IsValueSecret": True},
    ]
    assert auth["ApiKeyAuthParameters"]["ApiKeyValue"] == "secret"  # the stored parameters are not changed


def test_bus_and_rule_names() -> None:
    assert resolve_bus("1", "r", None) == ("1", "r", "default")
    assert resolve_bus("1", "r", "arn:aws:events:eu-west-1:222233334444:event-bus/b") == (
        "222233334444",
        "eu-west-1",
        "b",
    )
    with pytest.raises(ValidationException):
        resolve_bus("1", "r", "arn:aws:events:eu-west-1:222233334444:rule/b")
    assert rule_from_arn("arn:aws:events:us-east-1:111122223333:rule/bus/name") == (
        "111122223333",
        "us-east-1",
        "bus",
        "name",
    )
