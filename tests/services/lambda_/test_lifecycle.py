"""Execution environments over a server's life: idle expiry, shutdown (quiet on SIGTERM and Ctrl-C), and Event
invocations surviving kill -9."""

from __future__ import annotations

import json
import os
import signal
import time
from typing import Any

import pytest

from ...conftest import StoreFactory, make_client
from ...server import Server
from .zips import create

COUNTER = (
    "import os\nN = 0\ndef handler(event, context):\n    global N\n    N += 1\n"
    "    return {'n': N, 'pid': os.getpid()}\n"
)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().split()[2] != "Z"
    except OSError:
        return False


def test_idle_environment_expires_and_shutdown_stops_environments(store: StoreFactory, name: str) -> None:
    server = Server(**store(), env={"GUREUM_LAMBDA_IDLE_SECONDS": "1"}).start()
    try:
        client = make_client(server.endpoint, "lambda")
        create(client, name, {"index.py": COUNTER})
        invoke = lambda: json.loads(client.invoke(FunctionName=name, Payload=b"{}")["Payload"].read())  # noqa: E731
        first, second = invoke(), invoke()
        assert (first["n"], second["n"]) == (1, 2) and first["pid"] == second["pid"]
        time.sleep(2.5)
        assert not _alive(first["pid"])
        third = invoke()
        assert third["n"] == 1  # a cold start: the idle environment had expired
    finally:
        server.stop()
    deadline = time.monotonic() + 5
    while _alive(third["pid"]) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not _alive(third["pid"])


def test_event_invocation_survives_kill(store: StoreFactory, store_kind: str, name: str) -> None:
    if store_kind == "postgresql":
        pytest.skip("on PostgreSQL a dead node's claim lapses only after the target's timeout (960 s)")
    args = store()
    server = Server(**args).start()
    try:
        client, sqs = make_client(server.endpoint, "lambda"), make_client(server.endpoint, "sqs")
        url = sqs.create_queue(QueueName=name)["QueueUrl"]
        code = (
            "import time, boto3\ndef handler(event, context):\n    time.sleep(1.5)\n"
            "    boto3.client('sqs').send_message(QueueUrl=event['url'], MessageBody='done')\n"
        )
        create(client, name, {"index.py": code}, Timeout=10)
        client.invoke(FunctionName=name, InvocationType="Event", Payload=json.dumps({"url": url}))
        time.sleep(0.5)  # the function is running now
        server.kill()
        server = Server(**args, port=server.port).start()
        sqs = make_client(server.endpoint, "sqs")
        bodies: list[Any] = []
        deadline = time.monotonic() + 20
        while not bodies and time.monotonic() < deadline:
            bodies = sqs.receive_message(QueueUrl=url, WaitTimeSeconds=1).get("Messages", [])
        assert [m["Body"] for m in bodies] == ["done"]
    finally:
        server.stop()


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
def test_shutdown_with_warm_environments_is_quiet(store: StoreFactory, name: str, signum: signal.Signals) -> None:
    """Ctrl-C or SIGTERM with warm environments: exit 0 and no traceback (was one CancelledError per environment)."""
    server = Server(**store())
    server.log_path = server.log_path.with_name(f"gureum-{server.port}-{signum.name}.log")
    server.start()
    try:
        client = make_client(server.endpoint, "lambda")
        for fn in (name, f"{name}-2"):
            create(client, fn, {"index.py": COUNTER})
            assert json.loads(client.invoke(FunctionName=fn, Payload=b"{}")["Payload"].read())["n"] == 1
        assert server.proc is not None
        server.proc.send_signal(signum)
        assert server.proc.wait(20) == 0
    finally:
        server.stop()
    log = server.log_path.read_text()
    assert "Traceback" not in log and "CancelledError" not in log, log
