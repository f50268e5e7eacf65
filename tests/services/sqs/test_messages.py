"""SQS messages end to end through boto3: send/receive/delete, attributes and their MD5s, delays, visibility,
long polling, batches and their errors, size and character limits."""

from __future__ import annotations

import base64
import hashlib
import struct
import threading
import time
from typing import Any

import pytest

from ._client import bodies, counts, create, expect_error, receive

TRACE = "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1"


def reference_md5(attributes: dict[str, dict[str, Any]]) -> str:
    """AWS's digest of message attributes, written from the Developer Guide independently of gureum: for each
    attribute in name order, the name, the data type, a transport byte (1 string, 2 binary) and the value,
    each string and value preceded by its length as a 4-byte big-endian integer."""
    digest = hashlib.md5()

    def sized(data: bytes) -> None:
        digest.update(struct.pack(">I", len(data)) + data)

    for key in sorted(attributes):
        value = attributes[key]
        sized(key.encode("utf-8"))
        sized(value["DataType"].encode("utf-8"))
        if "BinaryValue" in value:
            digest.update(b"\x02")
            sized(value["BinaryValue"])
        else:
            digest.update(b"\x01")
            sized(value["StringValue"].encode("utf-8"))
    return digest.hexdigest()


def md5(text: str) -> str:
    return hashlib.md5(text.encode("utf-8")).hexdigest()


def test_reference_md5_matches_digests_recorded_on_aws() -> None:
    three = {
        "Help.Me": {"DataType": "String", "StringValue": "Me"},
        "Hello": {"DataType": "String", "StringValue": "There"},
        "General": {"DataType": "String", "StringValue": "Kenobi"},
    }
    assert reference_md5(three) == "4c360f3fdafd970e05fae2f149d997f5"
    assert reference_md5({"Foo": {"DataType": "String", "StringValue": "Bar"}}) == "ae7155c6026991b6d54b11589678bf9c"
    binary = b"traceparent\x1e00-774062d6c37081a5a0b9b5b88e30627c-2d2482211f6489da-01"
    assert reference_md5({"attr1": {"DataType": "Binary", "BinaryValue": binary}}) == "8cbe4db156db8a94db8b801b7addb984"
    assert (
        reference_md5({"AWSTraceHeader": {"DataType": "String", "StringValue": TRACE}})
        == "5ae4d5d7636402d80f4eb6d213245a88"
    )


# --- send / receive / delete ----------------------------------------------------------------------------


def test_send_receive_delete(sqs: Any, name: str) -> None:
    url = sqs.create_queue(QueueName=name)["QueueUrl"]
    sent = sqs.send_message(QueueUrl=url, MessageBody="message")
    assert sent["MD5OfMessageBody"] == "78e731027d8fd50ed642340b7c9a63b3"
    assert "MD5OfMessageAttributes" not in sent and "SequenceNumber" not in sent
    [got] = receive(sqs, url)
    assert (got["MessageId"], got["Body"], got["MD5OfBody"]) == (sent["MessageId"], "message", sent["MD5OfMessageBody"])
    assert got["ReceiptHandle"] and "Attributes" not in got and "MessageAttributes" not in got
    assert receive(sqs, url) == []
    sqs.delete_message(QueueUrl=url, ReceiptHandle=got["ReceiptHandle"])
    assert counts(sqs, url) == (0, 0, 0)
    for _ in range(2):  # deleting again is not an error
        sqs.delete_message(QueueUrl=url, ReceiptHandle=got["ReceiptHandle"])


def test_queue_name_works_as_queue_url(sqs: Any, name: str) -> None:
    url = sqs.create_queue(QueueName=name)["QueueUrl"]
    assert (
        sqs.send_message(QueueUrl=name, MessageBody="Using name instead of URL")["MD5OfMessageBody"]
        == "86a83f96652a1bfad3891e7d523750cb"
    )
    [got] = receive(sqs, url)
    sqs.delete_message(QueueUrl=name, ReceiptHandle=got["ReceiptHandle"])
    assert counts(sqs, name) == (0, 0, 0)
    expect_error(
        sqs.send_message, "AWS.SimpleQueueService.NonExistentQueue", QueueUrl=f"{name}-missing", MessageBody="m"
    )


def test_empty_queue_returns_no_messages_key(sqs: Any, name: str) -> None:
    url = sqs.create_queue(QueueName=name)["QueueUrl"]
    assert "Messages" not in sqs.receive_message(QueueUrl=url)


def test_missing_body(sqs: Any, name: str) -> None:
    url = sqs.create_queue(QueueName=name)["QueueUrl"]
    error = expect_error(
        sqs.send_message,
        "MissingParameter",
        "The request must contain the parameter MessageBody.",
        QueueUrl=url,
        MessageBody="",
    )
    assert error["QueryErrorCode"] == "MissingRequiredParameterException"


@pytest.mark.parametrize(
    "body",
    [
        "héllo wörld",
        "日本語のメッセージ",
        "emoji 🎉🚀 and 𝔘𝔫𝔦𝔠𝔬𝔡𝔢",
        '{\r\n\t"k": "&quot;<x/>"}',
        "\ue000\ufffd\U0010ffff",
    ],
)
def test_unicode_bodies_round_trip(sqs: Any, name: str, body: str) -> None:
    url = sqs.create_queue(QueueName=name)["QueueUrl"]
    assert sqs.send_message(QueueUrl=url, MessageBody=body)["MD5OfMessageBody"] == md5(body)
    [got] = receive(sqs, url)
    assert got["Body"] == body and got["MD5OfBody"] == md5(body)


