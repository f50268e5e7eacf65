"""The CloudWatch logging option acted on: records that fail to parse and output deliveries that fail for good are
written to the option's log stream as the application's error messages."""

from __future__ import annotations

import json
import time
from typing import Any

from .conftest import ROLE, json_input, kinesis_output, make_stream, put_json
from .test_windows import _start

PASS = """
CREATE OR REPLACE STREAM "DEST" (page VARCHAR(32));
CREATE OR REPLACE PUMP "P" AS INSERT INTO "DEST" SELECT STREAM page FROM "SOURCE_SQL_STREAM_001";
"""


def _messages(logs: Any, group: str, stream: str, count: int, timeout: float = 15.0) -> list[dict[str, Any]]:
    deadline = time.monotonic() + timeout
    while True:
        events = logs.get_log_events(logGroupName=group, logStreamName=stream, startFromHead=True)["events"]
        if len(events) >= count or time.monotonic() > deadline:
            return [json.loads(e["message"]) for e in events]
        time.sleep(0.2)


def test_parse_and_delivery_failures_reach_the_log_stream(aws: Any, kda: Any, kinesis: Any, name: str) -> None:
    logs = aws("logs")
    logs.create_log_group(logGroupName=name)
    logs.create_log_stream(logGroupName=name, logStreamName="app")
    group_arn = logs.describe_log_groups(logGroupNamePrefix=name)["logGroups"][0]["arn"].removesuffix(":*")
    source = make_stream(kinesis, name + "-in")
    dest = make_stream(kinesis, name + "-out")
    kda.create_application(
        ApplicationName=name,
        ApplicationCode=PASS,
        Inputs=[json_input(source, [("page", "VARCHAR(32)")])],
        Outputs=[kinesis_output("DEST", dest)],
        CloudWatchLoggingOptions=[{"LogStreamARN": f"{group_arn}:log-stream:app", "RoleARN": ROLE}],
    )
    _start(kda, name)
    app_arn = kda.describe_application(ApplicationName=name)["ApplicationDetail"]["ApplicationARN"]
    kinesis.put_record(StreamName=name + "-in", Data=b"{not json", PartitionKey="bad")
    parsed = _messages(logs, name, "app", 1)
    assert len(parsed) == 1, parsed
    assert parsed[0]["applicationARN"] == app_arn and parsed[0]["messageType"] == "ERROR"
    assert parsed[0]["errorCode"] == "InputError" and "Parse_Failed" in parsed[0]["message"]

    kinesis.delete_stream(StreamName=name + "-out")
    deadline = time.monotonic() + 10
    while name + "-out" in kinesis.list_streams()["StreamNames"] and time.monotonic() < deadline:
        time.sleep(0.1)
    put_json(kinesis, name + "-in", [{"page": "/gone"}])
    found = _messages(logs, name, "app", 2)
    failed = [m for m in found if m["errorCode"] == "OutputError"]
    assert len(failed) == 1, found
    assert dest in failed[0]["message"] and "DEST" in failed[0]["message"]
    kda.stop_application(ApplicationName=name)
