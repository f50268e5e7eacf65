"""SQS FIFO queues end to end through boto3: ordering, message groups, deduplication, sequence numbers,
receive-attempt retries, FIFO-only errors and FIFO dead-letter queues."""

from __future__ import annotations

import hashlib
import json
import threading
import time
from typing import Any

import pytest

from ._client import arn, bodies, counts, create, expect_error, receive

NO_DEDUP = (
    "The queue should either have ContentBasedDeduplication enabled or MessageDeduplicationId provided explicitly"
)
NO_GROUP = "The request must contain the parameter MessageGroupId."


def fifo(sqs: Any, name: str, **attributes: Any) -> str:
    return create(sqs, f"{name}.fifo", **attributes)


def send(sqs: Any, url: str, body: str, group: str = "g", dedup: str | None = None, **kwargs: Any) -> dict[str, Any]:
    return sqs.send_message(
        QueueUrl=url, MessageBody=body, MessageGroupId=group, MessageDeduplicationId=dedup or body, **kwargs
    )  # type: ignore[no-any-return]


# --- ordering and groups ------------------------------------------------------------------------------------


def test_order_within_group_and_increasing_sequence_numbers(sqs: Any, name: str) -> None:
    url = fifo(sqs, name)
    sent = [send(sqs, url, f"m{i}") for i in range(5)]
    sequence = [int(s["SequenceNumber"]) for s in sent]
    assert sequence == sorted(sequence) and len(set(sequence)) == 5
    got = receive(sqs, url, MaxNumberOfMessages=10, AttributeNames=["All"])
    assert bodies(got) == [f"m{i}" for i in range(5)]
    assert [m["MessageId"] for m in got] == [s["MessageId"] for s in sent]
    assert [m["Attributes"]["SequenceNumber"] for m in got] == [s["SequenceNumber"] for s in sent]


def test_single_receives_follow_the_group_order(sqs: Any, name: str) -> None:
    url = fifo(sqs, name)
    for i in range(4):
        send(sqs, url, f"m{i}")
    for i in range(4):
        [got] = receive(sqs, url)
        assert got["Body"] == f"m{i}"
        assert receive(sqs, url) == []  # the group is blocked while its message is in flight
        sqs.delete_message(QueueUrl=url, ReceiptHandle=got["ReceiptHandle"])
    assert counts(sqs, url) == (0, 0, 0)


def test_group_is_blocked_while_a_message_is_in_flight(sqs: Any, name: str) -> None:
    url = fifo(sqs, name)
    send(sqs, url, "g1-m1", "g1")
    send(sqs, url, "g1-m2", "g1")
    send(sqs, url, "g2-m1", "g2")
    [first] = receive(sqs, url)
    assert first["Body"] == "g1-m1"
    assert bodies(receive(sqs, url, MaxNumberOfMessages=10)) == ["g2-m1"]
    assert receive(sqs, url, MaxNumberOfMessages=10) == []
    sqs.delete_message(QueueUrl=url, ReceiptHandle=first["ReceiptHandle"])
    assert bodies(receive(sqs, url, MaxNumberOfMessages=10)) == ["g1-m2"]


def test_messages_of_a_group_come_together(sqs: Any, name: str) -> None:
    url = fifo(sqs, name, ContentBasedDeduplication="true")
    for body, group in (("g1-m1", "group-1"), ("g2-m1", "group-2"), ("g1-m2", "group-1"), ("g1-m3", "group-1")):
        sqs.send_message(QueueUrl=url, MessageBody=body, MessageGroupId=group)
    assert bodies(receive(sqs, url, MaxNumberOfMessages=10)) == ["g1-m1", "g1-m2", "g1-m3", "g2-m1"]


