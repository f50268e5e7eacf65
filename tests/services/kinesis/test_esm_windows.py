"""Lambda event source mappings on Kinesis, the parts that shape batches: ParallelizationFactor (a shard's batches
at once, in order per partition key), TumblingWindowInSeconds (state carried between a window's invocations, a final
invocation when it ends, an answer without state failing), and an enhanced fan-out consumer's ARN as the source."""

from __future__ import annotations

import base64
import json
import time
from collections.abc import Callable
from typing import Any

from ..lambda_.zips import create
from ._helpers import arn, make_stream

# forwards each event, with when the handler ran, to OUT; sleeps SLEEP seconds; in a tumbling window it counts the
# window's records in its state (and answers no state at all for a record "stateless")
FORWARD = """
import base64, json, os, time, boto3
sqs = boto3.client("sqs")
def handler(event, context):
    start = time.time()
    time.sleep(float(os.environ.get("SLEEP", "0")))
    sqs.send_message(QueueUrl=os.environ["OUT"],
                     MessageBody=json.dumps({"event": event, "start": start, "end": time.time()}))
    datas = [base64.b64decode(r["kinesis"]["data"]).decode() for r in event["Records"]]
    if "window" not in event:
        return None
    if "stateless" in datas:
        return {}
    return {"state": {"count": event["state"].get("count", 0) + len(datas)}}
"""


def _function(aws: Callable[..., Any], name: str, sleep: float = 0.0) -> str:
    sqs = aws("sqs")
    out = sqs.create_queue(QueueName=f"{name}-out")["QueueUrl"]
    env = {"OUT": out, "SLEEP": str(sleep)}
    create(aws("lambda"), name, {"index.py": FORWARD}, Timeout=10, Environment={"Variables": env})
    return str(out)


def _invocations(sqs: Any, url: str, done: Callable[[list[dict[str, Any]]], bool], seconds: float = 30) -> list[Any]:
    found: list[dict[str, Any]] = []
    deadline = time.monotonic() + seconds
    while not done(found):
        assert time.monotonic() < deadline, found
        for message in sqs.receive_message(QueueUrl=url, WaitTimeSeconds=1, MaxNumberOfMessages=10).get("Messages", []):
            found.append(json.loads(message["Body"]))
            sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])
    return found


def _data(event: dict[str, Any]) -> list[str]:
    return [base64.b64decode(r["kinesis"]["data"]).decode() for r in event["Records"]]


def _records(found: list[dict[str, Any]]) -> int:
    return sum(len(f["event"]["Records"]) for f in found)


def test_parallelization_factor(aws: Callable[..., Any], name: str) -> None:
    kinesis, sqs = aws("kinesis"), aws("sqs")
    out = _function(aws, name, sleep=0.6)
    make_stream(kinesis, name)
    keys = "abcdefgh"
    put = [f"{key}-{i}" for i in range(3) for key in keys]
    kinesis.put_records(StreamName=name, Records=[{"Data": d.encode(), "PartitionKey": d[0]} for d in put])
    aws("lambda").create_event_source_mapping(
        EventSourceArn=arn(name), FunctionName=name, StartingPosition="TRIM_HORIZON", BatchSize=3,
        ParallelizationFactor=4,
    )  # fmt: skip
    found = _invocations(sqs, out, lambda f: _records(f) >= len(put))
    assert sorted(d for f in found for d in _data(f["event"])) == sorted(put)
    assert all(len(f["event"]["Records"]) <= 3 for f in found)
    found.sort(key=lambda f: f["start"])
    for key in keys:  # in put order per partition key
        assert [d for f in found for d in _data(f["event"]) if d[0] == key] == [f"{key}-{i}" for i in range(3)]
    overlapping = any(
        a["start"] < b["end"] and b["start"] < a["end"] for i, a in enumerate(found) for b in found[i + 1 :]
    )
    assert overlapping  # one shard's batches ran at once (one at a time, 8+ batches of 0.6 s would never overlap)