def test_invalid_receipt_handles(sqs: Any, name: str) -> None:
    url = sqs.create_queue(QueueName=name)["QueueUrl"]
    message = 'The input receipt handle "garbage" is not a valid receipt handle.'
    # 404: the status the SQS Smithy model gives ReceiptHandleIsInvalid (awsQueryError httpResponseCode)
    expect_error(sqs.delete_message, "ReceiptHandleIsInvalid", message, 404, QueueUrl=url, ReceiptHandle="garbage")
    expect_error(
        sqs.change_message_visibility,
        "ReceiptHandleIsInvalid",
        message,
        404,
        QueueUrl=url,
        ReceiptHandle="garbage",
        VisibilityTimeout=5,
    )
    # a handle of another queue is no handle of this one
    other = sqs.create_queue(QueueName=f"{name}-2")["QueueUrl"]
    sqs.send_message(QueueUrl=other, MessageBody="x")
    [got] = receive(sqs, other)
    expect_error(sqs.delete_message, "ReceiptHandleIsInvalid", QueueUrl=url, ReceiptHandle=got["ReceiptHandle"])
    assert counts(sqs, other) == (0, 1, 0)


# --- message attributes -------------------------------------------------------------------------------


ATTRIBUTES = {
    "text": {"DataType": "String", "StringValue": "hello ünïcode"},
    "count": {"DataType": "Number", "StringValue": "1614717034367"},
    "price": {"DataType": "Number.float", "StringValue": "-12.50"},
    "blob": {"DataType": "Binary", "BinaryValue": b"\x00\x01\xfebinary"},
    "kind": {"DataType": "String.foo", "StringValue": "custom"},
    "zipped": {"DataType": "Binary.gz", "BinaryValue": b"\x1f\x8b"},
}


def test_message_attributes_round_trip_with_md5(sqs: Any, name: str) -> None:
    url = sqs.create_queue(QueueName=name)["QueueUrl"]
    sent = sqs.send_message(QueueUrl=url, MessageBody="body", MessageAttributes=ATTRIBUTES)
    assert sent["MD5OfMessageAttributes"] == reference_md5(ATTRIBUTES)
    assert sent["MD5OfMessageBody"] == md5("body")
    [got] = receive(sqs, url, MessageAttributeNames=["All"])
    assert got["MessageAttributes"] == ATTRIBUTES
    assert got["MD5OfMessageAttributes"] == reference_md5(ATTRIBUTES)


def test_message_attribute_name_filters(sqs: Any, name: str) -> None:
    url = create(sqs, name, VisibilityTimeout=0)
    three = {
        "Help.Me": {"DataType": "String", "StringValue": "Me"},
        "Hello": {"DataType": "String", "StringValue": "There"},
        "General": {"DataType": "String", "StringValue": "Kenobi"},
    }
    assert (
        sqs.send_message(QueueUrl=url, MessageBody="msg", MessageAttributes=three)["MD5OfMessageAttributes"]
        == "4c360f3fdafd970e05fae2f149d997f5"
    )

    def received(names: list[str]) -> dict[str, Any]:
        [got] = receive(sqs, url, MessageAttributeNames=names)
        return got

    for names in (["All"], [".*"], ["*"]):
        got = received(names)
        assert got["MessageAttributes"] == three and got["MD5OfMessageAttributes"] == "4c360f3fdafd970e05fae2f149d997f5"
    for names in ([], ["Foo", "Help"], ["AWS."], ["..foo"]):
        got = received(names)
        assert "MessageAttributes" not in got and "MD5OfMessageAttributes" not in got
    expected = {
        ("Hello", "General"): "fca026605781cb4126a1e9044df24232",
        ("Foo", "Hello"): "a311262e065454b75da111d535b8dacd",
        ("Hel.*",): "83fee93c1bcd8b9a5a923ffacdc636c7",
    }
    for names, digest in expected.items():
        got = received(list(names))
        assert got["MD5OfMessageAttributes"] == digest == reference_md5(got["MessageAttributes"])
    assert set(received(["Hel.*"])["MessageAttributes"]) == {"Hello", "Help.Me"}


@pytest.mark.parametrize(
    "attributes",
    [
        {"ErrorDetails": {"DataType": "Number", "StringValue": "abc"}},
        {"a": {"DataType": "Invalid", "StringValue": "v"}},
        {"a": {"DataType": "Number." + "L" * 256, "StringValue": "1"}},
        {"AWS.reserved": {"DataType": "String", "StringValue": "v"}},
        {"amazon.reserved": {"DataType": "String", "StringValue": "v"}},
        {".starts-with-dot": {"DataType": "String", "StringValue": "v"}},
        {"ends-with-dot.": {"DataType": "String", "StringValue": "v"}},
        {"bad!char": {"DataType": "String", "StringValue": "v"}},
        {"L" * 257: {"DataType": "String", "StringValue": "v"}},
        {"ctrl": {"DataType": "String", "StringValue": "Invalid-\x08,\x0b"}},
        {"empty": {"DataType": "Binary", "BinaryValue": b""}},
        {f"a{i}": {"DataType": "String", "StringValue": "v"} for i in range(11)},
    ],
)
def test_invalid_message_attributes(sqs: Any, name: str, attributes: dict[str, Any]) -> None:
    url = sqs.create_queue(QueueName=name)["QueueUrl"]
    expect_error(sqs.send_message, "InvalidParameterValue", QueueUrl=url, MessageBody="b", MessageAttributes=attributes)
    assert counts(sqs, url) == (0, 0, 0)


def test_empty_string_attribute_message(sqs: Any, name: str) -> None:
    url = sqs.create_queue(QueueName=name)["QueueUrl"]
    message = "Message (user) attribute 'ErrorDetails' must contain a non-empty value of type 'String'."
    expect_error(
        sqs.send_message,
        "InvalidParameterValue",
        message,
        QueueUrl=url,
        MessageBody="b",
        MessageAttributes={"ErrorDetails": {"DataType": "String", "StringValue": ""}},
    )


def test_ten_attributes_and_unicode_names_are_fine(sqs: Any, name: str) -> None:
    url = sqs.create_queue(QueueName=name)["QueueUrl"]
    ten = {f"a.{i}-_x": {"DataType": "String", "StringValue": str(i)} for i in range(9)} | {
        "attr.1øßä": {"DataType": "String", "StringValue": "ok"}
    }
    assert sqs.send_message(QueueUrl=url, MessageBody="b", MessageAttributes=ten)[
        "MD5OfMessageAttributes"
    ] == reference_md5(ten)


# --- system attributes -----------------------------------------------------------------------------------


