"""A delivery SNS accepted is not lost: an HTTP/S delivery still being retried survives kill -9 and is made
once the endpoint comes back after the restart."""

from __future__ import annotations

import json
import time
from typing import Any

from ...conftest import make_client
from ...server import Server, free_port
from ._helpers import Recorder, confirm_http, wait_until


def test_pending_http_retry_survives_kill9(store: Any) -> None:
    kept = store()
    server = Server(**kept).start()
    port = free_port()
    recorder = Recorder(port)
    try:
        sns = make_client(server.endpoint, "sns")
        topic = sns.create_topic(Name="durable")["TopicArn"]
        retries = {"healthyRetryPolicy": {"minDelayTarget": 1, "maxDelayTarget": 1, "numRetries": 60}}
        confirm_http(sns, recorder, topic, DeliveryPolicy=json.dumps(retries))
        recorder.close()  # the endpoint goes down
        message_id = sns.publish(TopicArn=topic, Message="kept across a crash")["MessageId"]
        time.sleep(1.5)  # a first attempt or two fail (connection refused)
        server.kill()

        server = Server(**kept).start()
        recorder = Recorder(port)  # the endpoint is back, on the same address
        delivered = recorder.wait("Notification", timeout=15)
        assert json.loads(delivered[0]["body"])["MessageId"] == message_id
        # delivered once, not once per node start
        time.sleep(1.5)
        assert len(recorder.of_type("Notification")) == 1
        sns = make_client(server.endpoint, "sns")
        wait_until(
            lambda: (
                sns.list_subscriptions_by_topic(TopicArn=topic)["Subscriptions"][0]["SubscriptionArn"]
                != "PendingConfirmation"
            )
        )
    finally:
        recorder.close()
        server.stop()
