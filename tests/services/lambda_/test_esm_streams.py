"""Event source mappings on Kinesis and DynamoDB streams end to end: AWS's event shapes, per-shard order, batch sizes,
starting positions, retries with an OnFailure destination, bisect, ReportBatchItemFailures, checkpoints across a
restart, and PutRecord → handler latency."""

from __future__ import annotations

import base64
import json
import statistics
import time
from collections.abc import Callable
from typing import Any

from ...conftest import StoreFactory, make_client
from ...server import Server
from .zips import create

# forwards each event (and when the handler saw it) to OUT; a record whose data is "boom" fails the invocation, a
# record whose data starts with "bad" is reported as a batch item failure
FORWARD = """
import base64, json, os, time, boto3
sqs = boto3.client("sqs")
def handler(event, context):
    seen = time.time()
    sqs.send_message(QueueUrl=os.environ["OUT"], MessageBody=json.dumps({"event": event, "seen": seen}))
    datas = [base64.b64decode(r["kinesis"]["data"]).decode() for r in event["Records"] if "kinesis" in r]
    if "boom" in datas:
        raise RuntimeError("boom")
    return {"batchItemFailures": [{"itemIdentifier": r["kinesis"]["sequenceNumber"]} for r, d in
                                  zip(event["Records"], datas) if d.startswith("bad")]}
"""


def _queue(sqs: Any, name: str) -> tuple[str, str]:
    url = sqs.create_queue(QueueName=name)["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    return url, str(arn)


def _stream(kinesis: Any, name: str, shards: int = 1) -> str:
    kinesis.create_stream(StreamName=name, ShardCount=shards)
    kinesis.get_waiter("stream_exists").wait(StreamName=name, WaiterConfig={"Delay": 0.2, "MaxAttempts": 100})
    return str(kinesis.describe_stream_summary(StreamName=name)["StreamDescriptionSummary"]["StreamARN"])


def _function(aws: Callable[..., Any], name: str) -> str:
    """A forwarding function ``name``; the URL of the queue it forwards to."""
    out, _ = _queue(aws("sqs"), f"{name}-out")
    create(aws("lambda"), name, {"index.py": FORWARD}, Timeout=5, Environment={"Variables": {"OUT": out}})
    return out


def _messages(sqs: Any, url: str, count: int, seconds: float = 20) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    deadline = time.monotonic() + seconds
    while len(found) < count and time.monotonic() < deadline:
        got = sqs.receive_message(QueueUrl=url, WaitTimeSeconds=1, MaxNumberOfMessages=10).get("Messages", [])
        for message in got:
            found.append(json.loads(message["Body"]))
            sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])
    return found


def _events(sqs: Any, url: str, records: int, seconds: float = 20) -> list[list[dict[str, Any]]]:
    """The batches forwarded to ``url`` until ``records`` records arrived."""
    found: list[list[dict[str, Any]]] = []
    deadline = time.monotonic() + seconds
    while sum(len(b) for b in found) < records and time.monotonic() < deadline:
        found += [m["event"]["Records"] for m in _messages(sqs, url, 1, seconds=1)]
    return found


def _data(batch: list[dict[str, Any]]) -> list[str]:
    return [base64.b64decode(r["kinesis"]["data"]).decode() for r in batch]


def _wait_state(client: Any, uuid: str, state: str) -> dict[str, Any]:
    deadline = time.monotonic() + 10
    while True:
        got = client.get_event_source_mapping(UUID=uuid)
        if got["State"] == state or time.monotonic() > deadline:
            assert got["State"] == state, got
            return dict(got)
        time.sleep(0.05)


def _put(kinesis: Any, stream: str, data: str, key: str = "k") -> str:
    return str(kinesis.put_record(StreamARN=stream, Data=data.encode(), PartitionKey=key)["SequenceNumber"])