def test_system_attributes_all_and_individual(sqs: Any, name: str) -> None:
    url = create(sqs, name, VisibilityTimeout=0)
    before = int(time.time() * 1000)
    sqs.send_message(
        QueueUrl=url, MessageBody="msg", MessageAttributes={"Foo": {"DataType": "String", "StringValue": "Bar"}}
    )
    [first] = receive(sqs, url, AttributeNames=["All"])
    system = first["Attributes"]
    assert set(system) == {"SenderId", "SentTimestamp", "ApproximateReceiveCount", "ApproximateFirstReceiveTimestamp"}
    assert system["ApproximateReceiveCount"] == "1"
    assert (
        before - 1000
        <= int(system["SentTimestamp"])
        <= int(system["ApproximateFirstReceiveTimestamp"])
        <= int(time.time() * 1000) + 1000
    )
    assert "MessageAttributes" not in first
    [second] = receive(sqs, url, MessageSystemAttributeNames=["All"], MessageAttributeNames=["All"])
    assert second["Attributes"]["ApproximateReceiveCount"] == "2"
    assert second["Attributes"]["ApproximateFirstReceiveTimestamp"] == system["ApproximateFirstReceiveTimestamp"]
    assert second["MD5OfMessageAttributes"] == "ae7155c6026991b6d54b11589678bf9c"
    [third] = receive(sqs, url, AttributeNames=["SenderId"])
    assert set(third["Attributes"]) == {"SenderId"}
    [fourth] = receive(sqs, url, MessageSystemAttributeNames=["SenderId", "SequenceNumber", "ApproximateReceiveCount"])
    assert fourth["Attributes"] == {"SenderId": system["SenderId"], "ApproximateReceiveCount": "4"}


def test_aws_trace_header_system_attribute(sqs: Any, name: str) -> None:
    url = create(sqs, name, VisibilityTimeout=0)
    user = {"timestamp": {"StringValue": "1493147359900", "DataType": "Number"}}
    plain = sqs.send_message(QueueUrl=url, MessageBody="test", MessageAttributes=user)
    traced = sqs.send_message(
        QueueUrl=url,
        MessageBody="test",
        MessageAttributes=user,
        MessageSystemAttributes={"AWSTraceHeader": {"DataType": "String", "StringValue": TRACE}},
    )
    assert plain["MD5OfMessageAttributes"] == traced["MD5OfMessageAttributes"] == reference_md5(user)
    assert "MD5OfMessageSystemAttributes" not in plain
    assert traced["MD5OfMessageSystemAttributes"] == "5ae4d5d7636402d80f4eb6d213245a88"
    got = {m["MessageId"]: m for m in receive(sqs, url, MaxNumberOfMessages=10, AttributeNames=["All"])}
    assert got[traced["MessageId"]]["Attributes"]["AWSTraceHeader"] == TRACE
    assert "AWSTraceHeader" not in got[plain["MessageId"]]["Attributes"]
    [only] = [
        m
        for m in receive(sqs, url, MaxNumberOfMessages=10, MessageSystemAttributeNames=["AWSTraceHeader"])
        if "Attributes" in m
    ]
    assert only["Attributes"] == {"AWSTraceHeader": TRACE}
    for bad in (
        {"Other": {"DataType": "String", "StringValue": "x"}},
        {"AWSTraceHeader": {"DataType": "Number", "StringValue": "1"}},
    ):
        expect_error(
            sqs.send_message, "InvalidParameterValue", QueueUrl=url, MessageBody="b", MessageSystemAttributes=bad
        )


def test_aws_trace_header_from_the_x_amzn_trace_id_header(sqs: Any, name: str) -> None:
    """X-Ray's default header instrumentation: SendMessage(Batch) with an X-Amzn-Trace-Id header gives every message
    the AWSTraceHeader system attribute; a MessageSystemAttributes AWSTraceHeader overrides the header."""
    url = create(sqs, name, VisibilityTimeout=0)
    header = "Root=1-65a4c2b1-0123456789abcdef01234567;Parent=0123456789abcdef;Sampled=1"

    def add_trace_header(request: Any, **_: Any) -> None:
        request.headers["X-Amzn-Trace-Id"] = header

    sqs.meta.events.register("before-sign.sqs.SendMessage", add_trace_header)
    sqs.meta.events.register("before-sign.sqs.SendMessageBatch", add_trace_header)
    try:
        from_header = sqs.send_message(QueueUrl=url, MessageBody="header")
        explicit = sqs.send_message(
            QueueUrl=url,
            MessageBody="attribute",
            MessageSystemAttributes={"AWSTraceHeader": {"DataType": "String", "StringValue": TRACE}},
        )
        batch = sqs.send_message_batch(QueueUrl=url, Entries=[{"Id": "a", "MessageBody": "batch"}])
    finally:
        sqs.meta.events.unregister("before-sign.sqs.SendMessage", add_trace_header)
        sqs.meta.events.unregister("before-sign.sqs.SendMessageBatch", add_trace_header)
    assert "MD5OfMessageSystemAttributes" not in from_header and [e["Id"] for e in batch["Successful"]] == ["a"]
    assert explicit["MD5OfMessageSystemAttributes"] == "5ae4d5d7636402d80f4eb6d213245a88"
    plain = sqs.send_message(QueueUrl=url, MessageBody="plain")
    got = {
        m["Body"]: m for m in receive(sqs, url, MaxNumberOfMessages=10, MessageSystemAttributeNames=["AWSTraceHeader"])
    }
    assert got["header"]["Attributes"] == {"AWSTraceHeader": header}
    assert got["batch"]["Attributes"] == {"AWSTraceHeader": header}
    assert got["attribute"]["Attributes"] == {"AWSTraceHeader": TRACE}
    assert "Attributes" not in got["plain"]
    assert {m["MessageId"] for m in got.values()} >= {from_header["MessageId"], plain["MessageId"]}


