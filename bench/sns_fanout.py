"""SNS fan-out latency: one publish to a topic with N SQS subscriptions (20 by default), timed until every
queue has the message.

Each queue is long-polled (WaitTimeSeconds=20) on its own keep-alive connection, its messages deleted as
they come; the main thread publishes (boto3) one message at a time, waits until all N queues returned it,
then publishes the next.  Reported per publish:

  publish       the Publish call's round trip (the fan-out commits inside it)
  all-queues    from just before Publish until the last of the N receivers has the message

  python bench/sns_fanout.py --endpoint http://127.0.0.1:4566 [--queues 20] [--publishes 200] [--raw] [--json]
  python bench/sns_fanout.py --start-gureum   # own server, free port, temporary data dir
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import sys
import threading
import time
import uuid
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import boto3
from botocore.config import Config

sys.path.insert(0, str(Path(__file__).resolve().parent))
from load import read_response, request_bytes  # noqa: E402
from sqs_throughput import gureum_server, require_loopback  # noqa: E402

WARMUP = 10


def client(endpoint: str, service: str) -> Any:
    config = Config(
        region_name="us-east-1",
        retries={"max_attempts": 1, "mode": "standard"},
        connect_timeout=5,
        read_timeout=40,
        max_pool_connections=4,
    )
    return boto3.client(
        service, endpoint_url=endpoint, aws_access_key_id="test", aws_secret_access_key="test", config=config
    )


class Receivers:
    """One long poll per queue, kept open on its own keep-alive connection by an asyncio loop in a background
    thread (raw JSON-protocol requests, no SDK: 20 boto3 clients parsing answers in one process would measure
    the client, not the server).  `done_at[key]` is when the last queue got the message `key`."""

    def __init__(self, endpoint: str, urls: list[str], raw: bool) -> None:
        self.host = urlsplit(endpoint).netloc
        self.address = (urlsplit(endpoint).hostname or "127.0.0.1", urlsplit(endpoint).port or 80)
        self.raw = raw
        self.arrived: dict[str, int] = {}
        self.done_at: dict[str, float] = {}
        self.expected = len(urls)
        self.cond = threading.Condition()
        self.stopping = False
        self.connected = 0
        self.ready = threading.Event()
        self.thread = threading.Thread(target=lambda: asyncio.run(self._main(urls)), daemon=True)
        self.thread.start()
        if not self.ready.wait(30):
            raise RuntimeError("the receivers could not connect")

    async def _main(self, urls: list[str]) -> None:
        await asyncio.gather(*(self._poll(url) for url in urls), return_exceptions=True)

    async def _poll(self, url: str) -> None:
        reader, writer = await asyncio.open_connection(*self.address)
        receive = request_bytes(
            self.host, "ReceiveMessage", {"QueueUrl": url, "MaxNumberOfMessages": 10, "WaitTimeSeconds": 20}
        )
        self.connected += 1
        if self.connected == self.expected:
            self.ready.set()
        while not self.stopping:
            writer.write(receive)
            status, body = await read_response(reader)
            now = time.perf_counter()
            if status != 200:
                return  # the queue was deleted at the end of the run
            messages = json.loads(body).get("Messages", [])
            for message in messages:
                key = message["Body"] if self.raw else json.loads(message["Body"])["Message"]
                with self.cond:
                    self.arrived[key] = self.arrived.get(key, 0) + 1
                    if self.arrived[key] == self.expected:
                        self.done_at[key] = now
                        self.cond.notify_all()
            if messages:
                entries = [{"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]} for i, m in enumerate(messages)]
                writer.write(request_bytes(self.host, "DeleteMessageBatch", {"QueueUrl": url, "Entries": entries}))
                await read_response(reader)

    def wait(self, key: str, timeout: float = 30.0) -> float:
        with self.cond:
            if not self.cond.wait_for(lambda: key in self.done_at, timeout):
                raise RuntimeError(
                    f"message {key} reached {self.arrived.get(key, 0)} of {self.expected} queues within {timeout}s"
                )
            return self.done_at[key]


def percentile(values: list[float], pct: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(pct / 100 * (len(ordered) - 1)))]


def run(endpoint: str, queues: int, publishes: int, raw: bool) -> dict[str, Any]:
    sns, sqs = client(endpoint, "sns"), client(endpoint, "sqs")
    tag = uuid.uuid4().hex[:10]
    topic = sns.create_topic(Name=f"bench-fanout-{tag}")["TopicArn"]
    urls = []
    for i in range(queues):
        url = sqs.create_queue(QueueName=f"bench-fanout-{tag}-{i}")["QueueUrl"]
        arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
        sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=arn, Attributes={"RawMessageDelivery": str(raw).lower()})
        urls.append(url)
    receivers = Receivers(endpoint, urls, raw)
    time.sleep(0.5)  # let every receiver park in its long poll
    publish_ms: list[float] = []
    all_ms: list[float] = []
    try:
        for n in range(WARMUP + publishes):
            key = f"m-{n}"
            start = time.perf_counter()
            sns.publish(TopicArn=topic, Message=key)
            returned = time.perf_counter()
            finished = receivers.wait(key)
            if n >= WARMUP:
                publish_ms.append((returned - start) * 1000)
                all_ms.append((finished - start) * 1000)
            sys.stderr.write(f"\r  {n + 1 - WARMUP if n >= WARMUP else 0:>6} / {publishes} publishes")
        sys.stderr.write("\n")
    finally:
        receivers.stopping = True
        sns.delete_topic(TopicArn=topic)
        for url in urls:
            sqs.delete_queue(QueueUrl=url)

    def summary(values: list[float]) -> dict[str, float]:
        return {
            "p50": round(percentile(values, 50), 2),
            "p99": round(percentile(values, 99), 2),
            "mean": round(statistics.fmean(values), 2),
            "max": round(max(values), 2),
        }

    return {
        "queues": queues,
        "publishes": publishes,
        "raw": raw,
        "publish_ms": summary(publish_ms),
        "all_queues_ms": summary(all_ms),
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    target = parser.add_mutually_exclusive_group()
    target.add_argument("--endpoint", default="http://127.0.0.1:4566", help="loopback endpoint (default: %(default)s)")
    target.add_argument("--start-gureum", action="store_true", help="start a gureum server on a free port for the run")
    parser.add_argument("--queues", type=int, default=20, help="SQS subscriptions on the topic (default: %(default)s)")
    parser.add_argument("--publishes", type=int, default=200, help="timed publishes (default: %(default)s)")
    parser.add_argument("--raw", action="store_true", help="RawMessageDelivery (default: the signed JSON envelope)")
    parser.add_argument("--json", action="store_true", help="print one JSON object instead of a table")
    args = parser.parse_args(argv)
    if args.start_gureum:
        with gureum_server() as endpoint:
            result = run(endpoint, args.queues, args.publishes, args.raw)
    else:
        require_loopback(args.endpoint)
        result = run(args.endpoint, args.queues, args.publishes, args.raw)
    if args.json:
        print(json.dumps(result))
        return
    print(f"{args.queues} queues, {args.publishes} publishes, {'raw' if args.raw else 'enveloped (signed)'} delivery")
    print(f"{'latency (ms)':<14} {'p50':>8} {'p99':>8} {'mean':>8} {'max':>8}")
    for name, key in (("publish", "publish_ms"), ("all-queues", "all_queues_ms")):
        s = result[key]
        print(f"{name:<14} {s['p50']:>8.2f} {s['p99']:>8.2f} {s['mean']:>8.2f} {s['max']:>8.2f}")


if __name__ == "__main__":
    main()
