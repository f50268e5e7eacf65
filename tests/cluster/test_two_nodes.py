"""Two gureum nodes on one PostgreSQL database: shared state, cross-node wake-ups, no double delivery,
and nothing lost when one node is SIGKILLed mid-load."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest
from botocore.exceptions import BotoCoreError, ClientError

from ..conftest import make_client
from ..server import Server


@pytest.fixture
def nodes(pg_cluster: Any, tmp_path: Any) -> Iterator[tuple[Server, Server]]:
    url = pg_cluster.create_database("two")
    a = Server(tmp_path / "a", store_url=url).start()
    b = Server(tmp_path / "b", store_url=url).start()
    yield a, b
    a.stop()
    b.stop()


def test_state_is_shared_between_nodes(nodes: tuple[Server, Server], name: str) -> None:
    a, b = (make_client(n.endpoint, "sqs") for n in nodes)
    url_a = a.create_queue(QueueName=name, Attributes={"VisibilityTimeout": "60"})["QueueUrl"]
    url_b = b.get_queue_url(QueueName=name)["QueueUrl"]
    assert url_b.rsplit("/", 2)[1:] == url_a.rsplit("/", 2)[1:]
    assert any(u.endswith(f"/{name}") for u in b.list_queues(QueueNamePrefix=name)["QueueUrls"])
    a.send_message(QueueUrl=url_a, MessageBody="from a")
    got = b.receive_message(QueueUrl=url_b)["Messages"]
    assert got[0]["Body"] == "from a"
    # in flight on b: a must not see it
    assert "Messages" not in a.receive_message(QueueUrl=url_a)
    a.delete_message(QueueUrl=url_a, ReceiptHandle=got[0]["ReceiptHandle"])
    assert (
        b.get_queue_attributes(QueueUrl=url_b, AttributeNames=["ApproximateNumberOfMessagesNotVisible"])["Attributes"][
            "ApproximateNumberOfMessagesNotVisible"
        ]
        == "0"
    )


def test_a_queue_change_through_one_node_reaches_the_other_nodes_cached_queue(
    nodes: tuple[Server, Server], name: str
) -> None:
    """Each node caches queue rows; a change through another node drops them (LISTEN/NOTIFY) well before the
    cache's 10-second bound would."""
    a, b = (make_client(n.endpoint, "sqs") for n in nodes)
    url = a.create_queue(QueueName=name, Attributes={"VisibilityTimeout": "60"})["QueueUrl"]

    def timeout_on_b() -> str:
        attributes = b.get_queue_attributes(QueueUrl=url, AttributeNames=["VisibilityTimeout"])["Attributes"]
        return str(attributes["VisibilityTimeout"])

    assert timeout_on_b() == "60"
    b.send_message(QueueUrl=url, MessageBody="cached on b")  # b's writer has read (and kept) the queue too
    a.set_queue_attributes(QueueUrl=url, Attributes={"VisibilityTimeout": "45"})
    deadline = time.monotonic() + 5
    while timeout_on_b() != "45":
        assert time.monotonic() < deadline, "node b still serves the queue as it was before node a changed it"
        time.sleep(0.05)
    got = b.receive_message(QueueUrl=url, AttributeNames=["All"])["Messages"]
    assert got and got[0]["Body"] == "cached on b"
    a.delete_queue(QueueUrl=url)
    deadline = time.monotonic() + 5
    while True:
        try:
            b.get_queue_url(QueueName=name)
        except ClientError as error:
            assert error.response["Error"]["Code"] == "AWS.SimpleQueueService.NonExistentQueue"
            break
        assert time.monotonic() < deadline, "node b still finds the queue node a deleted"
        time.sleep(0.05)


def test_long_poll_on_one_node_wakes_on_send_through_the_other(nodes: tuple[Server, Server], name: str) -> None:
    a, b = (make_client(n.endpoint, "sqs") for n in nodes)
    url = a.create_queue(QueueName=name)["QueueUrl"]
    result: dict[str, Any] = {}

    def poll() -> None:
        start = time.monotonic()
        result["messages"] = b.receive_message(QueueUrl=url, WaitTimeSeconds=10).get("Messages", [])
        result["took"] = time.monotonic() - start

    thread = threading.Thread(target=poll)
    thread.start()
    time.sleep(0.5)
    sent_at = time.monotonic()
    a.send_message(QueueUrl=url, MessageBody="wake up")
    thread.join(15)
    assert [m["Body"] for m in result["messages"]] == ["wake up"]
    assert result["took"] < 3, f"the long poll took {result['took']:.2f}s: it was not woken by the other node"
    assert time.monotonic() - sent_at < 2


