"""The store's cache of queue rows never serves a stale queue: each change to a queue is seen by the very next
request (the SQLite store caches queue rows between transactions; PostgreSQL looks them up every time)."""

from __future__ import annotations

from typing import Any

from ._client import create, expect_error, receive


def test_attribute_change_is_seen_by_the_next_send(sqs: Any, name: str) -> None:
    url = create(sqs, name)
    sqs.send_message(QueueUrl=url, MessageBody="first")  # the queue is now cached
    sqs.set_queue_attributes(QueueUrl=url, Attributes={"MaximumMessageSize": "1024"})
    expect_error(sqs.send_message, "InvalidParameterValue", QueueUrl=url, MessageBody="x" * 2048)
    sqs.set_queue_attributes(QueueUrl=url, Attributes={"MaximumMessageSize": "4096", "DelaySeconds": "5"})
    sqs.send_message(QueueUrl=url, MessageBody="x" * 2048)
    # the new default delay holds the second message back
    assert [m["Body"] for m in receive(sqs, url, WaitTimeSeconds=0, MaxNumberOfMessages=10)] == ["first"]


def test_deleted_queue_is_gone_for_the_next_request(sqs: Any, name: str) -> None:
    url = create(sqs, name)
    sqs.send_message(QueueUrl=url, MessageBody="m")
    sqs.delete_queue(QueueUrl=url)
    expect_error(sqs.send_message, "AWS.SimpleQueueService.NonExistentQueue", QueueUrl=url, MessageBody="m")
    expect_error(sqs.receive_message, "AWS.SimpleQueueService.NonExistentQueue", QueueUrl=url)


def test_failed_create_leaves_the_cached_queue_as_it_was(sqs: Any, name: str) -> None:
    # CreateQueue of an existing name with other attributes fails inside its transaction, after reading the queue
    url = create(sqs, name, MaximumMessageSize=1024)
    sqs.send_message(QueueUrl=url, MessageBody="m")
    expect_error(sqs.create_queue, "QueueAlreadyExists", QueueName=name, Attributes={"MaximumMessageSize": "4096"})
    expect_error(sqs.send_message, "InvalidParameterValue", QueueUrl=url, MessageBody="x" * 2048)


def test_each_tag_change_builds_on_the_last(sqs: Any, name: str) -> None:
    # TagQueue reads the queue's tags and writes them back: a stale read would drop the first tag
    url = create(sqs, name)
    sqs.tag_queue(QueueUrl=url, Tags={"team": "a"})
    sqs.tag_queue(QueueUrl=url, Tags={"tier": "b"})
    assert sqs.list_queue_tags(QueueUrl=url)["Tags"] == {"team": "a", "tier": "b"}
    sqs.untag_queue(QueueUrl=url, TagKeys=["team"])
    sqs.tag_queue(QueueUrl=url, Tags={"env": "c"})
    assert sqs.list_queue_tags(QueueUrl=url)["Tags"] == {"tier": "b", "env": "c"}