def test_visibility_timeout_is_shared_in_group(sqs: Any, name: str) -> None:
    url = fifo(sqs, name, ContentBasedDeduplication="true", VisibilityTimeout=1)
    for body, group in (("g1-m1", "1"), ("g1-m2", "1"), ("g1-m3", "1"), ("g1-m4", "1"), ("g2-m1", "2"), ("g3-m1", "3")):
        sqs.send_message(QueueUrl=url, MessageBody=body, MessageGroupId=group)
    assert bodies(receive(sqs, url, MaxNumberOfMessages=2)) == ["g1-m1", "g1-m2"]
    assert bodies(receive(sqs, url, MaxNumberOfMessages=1)) == ["g2-m1"]  # group 1 is in flight
    time.sleep(1.1)
    # recorded on AWS: groups come in the order their first message became visible (group 3 was never received)
    got = bodies(receive(sqs, url, MaxNumberOfMessages=10, VisibilityTimeout=0))
    assert got == ["g3-m1", "g1-m1", "g1-m2", "g1-m3", "g1-m4", "g2-m1"]


def test_partial_delete_keeps_the_group_blocked(sqs: Any, name: str) -> None:
    url = fifo(sqs, name, ContentBasedDeduplication="true")
    for body, group in (
        ("g1-m1", "1"),
        ("g2-m1", "2"),
        ("g1-m2", "1"),
        ("g2-m2", "2"),
        ("g1-m3", "1"),
        ("g1-m4", "1"),
        ("g3-m1", "3"),
    ):
        sqs.send_message(QueueUrl=url, MessageBody=body, MessageGroupId=group)
    got = receive(sqs, url, MaxNumberOfMessages=2)
    assert bodies(got) == ["g1-m1", "g1-m2"]
    sqs.delete_message(QueueUrl=url, ReceiptHandle=got[0]["ReceiptHandle"])
    assert bodies(receive(sqs, url, MaxNumberOfMessages=10)) == ["g2-m1", "g2-m2", "g3-m1"]


def test_deleting_all_in_flight_messages_unblocks_the_group(sqs: Any, name: str) -> None:
    url = fifo(sqs, name, ContentBasedDeduplication="true")
    for body, group in (("g1-m1", "1"), ("g2-m1", "2"), ("g1-m2", "1"), ("g1-m3", "1")):
        sqs.send_message(QueueUrl=url, MessageBody=body, MessageGroupId=group)
    got = receive(sqs, url, MaxNumberOfMessages=2)
    for message in got:
        sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])
    assert sorted(bodies(receive(sqs, url, MaxNumberOfMessages=10))) == ["g1-m3", "g2-m1"]


def test_terminating_visibility_of_the_head_unblocks_the_group(sqs: Any, name: str) -> None:
    url = fifo(sqs, name, ContentBasedDeduplication="true", VisibilityTimeout=30)
    for body, group in (("g1-m1", "1"), ("g1-m2", "1"), ("g2-m1", "2")):
        sqs.send_message(QueueUrl=url, MessageBody=body, MessageGroupId=group)
    got = receive(sqs, url, MaxNumberOfMessages=2)
    assert bodies(got) == ["g1-m1", "g1-m2"]
    sqs.change_message_visibility(QueueUrl=url, ReceiptHandle=got[0]["ReceiptHandle"], VisibilityTimeout=0)
    # recorded on AWS: group 1 is receivable again, behind group 2; g1-m2 stays in flight
    assert bodies(receive(sqs, url, MaxNumberOfMessages=3)) == ["g2-m1", "g1-m1"]


def test_shortened_visibility_of_the_head_unblocks_the_group(sqs: Any, name: str) -> None:
    url = fifo(sqs, name, ContentBasedDeduplication="true", VisibilityTimeout=30)
    for body, group in (("g1-m1", "1"), ("g1-m2", "1"), ("g2-m1", "2")):
        sqs.send_message(QueueUrl=url, MessageBody=body, MessageGroupId=group)
    got = receive(sqs, url, MaxNumberOfMessages=2)
    sqs.change_message_visibility(QueueUrl=url, ReceiptHandle=got[0]["ReceiptHandle"], VisibilityTimeout=1)
    time.sleep(1.1)
    assert bodies(receive(sqs, url, MaxNumberOfMessages=3)) == ["g2-m1", "g1-m1"]


