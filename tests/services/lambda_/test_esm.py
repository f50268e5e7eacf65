"""SQS event source mappings: the API (shapes, states, validation, listing) and the poller end to end."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from typing import Any

from ...conftest import StoreFactory, make_client
from ...expect import expect_error
from ...server import Server
from .zips import create

# forwards each event to OUT (FIFO: one message per record group, to keep per-group order visible); records
# whose body starts with "bad" are reported as failures, a body "boom" fails the whole invocation
FORWARD = """
import json, os, uuid, boto3
sqs = boto3.client("sqs")
def handler(event, context):
    out = os.environ["OUT"]
    group = event["Records"][0]["attributes"].get("MessageGroupId", "g")
    extra = {"MessageGroupId": group, "MessageDeduplicationId": uuid.uuid4().hex} if out.endswith(".fifo") else {}
    sqs.send_message(QueueUrl=out, MessageBody=json.dumps(event), **extra)
    if any(r["body"] == "boom" for r in event["Records"]):
        raise RuntimeError("boom")
    failed = [r["messageId"] for r in event["Records"] if r["body"].startswith("bad")]
    return {"batchItemFailures": [{"itemIdentifier": ident} for ident in failed]}
"""


def _arn(sqs: Any, url: str) -> str:
    return str(sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"])


def _queue(sqs: Any, name: str, **attributes: Any) -> tuple[str, str]:
    attrs = {k: str(v) for k, v in attributes.items()}
    if name.endswith(".fifo"):
        attrs["FifoQueue"] = "true"
    url = sqs.create_queue(QueueName=name, Attributes=attrs)["QueueUrl"]
    return url, _arn(sqs, url)


def _setup(
    aws: Callable[..., Any], name: str, *, fifo: bool = False, timeout: int = 3, **source_attrs: Any
) -> tuple[str, str, str]:
    """(source queue URL, its ARN, out queue URL) and a forwarding function called ``name``."""
    sqs = aws("sqs")
    suffix = ".fifo" if fifo else ""
    out_url, _ = _queue(sqs, f"{name}-out{suffix}")
    url, arn = _queue(sqs, f"{name}-in{suffix}", **source_attrs)
    create(aws("lambda"), name, {"index.py": FORWARD}, Timeout=timeout, Environment={"Variables": {"OUT": out_url}})
    return url, arn, out_url


def _events(sqs: Any, url: str, count: int, seconds: float = 20) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    deadline = time.monotonic() + seconds
    while len(found) < count and time.monotonic() < deadline:
        for message in sqs.receive_message(QueueUrl=url, WaitTimeSeconds=1, MaxNumberOfMessages=10).get("Messages", []):
            found.append(json.loads(message["Body"]))
            sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])
    return found


def _bodies(sqs: Any, url: str, count: int, seconds: float = 20) -> list[str]:
    """The record bodies of the events forwarded to ``url``, until ``count`` arrived (or the time is up)."""
    found: list[str] = []
    deadline = time.monotonic() + seconds
    while len(found) < count and time.monotonic() < deadline:
        found += [r["body"] for e in _events(sqs, url, 1, seconds=1) for r in e["Records"]]
    return found


def _wait_state(client: Any, uuid: str, state: str) -> dict[str, Any]:
    deadline = time.monotonic() + 10
    while True:
        got = client.get_event_source_mapping(UUID=uuid)
        if got["State"] == state or time.monotonic() > deadline:
            assert got["State"] == state, got
            return dict(got)
        time.sleep(0.1)


def _drained(sqs: Any, url: str, seconds: float = 15) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        attrs = sqs.get_queue_attributes(
            QueueUrl=url, AttributeNames=["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"]
        )["Attributes"]
        if attrs["ApproximateNumberOfMessages"] == "0" and attrs["ApproximateNumberOfMessagesNotVisible"] == "0":
            return True
        time.sleep(0.2)
    return False


def test_batch_reaches_function_in_aws_event_shape(aws: Callable[..., Any], name: str) -> None:
    client, sqs = aws("lambda"), aws("sqs")
    url, arn, out = _setup(aws, name)
    sqs.send_message_batch(QueueUrl=url, Entries=[
        {"Id": str(i), "MessageBody": f"m{i}",
         "MessageAttributes": {"n": {"DataType": "Number", "StringValue": str(i)},
                               "b": {"DataType": "Binary", "BinaryValue": b"\x01"}}}
        for i in range(3)
    ])  # fmt: skip
    created = client.create_event_source_mapping(EventSourceArn=arn, FunctionName=name)
    assert (
        created["State"] == "Creating" and created["BatchSize"] == 10 and created["MaximumBatchingWindowInSeconds"] == 0
    )
    assert (
        created["FunctionArn"].endswith(f":function:{name}")
        and created["EventSourceArn"] == arn
        and created["FunctionResponseTypes"] == []
    )
    assert created["EventSourceMappingArn"].endswith(f":event-source-mapping:{created['UUID']}")
    _wait_state(client, created["UUID"], "Enabled")
    [event] = _events(sqs, out, 1)
    records = event["Records"]
    assert sorted(r["body"] for r in records) == ["m0", "m1", "m2"]
    record = records[0]
    assert record["eventSource"] == "aws:sqs" and record["eventSourceARN"] == arn and record["awsRegion"] == "us-east-1"
    assert set(record["attributes"]) >= {
        "ApproximateReceiveCount",
        "SentTimestamp",
        "SenderId",
        "ApproximateFirstReceiveTimestamp",
    }
    assert record["attributes"]["ApproximateReceiveCount"] == "1"
    assert record["messageAttributes"]["b"] == {
        "binaryValue": "AQ==",
        "stringListValues": [],
        "binaryListValues": [],
        "dataType": "Binary",
    }
    assert (
        record["messageAttributes"]["n"]["stringValue"] == record["body"][1:]
        and record["messageAttributes"]["n"]["dataType"] == "Number"
    )
    assert (
        len(record["md5OfBody"]) == 32
        and len(record["md5OfMessageAttributes"]) == 32
        and record["receiptHandle"]
        and record["messageId"]
    )
    assert _drained(sqs, url)
    assert client.get_event_source_mapping(UUID=created["UUID"])["LastProcessingResult"] == "OK"


def test_partial_batch_failure_and_dead_letter_queue(aws: Callable[..., Any], name: str) -> None:
    client, sqs = aws("lambda"), aws("sqs")
    dlq_url, dlq_arn = _queue(sqs, f"{name}-dlq")
    redrive = json.dumps({"deadLetterTargetArn": dlq_arn, "maxReceiveCount": 2})
    url, arn, out = _setup(aws, name, timeout=3, VisibilityTimeout=3, RedrivePolicy=redrive)
    sqs.send_message_batch(
        QueueUrl=url, Entries=[{"Id": b, "MessageBody": b} for b in ("good1", "bad1", "good2", "boom")]
    )
    client.create_event_source_mapping(
        EventSourceArn=arn, FunctionName=name, FunctionResponseTypes=["ReportBatchItemFailures"], BatchSize=2
    )
    dead: list[str] = []
    deadline = time.monotonic() + 25
    while not {"bad1", "boom"} <= set(dead) and time.monotonic() < deadline:
        dead += [
            m["Body"]
            for m in sqs.receive_message(QueueUrl=dlq_url, WaitTimeSeconds=1, MaxNumberOfMessages=10).get(
                "Messages", []
            )
        ]
    assert _drained(sqs, url)
    dead += [m["Body"] for m in sqs.receive_message(QueueUrl=dlq_url, MaxNumberOfMessages=10).get("Messages", [])]
    # bad1 was reported failed and boom failed its invocation, twice each; good2 may have shared a failed batch
    # with boom (then its second batch decides); good1 never failed
    assert {"bad1", "boom"} <= set(dead) and "good1" not in dead and len(dead) == len(set(dead))
    seen = [r["body"] for e in _events(sqs, out, 7, seconds=3) for r in e["Records"]]
    assert seen.count("good1") == 1 and seen.count("bad1") == 2 and seen.count("boom") == 2


def test_invalid_batch_item_failures_fail_the_whole_batch(aws: Callable[..., Any], name: str) -> None:
    client, sqs = aws("lambda"), aws("sqs")
    url, arn = _queue(sqs, f"{name}-in", VisibilityTimeout=1)
    code = "def handler(event, context):\n    return {'batchItemFailures': [{'itemIdentifier': 'not-in-batch'}]}\n"
    create(client, name, {"index.py": code}, Timeout=1)
    sqs.send_message(QueueUrl=url, MessageBody="x")
    uuid = client.create_event_source_mapping(
        EventSourceArn=arn, FunctionName=name, FunctionResponseTypes=["ReportBatchItemFailures"]
    )["UUID"]
    deadline = time.monotonic() + 10
    count = 0
    while count < 2 and time.monotonic() < deadline:  # received again and again: never deleted
        time.sleep(0.3)
        count = (
            int(
                sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"].get(
                    "ApproximateNumberOfMessagesNotVisible", "0"
                )
            )
            and count + 1
        )
    client.update_event_source_mapping(UUID=uuid, Enabled=False)
    _wait_state(client, uuid, "Disabled")
    time.sleep(1.2)
    [message] = sqs.receive_message(QueueUrl=url, AttributeNames=["ApproximateReceiveCount"])["Messages"]
    assert int(message["Attributes"]["ApproximateReceiveCount"]) >= 2
    assert client.get_event_source_mapping(UUID=uuid)["LastProcessingResult"].startswith("PROBLEM")


def test_filter_criteria_deletes_what_does_not_match(aws: Callable[..., Any], name: str) -> None:
    client, sqs = aws("lambda"), aws("sqs")
    url, arn, out = _setup(aws, name)
    bodies = [json.dumps({"kind": "keep", "n": 1}), json.dumps({"kind": "drop"}), "plain", "other text"]
    sqs.send_message_batch(QueueUrl=url, Entries=[{"Id": str(i), "MessageBody": b} for i, b in enumerate(bodies)])
    criteria = {
        "Filters": [{"Pattern": json.dumps({"body": {"kind": ["keep"]}})}, {"Pattern": json.dumps({"body": ["plain"]})}]
    }
    created = client.create_event_source_mapping(EventSourceArn=arn, FunctionName=name, FilterCriteria=criteria)
    assert created["FilterCriteria"] == criteria
    assert sorted(_bodies(sqs, out, 2)) == sorted([bodies[0], "plain"])
    assert _drained(sqs, url)  # the messages no filter matched were deleted


def test_batching_window_fills_one_batch(aws: Callable[..., Any], name: str) -> None:
    client, sqs = aws("lambda"), aws("sqs")
    url, arn, out = _setup(aws, name)
    uuid = client.create_event_source_mapping(
        EventSourceArn=arn, FunctionName=name, BatchSize=50, MaximumBatchingWindowInSeconds=2
    )["UUID"]
    _wait_state(client, uuid, "Enabled")
    sqs.send_message(QueueUrl=url, MessageBody="first")
    time.sleep(0.5)
    sqs.send_message_batch(QueueUrl=url, Entries=[{"Id": str(i), "MessageBody": f"later{i}"} for i in range(3)])
    events = _events(sqs, out, 1)
    assert [sorted(r["body"] for r in e["Records"]) for e in events] == [["first", "later0", "later1", "later2"]]


def test_disable_and_enable(aws: Callable[..., Any], name: str) -> None:
    client, sqs = aws("lambda"), aws("sqs")
    url, arn, out = _setup(aws, name)
    created = client.create_event_source_mapping(EventSourceArn=arn, FunctionName=name, Enabled=False)
    _wait_state(client, created["UUID"], "Disabled")
    sqs.send_message(QueueUrl=url, MessageBody="waiting")
    assert _events(sqs, out, 1, seconds=1.5) == []
    updated = client.update_event_source_mapping(UUID=created["UUID"], Enabled=True, BatchSize=5)
    assert updated["State"] == "Enabling" and updated["BatchSize"] == 5
    [event] = _events(sqs, out, 1)
    assert event["Records"][0]["body"] == "waiting"
    assert client.update_event_source_mapping(UUID=created["UUID"], Enabled=False)["State"] == "Disabling"
    _wait_state(client, created["UUID"], "Disabled")
    sqs.send_message(QueueUrl=url, MessageBody="parked")
    assert _events(sqs, out, 1, seconds=1.5) == []
    assert sqs.receive_message(QueueUrl=url)["Messages"][0]["Body"] == "parked"


def test_fifo_batches_per_group_in_order(aws: Callable[..., Any], name: str) -> None:
    client, sqs = aws("lambda"), aws("sqs")
    url, arn, out = _setup(aws, name, fifo=True)
    sent = {"a": [f"a{i}" for i in range(6)], "b": [f"b{i}" for i in range(4)]}
    for i in range(6):
        for group, bodies in sent.items():
            if i < len(bodies):
                sqs.send_message(
                    QueueUrl=url, MessageBody=bodies[i], MessageGroupId=group, MessageDeduplicationId=bodies[i]
                )
    expect_error(
        client.create_event_source_mapping,
        "InvalidParameterValueException",
        EventSourceArn=arn,
        FunctionName=name,
        BatchSize=11,
    )
    expect_error(
        client.create_event_source_mapping,
        "InvalidParameterValueException",
        EventSourceArn=arn,
        FunctionName=name,
        MaximumBatchingWindowInSeconds=1,
    )
    client.create_event_source_mapping(EventSourceArn=arn, FunctionName=name, BatchSize=2)
    events = _events(sqs, out, 5)
    seen: dict[str, list[str]] = {"a": [], "b": []}
    for event in events:
        groups = {r["attributes"]["MessageGroupId"] for r in event["Records"]}
        assert len(groups) == 1 and len(event["Records"]) <= 2  # one group per batch
        seen[groups.pop()] += [r["body"] for r in event["Records"]]
    assert seen == sent


def test_api_validation_listing_and_delete(aws: Callable[..., Any], name: str) -> None:
    client, sqs = aws("lambda"), aws("sqs")
    url, arn, _out = _setup(aws, name)
    other_url, other_arn = _queue(sqs, f"{name}-other")
    create_esm = client.create_event_source_mapping
    expect_error(create_esm, "InvalidParameterValueException",
                 "Maximum batch window in seconds must be greater than 0 if maximum batch size is greater than 10",
                 EventSourceArn=arn, FunctionName=name, BatchSize=11)  # fmt: skip
    expect_error(
        create_esm,
        "ValidationException",
        EventSourceArn=arn,
        FunctionName=name,
        BatchSize=10_001,
        MaximumBatchingWindowInSeconds=1,
    )
    expect_error(create_esm, "InvalidParameterValueException", "Invalid filter pattern definition.", EventSourceArn=arn,
                 FunctionName=name, FilterCriteria={"Filters": [{"Pattern": "{not json"}]})  # fmt: skip
    expect_error(create_esm, "ResourceNotFoundException", EventSourceArn=arn, FunctionName=f"{name}-missing")
    expect_error(
        create_esm,
        "InvalidParameterValueException",
        EventSourceArn=arn.replace(name, f"{name}-nope"),
        FunctionName=name,
    )
    slow_url, slow_arn = _queue(sqs, f"{name}-slow", VisibilityTimeout=2)
    expect_error(create_esm, "InvalidParameterValueException",
                 "Queue visibility timeout: 2 seconds is less than Function timeout: 3 seconds",
                 EventSourceArn=slow_arn, FunctionName=name)  # fmt: skip
    first = create_esm(
        EventSourceArn=arn,
        FunctionName=name,
        BatchSize=100,
        MaximumBatchingWindowInSeconds=5,
        ScalingConfig={"MaximumConcurrency": 2},
    )
    assert first["ScalingConfig"] == {"MaximumConcurrency": 2}
    error = expect_error(create_esm, "ResourceConflictException", EventSourceArn=arn, FunctionName=name)
    assert first["UUID"] in error["Message"]
    expect_error(
        create_esm,
        "InvalidParameterValueException",
        EventSourceArn="arn:aws:kinesis:us-east-1:000000000000:stream/s",
        FunctionName=name,
    )
    second = create_esm(
        EventSourceArn=other_arn,
        FunctionName=name,
        Enabled=False,
        FilterCriteria={"Filters": [{"Pattern": '{"body": ["x"]}'}]},
    )
    expect_error(
        client.update_event_source_mapping, "InvalidParameterValueException", UUID=second["UUID"], BatchSize=11
    )
    updated = client.update_event_source_mapping(UUID=second["UUID"], FilterCriteria={}, BatchSize=3)
    assert updated["State"] == "Updating" and updated["BatchSize"] == 3 and "FilterCriteria" not in updated
    listed = client.list_event_source_mappings(FunctionName=name)["EventSourceMappings"]
    assert sorted(m["UUID"] for m in listed) == sorted([first["UUID"], second["UUID"]])
    assert [m["UUID"] for m in client.list_event_source_mappings(EventSourceArn=other_arn)["EventSourceMappings"]] == [
        second["UUID"]
    ]
    page = client.list_event_source_mappings(FunctionName=name, MaxItems=1)
    rest = client.list_event_source_mappings(FunctionName=name, Marker=page["NextMarker"])
    assert len(page["EventSourceMappings"]) == 1 and [
        m["UUID"] for m in page["EventSourceMappings"] + rest["EventSourceMappings"]
    ] == sorted(m["UUID"] for m in listed)
    assert "NextMarker" not in rest
    assert client.delete_event_source_mapping(UUID=first["UUID"])["State"] == "Deleting"
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and any(
        m["UUID"] == first["UUID"] for m in client.list_event_source_mappings(FunctionName=name)["EventSourceMappings"]
    ):
        time.sleep(0.1)
    expect_error(client.get_event_source_mapping, "ResourceNotFoundException", UUID=first["UUID"])
    expect_error(client.delete_event_source_mapping, "ResourceNotFoundException", UUID=first["UUID"])
    del url, other_url, slow_url


def test_validation_in_aws_words(aws: Callable[..., Any], name: str) -> None:
    """The messages AWS answers for a missing queue or stream, a second mapping of the same queue and function, and
    members that do not belong to the source's kind."""
    client = aws("lambda")
    _url, arn, _out = _setup(aws, name)
    create_esm = client.create_event_source_mapping
    invalid = "InvalidParameterValueException"
    missing = arn.replace(name, f"{name}-nope")
    expect_error(create_esm, invalid,
                 "Error occurred while ReceiveMessage. SQS Error Code: AWS.SimpleQueueService.NonExistentQueue. SQS "
                 "Error Message: The specified queue does not exist.",
                 EventSourceArn=missing, FunctionName=name, status=400)  # fmt: skip
    expect_error(create_esm, invalid, "StartingPosition is not valid for SQS event sources.",
                 EventSourceArn=arn, FunctionName=name, StartingPosition="LATEST")  # fmt: skip
    for member, value in (
        ("ParallelizationFactor", 2),
        ("MaximumRetryAttempts", 3),
        ("BisectBatchOnFunctionError", True),
    ):
        expect_error(create_esm, invalid, f"Unsupported {member} parameter for given event source mapping type.",
                     EventSourceArn=arn, FunctionName=name, **{member: value})  # fmt: skip
    first = create_esm(EventSourceArn=arn, FunctionName=name)
    expect_error(create_esm, "ResourceConflictException",
                 f'An event source mapping with SQS arn (" {arn} ") and function (" {name} ") already exists. Please '
                 f"update or delete the existing mapping with UUID {first['UUID']}",
                 EventSourceArn=arn, FunctionName=name, status=409)  # fmt: skip
    stream = f"arn:aws:kinesis:us-east-1:000000000000:stream/{name}"
    table_stream = f"arn:aws:dynamodb:us-east-1:000000000000:table/{name}/stream/2024-01-01T00:00:00.000"
    expect_error(create_esm, invalid,
                 "1 validation error detected: Value null at 'startingPosition' failed to satisfy constraint: Member "
                 "must not be null.",
                 EventSourceArn=stream, FunctionName=name)  # fmt: skip
    expect_error(create_esm, invalid, f"Stream not found: {stream}",
                 EventSourceArn=stream, FunctionName=name, StartingPosition="TRIM_HORIZON")  # fmt: skip
    expect_error(create_esm, invalid, f"Stream not found: {table_stream}",
                 EventSourceArn=table_stream, FunctionName=name, StartingPosition="LATEST")  # fmt: skip
    expect_error(create_esm, invalid, f"Unsupported starting position for arn type: {table_stream}",
                 EventSourceArn=table_stream, FunctionName=name, StartingPosition="AT_TIMESTAMP",
                 StartingPositionTimestamp=1700000000)  # fmt: skip
    expect_error(create_esm, invalid, "Timestamp only valid with StartingPosition AT_TIMESTAMP",
                 EventSourceArn=stream, FunctionName=name, StartingPosition="LATEST",
                 StartingPositionTimestamp=1700000000)  # fmt: skip
    expect_error(create_esm, "ResourceNotFoundException", EventSourceArn=stream, FunctionName=f"{name}-missing",
                 StartingPosition="LATEST")  # fmt: skip
    expect_error(create_esm, invalid, "Unsupported DestinationConfig parameter for given event source mapping type.",
                 EventSourceArn=stream, FunctionName=name, StartingPosition="LATEST",
                 DestinationConfig={"OnSuccess": {"Destination": arn}})  # fmt: skip
    expect_error(client.update_event_source_mapping, invalid,
                 "Unsupported MaximumRecordAgeInSeconds parameter for given event source mapping type.",
                 UUID=first["UUID"], MaximumRecordAgeInSeconds=60)  # fmt: skip


