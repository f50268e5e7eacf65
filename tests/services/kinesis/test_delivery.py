"""The "kinesis" delivery target: an EventBridge rule with a Kinesis stream target puts each matched event into the
stream (partition key from KinesisParameters.PartitionKeyPath, else the event id); a target stream that does not
exist refuses for good, which sends the event to the target's dead-letter queue."""

from __future__ import annotations

import json
import time
from typing import Any

from ._helpers import arn, iterator, make_stream, read_shard


def _records(kinesis: Any, name: str, expected: int, timeout: float = 5.0) -> dict[str, list[dict[str, Any]]]:
    """The stream's records by shard, once there are ``expected`` of them (or the timeout passed)."""
    deadline = time.monotonic() + timeout
    while True:
        by_shard = {
            shard["ShardId"]: read_shard(kinesis, iterator(kinesis, name, shard["ShardId"]))[0]
            for shard in kinesis.list_shards(StreamName=name)["Shards"]
        }
        if sum(map(len, by_shard.values())) >= expected or time.monotonic() > deadline:
            return by_shard
        time.sleep(0.1)


def test_eventbridge_rule_delivers_into_a_stream(aws: Any, kinesis: Any, name: str) -> None:
    events = aws("events")
    make_stream(kinesis, name, 2)
    source = f"app.{name}"
    events.put_rule(Name=name, EventPattern=json.dumps({"source": [source]}))
    events.put_targets(
        Rule=name,
        Targets=[
            {"Id": "keyed", "Arn": arn(name), "KinesisParameters": {"PartitionKeyPath": "$.detail.customer"}},
            {"Id": "plain", "Arn": arn(name), "InputPath": "$.detail"},
        ],
    )
    out = events.put_events(
        Entries=[
            {"Source": source, "DetailType": "order", "Detail": json.dumps({"customer": "c-42", "n": i})}
            for i in range(3)
        ]
    )
    assert out["FailedEntryCount"] == 0
    ids = {entry["EventId"] for entry in out["Entries"]}
    by_shard = _records(kinesis, name, 6)
    records = [r for shard in by_shard.values() for r in shard]
    assert len(records) == 6
    keyed = [r for r in records if r["PartitionKey"] == "c-42"]
    plain = [r for r in records if r["PartitionKey"] in ids]
    assert len(keyed) == 3 and len(plain) == 3
    events_seen = [json.loads(r["Data"]) for r in keyed]
    assert {e["id"] for e in events_seen} == ids and all(e["source"] == source for e in events_seen)
    assert sorted(json.loads(r["Data"])["n"] for r in plain) == [0, 1, 2]  # InputPath: the detail alone
    # one partition key: one shard, in the order the events were put
    shard = [records for records in by_shard.values() if any(r["PartitionKey"] == "c-42" for r in records)]
    assert len(shard) == 1
    assert [json.loads(r["Data"])["detail"]["n"] for r in shard[0] if r["PartitionKey"] == "c-42"] == [0, 1, 2]


def test_missing_stream_sends_the_event_to_the_dead_letter_queue(aws: Any, name: str) -> None:
    events, sqs = aws("events"), aws("sqs")
    url = sqs.create_queue(QueueName=f"{name}-dlq")["QueueUrl"]
    dlq = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    source = f"app.{name}"
    events.put_rule(Name=name, EventPattern=json.dumps({"source": [source]}))
    events.put_targets(
        Rule=name, Targets=[{"Id": "gone", "Arn": arn(f"{name}-missing"), "DeadLetterConfig": {"Arn": dlq}}]
    )
    events.put_events(Entries=[{"Source": source, "DetailType": "t", "Detail": "{}"}])
    got = sqs.receive_message(QueueUrl=url, WaitTimeSeconds=5, MessageAttributeNames=["All"]).get("Messages", [])
    assert len(got) == 1
    attributes = got[0]["MessageAttributes"]
    assert attributes["ERROR_CODE"]["StringValue"] == "RESOURCE_NOT_FOUND"  # EventBridge's DLQ wording
    assert f"Stream {name}-missing under account" in attributes["ERROR_MESSAGE"]["StringValue"]
    assert json.loads(got[0]["Body"])["source"] == source