def test_receive_with_zero_visibility_timeout(sqs: Any, name: str) -> None:
    """Recorded on AWS: a FIFO receive with VisibilityTimeout=0 leaves its groups receivable at once, and they come
    back behind the groups nobody received."""
    url = fifo(sqs, name, ContentBasedDeduplication="true")
    for body, group in (("g1-m1", "1"), ("g2-m1", "2"), ("g2-m2", "2"), ("g3-m1", "3"), ("g1-m2", "1")):
        sqs.send_message(QueueUrl=url, MessageBody=body, MessageGroupId=group)
    assert bodies(receive(sqs, url, MaxNumberOfMessages=3, VisibilityTimeout=0)) == ["g1-m1", "g1-m2", "g2-m1"]
    got = bodies(receive(sqs, url, MaxNumberOfMessages=10, VisibilityTimeout=0))
    assert got == ["g3-m1", "g1-m1", "g1-m2", "g2-m1", "g2-m2"]


def test_deleted_group_comes_back_in_send_order(sqs: Any, name: str) -> None:
    """Recorded on AWS: once all its in-flight messages are deleted, a group's next message takes its place among
    the other groups by when it became visible."""
    url = fifo(sqs, name, ContentBasedDeduplication="true")
    for body, group in (
        ("g1-m1", "1"),
        ("g2-m1", "2"),
        ("g1-m2", "1"),
        ("g2-m2", "2"),
        ("g1-m2", "1"),  # a duplicate (content-based deduplication): not stored again
        ("g1-m3", "1"),
        ("g1-m4", "1"),
        ("g3-m1", "3"),
    ):
        sqs.send_message(QueueUrl=url, MessageBody=body, MessageGroupId=group)
    got = receive(sqs, url, MaxNumberOfMessages=2)
    assert bodies(got) == ["g1-m1", "g1-m2"]
    for message in got:
        sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])
    assert bodies(receive(sqs, url, MaxNumberOfMessages=10)) == ["g2-m1", "g2-m2", "g1-m3", "g1-m4", "g3-m1"]


def test_order_is_kept_after_visibility_timeout(sqs: Any, name: str) -> None:
    url = fifo(sqs, name, VisibilityTimeout=1)
    for i in range(3):
        send(sqs, url, f"message-{i}", "1")
    assert bodies(receive(sqs, url, MaxNumberOfMessages=10)) == ["message-0", "message-1", "message-2"]
    time.sleep(1.1)
    again = receive(sqs, url, MaxNumberOfMessages=10, AttributeNames=["ApproximateReceiveCount"])
    assert bodies(again) == ["message-0", "message-1", "message-2"]
    assert {m["Attributes"]["ApproximateReceiveCount"] for m in again} == {"2"}


def test_emptied_group_takes_new_messages(sqs: Any, name: str) -> None:
    url = fifo(sqs, name, ContentBasedDeduplication="true")
    sqs.send_message(QueueUrl=url, MessageBody="Message 1", MessageGroupId="g")
    [first] = receive(sqs, url)
    sqs.delete_message(QueueUrl=url, ReceiptHandle=first["ReceiptHandle"])
    assert receive(sqs, url) == []
    sqs.send_message(QueueUrl=url, MessageBody="Message 2", MessageGroupId="g")
    assert bodies(receive(sqs, url)) == ["Message 2"]