def test_mapping_survives_restart(store: StoreFactory, name: str) -> None:
    args = store()
    server = Server(**args).start()
    try:
        aws = lambda service: make_client(server.endpoint, service)  # noqa: E731
        url, arn, _ = _setup(aws, name)
        uuid = aws("lambda").create_event_source_mapping(EventSourceArn=arn, FunctionName=name)["UUID"]
        _wait_state(aws("lambda"), uuid, "Enabled")
        server.stop()
        server = Server(**args, port=server.port).start()
        sqs = make_client(server.endpoint, "sqs")
        sqs.send_message(QueueUrl=url, MessageBody="after restart")
        [event] = _events(sqs, url.replace("-in", "-out"), 1)
        assert event["Records"][0]["body"] == "after restart"
    finally:
        server.stop()


def test_throttled_batches_wait_for_capacity(aws: Callable[..., Any], name: str) -> None:
    client, sqs = aws("lambda"), aws("sqs")
    url, arn, out = _setup(aws, name)
    client.put_function_concurrency(FunctionName=name, ReservedConcurrentExecutions=0)
    client.create_event_source_mapping(EventSourceArn=arn, FunctionName=name)
    sqs.send_message(QueueUrl=url, MessageBody="patient")
    assert _events(sqs, out, 1, seconds=1.5) == []  # throttled: retried with backoff, not dropped
    client.delete_function_concurrency(FunctionName=name)
    assert _bodies(sqs, out, 1, seconds=15) == ["patient"]
    assert _drained(sqs, url)