def test_message_group_id_on_standard_queue(sqs: Any, name: str) -> None:
    url = sqs.create_queue(QueueName=name)["QueueUrl"]
    sent = sqs.send_message(QueueUrl=url, MessageBody="message", MessageGroupId="test")
    assert "SequenceNumber" not in sent
    [got] = receive(sqs, url, AttributeNames=["All"])
    assert got["Attributes"]["MessageGroupId"] == "test"
    for bad in ("", "group 123", "a" * 129):
        message = (
            f"Value {bad} for parameter MessageGroupId is invalid. Reason: MessageGroupId can only include "
            "alphanumeric and punctuation characters. 1 to 128 in length."
        )
        expect_error(
            sqs.send_message, "InvalidParameterValue", message, QueueUrl=url, MessageBody="m", MessageGroupId=bad
        )
    expect_error(sqs.send_message, "InvalidParameterValue", QueueUrl=url, MessageBody="m", MessageDeduplicationId="d")


# --- delays -------------------------------------------------------------------------------------------


def test_per_message_delay(sqs: Any, name: str) -> None:
    url = sqs.create_queue(QueueName=name)["QueueUrl"]
    start = time.monotonic()
    sqs.send_message(QueueUrl=url, MessageBody="late", DelaySeconds=1)
    sqs.send_message(QueueUrl=url, MessageBody="now")
    assert bodies(receive(sqs, url, MaxNumberOfMessages=10)) == ["now"]
    assert bodies(receive(sqs, url, WaitTimeSeconds=2)) == ["late"]
    assert 0.9 <= time.monotonic() - start < 1.8


def test_queue_delay_and_per_message_override(sqs: Any, name: str) -> None:
    url = create(sqs, name, DelaySeconds=1)
    start = time.monotonic()
    sqs.send_message(QueueUrl=url, MessageBody="queue-delay")
    sqs.send_message(QueueUrl=url, MessageBody="no-delay", DelaySeconds=0)
    assert bodies(receive(sqs, url, MaxNumberOfMessages=10)) == ["no-delay"]
    assert bodies(receive(sqs, url, WaitTimeSeconds=2)) == ["queue-delay"]
    assert 0.9 <= time.monotonic() - start < 1.8


@pytest.mark.parametrize("delay", [-1, 901])
def test_delay_out_of_range(sqs: Any, name: str, delay: int) -> None:
    url = sqs.create_queue(QueueName=name)["QueueUrl"]
    message = f"Value {delay} for parameter DelaySeconds is invalid. Reason: DelaySeconds must be >= 0 and <= 900."
    expect_error(sqs.send_message, "InvalidParameterValue", message, QueueUrl=url, MessageBody="m", DelaySeconds=delay)
    outcome = sqs.send_message_batch(QueueUrl=url, Entries=[{"Id": "a", "MessageBody": "m", "DelaySeconds": delay}])
    assert [(e["Id"], e["Code"], e["Message"]) for e in outcome["Failed"]] == [("a", "InvalidParameterValue", message)]


# --- visibility -----------------------------------------------------------------------------------------


def test_visibility_timeout_expiry_redelivers(sqs: Any, name: str) -> None:
    url = create(sqs, name, VisibilityTimeout=1)
    sqs.send_message(QueueUrl=url, MessageBody="m")
    [first] = receive(sqs, url)
    assert receive(sqs, url) == []
    start = time.monotonic()
    [again] = receive(sqs, url, WaitTimeSeconds=2, AttributeNames=["ApproximateReceiveCount"])
    assert 0.5 < time.monotonic() - start < 1.8
    assert again["MessageId"] == first["MessageId"] and again["ReceiptHandle"] != first["ReceiptHandle"]
    assert again["Attributes"]["ApproximateReceiveCount"] == "2"


def test_a_message_back_from_flight_comes_before_later_ones(sqs: Any, name: str) -> None:
    """Recorded on AWS ("inflight requeue"): a message whose visibility timeout ended is received before a message
    sent while it was in flight."""
    url = sqs.create_queue(QueueName=name)["QueueUrl"]
    sqs.send_message(QueueUrl=url, MessageBody="test1")
    [first] = receive(sqs, url, VisibilityTimeout=2)
    time.sleep(1)
    sqs.send_message(QueueUrl=url, MessageBody="test2")
    time.sleep(1.2)
    [again] = receive(sqs, url, VisibilityTimeout=2)
    assert again["Body"] == first["Body"] == "test1"


def test_receive_visibility_timeout_overrides_queue(sqs: Any, name: str) -> None:
    url = sqs.create_queue(QueueName=name)["QueueUrl"]
    sqs.send_message(QueueUrl=url, MessageBody="m")
    assert len(receive(sqs, url, VisibilityTimeout=0)) == 1
    assert len(receive(sqs, url, VisibilityTimeout=3)) == 1
    assert receive(sqs, url) == []
    expect_error(sqs.receive_message, "InvalidParameterValue", QueueUrl=url, VisibilityTimeout=43201)


def test_change_message_visibility(sqs: Any, name: str) -> None:
    url = create(sqs, name, VisibilityTimeout=1)
    sqs.send_message(QueueUrl=url, MessageBody="m")
    [got] = receive(sqs, url)
    sqs.change_message_visibility(QueueUrl=url, ReceiptHandle=got["ReceiptHandle"], VisibilityTimeout=30)
    time.sleep(1.2)
    assert receive(sqs, url) == []  # extended past the queue's timeout
    sqs.change_message_visibility(QueueUrl=url, ReceiptHandle=got["ReceiptHandle"], VisibilityTimeout=0)
    [again] = receive(sqs, url)  # visible at once
    assert again["MessageId"] == got["MessageId"]
    assert receive(sqs, url) == []  # the 0 was not permanent: the new receive hides it again
    for bad in (-1, 43201):
        expect_error(
            sqs.change_message_visibility,
            "InvalidParameterValue",
            QueueUrl=url,
            ReceiptHandle=again["ReceiptHandle"],
            VisibilityTimeout=bad,
        )


def test_change_visibility_after_expiry_hides_the_message_again(sqs: Any, name: str) -> None:
    url = create(sqs, name, VisibilityTimeout=1)
    sqs.send_message(QueueUrl=url, MessageBody="m")
    [got] = receive(sqs, url)
    time.sleep(1.1)
    sqs.change_message_visibility(QueueUrl=url, ReceiptHandle=got["ReceiptHandle"], VisibilityTimeout=30)
    assert receive(sqs, url) == []
    assert counts(sqs, url) == (0, 1, 0)