def test_fifo_system_attributes(sqs: Any, name: str) -> None:
    url = fifo(sqs, name, ContentBasedDeduplication="true")
    sent = sqs.send_message(
        QueueUrl=url, MessageBody="message-body-1", MessageGroupId="group-1", MessageDeduplicationId="dedup-1"
    )
    sqs.send_message(QueueUrl=url, MessageBody="content-based", MessageGroupId="group-2")
    got = {m["Body"]: m["Attributes"] for m in receive(sqs, url, MaxNumberOfMessages=10, AttributeNames=["All"])}
    first = got["message-body-1"]
    assert set(first) == {
        "ApproximateFirstReceiveTimestamp",
        "ApproximateReceiveCount",
        "MessageDeduplicationId",
        "MessageGroupId",
        "SenderId",
        "SentTimestamp",
        "SequenceNumber",
    }
    assert (first["MessageDeduplicationId"], first["MessageGroupId"], first["SequenceNumber"]) == (
        "dedup-1",
        "group-1",
        sent["SequenceNumber"],
    )
    assert got["content-based"]["MessageDeduplicationId"] == hashlib.sha256(b"content-based").hexdigest()


def test_concurrent_receivers_never_hold_one_group_at_once(sqs: Any, aws: Any, name: str) -> None:
    url = fifo(sqs, name, ContentBasedDeduplication="true")
    for group in range(4):
        sqs.send_message_batch(
            QueueUrl=url,
            Entries=[{"Id": str(i), "MessageBody": f"g{group}-m{i}", "MessageGroupId": f"g{group}"} for i in range(5)],
        )
    held: list[list[str]] = []
    lock = threading.Lock()

    def take() -> None:
        got = bodies(receive(aws("sqs"), url, MaxNumberOfMessages=10, VisibilityTimeout=30))
        with lock:
            held.append(got)

    workers = [threading.Thread(target=take) for _ in range(6)]
    for thread in workers:
        thread.start()
    for thread in workers:
        thread.join()
    groups_per_call = [{b.split("-")[0] for b in got} for got in held if got]
    all_groups = [g for groups in groups_per_call for g in groups]
    assert len(all_groups) == len(set(all_groups))  # no group handed to two receivers
    taken = [b for got in held for b in got]
    assert len(taken) == len(set(taken)) == 20
    for group in range(4):  # and within a group, in order
        assert [b for b in taken if b.startswith(f"g{group}-")] == [f"g{group}-m{i}" for i in range(5)]


# --- deduplication ------------------------------------------------------------------------------------


def test_explicit_deduplication_id(sqs: Any, name: str) -> None:
    url = fifo(sqs, name)
    first = send(sqs, url, "one", dedup="d1")
    again = send(sqs, url, "other body, same id", dedup="d1")
    assert again["MD5OfMessageBody"] == hashlib.md5(b"other body, same id").hexdigest()
    assert first["SequenceNumber"] and again["MessageId"]
    [got] = receive(sqs, url, MaxNumberOfMessages=10)
    assert got["Body"] == "one"
    # still a duplicate after the original was deleted (the interval is five minutes)
    sqs.delete_message(QueueUrl=url, ReceiptHandle=got["ReceiptHandle"])
    send(sqs, url, "one", dedup="d1")
    assert receive(sqs, url, WaitTimeSeconds=1) == []
    send(sqs, url, "two", dedup="d2")
    assert bodies(receive(sqs, url)) == ["two"]


def test_content_based_deduplication(sqs: Any, name: str) -> None:
    url = fifo(sqs, name, ContentBasedDeduplication="true")
    for _ in range(2):
        sqs.send_message(QueueUrl=url, MessageBody='{"foo": "bar"}', MessageGroupId="g")
    sqs.send_message(QueueUrl=url, MessageBody='{"foo": "baz"}', MessageGroupId="g")
    # an explicit id wins over the content hash
    sqs.send_message(QueueUrl=url, MessageBody='{"foo": "bar"}', MessageGroupId="g", MessageDeduplicationId="explicit")
    assert bodies(receive(sqs, url, MaxNumberOfMessages=10)) == ['{"foo": "bar"}', '{"foo": "baz"}', '{"foo": "bar"}']