def test_fifo_order_across_nodes(nodes: tuple[Server, Server], name: str) -> None:
    a, b = (make_client(n.endpoint, "sqs") for n in nodes)
    url = a.create_queue(
        QueueName=f"{name}.fifo", Attributes={"FifoQueue": "true", "ContentBasedDeduplication": "true"}
    )["QueueUrl"]
    for i in range(20):
        (a if i % 2 else b).send_message(QueueUrl=url, MessageBody=f"m{i}", MessageGroupId="g")
    seen = []
    clients = [a, b]
    for turn in range(40):
        got = clients[turn % 2].receive_message(QueueUrl=url, MaxNumberOfMessages=3).get("Messages", [])
        for message in got:
            seen.append(message["Body"])
            clients[(turn + 1) % 2].delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])
        if len(seen) == 20:
            break
    assert seen == [f"m{i}" for i in range(20)]


def test_concurrent_load_then_sigkill_loses_nothing(nodes: tuple[Server, Server], name: str) -> None:
    node_a, node_b = nodes
    setup = make_client(node_a.endpoint, "sqs")
    # a receive the killed node committed but never answered leaves its messages in flight: a short
    # visibility timeout brings them back for the final drain
    url = setup.create_queue(QueueName=name, Attributes={"VisibilityTimeout": "6"})["QueueUrl"]
    stop = threading.Event()
    lock = threading.Lock()
    acked: set[str] = set()
    deleted: set[str] = set()
    delete_sent: set[str] = set()  # a delete the killed node committed may never have been answered
    received: list[str] = []

    def produce(endpoint: str, tag: str) -> None:
        client = make_client(endpoint, "sqs")
        for n in range(5000):
            if stop.is_set():
                return
            body = f"{tag}-{n}"
            try:
                client.send_message(QueueUrl=url, MessageBody=body)
            except (BotoCoreError, ClientError, OSError):
                return
            with lock:
                acked.add(body)

    def consume(endpoint: str) -> None:
        client = make_client(endpoint, "sqs")
        while not stop.is_set():
            try:
                got = client.receive_message(QueueUrl=url, MaxNumberOfMessages=10, WaitTimeSeconds=1).get(
                    "Messages", []
                )
            except (BotoCoreError, ClientError, OSError):
                return
            for message in got:
                with lock:
                    received.append(message["Body"])
                    delete_sent.add(message["Body"])
                try:
                    client.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])
                except (BotoCoreError, ClientError, OSError):
                    return
                with lock:
                    deleted.add(message["Body"])

    threads = [
        threading.Thread(target=produce, args=(n.endpoint, f"{tag}{i}"), daemon=True)
        for n, tag in ((node_a, "a"), (node_b, "b"))
        for i in range(2)
    ]
    threads += [threading.Thread(target=consume, args=(n.endpoint,), daemon=True) for n in (node_a, node_b)]
    for thread in threads:
        thread.start()
    time.sleep(2.0)
    node_a.kill()
    time.sleep(1.0)
    stop.set()
    for thread in threads:
        thread.join(15)
    assert len(acked) > 100 and len(deleted) > 50

    client = make_client(node_b.endpoint, "sqs")
    remaining: list[str] = []
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        got = client.receive_message(
            QueueUrl=url, MaxNumberOfMessages=10, VisibilityTimeout=300, WaitTimeSeconds=1
        ).get("Messages", [])
        remaining += [m["Body"] for m in got]
        counts = client.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]
        if (
            not got
            and counts["ApproximateNumberOfMessages"] == "0"
            and int(counts["ApproximateNumberOfMessagesNotVisible"]) == len(remaining)
        ):
            break
    # no message was handed to two consumers inside its visibility timeout
    assert len(received) == len(set(received)), "a message was delivered twice"
    assert not set(remaining) & deleted, "a deleted message came back"
    # every acknowledged send was deleted (or its delete sent) or is still in the queue
    missing = acked - delete_sent - set(remaining)
    assert not missing, f"{len(missing)} acknowledged messages lost, e.g. {sorted(missing)[:5]}"
