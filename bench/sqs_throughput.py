"""SQS throughput with one boto3 client against a loopback endpoint.

Four workloads, each on a fresh, uniquely named queue that is deleted afterwards:

  send-single    SendMessage, one message per call
  send-batch10   SendMessageBatch, ten messages per call (rates count messages)
  drain-single   ReceiveMessage(MaxNumberOfMessages=1) + DeleteMessage
  drain-batch10  ReceiveMessage(MaxNumberOfMessages=10) + DeleteMessageBatch

Every workload stops after --seconds or --messages, whichever comes first. The
drain queues are preloaded beforehand (untimed, itself capped at --messages + 50
and max(2 x --seconds, 10 s)), and a drain also stops once its queue is empty.
A few warm-up calls precede each timed loop.

  python bench/sqs_throughput.py --endpoint http://127.0.0.1:4566 [--seconds 5] [--messages N] [--json]
  python bench/sqs_throughput.py --start-gureum   # own server, free port, temporary data dir
"""

from __future__ import annotations

import argparse
import ipaddress
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from functools import partial
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import boto3
from botocore.config import Config

REPO_ROOT = Path(__file__).resolve().parent.parent
WARMUP_CALLS = 5
BODY = "x" * 256

SQSClient = Any  # boto3 clients are generated at runtime


@dataclass
class Result:
    workload: str
    operations: int  # API calls made inside the timed loop
    messages: int  # messages sent, or received and deleted
    seconds: float
    msgs_per_s: float


class Progress:
    """A `\\r` counter line on stderr, redrawn at most every 0.2 s."""

    def __init__(self, name: str) -> None:
        self.name, self.last = name, 0.0

    def update(self, messages: int, force: bool = False) -> None:
        now = time.perf_counter()
        if force or now - self.last >= 0.2:
            self.last = now
            sys.stderr.write(f"\r  {self.name:<14} {messages:>9} msgs")
            sys.stderr.flush()

    def done(self, messages: int) -> None:
        self.update(messages, force=True)
        sys.stderr.write("\n")


def require_loopback(endpoint: str) -> None:
    host = urlsplit(endpoint).hostname or ""
    if host == "localhost":
        return
    try:
        if ipaddress.ip_address(host).is_loopback:
            return
    except ValueError:
        pass
    raise SystemExit(f"refusing non-loopback endpoint {endpoint!r}")


def make_client(endpoint: str) -> SQSClient:
    config = Config(
        region_name="us-east-1", retries={"max_attempts": 1, "mode": "standard"}, connect_timeout=5, read_timeout=30
    )
    return boto3.client(
        "sqs", endpoint_url=endpoint, aws_access_key_id="test", aws_secret_access_key="test", config=config
    )


@contextmanager
def fresh_queue(client: SQSClient, workload: str) -> Iterator[str]:
    url: str = client.create_queue(QueueName=f"bench-{workload}-{uuid.uuid4().hex[:12]}")["QueueUrl"]
    try:
        yield url
    finally:
        client.delete_queue(QueueUrl=url)


def send_single_step(client: SQSClient, url: str, remaining: int) -> tuple[int, int]:
    client.send_message(QueueUrl=url, MessageBody=BODY)
    return 1, 1


def send_batch_step(client: SQSClient, url: str, remaining: int) -> tuple[int, int]:
    n = min(10, remaining)
    response = client.send_message_batch(QueueUrl=url, Entries=[{"Id": str(i), "MessageBody": BODY} for i in range(n)])
    if response.get("Failed"):
        raise RuntimeError(f"SendMessageBatch failed entries: {response['Failed']}")
    return 1, n


def receive(client: SQSClient, url: str, max_messages: int) -> list[dict[str, Any]]:
    response = client.receive_message(QueueUrl=url, MaxNumberOfMessages=max_messages, WaitTimeSeconds=0)
    messages: list[dict[str, Any]] = response.get("Messages", [])
    return messages


def drain_single_step(client: SQSClient, url: str, remaining: int) -> tuple[int, int]:
    messages = receive(client, url, 1)
    for message in messages:
        client.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])
    return 1 + len(messages), len(messages)