def test_batch_item_failure_responses_and_payload_split() -> None:
    """Pure logic: which responses count as partial failures, and where a received batch is cut."""
    from gureum.services.lambda_.esm import failed_items, split_batches

    ids = {"a", "b"}
    assert failed_items(b"", ids) == set() and failed_items(b"null", ids) == set() and failed_items(b"{}", ids) == set()
    assert (
        failed_items(b'{"batchItemFailures": []}', ids) == set()
        and failed_items(b'{"batchItemFailures": null}', ids) == set()
    )
    assert failed_items(b'{"batchItemFailures": [{"itemIdentifier": "b"}]}', ids) == {"b"}
    for invalid in (b"not json", b'"text"', b'{"batchItemFailures": [{"itemIdentifier": ""}]}',
                    b'{"batchItemFailures": [{"itemIdentifier": null}]}', b'{"batchItemFailures": [{"id": "a"}]}',
                    b'{"batchItemFailures": [{"itemIdentifier": "zzz"}]}'):  # fmt: skip
        assert failed_items(invalid, ids) is None, invalid
    big = [{"body": "x" * 2_500_000, "attributes": {"MessageGroupId": g}} for g in ("g1", "g1", "g2", "g1", "g1")]
    assert [len(b) for b in split_batches(big, fifo=False)] == [2, 2, 1]
    assert [[r["attributes"]["MessageGroupId"] for r in b] for b in split_batches(big, fifo=True)] == [
        ["g1", "g1"],
        ["g1", "g1"],
        ["g2"],
    ]