def test_tumbling_window_state_and_final_invocation(aws: Callable[..., Any], name: str) -> None:
    kinesis, sqs = aws("kinesis"), aws("sqs")
    out = _function(aws, name)
    make_stream(kinesis, name)
    aws("lambda").create_event_source_mapping(
        EventSourceArn=arn(name), FunctionName=name, StartingPosition="TRIM_HORIZON", BatchSize=2,
        TumblingWindowInSeconds=2,
    )  # fmt: skip
    for i in range(5):
        kinesis.put_record(StreamName=name, Data=f"r{i}".encode(), PartitionKey="k")

    def finals(found: list[dict[str, Any]]) -> list[dict[str, Any]]:
        return [f["event"] for f in found if f["event"]["isFinalInvokeForWindow"]]

    found = _invocations(sqs, out, lambda f: sum(e["state"].get("count", 0) for e in finals(f)) >= 5, seconds=40)
    events = [f["event"] for f in sorted(found, key=lambda f: f["start"])]
    assert [d for e in events for d in _data(e)] == [f"r{i}" for i in range(5)]
    assert sum(e["state"].get("count", 0) for e in finals(found)) == 5
    runs: dict[str, list[list[dict[str, Any]]]] = {}  # per window, its invocations up to each final one
    for event in events:
        assert event["shardId"] == "shardId-000000000000" and event["eventSourceARN"] == arn(name)
        assert event["isWindowTerminatedEarly"] is False
        assert event["window"]["start"].endswith("Z") and event["window"]["end"] > event["window"]["start"]
        window_runs = runs.setdefault(event["window"]["start"], [[]])
        window_runs[-1].append(event)
        if event["isFinalInvokeForWindow"]:
            window_runs.append([])
    for window in [run for window_runs in runs.values() for run in window_runs if run]:
        seen = 0
        for event in window:  # each invocation gets the state the previous one of its window answered
            assert event["state"].get("count", 0) == seen
            seen += len(event["Records"])
        assert window[-1]["isFinalInvokeForWindow"] and window[-1]["Records"] == []
        assert not any(e["isFinalInvokeForWindow"] for e in window[:-1])
        for event in window:
            for record in event["Records"]:  # a record belongs to the window of its arrival
                arrival = record["kinesis"]["approximateArrivalTimestamp"]
                assert _epoch(event["window"]["start"]) <= arrival < _epoch(event["window"]["end"])


def _epoch(iso: str) -> float:
    import datetime as dt

    return dt.datetime.strptime(iso, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=dt.UTC).timestamp()


def test_an_answer_without_state_fails_the_windowed_batch(aws: Callable[..., Any], name: str) -> None:
    kinesis, sqs = aws("kinesis"), aws("sqs")
    out = _function(aws, name)
    make_stream(kinesis, name)
    kinesis.put_record(StreamName=name, Data=b"stateless", PartitionKey="k")
    uuid = aws("lambda").create_event_source_mapping(
        EventSourceArn=arn(name), FunctionName=name, StartingPosition="TRIM_HORIZON", BatchSize=1,
        TumblingWindowInSeconds=60, MaximumRetryAttempts=1,
    )["UUID"]  # fmt: skip
    found = _invocations(sqs, out, lambda f: len(f) >= 2)
    assert [_data(f["event"]) for f in found] == [["stateless"], ["stateless"]]  # retried as a failure
    deadline = time.monotonic() + 10
    while aws("lambda").get_event_source_mapping(UUID=uuid)["LastProcessingResult"] != "PROBLEM: Function call failed":
        assert time.monotonic() < deadline
        time.sleep(0.1)


def test_enhanced_fan_out_consumer_as_source(aws: Callable[..., Any], name: str) -> None:
    kinesis, sqs, client = aws("kinesis"), aws("sqs"), aws("lambda")
    out = _function(aws, name)
    make_stream(kinesis, name)
    consumer = kinesis.register_stream_consumer(StreamARN=arn(name), ConsumerName="efo")["Consumer"]["ConsumerARN"]
    deadline = time.monotonic() + 10
    while kinesis.describe_stream_consumer(ConsumerARN=consumer)["ConsumerDescription"]["ConsumerStatus"] != "ACTIVE":
        assert time.monotonic() < deadline
        time.sleep(0.05)
    missing = f"{arn(name)}/consumer/nope:1"
    try:
        client.create_event_source_mapping(EventSourceArn=missing, FunctionName=name, StartingPosition="LATEST")
    except client.exceptions.InvalidParameterValueException as error:
        assert missing in str(error)
    else:
        raise AssertionError("a mapping on a consumer that does not exist was created")
    mapping = client.create_event_source_mapping(
        EventSourceArn=consumer, FunctionName=name, StartingPosition="TRIM_HORIZON"
    )
    assert mapping["EventSourceArn"] == consumer
    kinesis.put_records(StreamName=name, Records=[{"Data": f"e{i}".encode(), "PartitionKey": "k"} for i in range(3)])
    found = _invocations(sqs, out, lambda f: _records(f) >= 3)
    assert [d for f in found for d in _data(f["event"])] == ["e0", "e1", "e2"]
    assert found[0]["event"]["Records"][0]["eventSourceARN"] == consumer