def test_change_visibility_of_deleted_message(sqs: Any, name: str) -> None:
    url = sqs.create_queue(QueueName=name)["QueueUrl"]
    sqs.send_message(QueueUrl=url, MessageBody="m")
    [got] = receive(sqs, url, VisibilityTimeout=30)
    sqs.change_message_visibility(QueueUrl=url, ReceiptHandle=got["ReceiptHandle"], VisibilityTimeout=42)
    sqs.delete_message(QueueUrl=url, ReceiptHandle=got["ReceiptHandle"])
    handle = got["ReceiptHandle"]
    message = (
        f"Value {handle} for parameter ReceiptHandle is invalid. "
        "Reason: Message does not exist or is not available for visibility timeout change."
    )
    expect_error(
        sqs.change_message_visibility,
        "InvalidParameterValue",
        message,
        QueueUrl=url,
        ReceiptHandle=handle,
        VisibilityTimeout=42,
    )


def test_an_earlier_receipt_handle_changes_the_visibility(sqs: Any, name: str) -> None:
    """Recorded on AWS: a message received again keeps its earlier receipt handles valid while it is in the queue;
    ChangeMessageVisibility with one of them acts on the message as it is now."""
    url = sqs.create_queue(QueueName=name)["QueueUrl"]
    sqs.send_message(QueueUrl=url, MessageBody="m")
    [first] = receive(sqs, url, VisibilityTimeout=0)
    [second] = receive(sqs, url, VisibilityTimeout=30)
    assert first["ReceiptHandle"] != second["ReceiptHandle"]
    sqs.change_message_visibility(QueueUrl=url, ReceiptHandle=first["ReceiptHandle"], VisibilityTimeout=0)
    [third] = receive(sqs, url, VisibilityTimeout=30, AttributeNames=["ApproximateReceiveCount"])
    assert third["MessageId"] == first["MessageId"] and third["Attributes"]["ApproximateReceiveCount"] == "3"
    outcome = sqs.change_message_visibility_batch(
        QueueUrl=url,
        Entries=[
            {"Id": "first", "ReceiptHandle": first["ReceiptHandle"], "VisibilityTimeout": 0},
            {"Id": "second", "ReceiptHandle": second["ReceiptHandle"], "VisibilityTimeout": 0},
        ],
    )
    assert sorted(e["Id"] for e in outcome["Successful"]) == ["first", "second"] and not outcome.get("Failed")
    assert [m["MessageId"] for m in receive(sqs, url)] == [first["MessageId"]]


def test_an_earlier_receipt_handle_deletes(sqs: Any, name: str) -> None:
    url = create(sqs, name, VisibilityTimeout=0)
    sqs.send_message(QueueUrl=url, MessageBody="one")
    [first] = receive(sqs, url)
    [second] = receive(sqs, url)
    assert first["ReceiptHandle"] != second["ReceiptHandle"]
    sqs.delete_message(QueueUrl=url, ReceiptHandle=first["ReceiptHandle"])
    assert receive(sqs, url) == [] and counts(sqs, url) == (0, 0, 0)
    sqs.delete_message(QueueUrl=url, ReceiptHandle=first["ReceiptHandle"])  # again: nothing left to delete
    sqs.delete_message(QueueUrl=url, ReceiptHandle=second["ReceiptHandle"])
    sqs.send_message(QueueUrl=url, MessageBody="two")
    [a] = receive(sqs, url)
    [b] = receive(sqs, url)
    deleted = sqs.delete_message_batch(QueueUrl=url, Entries=[{"Id": "a", "ReceiptHandle": a["ReceiptHandle"]}])
    assert [e["Id"] for e in deleted["Successful"]] == ["a"]
    assert counts(sqs, url) == (0, 0, 0)
    assert b["MessageId"] == a["MessageId"]


def test_a_handle_of_a_deleted_message_touches_no_later_message(sqs: Any, name: str) -> None:
    """A handle names its message: the handle of a message deleted from the queue never deletes or hides a message
    sent after it (whatever row the store gives the new one)."""
    url = sqs.create_queue(QueueName=name)["QueueUrl"]
    sqs.send_message(QueueUrl=url, MessageBody="first")
    [gone] = receive(sqs, url)
    sqs.delete_message(QueueUrl=url, ReceiptHandle=gone["ReceiptHandle"])
    sqs.send_message(QueueUrl=url, MessageBody="second")
    sqs.delete_message(QueueUrl=url, ReceiptHandle=gone["ReceiptHandle"])
    expect_error(
        sqs.change_message_visibility,
        "InvalidParameterValue",
        QueueUrl=url,
        ReceiptHandle=gone["ReceiptHandle"],
        VisibilityTimeout=60,
    )
    assert bodies(receive(sqs, url)) == ["second"]


def test_handles_given_before_they_named_their_message_still_work(sqs: Any, name: str) -> None:
    """gureum's handles used to be base64 of 'queue:row:token': a server upgraded under running consumers still
    takes them, acting while their receive is the message's latest (the row may hold another message later)."""

    def legacy(handle: str) -> str:
        return base64.urlsafe_b64encode(base64.urlsafe_b64decode(handle).rsplit(b":", 1)[0]).decode()

    url = sqs.create_queue(QueueName=name)["QueueUrl"]
    sqs.send_message(QueueUrl=url, MessageBody="m")
    [first] = receive(sqs, url, VisibilityTimeout=0)
    [second] = receive(sqs, url, VisibilityTimeout=0)
    sqs.delete_message(QueueUrl=url, ReceiptHandle=legacy(first["ReceiptHandle"]))
    assert counts(sqs, url) == (1, 0, 0)
    sqs.change_message_visibility(QueueUrl=url, ReceiptHandle=legacy(second["ReceiptHandle"]), VisibilityTimeout=30)
    assert counts(sqs, url) == (0, 1, 0)
    sqs.delete_message(QueueUrl=url, ReceiptHandle=legacy(second["ReceiptHandle"]))
    assert counts(sqs, url) == (0, 0, 0)


