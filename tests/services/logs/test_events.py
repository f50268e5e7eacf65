"""PutLogEvents (limits, rejections), GetLogEvents token walks both ways, FilterLogEvents with each pattern kind,
paging and time ranges; retention hiding and sweeping old events; metric filters."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from typing import Any

import pytest

from tests.expect import expect_error

HOUR = 3_600_000
DAY = 24 * HOUR


@pytest.fixture
def logs(aws: Callable[..., Any]) -> Any:
    return aws("logs")


def now_ms() -> int:
    return int(time.time() * 1000)


def make_stream(logs: Any, group: str, *streams: str) -> None:
    logs.create_log_group(logGroupName=group)
    for stream in streams:
        logs.create_log_stream(logGroupName=group, logStreamName=stream)


def put(logs: Any, group: str, stream: str, messages: list[str], start: int, step: int = 1) -> dict[str, Any]:
    events = [{"timestamp": start + i * step, "message": m} for i, m in enumerate(messages)]
    return logs.put_log_events(logGroupName=group, logStreamName=stream, logEvents=events)  # type: ignore[no-any-return]


def test_put_log_events_rules(logs: Any, aws: Callable[..., Any], name: str) -> None:
    make_stream(logs, name, "s")
    now = now_ms()
    out = put(logs, name, "s", ["a", "b"], now - 1000)
    assert len(out["nextSequenceToken"]) == 56 and "rejectedLogEventsInfo" not in out
    # sequence tokens are accepted and ignored
    logs.put_log_events(
        logGroupName=name, logStreamName="s", sequenceToken="1234", logEvents=[{"timestamp": now, "message": "c"}]
    )
    # too old (> 14 days), too new (> 2 h ahead): reported, the rest stored
    events = [
        {"timestamp": now - 15 * DAY, "message": "old1"},
        {"timestamp": now - 15 * DAY + 1, "message": "old2"},
        {"timestamp": now - 10, "message": "ok"},
        {"timestamp": now + 3 * HOUR, "message": "new1"},
        {"timestamp": now + 3 * HOUR + 1, "message": "new2"},
    ]
    out = logs.put_log_events(logGroupName=name, logStreamName="s", logEvents=events)
    assert out["rejectedLogEventsInfo"] == {"tooOldLogEventEndIndex": 1, "tooNewLogEventStartIndex": 3}
    got = logs.get_log_events(logGroupName=name, logStreamName="s", startFromHead=True)["events"]
    assert [e["message"] for e in got] == ["a", "b", "ok", "c"]
    assert all(e["ingestionTime"] >= now - 5000 for e in got)

    expect_error(
        logs.put_log_events,
        "InvalidParameterException",
        "Log events in a single PutLogEvents request must be in chronological order.",
        logGroupName=name,
        logStreamName="s",
        logEvents=[{"timestamp": now, "message": "x"}, {"timestamp": now - 1, "message": "y"}],
    )
    expect_error(
        logs.put_log_events,
        "InvalidParameterException",
        "The batch of log events in a single PutLogEvents request cannot span more than 24 hours.",
        logGroupName=name,
        logStreamName="s",
        logEvents=[{"timestamp": now - 2 * DAY, "message": "x"}, {"timestamp": now, "message": "y"}],
    )
    # 1,048,576 bytes counting 26 per event: exactly at the limit passes, one byte more fails
    body = 1_048_576 - 26 * 2
    logs.put_log_events(
        logGroupName=name,
        logStreamName="s",
        logEvents=[{"timestamp": now, "message": "x" * (body - 1)}, {"timestamp": now, "message": "y"}],
    )
    error = expect_error(
        logs.put_log_events,
        "InvalidParameterException",
        logGroupName=name,
        logStreamName="s",
        logEvents=[{"timestamp": now, "message": "x" * body}, {"timestamp": now, "message": "y"}],
    )
    assert "1048577" in error["Message"]
    expect_error(
        logs.put_log_events,
        "InvalidParameterException",
        logGroupName=name,
        logStreamName="s",
        logEvents=[{"timestamp": now, "message": "x"}] * 10_001,
    )
    unchecked = aws("logs", parameter_validation=False)
    error = expect_error(
        unchecked.put_log_events, "InvalidParameterException", logGroupName=name, logStreamName="s", logEvents=[]
    )
    assert (
        error["Message"].startswith("1 validation error detected: ")
        and "at 'logEvents' failed to satisfy constraint: Member must have length greater than or equal to 1"
        in error["Message"]
    )
    expect_error(
        logs.put_log_events,
        "ResourceNotFoundException",
        "The specified log stream does not exist.",
        logGroupName=name,
        logStreamName="nope",
        logEvents=[{"timestamp": now, "message": "x"}],
    )
    expect_error(
        logs.put_log_events,
        "ResourceNotFoundException",
        "The specified log group does not exist.",
        logGroupName=name + "-x",
        logStreamName="s",
        logEvents=[{"timestamp": now, "message": "x"}],
    )


def test_get_log_events_walks_both_ways(logs: Any, name: str) -> None:
    make_stream(logs, name, "s")
    start = now_ms() - 60_000
    put(logs, name, "s", [f"m{i:02d}" for i in range(25)], start)

    newest = logs.get_log_events(logGroupName=name, logStreamName="s", limit=10)  # default: the newest, oldest first
    assert [e["message"] for e in newest["events"]] == [f"m{i:02d}" for i in range(15, 25)]
    assert newest["nextForwardToken"].startswith("f/") and newest["nextBackwardToken"].startswith("b/")
    # walk backwards to the head; at the end AWS returns the same token
    seen, token = [], newest["nextBackwardToken"]
    while True:
        page = logs.get_log_events(logGroupName=name, logStreamName="s", limit=10, nextToken=token)
        seen = [e["message"] for e in page["events"]] + seen
        if page["nextBackwardToken"] == token:
            break
        token = page["nextBackwardToken"]
    assert seen == [f"m{i:02d}" for i in range(15)]
    # forward from the head
    seen, token = [], None
    while True:
        kwargs = {"nextToken": token} if token else {"startFromHead": True}
        page = logs.get_log_events(logGroupName=name, logStreamName="s", limit=7, **kwargs)
        seen += [e["message"] for e in page["events"]]
        if page["nextForwardToken"] == token:
            assert page["events"] == []
            break
        token = page["nextForwardToken"]
    assert seen == [f"m{i:02d}" for i in range(25)]
    # new events appear after the end token
    put(logs, name, "s", ["late"], start + 100)
    assert [
        e["message"] for e in logs.get_log_events(logGroupName=name, logStreamName="s", nextToken=token)["events"]
    ] == ["late"]
    # time range: startTime inclusive, endTime exclusive
    ranged = logs.get_log_events(
        logGroupName=name, logStreamName="s", startTime=start + 3, endTime=start + 6, startFromHead=True
    )["events"]
    assert [e["message"] for e in ranged] == ["m03", "m04", "m05"]
    empty = logs.get_log_events(logGroupName=name, logStreamName="s", startTime=start + 10_000, startFromHead=True)
    assert empty["events"] == [] and empty["nextForwardToken"].startswith("f/")
    expect_error(
        logs.get_log_events, "InvalidParameterException", logGroupName=name, logStreamName="s", nextToken="x/123"
    )


def test_filter_log_events_across_streams(logs: Any, name: str) -> None:
    make_stream(logs, name, "web-1", "web-2", "worker")
    start = now_ms() - 60_000
    put(logs, name, "web-1", ["ERROR disk full", "INFO ok", "WARN slow"], start, step=10)
    put(logs, name, "web-2", ["INFO ok", "ERROR Exception: boom", "ERROR timeout"], start + 5, step=10)
    put(
        logs,
        name,
        "worker",
        [
            json.dumps({"level": "error", "latency": 900, "user": {"id": "u1"}}),
            json.dumps({"level": "info", "latency": 10}),
        ],
        start + 1,
        step=10,
    )
    put(
        logs,
        name,
        "worker",
        [
            '10.0.0.1 - bob [25/Nov/2026:03:00:00 +0000] "GET /x HTTP/1.1" 500 2048',
            '10.0.0.2 - amy [25/Nov/2026:03:00:01 +0000] "GET /y HTTP/1.1" 200 12',
        ],
        start + 40,
        step=1,
    )

    def messages(**kwargs: Any) -> list[str]:
        return [e["message"] for e in logs.filter_log_events(logGroupName=name, **kwargs)["events"]]

    everything = logs.filter_log_events(logGroupName=name)["events"]
    assert len(everything) == 10
    assert [e["timestamp"] for e in everything] == sorted(e["timestamp"] for e in everything)  # interleaved by time
    assert (
        everything[0] == {**everything[0], "logStreamName": "web-1", "message": "ERROR disk full"}
        and len(everything[0]["eventId"]) == 56
    )
    assert messages(filterPattern="ERROR") == ["ERROR disk full", "ERROR Exception: boom", "ERROR timeout"]
    assert messages(filterPattern="ERROR -Exception") == ["ERROR disk full", "ERROR timeout"]
    assert messages(filterPattern='"disk full"') == ["ERROR disk full"]
    assert messages(filterPattern="?WARN ?timeout") == ["WARN slow", "ERROR timeout"]
    assert messages(filterPattern='{ $.level = "error" && $.latency > 500 }') == [everything[1]["message"]]
    assert messages(filterPattern="{ $.user.id EXISTS }") == [everything[1]["message"]]
    assert messages(filterPattern="[ip, ..., status=5*, size>1000]") == [everything[-2]["message"]]
    assert messages(filterPattern="ERROR", logStreamNames=["web-2"]) == ["ERROR Exception: boom", "ERROR timeout"]
    assert messages(filterPattern="INFO", logStreamNamePrefix="web-") == ["INFO ok", "INFO ok"]
    assert messages(logStreamNames=["missing"]) == []
    # startTime and endTime are both inclusive here
    ranged = logs.filter_log_events(logGroupName=name, startTime=start + 10, endTime=start + 15)["events"]
    assert [e["timestamp"] - start for e in ranged] == [10, 11, 15]
    expect_error(
        logs.filter_log_events,
        "InvalidParameterException",
        logGroupName=name,
        logStreamNames=["a"],
        logStreamNamePrefix="a",
    )
    expect_error(logs.filter_log_events, "InvalidParameterException", logGroupName=name, filterPattern="{ $.a = ")
    expect_error(
        logs.filter_log_events,
        "ResourceNotFoundException",
        "The specified log group does not exist.",
        logGroupName=name + "-x",
    )

    # paging: limit and nextToken, and the paginator (what `aws logs tail` drives) give every event once
    token, paged = None, []
    while True:
        page = logs.filter_log_events(logGroupName=name, limit=3, **({"nextToken": token} if token else {}))
        paged += page["events"]
        token = page.get("nextToken")
        if not token:
            break
    assert paged == everything
    pager = logs.get_paginator("filter_log_events").paginate(
        logGroupIdentifier=name, startTime=start, interleaved=True, PaginationConfig={"PageSize": 4}
    )
    assert [e["eventId"] for p in pager for e in p["events"]] == [e["eventId"] for e in everything]


def test_retention_hides_and_sweeps_old_events(logs: Any, name: str) -> None:
    make_stream(logs, name, "s")
    now = now_ms()
    put(logs, name, "s", ["two days old", "older still"], now - 2 * DAY - 10, step=1)
    put(logs, name, "s", ["fresh"], now - 1000)
    assert logs.describe_log_groups(logGroupNamePrefix=name)["logGroups"][0]["storedBytes"] == len(
        "two days oldolder stillfresh"
    )
    logs.put_retention_policy(logGroupName=name, retentionInDays=1)
    assert [
        e["message"] for e in logs.get_log_events(logGroupName=name, logStreamName="s", startFromHead=True)["events"]
    ] == ["fresh"]
    assert [e["message"] for e in logs.filter_log_events(logGroupName=name)["events"]] == ["fresh"]
    # the sweep (woken by the policy change) really deletes them: the group's storedBytes drops
    deadline = time.time() + 10
    while logs.describe_log_groups(logGroupNamePrefix=name)["logGroups"][0]["storedBytes"] != len("fresh"):
        assert time.time() < deadline, "retention sweep did not remove the expired events"
        time.sleep(0.1)
    logs.delete_retention_policy(logGroupName=name)
    assert [e["message"] for e in logs.filter_log_events(logGroupName=name)["events"]] == ["fresh"]  # gone for good
    # events older than the retention are rejected as expired
    logs.put_retention_policy(logGroupName=name, retentionInDays=1)
    out = put(logs, name, "s", ["expired", "kept"], now - DAY - 60_000, step=120_000)
    assert out["rejectedLogEventsInfo"] == {"expiredLogEventEndIndex": 0}


def test_a_log_group_holds_at_most_five_filters_with_regular_expressions(logs: Any, name: str) -> None:
    make_stream(logs, name)
    transformation = {"metricName": "Errors", "metricNamespace": "App", "metricValue": "1"}

    def put(filter_name: str, pattern: str) -> None:
        logs.put_metric_filter(
            logGroupName=name, filterName=filter_name, filterPattern=pattern, metricTransformations=[transformation]
        )

    for i in range(5):
        put(f"r{i}", f"%err{i}%")
    put("plain", "ERROR")  # a pattern without a regular expression does not count
    put("r0", "%other%")  # replacing one of the five keeps five
    expect_error(
        logs.put_metric_filter,
        "LimitExceededException",
        logGroupName=name,
        filterName="r5",
        filterPattern="%err5%",
        metricTransformations=[transformation],
    )
    expect_error(
        logs.put_metric_filter,
        "InvalidParameterException",
        logGroupName=name,
        filterName="three",
        filterPattern="%a% %b% %c%",
        metricTransformations=[transformation],
    )  # two per pattern
    logs.delete_metric_filter(logGroupName=name, filterName="r1")
    put("r5", "%err5%")
    assert len(logs.describe_metric_filters(logGroupName=name)["metricFilters"]) == 6


def test_metric_filters(logs: Any, name: str) -> None:
    make_stream(logs, name)
    transformation = {"metricName": "Errors", "metricNamespace": "App", "metricValue": "1", "defaultValue": 0.0}
    logs.put_metric_filter(
        logGroupName=name, filterName="errors", filterPattern="ERROR", metricTransformations=[transformation]
    )
    logs.put_metric_filter(
        logGroupName=name,
        filterName="slow",
        filterPattern="[ip, ..., size>100]",
        metricTransformations=[{**transformation, "metricName": "Slow"}],
    )
    found = logs.describe_metric_filters(logGroupName=name)["metricFilters"]
    assert [(f["filterName"], f["filterPattern"], f["logGroupName"]) for f in found] == [
        ("errors", "ERROR", name),
        ("slow", "[ip, ..., size>100]", name),
    ]
    assert found[0]["metricTransformations"] == [transformation] and found[0]["creationTime"] > 0
    assert [
        f["filterName"]
        for f in logs.describe_metric_filters(metricName="Slow", metricNamespace="App")["metricFilters"]
        if f["logGroupName"] == name
    ] == ["slow"]
    assert logs.describe_log_groups(logGroupNamePrefix=name)["logGroups"][0]["metricFilterCount"] == 2
    page = logs.describe_metric_filters(logGroupName=name, limit=1)
    assert [
        f["filterName"]
        for f in logs.describe_metric_filters(logGroupName=name, nextToken=page["nextToken"])["metricFilters"]
    ] == ["slow"]
    logs.delete_metric_filter(logGroupName=name, filterName="errors")
    expect_error(logs.delete_metric_filter, "ResourceNotFoundException", logGroupName=name, filterName="errors")
    expect_error(
        logs.put_metric_filter,
        "InvalidParameterException",
        logGroupName=name,
        filterName="bad",
        filterPattern="{ $.x ==",
        metricTransformations=[transformation],
    )
    expect_error(
        logs.put_metric_filter,
        "ResourceNotFoundException",
        logGroupName=name + "-x",
        filterName="f",
        filterPattern="",
        metricTransformations=[transformation],
    )

    matches = logs.test_metric_filter(
        filterPattern="[ip, user, status=4*, size]",
        logEventMessages=["1.2.3.4 bob 404 10", "1.2.3.4 bob 200 10", "short"],
    )["matches"]
    assert matches == [
        {
            "eventNumber": 1,
            "eventMessage": "1.2.3.4 bob 404 10",
            "extractedValues": {"$ip": "1.2.3.4", "$user": "bob", "$status": "404", "$size": "10"},
        }
    ]
    assert [
        m["eventNumber"]
        for m in logs.test_metric_filter(filterPattern="?a ?c", logEventMessages=["a", "b", "c"])["matches"]
    ] == [1, 3]