def test_deduplication_scope_queue_spans_groups(sqs: Any, name: str) -> None:
    url = fifo(sqs, name)
    send(sqs, url, "Test", "group1", dedup="same-dedup")
    send(sqs, url, "Test", "group2", dedup="same-dedup")
    [got] = receive(sqs, url, MaxNumberOfMessages=10, AttributeNames=["MessageGroupId"])
    assert got["Attributes"]["MessageGroupId"] == "group1"


def test_deduplication_scope_message_group(sqs: Any, name: str) -> None:
    url = fifo(sqs, name, DeduplicationScope="messageGroup", FifoThroughputLimit="perMessageGroupId")
    send(sqs, url, "Test1", "group1", dedup="same-dedup")
    send(sqs, url, "Test2", "group2", dedup="same-dedup")
    send(sqs, url, "Test3", "group1", dedup="same-dedup")  # a duplicate within group1
    assert sorted(bodies(receive(sqs, url, MaxNumberOfMessages=10))) == ["Test1", "Test2"]


def test_message_group_scope_without_throughput_setting(sqs: Any, name: str) -> None:
    url = fifo(sqs, name, ContentBasedDeduplication="true", DeduplicationScope="messageGroup")
    sqs.send_message(QueueUrl=url, MessageBody="Test", MessageGroupId="group1")
    sqs.send_message(QueueUrl=url, MessageBody="Test", MessageGroupId="group2")
    assert bodies(receive(sqs, url, MaxNumberOfMessages=10)) == ["Test", "Test"]