def test_delete_with_stale_handle_after_expiry_deletes(sqs: Any, name: str) -> None:
    url = sqs.create_queue(QueueName=name)["QueueUrl"]
    sqs.send_message(QueueUrl=url, MessageBody="m")
    [got] = receive(sqs, url, VisibilityTimeout=1)
    time.sleep(1.1)
    sqs.delete_message(QueueUrl=url, ReceiptHandle=got["ReceiptHandle"])
    assert counts(sqs, url) == (0, 0, 0)


# --- long polling -----------------------------------------------------------------------------------------


def test_long_poll_returns_when_a_message_arrives(sqs: Any, aws: Any, name: str) -> None:
    url = sqs.create_queue(QueueName=name)["QueueUrl"]
    sender = aws("sqs")
    timer = threading.Timer(0.5, lambda: sender.send_message(QueueUrl=url, MessageBody="arrived"))
    start = time.monotonic()
    timer.start()
    try:
        got = receive(sqs, url, WaitTimeSeconds=5)
    finally:
        timer.join()
    elapsed = time.monotonic() - start
    assert bodies(got) == ["arrived"]
    assert 0.4 <= elapsed < 1.5


def test_empty_long_poll_lasts_its_wait_time(sqs: Any, name: str) -> None:
    url = sqs.create_queue(QueueName=name)["QueueUrl"]
    start = time.monotonic()
    assert receive(sqs, url, WaitTimeSeconds=1) == []
    assert 0.9 <= time.monotonic() - start < 1.8


def test_long_poll_does_not_wait_when_messages_are_there(sqs: Any, name: str) -> None:
    url = sqs.create_queue(QueueName=name)["QueueUrl"]
    sqs.send_message(QueueUrl=url, MessageBody="a")
    sqs.send_message(QueueUrl=url, MessageBody="b")
    start = time.monotonic()
    got = receive(sqs, url, MaxNumberOfMessages=3, WaitTimeSeconds=5)
    assert 1 <= len(got) <= 2 and time.monotonic() - start < 1.0


def test_long_poll_wakes_when_a_message_becomes_visible_again(sqs: Any, aws: Any, name: str) -> None:
    url = sqs.create_queue(QueueName=name)["QueueUrl"]
    sqs.send_message(QueueUrl=url, MessageBody="m")
    [got] = receive(sqs, url, VisibilityTimeout=30)
    other = aws("sqs")
    timer = threading.Timer(
        0.5,
        lambda: other.change_message_visibility(QueueUrl=url, ReceiptHandle=got["ReceiptHandle"], VisibilityTimeout=0),
    )
    start = time.monotonic()
    timer.start()
    try:
        again = receive(sqs, url, WaitTimeSeconds=5)
    finally:
        timer.join()
    assert [m["MessageId"] for m in again] == [got["MessageId"]]
    assert time.monotonic() - start < 1.5


def test_long_poll_wakes_when_a_message_in_flight_is_given_a_shorter_timeout(sqs: Any, aws: Any, name: str) -> None:
    """A long poll waiting past a message's 30-second timeout learns of the change to 1 second: it answers when the
    message becomes visible, not when the old timeout would have ended."""
    url = sqs.create_queue(QueueName=name)["QueueUrl"]
    sqs.send_message(QueueUrl=url, MessageBody="m")
    [got] = receive(sqs, url, VisibilityTimeout=30)
    other = aws("sqs")
    timer = threading.Timer(
        0.3,
        lambda: other.change_message_visibility(QueueUrl=url, ReceiptHandle=got["ReceiptHandle"], VisibilityTimeout=1),
    )
    start = time.monotonic()
    timer.start()
    try:
        again = receive(sqs, url, WaitTimeSeconds=10)
    finally:
        timer.join()
    elapsed = time.monotonic() - start
    assert [m["MessageId"] for m in again] == [got["MessageId"]]
    assert 1.2 <= elapsed < 3.0, elapsed


def test_concurrent_long_polls_each_get_one_message(sqs: Any, aws: Any, name: str) -> None:
    url = sqs.create_queue(QueueName=name)["QueueUrl"]
    results: list[list[str]] = []
    lock = threading.Lock()

    def poll() -> None:
        got = bodies(receive(aws("sqs"), url, WaitTimeSeconds=3))
        with lock:
            results.append(got)

    pollers = [threading.Thread(target=poll) for _ in range(3)]
    for thread in pollers:
        thread.start()
    time.sleep(0.3)
    start = time.monotonic()
    for i in range(3):
        sqs.send_message(QueueUrl=url, MessageBody=f"m{i}")
    for thread in pollers:
        thread.join()
    assert sorted(b for got in results for b in got) == ["m0", "m1", "m2"]
    assert time.monotonic() - start < 2.0


def test_concurrent_receivers_never_share_a_message(sqs: Any, aws: Any, name: str) -> None:
    url = sqs.create_queue(QueueName=name)["QueueUrl"]
    for start in range(0, 60, 10):
        sqs.send_message_batch(
            QueueUrl=url, Entries=[{"Id": str(i), "MessageBody": f"m{start + i}"} for i in range(10)]
        )
    seen: list[str] = []
    lock = threading.Lock()

    def consume() -> None:
        client = aws("sqs")
        while True:
            got = receive(client, url, MaxNumberOfMessages=10, VisibilityTimeout=30)
            if not got:
                return
            with lock:
                seen.extend(m["MessageId"] for m in got)

    workers = [threading.Thread(target=consume) for _ in range(6)]
    for thread in workers:
        thread.start()
    for thread in workers:
        thread.join()
    assert len(seen) == len(set(seen)) == 60


def test_queue_receive_wait_time_is_the_default(sqs: Any, name: str) -> None:
    url = create(sqs, name, ReceiveMessageWaitTimeSeconds=1)
    start = time.monotonic()
    assert receive(sqs, url) == []
    assert 0.9 <= time.monotonic() - start < 1.8
    start = time.monotonic()
    assert receive(sqs, url, WaitTimeSeconds=0) == []
    assert time.monotonic() - start < 0.5