def test_kinesis_order_batches_and_event_shape(aws: Callable[..., Any], name: str) -> None:
    client, kinesis, sqs = aws("lambda"), aws("kinesis"), aws("sqs")
    out = _function(aws, name)
    stream = _stream(kinesis, name, shards=2)
    put = {f"{key}-{i}": _put(kinesis, stream, f"{key}-{i}", key) for i in range(12) for key in ("a", "b", "c")}
    created = client.create_event_source_mapping(
        EventSourceArn=stream, FunctionName=name, StartingPosition="TRIM_HORIZON", BatchSize=5
    )
    assert (
        created["State"] == "Creating" and created["BatchSize"] == 5 and created["StartingPosition"] == "TRIM_HORIZON"
    )
    assert created["MaximumRetryAttempts"] == -1 and created["MaximumRecordAgeInSeconds"] == -1
    assert created["BisectBatchOnFunctionError"] is False and created["ParallelizationFactor"] == 1
    assert created["DestinationConfig"] == {"OnFailure": {}}
    _wait_state(client, created["UUID"], "Enabled")
    batches = _events(sqs, out, len(put))
    assert all(1 <= len(b) <= 5 for b in batches)
    records = [r for b in batches for r in b]
    assert sorted(_data(records)) == sorted(put)
    by_shard: dict[str, list[int]] = {}
    for batch in batches:
        assert len({r["eventID"].split(":")[0] for r in batch}) == 1  # a batch comes from one shard
        for r in batch:
            by_shard.setdefault(r["eventID"].split(":")[0], []).append(int(r["kinesis"]["sequenceNumber"]))
    assert all(seqs == sorted(seqs) for seqs in by_shard.values())
    for key in ("a", "b", "c"):  # per partition key, in put order
        assert [d for d in _data(records) if d.startswith(key)] == [f"{key}-{i}" for i in range(12)]
    r = records[0]
    data = _data([r])[0]
    assert r["kinesis"]["sequenceNumber"] == put[data] and r["eventID"].endswith(f":{put[data]}")
    assert r["kinesis"]["kinesisSchemaVersion"] == "1.0" and r["kinesis"]["partitionKey"] == data[0]
    assert isinstance(r["kinesis"]["approximateArrivalTimestamp"], float)
    assert abs(r["kinesis"]["approximateArrivalTimestamp"] - time.time()) < 120
    assert r["eventSource"] == "aws:kinesis" and r["eventVersion"] == "1.0" and r["eventName"] == "aws:kinesis:record"
    assert r["eventSourceARN"] == stream and r["awsRegion"] == "us-east-1"
    assert r["invokeIdentityArn"].startswith("arn:aws:iam::")
    got = _wait_state(client, created["UUID"], "Enabled")
    assert got["LastProcessingResult"] == "OK"


def test_latest_filters_and_delete_stops(aws: Callable[..., Any], name: str) -> None:
    client, kinesis, sqs = aws("lambda"), aws("kinesis"), aws("sqs")
    out = _function(aws, name)
    stream = _stream(kinesis, name)
    _put(kinesis, stream, "old")
    created = client.create_event_source_mapping(
        EventSourceArn=stream,
        FunctionName=name,
        StartingPosition="LATEST",
        FilterCriteria={"Filters": [{"Pattern": json.dumps({"data": {"keep": [True]}})}]},
    )
    uuid = created["UUID"]
    _put(kinesis, stream, json.dumps({"keep": False, "n": 1}))
    _put(kinesis, stream, json.dumps({"keep": True, "n": 2}))
    _wait_state(client, uuid, "Enabled")
    [batch] = _events(sqs, out, 1)
    assert [json.loads(d)["n"] for d in _data(batch)] == [2]
    client.delete_event_source_mapping(UUID=uuid)
    deadline = time.monotonic() + 10
    while client.list_event_source_mappings(FunctionName=name)["EventSourceMappings"]:
        assert time.monotonic() < deadline
        time.sleep(0.1)
    _put(kinesis, stream, json.dumps({"keep": True, "n": 3}))
    assert _messages(sqs, out, 1, seconds=2) == []