def test_concurrent_duplicates_are_delivered_once(sqs: Any, aws: Any, name: str) -> None:
    url = fifo(sqs, name)
    start = threading.Barrier(8)
    ids: list[str] = []

    def send_same(i: int) -> None:
        client = aws("sqs")
        start.wait()
        for round_ in range(5):
            ids.append(
                client.send_message(
                    QueueUrl=url,
                    MessageBody=f"r{round_}",
                    MessageGroupId=f"g{i}",
                    MessageDeduplicationId=f"same-{round_}",
                )["MessageId"]
            )

    threads = [threading.Thread(target=send_same, args=(i,)) for i in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(ids) == 40
    got = receive(sqs, url, MaxNumberOfMessages=10) + receive(sqs, url, MaxNumberOfMessages=10)
    assert sorted(bodies(got)) == [f"r{i}" for i in range(5)]
    assert counts(sqs, url) == (0, 5, 0)


def test_purge_clears_deduplication(sqs: Any, name: str) -> None:
    url = fifo(sqs, name)
    send(sqs, url, "message-1", dedup="d")
    sqs.purge_queue(QueueUrl=url)
    send(sqs, url, "message-2", dedup="d")
    assert bodies(receive(sqs, url, WaitTimeSeconds=1)) == ["message-2"]


def test_batch_deduplicates_within_and_across_requests(sqs: Any, name: str) -> None:
    url = fifo(sqs, name)
    entries = [
        {"Id": str(i), "MessageBody": f"b{i}", "MessageGroupId": "g", "MessageDeduplicationId": f"d{i % 2}"}
        for i in range(4)
    ]
    result = sqs.send_message_batch(QueueUrl=url, Entries=entries)
    assert len(result["Successful"]) == 4 and not result.get("Failed")
    assert bodies(receive(sqs, url, MaxNumberOfMessages=10)) == ["b0", "b1"]


# --- FIFO-only rules ----------------------------------------------------------------------------------


def test_message_group_id_and_deduplication_are_required(sqs: Any, name: str) -> None:
    url = fifo(sqs, name)
    error = expect_error(
        sqs.send_message, "MissingParameter", NO_GROUP, QueueUrl=url, MessageBody="m", MessageDeduplicationId="d"
    )
    assert error["QueryErrorCode"] == "MissingRequiredParameterException"
    expect_error(sqs.send_message, "InvalidParameterValue", NO_DEDUP, QueueUrl=url, MessageBody="m", MessageGroupId="g")


def test_batch_without_group_or_deduplication_fails_whole_request(sqs: Any, name: str) -> None:
    url = fifo(sqs, name)
    good = {"Id": "ok", "MessageBody": "m", "MessageGroupId": "g", "MessageDeduplicationId": "d"}
    expect_error(
        sqs.send_message_batch,
        "InvalidParameterValue",
        NO_GROUP,
        QueueUrl=url,
        Entries=[good, {"Id": "x", "MessageBody": "m", "MessageDeduplicationId": "d2"}],
    )
    expect_error(
        sqs.send_message_batch,
        "InvalidParameterValue",
        NO_DEDUP,
        QueueUrl=url,
        Entries=[good, {"Id": "x", "MessageBody": "m", "MessageGroupId": "g"}],
    )
    assert counts(sqs, url) == (0, 0, 0)


def test_per_message_delay_is_rejected(sqs: Any, name: str) -> None:
    url = fifo(sqs, name, ContentBasedDeduplication="true")
    message = (
        "Value 2 for parameter DelaySeconds is invalid. "
        "Reason: The request include parameter that is not valid for this queue type."
    )
    expect_error(
        sqs.send_message,
        "InvalidParameterValue",
        message,
        QueueUrl=url,
        MessageBody="m",
        MessageGroupId="1",
        DelaySeconds=2,
    )
    sqs.send_message(QueueUrl=url, MessageBody="zero is fine", MessageGroupId="1", DelaySeconds=0)
    assert bodies(receive(sqs, url)) == ["zero is fine"]


def test_queue_delay_applies(sqs: Any, name: str) -> None:
    url = fifo(sqs, name, ContentBasedDeduplication="true", DelaySeconds=1)
    for i in range(3):
        sqs.send_message(QueueUrl=url, MessageBody=f"message-{i}", MessageGroupId="1")
    assert receive(sqs, url) == []
    assert counts(sqs, url) == (0, 0, 3)
    time.sleep(1.1)
    assert bodies(receive(sqs, url, MaxNumberOfMessages=3)) == ["message-0", "message-1", "message-2"]


@pytest.mark.parametrize("bad", ["", "group 123", "a" * 129])
def test_invalid_group_and_deduplication_ids(sqs: Any, name: str, bad: str) -> None:
    url = fifo(sqs, name)
    for parameter in ("MessageGroupId", "MessageDeduplicationId"):
        message = (
            f"Value {bad} for parameter {parameter} is invalid. Reason: {parameter} can only include "
            "alphanumeric and punctuation characters. 1 to 128 in length."
        )
        kwargs = {"MessageGroupId": "g", "MessageDeduplicationId": "d", parameter: bad}
        expect_error(sqs.send_message, "InvalidParameterValue", message, QueueUrl=url, MessageBody="m", **kwargs)


def test_delete_after_visibility_timeout_expired(sqs: Any, name: str) -> None:
    url = fifo(sqs, name, ContentBasedDeduplication="true", VisibilityTimeout=1)
    sqs.send_message(QueueUrl=url, MessageBody="foobar", MessageGroupId="1")
    sqs.send_message(QueueUrl=url, MessageBody="extended", MessageGroupId="2")
    got = {m["Body"]: m["ReceiptHandle"] for m in receive(sqs, url, MaxNumberOfMessages=10)}
    sqs.change_message_visibility(QueueUrl=url, ReceiptHandle=got["extended"], VisibilityTimeout=10)
    time.sleep(1.1)
    handle = got["foobar"]
    message = f"Value {handle} for parameter ReceiptHandle is invalid. Reason: The receipt handle has expired."
    expect_error(sqs.delete_message, "InvalidParameterValue", message, QueueUrl=url, ReceiptHandle=handle)
    expect_error(
        sqs.change_message_visibility,
        "AWS.SimpleQueueService.MessageNotInflight",
        QueueUrl=url,
        ReceiptHandle=handle,
        VisibilityTimeout=5,
    )
    sqs.delete_message(QueueUrl=url, ReceiptHandle=got["extended"])
    assert counts(sqs, url) == (1, 0, 0)


def test_handle_of_an_earlier_receive_has_expired(sqs: Any, name: str) -> None:
    """A FIFO receipt handle lives as long as its receive: once the message was received again, the earlier
    handle neither deletes it nor changes its visibility."""
    url = fifo(sqs, name)
    send(sqs, url, "m")
    [first] = receive(sqs, url, VisibilityTimeout=0)
    [second] = receive(sqs, url, VisibilityTimeout=30)
    handle = first["ReceiptHandle"]
    message = f"Value {handle} for parameter ReceiptHandle is invalid. Reason: The receipt handle has expired."
    expect_error(sqs.delete_message, "InvalidParameterValue", message, QueueUrl=url, ReceiptHandle=handle)
    expect_error(
        sqs.change_message_visibility, "InvalidParameterValue", QueueUrl=url, ReceiptHandle=handle, VisibilityTimeout=0
    )
    assert counts(sqs, url) == (0, 1, 0)
    sqs.delete_message(QueueUrl=url, ReceiptHandle=second["ReceiptHandle"])
    assert counts(sqs, url) == (0, 0, 0)


# --- ReceiveRequestAttemptId ---------------------------------------------------------------------------


def test_receive_request_attempt_id_returns_the_same_messages(sqs: Any, name: str) -> None:
    url = fifo(sqs, name, ContentBasedDeduplication="true")
    for body, group in (("a1", "a"), ("a2", "a"), ("b1", "b")):
        sqs.send_message(QueueUrl=url, MessageBody=body, MessageGroupId=group)
    first = receive(sqs, url, MaxNumberOfMessages=2, ReceiveRequestAttemptId="attempt-1")
    assert bodies(first) == ["a1", "a2"]
    retry = receive(sqs, url, MaxNumberOfMessages=2, ReceiveRequestAttemptId="attempt-1")
    assert [(m["MessageId"], m["ReceiptHandle"]) for m in retry] == [
        (m["MessageId"], m["ReceiptHandle"]) for m in first
    ]
    assert bodies(receive(sqs, url, MaxNumberOfMessages=10, ReceiveRequestAttemptId="attempt-2")) == ["b1"]
    for message in retry:
        sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])
    assert counts(sqs, url) == (0, 1, 0)
    expect_error(sqs.receive_message, "InvalidParameterValue", QueueUrl=url, ReceiveRequestAttemptId="bad attempt")