def test_receive_parameter_ranges(sqs: Any, name: str) -> None:
    url = sqs.create_queue(QueueName=name)["QueueUrl"]
    for bad in (0, 11):
        message = (
            f"Value {bad} for parameter MaxNumberOfMessages is invalid. Reason: Must be between 1 and 10, if provided."
        )
        expect_error(sqs.receive_message, "InvalidParameterValue", message, QueueUrl=url, MaxNumberOfMessages=bad)
    for bad in (-1, 21):
        message = f"Value {bad} for parameter WaitTimeSeconds is invalid. Reason: Must be >= 0 and <= 20, if provided."
        expect_error(sqs.receive_message, "InvalidParameterValue", message, QueueUrl=url, WaitTimeSeconds=bad)


def test_max_number_of_messages(sqs: Any, name: str) -> None:
    url = sqs.create_queue(QueueName=name)["QueueUrl"]
    for start in (0, 10):
        sqs.send_message_batch(
            QueueUrl=url, Entries=[{"Id": str(i), "MessageBody": f"m{start + i}"} for i in range(10)]
        )
    assert len(receive(sqs, url)) == 1  # one message unless asked for more
    seen = []
    for _ in range(10):
        got = receive(sqs, url, MaxNumberOfMessages=10)
        assert len(got) <= 10
        seen += got
    assert len({m["MessageId"] for m in seen}) == len(seen) == 19


# --- batches -------------------------------------------------------------------------------------------


def test_send_message_batch_with_one_invalid_entry(sqs: Any, name: str) -> None:
    url = sqs.create_queue(QueueName=name)["QueueUrl"]
    entries = [{"Id": str(i), "MessageBody": f"m{i}"} for i in range(9)] + [{"Id": "bad", "MessageBody": "\x01"}]
    entries[0]["MessageAttributes"] = {"k": {"DataType": "String", "StringValue": "x"}}
    result = sqs.send_message_batch(QueueUrl=url, Entries=entries)
    [failed] = result["Failed"]
    assert failed["Id"] == "bad" and failed["Code"] == "InvalidMessageContents" and failed["SenderFault"] is True
    assert sorted(s["Id"] for s in result["Successful"]) == [str(i) for i in range(9)]
    by_id = {s["Id"]: s for s in result["Successful"]}
    assert by_id["0"]["MD5OfMessageAttributes"] == "a45daa70926828a2f0a1db3418e6feb4"
    assert all(by_id[str(i)]["MD5OfMessageBody"] == md5(f"m{i}") for i in range(9))
    got = receive(sqs, url, MaxNumberOfMessages=10) + receive(sqs, url, MaxNumberOfMessages=10)
    assert sorted(bodies(got)) == sorted(f"m{i}" for i in range(9))
    assert {m["MessageId"] for m in got} == {s["MessageId"] for s in result["Successful"]}


def test_send_message_batch_entry_too_large_for_queue(sqs: Any, name: str) -> None:
    url = create(sqs, name, MaximumMessageSize=1024)
    result = sqs.send_message_batch(
        QueueUrl=url, Entries=[{"Id": "fits", "MessageBody": "a" * 1024}, {"Id": "big", "MessageBody": "a" * 1025}]
    )
    assert [s["Id"] for s in result["Successful"]] == ["fits"]
    assert result["Failed"] == [
        {
            "Id": "big",
            "SenderFault": True,
            "Code": "InvalidParameterValue",
            "Message": "One or more parameters cannot be validated. Reason: Message must be shorter than 1024 bytes.",
        }
    ]


def test_send_message_batch_delays(sqs: Any, name: str) -> None:
    url = sqs.create_queue(QueueName=name)["QueueUrl"]
    sqs.send_message_batch(
        QueueUrl=url, Entries=[{"Id": "a", "MessageBody": "late", "DelaySeconds": 1}, {"Id": "b", "MessageBody": "now"}]
    )
    assert counts(sqs, url) == (1, 0, 1)
    assert bodies(receive(sqs, url, MaxNumberOfMessages=10)) == ["now"]


def test_delete_message_batch_with_bad_handle(sqs: Any, name: str) -> None:
    url = sqs.create_queue(QueueName=name)["QueueUrl"]
    sqs.send_message_batch(QueueUrl=url, Entries=[{"Id": str(i), "MessageBody": f"m{i}"} for i in range(3)])
    got = receive(sqs, url, MaxNumberOfMessages=10)
    assert len(got) == 3
    entries = [{"Id": f"e{i}", "ReceiptHandle": m["ReceiptHandle"]} for i, m in enumerate(got)] + [
        {"Id": "bad", "ReceiptHandle": "garbage"}
    ]
    result = sqs.delete_message_batch(QueueUrl=url, Entries=entries)
    assert sorted(s["Id"] for s in result["Successful"]) == ["e0", "e1", "e2"]
    [failed] = result["Failed"]
    assert (failed["Id"], failed["Code"], failed["SenderFault"]) == ("bad", "ReceiptHandleIsInvalid", True)
    assert counts(sqs, url) == (0, 0, 0)


def test_change_message_visibility_batch(sqs: Any, name: str) -> None:
    url = sqs.create_queue(QueueName=name)["QueueUrl"]
    sqs.send_message_batch(QueueUrl=url, Entries=[{"Id": str(i), "MessageBody": f"m{i}"} for i in range(2)])
    got = receive(sqs, url, MaxNumberOfMessages=10, VisibilityTimeout=30)
    assert len(got) == 2
    entries = [
        {"Id": "show", "ReceiptHandle": got[0]["ReceiptHandle"], "VisibilityTimeout": 0},
        {"Id": "keep", "ReceiptHandle": got[1]["ReceiptHandle"], "VisibilityTimeout": 60},
        {"Id": "bad", "ReceiptHandle": "garbage", "VisibilityTimeout": 0},
        {"Id": "long", "ReceiptHandle": got[1]["ReceiptHandle"], "VisibilityTimeout": 43201},
    ]
    result = sqs.change_message_visibility_batch(QueueUrl=url, Entries=entries)
    assert sorted(s["Id"] for s in result["Successful"]) == ["keep", "show"]
    assert sorted((f["Id"], f["Code"], f["SenderFault"]) for f in result["Failed"]) == [
        ("bad", "ReceiptHandleIsInvalid", True),
        ("long", "InvalidParameterValue", True),
    ]
    assert [m["MessageId"] for m in receive(sqs, url, MaxNumberOfMessages=10)] == [got[0]["MessageId"]]