def test_mappings_take_tags(aws: Callable[..., Any], name: str) -> None:
    client = aws("lambda")
    _url, arn, _out = _setup(aws, name)
    made = client.create_event_source_mapping(
        EventSourceArn=arn, FunctionName=name, Enabled=False, Tags={"team": "a", "env": "dev"}
    )
    mapping_arn = made["EventSourceMappingArn"]
    assert client.list_tags(Resource=mapping_arn)["Tags"] == {"team": "a", "env": "dev"}
    client.tag_resource(Resource=mapping_arn, Tags={"team": "b"})
    client.untag_resource(Resource=mapping_arn, TagKeys=["env"])
    assert client.list_tags(Resource=mapping_arn)["Tags"] == {"team": "b"}
    client.update_event_source_mapping(UUID=made["UUID"], BatchSize=5)  # settings change, tags stay
    assert client.list_tags(Resource=mapping_arn)["Tags"] == {"team": "b"}
    assert (
        client.list_tags(Resource=client.get_function(FunctionName=name)["Configuration"]["FunctionArn"])["Tags"] == {}
    )  # the function's own tags are apart
    other = aws("lambda", access_key="111111111111")  # another account's mapping is not found
    expect_error(other.list_tags, "ResourceNotFoundException", Resource=mapping_arn)
    client.delete_event_source_mapping(UUID=made["UUID"])
    missing = mapping_arn[: -len(made["UUID"])] + "00000000-0000-0000-0000-000000000000"
    expect_error(client.list_tags, "ResourceNotFoundException", Resource=missing)
