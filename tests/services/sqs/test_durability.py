"""Nothing acknowledged is lost: SIGKILL the server during a stream of sends and deletes, restart, check."""

from __future__ import annotations

import threading
import time
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from ...conftest import make_client
from ...server import Server

SENDERS = 4


def _send_stream(client: Any, url: str, acked: list[str], stop: threading.Event, prefix: str) -> None:
    n = 0
    while not stop.is_set() and n < 100_000:
        body = f"{prefix}-{n}"
        n += 1
        try:
            client.send_message(QueueUrl=url, MessageBody=body)
        except (BotoCoreError, ClientError, OSError):
            return  # the server died mid-request: this one was never acknowledged
        acked.append(body)


def _drain(client: Any, url: str) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    while True:
        got = client.receive_message(QueueUrl=url, MaxNumberOfMessages=10, VisibilityTimeout=300).get("Messages", [])
        if not got:
            return out
        out.extend(got)


def test_kill9_during_sends_loses_nothing_acknowledged(store: Any) -> None:
    kept = store()
    server = Server(**kept).start()
    try:
        client = make_client(server.endpoint, "sqs")
        url = client.create_queue(QueueName="durable")["QueueUrl"]
        # a batch that is received and deleted before the crash must never come back
        client.send_message_batch(QueueUrl=url, Entries=[{"Id": str(i), "MessageBody": f"gone-{i}"} for i in range(10)])
        for message in _drain(client, url):
            client.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])

        stop = threading.Event()
        acked: list[list[str]] = [[] for _ in range(SENDERS)]
        threads = [
            threading.Thread(
                target=_send_stream,
                args=(make_client(server.endpoint, "sqs"), url, acked[i], stop, f"s{i}"),
                daemon=True,
            )
            for i in range(SENDERS)
        ]
        for thread in threads:
            thread.start()
        time.sleep(1.5)
        server.kill()
        stop.set()
        for thread in threads:
            thread.join(10)
        sent = [body for bodies in acked for body in bodies]
        assert len(sent) > 50, "the stream should have sent a fair number of messages before the kill"

        server = Server(**kept).start()
        client = make_client(server.endpoint, "sqs")
        bodies = [m["Body"] for m in _drain(client, url)]
        missing = set(sent) - set(bodies)
        assert not missing, f"{len(missing)} acknowledged messages lost, e.g. {sorted(missing)[:5]}"
        assert not [b for b in bodies if b.startswith("gone-")], "deleted messages came back"
        assert len(bodies) == len(set(bodies)), "a message was stored twice"
        # at most one unacknowledged send per sender may have committed just before the kill
        assert len(bodies) - len(sent) <= SENDERS
    finally:
        server.stop()


def test_state_survives_clean_restart(store: Any) -> None:
    kept = store()
    server = Server(**kept).start()
    try:
        client = make_client(server.endpoint, "sqs")
        url = client.create_queue(
            QueueName="kept.fifo",
            Attributes={"FifoQueue": "true", "ContentBasedDeduplication": "true"},
            tags={"k": "v"},
        )["QueueUrl"]
        client.send_message(QueueUrl=url, MessageBody="first", MessageGroupId="g")
        in_flight = client.receive_message(QueueUrl=url, VisibilityTimeout=600)["Messages"][0]
        client.send_message(QueueUrl=url, MessageBody="second", MessageGroupId="g")
        server.stop()
        server = Server(**kept).start()
        client = make_client(server.endpoint, "sqs")
        assert client.list_queue_tags(QueueUrl=url)["Tags"] == {"k": "v"}
        # the group is still blocked by the in-flight message, whose receipt handle still works
        assert "Messages" not in client.receive_message(QueueUrl=url)
        client.delete_message(QueueUrl=url, ReceiptHandle=in_flight["ReceiptHandle"])
        assert client.receive_message(QueueUrl=url)["Messages"][0]["Body"] == "second"
        # deduplication window survives the restart too
        again = client.send_message(QueueUrl=url, MessageBody="first", MessageGroupId="g")
        assert again["MessageId"] == in_flight["MessageId"]
    finally:
        server.stop()
