"""An Event invocation whose node dies mid-run is retried by the other node after the function's own timeout
(plus a start allowance), not after the longest timeout any function could have."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from typing import Any

import pytest

from ..conftest import make_client
from ..server import Server
from ..services.lambda_.zips import create

CODE = """
import json, os, time, boto3
def handler(event, context):
    sqs = boto3.client("sqs")
    note = lambda phase: sqs.send_message(
        QueueUrl=event["queue"], MessageBody=json.dumps({"phase": phase, "node": os.environ["AWS_ENDPOINT_URL"]})
    )
    note("start")
    time.sleep(2)
    note("done")
"""


@pytest.fixture
def nodes(pg_cluster: Any, tmp_path: Any) -> Iterator[tuple[Server, Server]]:
    url = pg_cluster.create_database("failover")
    a = Server(tmp_path / "a", store_url=url).start()
    b = Server(tmp_path / "b", store_url=url).start()
    yield a, b
    a.stop()
    b.stop()


def _next(sqs: Any, url: str, deadline: float) -> dict[str, str]:
    while time.monotonic() < deadline:
        for message in sqs.receive_message(QueueUrl=url, WaitTimeSeconds=2).get("Messages", []):
            sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])
            return dict(json.loads(message["Body"]))
    raise AssertionError("no note from the function in time")


def test_event_invoke_on_a_killed_node_is_retried_by_the_other_soon(nodes: tuple[Server, Server], name: str) -> None:
    a, b = nodes
    sqs = make_client(a.endpoint, "sqs")
    url = sqs.create_queue(QueueName=name)["QueueUrl"]
    lam = make_client(a.endpoint, "lambda")
    create(lam, name, {"index.py": CODE}, Timeout=3)
    lam.invoke(FunctionName=name, InvocationType="Event", Payload=json.dumps({"queue": url}).encode())
    started = _next(sqs, url, time.monotonic() + 30)
    assert started["phase"] == "start"
    runner, survivor = (a, b) if started["node"] == a.endpoint else (b, a)
    killed_at = time.monotonic()
    runner.kill()
    survivor_sqs = make_client(survivor.endpoint, "sqs")
    # the retry starts once the claim (3 s timeout + 15 s start allowance + 5 s grace) lapses: well under a minute
    notes = [_next(survivor_sqs, url, killed_at + 45)]
    while notes[-1]["phase"] != "done":
        notes.append(_next(survivor_sqs, url, killed_at + 50))
    assert notes[-1]["node"] == survivor.endpoint
    assert time.monotonic() - killed_at < 50