# --- FIFO dead-letter queue --------------------------------------------------------------------------------


def test_fifo_dead_letter_queue(sqs: Any, name: str) -> None:
    dlq = fifo(sqs, f"{name}-dlq", ContentBasedDeduplication="true")
    url = fifo(
        sqs,
        name,
        ContentBasedDeduplication="true",
        RedrivePolicy=json.dumps({"deadLetterTargetArn": arn(sqs, dlq), "maxReceiveCount": 2}),
    )
    sent = sqs.send_message(QueueUrl=url, MessageBody="foobar", MessageGroupId="1")
    for _ in range(2):
        assert bodies(receive(sqs, url, VisibilityTimeout=0)) == ["foobar"]
    assert receive(sqs, url, VisibilityTimeout=0) == []  # the third receive moves it
    [dead] = receive(sqs, dlq, AttributeNames=["All"])
    assert (dead["MessageId"], dead["Body"]) == (sent["MessageId"], "foobar")
    assert dead["Attributes"]["MessageGroupId"] == "1"
    assert dead["Attributes"]["DeadLetterQueueSourceArn"] == arn(sqs, url)
    # the source group keeps working
    again = sqs.send_message(QueueUrl=url, MessageBody="foobar2", MessageGroupId="1")
    [got] = receive(sqs, url)
    assert (got["MessageId"], got["Body"]) == (again["MessageId"], "foobar2")
