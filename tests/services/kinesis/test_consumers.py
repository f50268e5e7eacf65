"""Enhanced fan-out consumers end to end: registration CREATING → ACTIVE, describing by ARN or by name, listing with
pages, tags and policies on a consumer ARN, deregistration, and DeleteStream's EnforceConsumerDeletion."""

from __future__ import annotations

import time
from typing import Any

from ._helpers import ACCOUNT, arn, expect_error, make_stream, wait_gone


def _wait_consumer(kinesis: Any, consumer_arn: str, status: str = "ACTIVE") -> dict[str, Any]:
    deadline = time.monotonic() + 10
    while True:
        described = kinesis.describe_stream_consumer(ConsumerARN=consumer_arn)["ConsumerDescription"]
        if described["ConsumerStatus"] == status:
            return described  # type: ignore[no-any-return]
        assert time.monotonic() < deadline, described
        time.sleep(0.05)


def test_register_describe_list_deregister(kinesis: Any, name: str) -> None:
    make_stream(kinesis, name)
    stream_arn = arn(name)
    consumer = kinesis.register_stream_consumer(StreamARN=stream_arn, ConsumerName="app")["Consumer"]
    assert consumer["ConsumerStatus"] == "CREATING"
    assert consumer["ConsumerARN"].startswith(f"{stream_arn}/consumer/app:")
    described = _wait_consumer(kinesis, consumer["ConsumerARN"])
    assert described["StreamARN"] == stream_arn and described["ConsumerName"] == "app"
    by_name = kinesis.describe_stream_consumer(StreamARN=stream_arn, ConsumerName="app")["ConsumerDescription"]
    assert by_name["ConsumerARN"] == consumer["ConsumerARN"]
    expect_error(
        kinesis.register_stream_consumer,
        "ResourceInUseException",
        StreamARN=stream_arn,
        ConsumerName="app",
    )
    for other in ("b", "c"):
        kinesis.register_stream_consumer(StreamARN=stream_arn, ConsumerName=other)
    page = kinesis.list_stream_consumers(StreamARN=stream_arn, MaxResults=2)
    assert [c["ConsumerName"] for c in page["Consumers"]] == ["app", "b"]
    rest = kinesis.list_stream_consumers(StreamARN=stream_arn, NextToken=page["NextToken"])
    assert [c["ConsumerName"] for c in rest["Consumers"]] == ["c"] and "NextToken" not in rest
    assert kinesis.describe_stream_summary(StreamName=name)["StreamDescriptionSummary"]["ConsumerCount"] == 3

    kinesis.tag_resource(ResourceARN=consumer["ConsumerARN"], Tags={"owner": "me"})
    assert kinesis.list_tags_for_resource(ResourceARN=consumer["ConsumerARN"])["Tags"] == [
        {"Key": "owner", "Value": "me"}
    ]
    kinesis.put_resource_policy(ResourceARN=consumer["ConsumerARN"], Policy='{"Version": "2012-10-17"}')
    assert kinesis.get_resource_policy(ResourceARN=consumer["ConsumerARN"])["Policy"] == '{"Version": "2012-10-17"}'

    kinesis.deregister_stream_consumer(ConsumerARN=consumer["ConsumerARN"])
    deadline = time.monotonic() + 10
    while True:
        try:
            status = kinesis.describe_stream_consumer(ConsumerARN=consumer["ConsumerARN"])["ConsumerDescription"]
        except kinesis.exceptions.ResourceNotFoundException:
            break
        assert status["ConsumerStatus"] == "DELETING" and time.monotonic() < deadline
        time.sleep(0.05)
    kinesis.deregister_stream_consumer(StreamARN=stream_arn, ConsumerName="b")
    expect_error(
        kinesis.describe_stream_consumer,
        "ResourceNotFoundException",
        f"Consumer nope, account {ACCOUNT} not found.",
        StreamARN=stream_arn,
        ConsumerName="nope",
    )
    expect_error(kinesis.describe_stream_consumer, "InvalidArgumentException", StreamARN=stream_arn)


def test_delete_stream_with_consumers(kinesis: Any, name: str) -> None:
    make_stream(kinesis, name)
    kinesis.register_stream_consumer(StreamARN=arn(name), ConsumerName="reader")
    error = expect_error(kinesis.delete_stream, "ResourceInUseException", StreamName=name)
    assert "EnforceConsumerDeletion" in error["Message"]
    kinesis.delete_stream(StreamName=name, EnforceConsumerDeletion=True)
    wait_gone(kinesis, name)
    expect_error(kinesis.list_stream_consumers, "ResourceNotFoundException", StreamARN=arn(name))
