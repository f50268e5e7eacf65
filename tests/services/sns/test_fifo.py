"""FIFO topics end to end: ordering into FIFO queues, deduplication (explicit and content-based), sequence
numbers, FIFO-only rules and errors."""

from __future__ import annotations

import hashlib
import json
from typing import Any

from ._helpers import expect_error, queue, receive


def _fifo_topic(sns: Any, name: str, **attributes: str) -> str:
    return sns.create_topic(Name=f"{name}.fifo", Attributes={"FifoTopic": "true", **attributes})["TopicArn"]  # type: ignore[no-any-return]


def test_fifo_topic_to_fifo_queues_keeps_order(sns: Any, sqs: Any, name: str) -> None:
    topic = _fifo_topic(sns, name, ContentBasedDeduplication="true")
    urls = []
    for i in range(3):
        url, arn = queue(sqs, f"{name}-{i}.fifo")
        sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=arn, Attributes={"RawMessageDelivery": "true"})
        urls.append(url)
    sequences = []
    for n in range(20):
        result = sns.publish(TopicArn=topic, Message=f"m{n}", MessageGroupId="g1")
        sequences.append(int(result["SequenceNumber"]))
    assert sequences == sorted(sequences) and len(set(sequences)) == 20
    for url in urls:
        got: list[str] = []
        while len(got) < 20:
            batch = receive(sqs, url, expected=10, timeout=3)
            assert batch, f"only {len(got)} of 20 arrived"
            got += [m["Body"] for m in batch]
            sqs.delete_message_batch(
                QueueUrl=url, Entries=[{"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]} for i, m in enumerate(batch)]
            )
        assert got == [f"m{n}" for n in range(20)]


def test_fifo_deduplication(sns: Any, sqs: Any, name: str) -> None:
    topic = _fifo_topic(sns, name)
    url, arn = queue(sqs, f"{name}.fifo")
    sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=arn)
    first = sns.publish(
        TopicArn=topic,
        Message="Test",
        MessageGroupId="message-group-id-1",
        MessageDeduplicationId="message-deduplication-id-1",
    )
    again = sns.publish(
        TopicArn=topic,
        Message="Other",
        MessageGroupId="message-group-id-1",
        MessageDeduplicationId="message-deduplication-id-1",
    )
    assert (again["MessageId"], again["SequenceNumber"]) == (first["MessageId"], first["SequenceNumber"])
    sns.publish(
        TopicArn=topic,
        Message="Last",
        MessageGroupId="message-group-id-1",
        MessageDeduplicationId="message-deduplication-id-2",
    )
    got = receive(sqs, url, expected=2, AttributeNames=["All"])
    assert [json.loads(m["Body"])["Message"] for m in got] == ["Test", "Last"]  # the duplicate was not delivered
    attributes = got[0]["Attributes"]
    assert (
        attributes["MessageGroupId"] == "message-group-id-1"
        and attributes["MessageDeduplicationId"] == "message-deduplication-id-1"
    )
    body = json.loads(got[0]["Body"])
    # FIFO notifications carry the topic's sequence number and no signature (as AWS delivers them)
    assert list(body) == ["Type", "MessageId", "SequenceNumber", "TopicArn", "Message", "Timestamp", "UnsubscribeURL"]
    assert body["SequenceNumber"] == first["SequenceNumber"] and body["Message"] == "Test"


def test_content_based_deduplication(sns: Any, sqs: Any, name: str) -> None:
    topic = _fifo_topic(sns, name, ContentBasedDeduplication="true")
    url, arn = queue(sqs, f"{name}.fifo")
    sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=arn, Attributes={"RawMessageDelivery": "true"})
    one = sns.publish(TopicArn=topic, Message="Test", MessageGroupId="g")["MessageId"]
    assert sns.publish(TopicArn=topic, Message="Test", MessageGroupId="other-group")["MessageId"] == one
    sns.publish(
        TopicArn=topic, Message="Different", MessageGroupId="other-group"
    )  # behind the duplicate, had it been kept
    got = receive(sqs, url, expected=2, AttributeNames=["All"])
    assert [m["Body"] for m in got] == ["Test", "Different"]
    assert got[0]["Attributes"]["MessageDeduplicationId"] == hashlib.sha256(b"Test").hexdigest()


def test_fifo_batch(sns: Any, sqs: Any, name: str) -> None:
    topic = _fifo_topic(sns, name, ContentBasedDeduplication="true")
    url, arn = queue(sqs, f"{name}.fifo")
    sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=arn, Attributes={"RawMessageDelivery": "true"})
    entries = [{"Id": str(i), "Message": f"b{i}", "MessageGroupId": "complexMessageGroupId"} for i in range(3)]
    result = sns.publish_batch(TopicArn=topic, PublishBatchRequestEntries=entries)
    assert [e["Id"] for e in result["Successful"]] == ["0", "1", "2"] and all(
        e["SequenceNumber"] for e in result["Successful"]
    )
    again = sns.publish_batch(TopicArn=topic, PublishBatchRequestEntries=entries)
    assert [e["MessageId"] for e in again["Successful"]] == [e["MessageId"] for e in result["Successful"]]
    sns.publish(TopicArn=topic, Message="b-last", MessageGroupId="complexMessageGroupId")
    assert [m["Body"] for m in receive(sqs, url, expected=4)] == ["b0", "b1", "b2", "b-last"]


def test_fifo_topic_to_standard_queue(sns: Any, sqs: Any, name: str) -> None:
    topic = _fifo_topic(sns, name)
    url, arn = queue(sqs, name)
    sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=arn)
    sns.publish(TopicArn=topic, Message="Test", MessageGroupId="g", MessageDeduplicationId="d")
    body = json.loads(receive(sqs, url)[0]["Body"])
    assert body["Message"] == "Test" and "SequenceNumber" in body


def test_fifo_rules(sns: Any, sqs: Any, name: str) -> None:
    topic = _fifo_topic(sns, name)
    expect_error(
        sns.publish,
        "InvalidParameter",
        "Invalid parameter: The MessageGroupId parameter is required for FIFO topics",
        TopicArn=topic,
        Message="m",
    )
    expect_error(
        sns.publish, "InvalidParameter",
        "Invalid parameter: The topic should either have ContentBasedDeduplication enabled or MessageDeduplicationId "
        "provided explicitly",
        TopicArn=topic, Message="m", MessageGroupId="g",
    )  # fmt: skip
    expect_error(
        sns.publish_batch, "InvalidParameter",
        "Invalid parameter: The MessageGroupId parameter is required for FIFO topics",
        TopicArn=topic, PublishBatchRequestEntries=[{"Id": "1", "Message": "m"}],
    )  # fmt: skip
    expect_error(
        sns.subscribe,
        "InvalidParameter",
        "Invalid parameter: Invalid protocol type: email",
        TopicArn=topic,
        Protocol="email",
        Endpoint="a@example.com",
    )
    _, queue_arn = queue(sqs, f"{name}.fifo")
    _, standard_dlq = queue(sqs, f"{name}-dlq")
    expect_error(
        sns.subscribe, "InvalidParameter",
        "Invalid parameter: Attributes Reason: RedrivePolicy: must use a FIFO queue as DLQ for a FIFO Subscription "
        "to a FIFO Topic.",
        TopicArn=topic, Protocol="sqs", Endpoint=queue_arn,
        Attributes={"RedrivePolicy": json.dumps({"deadLetterTargetArn": standard_dlq})},
    )  # fmt: skip