BATCH_CALLS = [
    ("send_message_batch", "SendMessageBatchRequestEntry", lambda i: {"Id": i, "MessageBody": "m"}),
    ("delete_message_batch", "DeleteMessageBatchRequestEntry", lambda i: {"Id": i, "ReceiptHandle": "h"}),
    (
        "change_message_visibility_batch",
        "ChangeMessageVisibilityBatchRequestEntry",
        lambda i: {"Id": i, "ReceiptHandle": "h", "VisibilityTimeout": 0},
    ),
]


@pytest.mark.parametrize("operation,entry_name,entry", BATCH_CALLS)
def test_batch_request_errors(sqs: Any, name: str, operation: str, entry_name: str, entry: Any) -> None:
    url = sqs.create_queue(QueueName=name)["QueueUrl"]
    call = getattr(sqs, operation)
    expect_error(
        call,
        "AWS.SimpleQueueService.EmptyBatchRequest",
        f"There should be at least one {entry_name} in the request.",
        QueueUrl=url,
        Entries=[],
    )
    expect_error(
        call,
        "AWS.SimpleQueueService.TooManyEntriesInBatchRequest",
        "Maximum number of entries per request are 10. You have sent 11.",
        QueueUrl=url,
        Entries=[entry(str(i)) for i in range(11)],
    )
    expect_error(
        call,
        "AWS.SimpleQueueService.BatchEntryIdsNotDistinct",
        "Id 1 repeated.",
        QueueUrl=url,
        Entries=[entry("1"), entry("2"), entry("1")],
    )
    message = (
        "A batch entry id can only contain alphanumeric characters, hyphens and underscores. "
        "It can be at most 80 letters long."
    )
    for bad in ("", "invalid:id", "testLongId" * 9):
        expect_error(call, "AWS.SimpleQueueService.InvalidBatchEntryId", message, QueueUrl=url, Entries=[entry(bad)])
    expect_error(call, "AWS.SimpleQueueService.NonExistentQueue", QueueUrl=url + "-missing", Entries=[entry("1")])


def test_batch_request_too_long(sqs: Any, name: str) -> None:
    url = sqs.create_queue(QueueName=name)["QueueUrl"]
    attributes = {"k": {"DataType": "String", "StringValue": "x"}}  # 1 + 6 + 1 bytes
    entries = [
        {"Id": "1", "MessageBody": "a" * (1048576 - 8), "MessageAttributes": attributes},
        {"Id": "2", "MessageBody": "a"},
    ]
    message = "Batch requests cannot be longer than 1048576 bytes. You have sent 1048577 bytes."
    expect_error(
        sqs.send_message_batch, "AWS.SimpleQueueService.BatchRequestTooLong", message, QueueUrl=url, Entries=entries
    )
    assert counts(sqs, url) == (0, 0, 0)


# --- sizes and characters -----------------------------------------------------------------------------


def test_message_size_limit_of_queue(sqs: Any, name: str) -> None:
    url = create(sqs, name, MaximumMessageSize=1024)
    sqs.send_message(QueueUrl=url, MessageBody="a" * 1024)
    message = "One or more parameters are invalid. Reason: Message must be shorter than 1024 bytes."
    expect_error(sqs.send_message, "InvalidParameterValue", message, QueueUrl=url, MessageBody="a" * 1025)
    attributes = {"k": {"DataType": "String", "StringValue": "x"}}  # attributes count: 1 + 6 + 1 bytes
    sqs.send_message(QueueUrl=url, MessageBody="a" * (1024 - 8), MessageAttributes=attributes)
    expect_error(
        sqs.send_message,
        "InvalidParameterValue",
        message,
        QueueUrl=url,
        MessageBody="a" * (1024 - 7),
        MessageAttributes=attributes,
    )
    expect_error(
        sqs.send_message, "InvalidParameterValue", message, QueueUrl=url, MessageBody="é" * 513
    )  # bytes, not characters
    assert counts(sqs, url) == (2, 0, 0)


def test_default_message_size_limit(sqs: Any, name: str) -> None:
    url = sqs.create_queue(QueueName=name)["QueueUrl"]
    attributes = {"k": {"DataType": "String", "StringValue": "x"}}
    message = "One or more parameters are invalid. Reason: Message must be shorter than 1048576 bytes."
    expect_error(
        sqs.send_message,
        "InvalidParameterValue",
        message,
        QueueUrl=url,
        MessageBody="a" * (1048576 - 7),
        MessageAttributes=attributes,
    )
    sqs.send_message(QueueUrl=url, MessageBody="a" * 1048576)
    [got] = receive(sqs, url)
    assert len(got["Body"]) == 1048576


def test_invalid_message_characters(sqs: Any, name: str) -> None:
    url = sqs.create_queue(QueueName=name)["QueueUrl"]
    message = (
        "Invalid binary character '#xFFFF' was found in the message body, the set of allowed characters is "
        "#x9 | #xA | #xD | [#x20-#xD7FF] | [#xE000-#xFFFD] | [#x10000-#x10FFFF]."
    )
    expect_error(sqs.send_message, "InvalidMessageContents", message, QueueUrl=url, MessageBody="ok\uffff")
    for bad in ("\x00", "a\x08b", "\x13", "\x1f", f"Invalid-{chr(0)}-{chr(8)}-{chr(19)}-{chr(65535)}"):
        expect_error(sqs.send_message, "InvalidMessageContents", QueueUrl=url, MessageBody=bad)
    sqs.send_message(QueueUrl=url, MessageBody="tab\tnew\nline\rreturn")
    assert counts(sqs, url) == (1, 0, 0)