def drain_batch_step(client: SQSClient, url: str, remaining: int) -> tuple[int, int]:
    messages = receive(client, url, min(10, remaining))
    if not messages:
        return 1, 0
    entries = [{"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]} for i, m in enumerate(messages)]
    response = client.delete_message_batch(QueueUrl=url, Entries=entries)
    if response.get("Failed"):
        raise RuntimeError(f"DeleteMessageBatch failed entries: {response['Failed']}")
    return 2, len(messages)


Step = Callable[[SQSClient, str, int], tuple[int, int]]
# (name, step, whether the queue is preloaded and drained)
WORKLOADS: list[tuple[str, Step, bool]] = [
    ("send-single", send_single_step, False),
    ("send-batch10", send_batch_step, False),
    ("drain-single", drain_single_step, True),
    ("drain-batch10", drain_batch_step, True),
]


def timed(name: str, seconds: float, limit: int, step: Callable[[int], tuple[int, int]]) -> Result:
    """Call `step(remaining)` (→ operations, messages; 0 messages means exhausted) until a limit is hit."""
    progress, ops, msgs = Progress(name), 0, 0
    start = time.perf_counter()
    deadline = start + seconds
    while msgs < limit and time.perf_counter() < deadline:
        step_ops, step_msgs = step(limit - msgs)
        ops, msgs = ops + step_ops, msgs + step_msgs
        progress.update(msgs)
        if step_msgs == 0:
            break
    elapsed = time.perf_counter() - start
    progress.done(msgs)
    return Result(name, ops, msgs, round(elapsed, 3), round(msgs / elapsed, 1) if elapsed > 0 else 0.0)


def run_all(endpoint: str, seconds: float, limit: int) -> list[Result]:
    client = make_client(endpoint)
    results: list[Result] = []
    for name, step, drains in WORKLOADS:
        with fresh_queue(client, name) as url:
            if drains:  # untimed; enough for the warm-up plus the count limit, capped in time
                timed(
                    "(preload)",
                    max(2 * seconds, 10.0),
                    limit + 10 * WARMUP_CALLS,
                    partial(send_batch_step, client, url),
                )
            for _ in range(WARMUP_CALLS):
                step(client, url, 10)
            results.append(timed(name, seconds, limit, partial(step, client, url)))
    return results


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def healthy(endpoint: str) -> bool:
    try:
        with urllib.request.urlopen(f"{endpoint}/_gureum/health", timeout=1) as response:
            return bool(response.status == 200)
    except (urllib.error.URLError, OSError):
        return False


@contextmanager
def gureum_server(timeout: float = 30.0) -> Iterator[str]:
    """Run `python -m gureum start` on a free loopback port with a temporary data dir; yield its endpoint."""
    with tempfile.TemporaryDirectory(prefix="gureum-bench-") as tmp:
        port, data_dir = free_port(), Path(tmp) / "data"
        endpoint = f"http://127.0.0.1:{port}"
        env = {
            **os.environ,
            "PYTHONPATH": os.pathsep.join(filter(None, [str(REPO_ROOT), os.environ.get("PYTHONPATH")])),
        }
        cmd = [
            sys.executable,
            "-m",
            "gureum",
            "start",
            "--port",
            str(port),
            "--data-dir",
            str(data_dir),
            "--log-level",
            "warning",
        ]
        with open(Path(tmp) / "server.log", "w+b") as log:
            proc = subprocess.Popen(cmd, env=env, cwd=REPO_ROOT, stdout=log, stderr=subprocess.STDOUT)
            try:
                deadline = time.monotonic() + timeout
                while not healthy(endpoint):
                    if proc.poll() is not None or time.monotonic() > deadline:
                        log.seek(0)
                        tail = log.read().decode(errors="replace")[-2000:]
                        raise SystemExit(f"gureum did not become healthy (exit code {proc.poll()}):\n{tail}")
                    time.sleep(0.1)
                sys.stderr.write(f"gureum started on {endpoint} (pid {proc.pid})\n")
                yield endpoint
            finally:
                if proc.poll() is None:
                    proc.send_signal(signal.SIGTERM)
                    try:
                        proc.wait(timeout=10)
                    except subprocess.TimeoutExpired:
                        proc.kill()
                        proc.wait()


def print_table(results: list[Result]) -> None:
    print(f"{'workload':<14} {'operations':>10} {'messages':>9} {'seconds':>8} {'msgs/s':>9}")
    for r in results:
        print(f"{r.workload:<14} {r.operations:>10} {r.messages:>9} {r.seconds:>8.2f} {r.msgs_per_s:>9.1f}")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    target = parser.add_mutually_exclusive_group()
    target.add_argument(
        "--endpoint", default="http://127.0.0.1:4566", help="loopback SQS endpoint (default: %(default)s)"
    )
    target.add_argument("--start-gureum", action="store_true", help="start a gureum server on a free port for the run")
    parser.add_argument("--seconds", type=float, default=5.0, help="time limit per workload (default: %(default)s)")
    parser.add_argument("--messages", type=int, default=20000, help="message limit per workload (default: %(default)s)")
    parser.add_argument("--json", action="store_true", help="print one JSON object instead of a table")
    args = parser.parse_args(argv)
    if args.seconds <= 0 or args.messages <= 0:
        parser.error("--seconds and --messages must be positive")

    if args.start_gureum:
        with gureum_server() as endpoint:
            results = run_all(endpoint, args.seconds, args.messages)
    else:
        require_loopback(args.endpoint)
        endpoint = args.endpoint
        results = run_all(endpoint, args.seconds, args.messages)

    if args.json:
        doc = {
            "endpoint": endpoint,
            "seconds_limit": args.seconds,
            "messages_limit": args.messages,
            "results": [asdict(r) for r in results],
        }
        print(json.dumps(doc))
    else:
        print_table(results)


if __name__ == "__main__":
    main()
