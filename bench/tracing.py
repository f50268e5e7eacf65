"""The cost of tracing: SQS SendMessage capacity and SNS fan-out Publish p50, with tracing on and off
(``--no-tracing``), on two gureum servers started here (temporary data dirs, SQLite), measured alternately.

  python bench/tracing.py [--seconds 5] [--clients 4] [--rounds 2] [--json]

Every AWS call with tracing on records a segment (a new trace when the caller sends no X-Amzn-Trace-Id); goal:
< 10 % overhead.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import boto3
from botocore.config import Config

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from tests.server import Server  # noqa: E402


def client(endpoint: str, service: str) -> Any:
    return boto3.client(
        service,
        endpoint_url=endpoint,
        region_name="us-east-1",
        aws_access_key_id="test",
        aws_secret_access_key="test",
        config=Config(retries={"max_attempts": 1}, max_pool_connections=32),
    )


def send_capacity(endpoint: str, seconds: float, clients: int) -> float:
    sqs = client(endpoint, "sqs")
    url = sqs.create_queue(QueueName=f"bench-{time.monotonic_ns()}")["QueueUrl"]

    def worker(_: int) -> int:
        own, count, end = client(endpoint, "sqs"), 0, time.monotonic() + seconds
        while time.monotonic() < end:
            own.send_message(QueueUrl=url, MessageBody="x" * 256)
            count += 1
        return count

    with ThreadPoolExecutor(clients) as pool:
        total = sum(pool.map(worker, range(clients)))
    return total / seconds


def fanout_p50(endpoint: str, seconds: float, queues: int = 5) -> float:
    sns, sqs = client(endpoint, "sns"), client(endpoint, "sqs")
    topic = sns.create_topic(Name=f"bench-{time.monotonic_ns()}")["TopicArn"]
    for i in range(queues):
        url = sqs.create_queue(QueueName=f"fan-{time.monotonic_ns()}-{i}")["QueueUrl"]
        arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
        sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=arn)
    latencies, end = [], time.monotonic() + seconds
    while time.monotonic() < end:
        start = time.perf_counter()
        sns.publish(TopicArn=topic, Message="hello")
        latencies.append((time.perf_counter() - start) * 1000)
    return statistics.median(latencies)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    results: dict[str, dict[str, list[float]]] = {"on": {"send": [], "fanout": []}, "off": {"send": [], "fanout": []}}
    with tempfile.TemporaryDirectory() as on_dir, tempfile.TemporaryDirectory() as off_dir:
        off = Server(Path(off_dir), extra_args=["--no-tracing"]).start()
        servers = {"on": Server(Path(on_dir)).start(), "off": off}
        try:
            for _ in range(args.rounds):
                for mode in ("off", "on"):
                    endpoint = servers[mode].endpoint
                    results[mode]["send"].append(send_capacity(endpoint, args.seconds, args.clients))
                    results[mode]["fanout"].append(fanout_p50(endpoint, args.seconds))
        finally:
            for server in servers.values():
                server.stop()
    summary = {mode: {k: statistics.median(v) for k, v in parts.items()} for mode, parts in results.items()}
    send_cost = 1 - summary["on"]["send"] / summary["off"]["send"]
    fanout_cost = summary["on"]["fanout"] / summary["off"]["fanout"] - 1
    if args.json:
        print(json.dumps({"runs": results, "median": summary, "send_cost": send_cost, "fanout_cost": fanout_cost}))
        return
    on, off = summary["on"], summary["off"]
    print(f"SendMessage/s   off {off['send']:8.0f}   on {on['send']:8.0f}   cost {send_cost:+.1%}")
    print(
        f"SNS fan-out p50 off {summary['off']['fanout']:7.2f}ms on {summary['on']['fanout']:7.2f}ms "
        f"cost {fanout_cost:+.1%}"
    )


if __name__ == "__main__":
    main()