def test_retries_exhausted_go_to_on_failure_destination(aws: Callable[..., Any], name: str) -> None:
    client, kinesis, sqs = aws("lambda"), aws("kinesis"), aws("sqs")
    out = _function(aws, name)
    dead, dead_arn = _queue(sqs, f"{name}-dead")
    stream = _stream(kinesis, name)
    first = _put(kinesis, stream, "boom")
    _put(kinesis, stream, "fine")
    client.create_event_source_mapping(
        EventSourceArn=stream, FunctionName=name, StartingPosition="TRIM_HORIZON", BatchSize=1,
        MaximumRetryAttempts=2, DestinationConfig={"OnFailure": {"Destination": dead_arn}},
    )  # fmt: skip
    batches = _events(sqs, out, 4)
    assert [_data(b) for b in batches] == [["boom"], ["boom"], ["boom"], ["fine"]]  # 1 attempt + 2 retries, in order
    [failure] = _messages(sqs, dead, 1)
    assert failure["version"] == "1.0" and failure["timestamp"].endswith("Z")
    assert failure["requestContext"]["condition"] == "RetryAttemptsExhausted"
    assert failure["requestContext"]["approximateInvokeCount"] == 3
    assert failure["requestContext"]["functionArn"].endswith(f":function:{name}")
    assert failure["responseContext"] == {"statusCode": 200, "executedVersion": "$LATEST", "functionError": "Unhandled"}
    info = failure["KinesisBatchInfo"]
    assert info["shardId"] == "shardId-000000000000" and info["batchSize"] == 1 and info["streamArn"] == stream
    assert info["startSequenceNumber"] == info["endSequenceNumber"] == first
    assert info["approximateArrivalOfFirstRecord"].endswith("Z")


def test_bisect_isolates_the_failing_record(aws: Callable[..., Any], name: str) -> None:
    client, kinesis, sqs = aws("lambda"), aws("kinesis"), aws("sqs")
    out = _function(aws, name)
    dead, dead_arn = _queue(sqs, f"{name}-dead")
    stream = _stream(kinesis, name)
    for data in ("a", "b", "boom", "c"):
        _put(kinesis, stream, data)
    client.create_event_source_mapping(
        EventSourceArn=stream, FunctionName=name, StartingPosition="TRIM_HORIZON", BatchSize=4,
        BisectBatchOnFunctionError=True, MaximumRetryAttempts=0,
        DestinationConfig={"OnFailure": {"Destination": dead_arn}},
    )  # fmt: skip
    batches = [_data(b) for b in _events(sqs, out, 10)]
    assert batches == [["a", "b", "boom", "c"], ["a", "b"], ["boom", "c"], ["boom"], ["c"]]
    [failure] = _messages(sqs, dead, 1)
    assert failure["KinesisBatchInfo"]["batchSize"] == 1


def test_report_batch_item_failures_resume_from_the_first_failure(aws: Callable[..., Any], name: str) -> None:
    client, kinesis, sqs = aws("lambda"), aws("kinesis"), aws("sqs")
    out = _function(aws, name)
    dead, dead_arn = _queue(sqs, f"{name}-dead")
    stream = _stream(kinesis, name)
    seqs = [_put(kinesis, stream, data) for data in ("a", "bad", "c")]
    uuid = client.create_event_source_mapping(
        EventSourceArn=stream, FunctionName=name, StartingPosition="TRIM_HORIZON", BatchSize=3,
        FunctionResponseTypes=["ReportBatchItemFailures"], MaximumRetryAttempts=1,
        DestinationConfig={"OnFailure": {"Destination": dead_arn}},
    )["UUID"]  # fmt: skip
    assert [_data(b) for b in _events(sqs, out, 5)] == [["a", "bad", "c"], ["bad", "c"]]
    [failure] = _messages(sqs, dead, 1)
    info = failure["KinesisBatchInfo"]
    assert (info["startSequenceNumber"], info["endSequenceNumber"], info["batchSize"]) == (seqs[1], seqs[2], 2)
    assert client.get_event_source_mapping(UUID=uuid)["FunctionResponseTypes"] == ["ReportBatchItemFailures"]


def test_restart_resumes_after_the_checkpoint(store: StoreFactory, name: str) -> None:
    args = store()
    server = Server(**args).start()
    try:
        aws = lambda service: make_client(server.endpoint, service)  # noqa: E731
        out = _function(aws, name)
        stream = _stream(aws("kinesis"), name)
        for i in range(3):
            _put(aws("kinesis"), stream, f"before-{i}")
        uuid = aws("lambda").create_event_source_mapping(
            EventSourceArn=stream, FunctionName=name, StartingPosition="TRIM_HORIZON"
        )["UUID"]
        assert [d for b in _events(aws("sqs"), out, 3) for d in _data(b)] == [f"before-{i}" for i in range(3)]
        time.sleep(0.5)  # the checkpoint is written right after the invocation
        server.stop()
        server = Server(**args, port=server.port).start()
        _wait_state(aws("lambda"), uuid, "Enabled")
        for i in range(2):
            _put(aws("kinesis"), stream, f"after-{i}")
        got = [d for b in _events(aws("sqs"), out, 2) for d in _data(b)]
        got += [d for b in _events(aws("sqs"), out, 1, seconds=1.5) for d in _data(b)]
        assert got == ["after-0", "after-1"]
    finally:
        server.stop()


