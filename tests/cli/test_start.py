"""`gureum start` as a user meets it: a port already in use, and the access log (--access-log, GUREUM_ACCESS_LOG,
--log-level debug) next to what is always logged."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

from tests.server import ROOT, Server, free_port


def _start(port: int, *extra: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "gureum", "start", "--in-memory", "--port", str(port), *extra],
        cwd=str(ROOT),
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_port_in_use_by_gureum() -> None:
    running = Server(None).start()
    try:
        second = _start(running.port)
    finally:
        running.stop()
    assert second.returncode == 2
    assert second.stderr.strip() == f"port {running.port} is in use — is gureum already running? use --port"
    assert "Traceback" not in second.stderr + second.stdout


def test_port_in_use_by_anything() -> None:
    with socket.socket() as holder:
        holder.bind(("0.0.0.0", 0))
        holder.listen()
        port = holder.getsockname()[1]
        started = _start(port, "--host", "127.0.0.1")
    assert started.returncode == 2
    assert started.stderr.strip() == f"port {port} is in use — is gureum already running? use --port"


def test_one_gureum_per_data_directory(tmp_path: Path) -> None:
    data = tmp_path / "data"
    running = Server(data).start()
    try:
        second = subprocess.run(
            [sys.executable, "-m", "gureum", "start", "--data-dir", str(data), "--port", str(free_port())],
            cwd=str(ROOT),
            env={**os.environ, "PYTHONPATH": str(ROOT)},
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert running.proc is not None and running.proc.poll() is None  # the first one keeps running
    finally:
        running.stop()
    assert second.returncode == 2
    assert second.stderr.strip().startswith(f"data directory {data} is in use by another gureum (pid ")
    assert "Traceback" not in second.stderr + second.stdout
    again = Server(data).start()  # free again once the first has stopped
    again.stop()


def _sqs(server: Server) -> object:
    return boto3.client(
        "sqs",
        endpoint_url=server.endpoint,
        region_name="us-east-1",
        aws_access_key_id="test",
        aws_secret_access_key="test",
        config=Config(retries={"max_attempts": 1}),
    )


def _traffic(server: Server) -> list[str]:
    """A success, a service error, a route miss and a service gureum does not serve; then the log's lines."""
    sqs = _sqs(server)
    sqs.list_queues()  # type: ignore[attr-defined]
    with pytest.raises(ClientError):
        sqs.get_queue_url(QueueName="no-such-queue")  # type: ignore[attr-defined]
    unserved = boto3.client(  # a service outside gureum's scope, so this stays unserved
        "secretsmanager",
        endpoint_url=server.endpoint,
        region_name="us-east-1",
        aws_access_key_id="test",
        aws_secret_access_key="test",
        config=Config(retries={"max_attempts": 1}),
    )
    with pytest.raises(ClientError):
        unserved.list_secrets()
    time.sleep(0.2)  # the log is written by the server process
    return server.log_path.read_text().splitlines()


@pytest.fixture
def started(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Server]:
    extra, env = request.param
    server = Server(tmp_path / "data", extra_args=list(extra), env=dict(env)).start()
    yield server
    server.stop()


# service operation status error-code latency method path
ACCESS = re.compile(r"gureum\.access: (\S+) (\S+) (\d{3}) (\S+) \d+\.\dms (\S+) (\S+)$")


@pytest.mark.parametrize(
    "started",
    [(["--access-log"], {}), ([], {"GUREUM_ACCESS_LOG": "1"}), (["--log-level", "debug"], {})],
    indirect=True,
    ids=["flag", "env", "debug"],
)
def test_access_log(started: Server) -> None:
    lines = [m.groups() for m in map(ACCESS.search, _traffic(started)) if m]
    assert ("sqs", "ListQueues", "200", "-", "POST", "/") in lines
    assert any(line[:3] == ("sqs", "GetQueueUrl", "400") and line[3] != "-" for line in lines), lines
    assert ("secretsmanager", "-", "501", "NotImplemented", "POST", "/") in lines


@pytest.mark.parametrize("started", [([], {})], indirect=True, ids=["default"])
def test_access_log_is_off_by_default(started: Server) -> None:
    lines = _traffic(started)
    assert not [line for line in lines if "gureum.access" in line]
    named = [line for line in lines if "gureum does not implement the secretsmanager service yet" in line]
    assert len(named) == 1 and "WARNING" in named[0]


def test_unusable_address_is_one_line() -> None:
    started = _start(free_port(), "--host", "256.0.0.1")
    assert started.returncode == 2
    assert started.stderr.startswith("cannot listen on 256.0.0.1:") and len(started.stderr.splitlines()) == 1