def test_dynamodb_stream_events_with_images(aws: Callable[..., Any], name: str) -> None:
    client, ddb, sqs = aws("lambda"), aws("dynamodb"), aws("sqs")
    out = _function(aws, name)
    table = ddb.create_table(
        TableName=name,
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
        StreamSpecification={"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"},
    )["TableDescription"]
    stream = table["LatestStreamArn"]
    ddb.get_waiter("table_exists").wait(TableName=name, WaiterConfig={"Delay": 0.2, "MaxAttempts": 50})
    created = client.create_event_source_mapping(
        EventSourceArn=stream, FunctionName=name, StartingPosition="TRIM_HORIZON", BatchSize=10
    )
    assert created["EventSourceArn"] == stream and created["BatchSize"] == 10
    ddb.put_item(TableName=name, Item={"pk": {"S": "k1"}, "v": {"N": "1"}, "b": {"B": b"\x00\x01"}})
    ddb.update_item(TableName=name, Key={"pk": {"S": "k1"}}, UpdateExpression="SET v = :v",
                    ExpressionAttributeValues={":v": {"N": "2"}})  # fmt: skip
    ddb.delete_item(TableName=name, Key={"pk": {"S": "k1"}})
    records = [r for b in _events(sqs, out, 3) for r in b]
    assert [r["eventName"] for r in records] == ["INSERT", "MODIFY", "REMOVE"]
    insert, modify, remove = records
    for r in records:
        assert r["eventSource"] == "aws:dynamodb" and r["eventVersion"] == "1.1" and r["awsRegion"] == "us-east-1"
        assert r["eventSourceARN"] == stream and r["eventID"]
        assert r["dynamodb"]["Keys"] == {"pk": {"S": "k1"}}
        assert r["dynamodb"]["StreamViewType"] == "NEW_AND_OLD_IMAGES" and r["dynamodb"]["SizeBytes"] > 0
        assert isinstance(r["dynamodb"]["ApproximateCreationDateTime"], float)
    assert insert["dynamodb"]["NewImage"] == {"pk": {"S": "k1"}, "v": {"N": "1"}, "b": {"B": "AAE="}}
    assert "OldImage" not in insert["dynamodb"]
    assert modify["dynamodb"]["OldImage"]["v"] == {"N": "1"} and modify["dynamodb"]["NewImage"]["v"] == {"N": "2"}
    assert remove["dynamodb"]["OldImage"]["v"] == {"N": "2"} and "NewImage" not in remove["dynamodb"]
    seqs = [int(r["dynamodb"]["SequenceNumber"]) for r in records]
    assert seqs == sorted(seqs)


def test_put_record_to_handler_latency(aws: Callable[..., Any], name: str) -> None:
    """PutRecord → handler latency with a 0 s batching window (p50 printed; bounded loosely: the machine is shared)."""
    client, kinesis, sqs = aws("lambda"), aws("kinesis"), aws("sqs")
    out = _function(aws, name)
    stream = _stream(kinesis, name)
    uuid = client.create_event_source_mapping(EventSourceArn=stream, FunctionName=name, StartingPosition="LATEST")[
        "UUID"
    ]
    _wait_state(client, uuid, "Enabled")
    _put(kinesis, stream, "warm")
    assert _events(sqs, out, 1)
    sent: dict[str, float] = {}
    for i in range(20):
        sent[str(i)] = time.time()
        _put(kinesis, stream, str(i))
        time.sleep(0.1)
    seen: dict[str, float] = {}
    deadline = time.monotonic() + 20
    while len(seen) < len(sent) and time.monotonic() < deadline:
        for m in _messages(sqs, out, 1, seconds=1):
            for d in _data(m["event"]["Records"]):
                seen.setdefault(d, m["seen"])
    latencies = sorted(seen[k] - sent[k] for k in sent)
    p50 = statistics.median(latencies)
    print(f"PutRecord -> handler latency p50 {p50 * 1000:.1f} ms, max {latencies[-1] * 1000:.1f} ms")
    assert p50 < 1.0
