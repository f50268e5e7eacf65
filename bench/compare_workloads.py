"""The workloads bench/compare.py runs against every server, each one round at a time so rounds can alternate.

Everything the boto3 client does goes through one `make_client` client (bench/sqs_throughput.py); message
arrivals for the fan-out latencies are watched with lean long polls (bench/load.py's connection) so twenty
watchers do not queue behind one another on the GIL; fills use the lean path too, capped in time.
"""

from __future__ import annotations

import asyncio
import io
import json
import statistics
import threading
import time
import uuid
import zipfile
from functools import partial
from typing import Any
from urllib.parse import urlsplit

import boto3
from botocore.config import Config
from load import Conn, measure, request_bytes
from sqs_depth import drain_round, fill
from sqs_throughput import BODY, WORKLOADS, fresh_queue, make_client, timed

FANOUT_QUEUES = 20


def client(endpoint: str, service: str) -> Any:
    config = Config(
        region_name="us-east-1", retries={"max_attempts": 1, "mode": "standard"}, connect_timeout=5, read_timeout=60
    )
    return boto3.client(
        service, endpoint_url=endpoint, aws_access_key_id="test", aws_secret_access_key="test", config=config
    )


def throughput(endpoint: str, seconds: float, limit: int, preload: int) -> dict[str, float]:
    """sqs_throughput.py's four workloads; drain queues are preloaded (untimed) with `preload` messages over lean
    connections, for at most max(2 × seconds, 10 s) as sqs_throughput.py does: enough for servers that drain slowly."""
    sqs = make_client(endpoint)
    rates: dict[str, float] = {}
    for name, step, drains in WORKLOADS:
        with fresh_queue(sqs, name) as url:
            if drains:
                lean_fill(endpoint, url, preload, max(2 * seconds, 10.0))
            for _ in range(5):
                step(sqs, url, 10)
            rates[name] = timed(name, seconds, limit, partial(step, sqs, url)).msgs_per_s
    return rates


def ceiling_send(endpoint: str, seconds: float, limit: int) -> float:
    """send-single against the canned server: what one boto3 client can do when the server costs nothing."""
    sqs = make_client(endpoint)
    url = f"{endpoint}/000000000000/ceiling"
    step = WORKLOADS[0][1]
    for _ in range(5):
        step(sqs, url, 1)
    return timed("ceiling", seconds, limit, partial(step, sqs, url)).msgs_per_s


def lean_fill(endpoint: str, url: str, count: int, max_seconds: float, connections: int = 8) -> int:
    """SendMessageBatch over lean connections until `count` messages or `max_seconds`; returns messages sent."""
    host = urlsplit(endpoint).netloc
    batch = request_bytes(
        host, "SendMessageBatch", {"QueueUrl": url, "Entries": [{"Id": str(i), "MessageBody": BODY} for i in range(10)]}
    )
    state = {"claimed": 0, "sent": 0}
    deadline = time.perf_counter() + max_seconds

    async def one() -> None:
        conn = Conn(endpoint)
        try:
            while state["claimed"] < count and time.perf_counter() < deadline:
                state["claimed"] += 10
                status, _ = await conn.call(batch)
                if status != 200:
                    raise RuntimeError(f"fill: SendMessageBatch answered HTTP {status}")
                state["sent"] += 10
        finally:
            conn.close()

    async def all_of_them() -> None:
        await asyncio.gather(*(one() for _ in range(connections)))

    asyncio.run(all_of_them())
    return state["sent"]


class Depth:
    """A shallow (1,000) and a deep queue; each round drains `per_round` from both (shallow refilled first)."""

    def __init__(self, endpoint: str, deep: int, fill_seconds: float, shallow: int = 1_000) -> None:
        self.endpoint, self.sqs = endpoint, make_client(endpoint)
        tag = uuid.uuid4().hex[:8]
        self.urls = {
            name: self.sqs.create_queue(QueueName=f"bench-cmp-depth-{name}-{tag}")["QueueUrl"]
            for name in ("shallow", "deep")
        }
        start = time.perf_counter()
        self.deep = lean_fill(endpoint, self.urls["deep"], deep, fill_seconds)
        self.fill_rate = self.deep / (time.perf_counter() - start)
        fill(endpoint, self.urls["shallow"], shallow, "fill shallow")
        drain_round(self.sqs, self.urls["shallow"], 50)  # warm-up

    def round(self, per_round: int, max_seconds: float) -> tuple[float, float]:
        fill(self.endpoint, self.urls["shallow"], per_round, "refill")
        return self._drain("shallow", per_round, max_seconds), self._drain("deep", per_round, max_seconds)

    def _drain(self, name: str, messages: int, max_seconds: float) -> float:
        """sqs_depth.py's drain round with a time cap (some servers take seconds per hundred messages)."""
        step = WORKLOADS[3][1]  # drain-batch10
        return timed(f"drain {name}", max_seconds, messages, partial(step, self.sqs, self.urls[name])).msgs_per_s

    def close(self) -> None:
        for url in self.urls.values():
            self.sqs.delete_queue(QueueUrl=url)


class Watcher:
    """Lean long polls (one connection per queue, WaitTimeSeconds=1) in a background thread; records when a
    body containing a tag first shows up in each queue, and deletes what it receives."""

    def __init__(self, endpoint: str, urls: list[str]) -> None:
        self.endpoint, self.urls = endpoint, urls
        self.arrivals: dict[str, list[float]] = {}
        self.cond = threading.Condition()
        self.stopping = False
        self.error: BaseException | None = None
        self.thread = threading.Thread(target=self._thread, daemon=True)
        self.thread.start()

    async def _poll(self, url: str) -> None:
        host = urlsplit(self.endpoint).netloc
        conn = Conn(self.endpoint)
        receive = request_bytes(
            host, "ReceiveMessage", {"QueueUrl": url, "MaxNumberOfMessages": 10, "WaitTimeSeconds": 1}
        )
        failures = 0
        try:
            while not self.stopping:
                try:
                    status, body = await conn.call(receive)
                except (asyncio.IncompleteReadError, OSError):  # an idle keep-alive connection closed by the server
                    conn.close()
                    failures += 1
                    if failures > 20:
                        raise
                    await asyncio.sleep(0.05)
                    continue
                failures = 0
                now = time.perf_counter()
                messages = json.loads(body).get("Messages", []) if status == 200 else []
                if not messages:
                    continue
                with self.cond:
                    for message in messages:
                        tag = message["Body"].split("cmp-tag-", 1)[-1][:12]
                        self.arrivals.setdefault(tag, []).append(now)
                    self.cond.notify_all()
                entries = [{"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]} for i, m in enumerate(messages)]
                await conn.call(request_bytes(host, "DeleteMessageBatch", {"QueueUrl": url, "Entries": entries}))
        finally:
            conn.close()

    def _thread(self) -> None:
        try:
            asyncio.run(self._run())
        except BaseException as exc:  # reported by wait(), not printed from the thread
            self.error = exc
            with self.cond:
                self.cond.notify_all()

    async def _run(self) -> None:
        await asyncio.gather(*(self._poll(url) for url in self.urls))

    def wait(self, tag: str, timeout: float) -> float:
        """Perf-counter time at which the last queue got `tag`."""
        deadline = time.perf_counter() + timeout
        with self.cond:
            while len(self.arrivals.get(tag, [])) < len(self.urls):
                if self.error is not None:
                    raise RuntimeError(f"watcher stopped: {self.error!r}")
                left = deadline - time.perf_counter()
                if left <= 0:
                    got = len(self.arrivals.get(tag, []))
                    raise TimeoutError(f"only {got} of {len(self.urls)} queues got the message within {timeout:.0f} s")
                self.cond.wait(left)
            return max(self.arrivals.pop(tag))

    def close(self) -> None:
        self.stopping = True
        self.thread.join(timeout=10)


def _tag() -> str:
    return uuid.uuid4().hex[:12]


def percentiles(samples: list[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    p99 = ordered[min(len(ordered) - 1, round(0.99 * (len(ordered) - 1)))]
    return statistics.median(ordered), p99


class Fanout:
    """An SNS topic with FANOUT_QUEUES SQS subscriptions (raw delivery); latency = publish → the last queue has it."""

    def __init__(self, endpoint: str) -> None:
        self.sns, self.sqs = client(endpoint, "sns"), make_client(endpoint)
        tag = uuid.uuid4().hex[:8]
        self.topic = self.sns.create_topic(Name=f"bench-cmp-fanout-{tag}")["TopicArn"]
        self.urls = [
            self.sqs.create_queue(QueueName=f"bench-cmp-fanout-{tag}-{i}")["QueueUrl"] for i in range(FANOUT_QUEUES)
        ]
        for url in self.urls:
            arn = self.sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
            self.sns.subscribe(
                TopicArn=self.topic, Protocol="sqs", Endpoint=arn, Attributes={"RawMessageDelivery": "true"}
            )
        self.watcher = Watcher(endpoint, self.urls)
        try:
            self.once(30.0)  # warm-up: the first delivery may set things up
        except BaseException:
            self.watcher.close()
            raise

    def once(self, timeout: float = 10.0) -> float:
        tag = _tag()
        start = time.perf_counter()
        self.sns.publish(TopicArn=self.topic, Message=f"cmp-tag-{tag}")
        return (self.watcher.wait(tag, timeout) - start) * 1000

    def round(self, count: int) -> list[float]:
        return [self.once() for _ in range(count)]

    def close(self) -> None:
        self.watcher.close()
        for url in self.urls:
            self.sqs.delete_queue(QueueUrl=url)
        self.sns.delete_topic(TopicArn=self.topic)


class EventsToQueue:
    """A rule on the default bus matching source `bench.compare`, targeting one queue;
    latency = PutEvents → received."""

    def __init__(self, endpoint: str) -> None:
        self.events, self.sqs = client(endpoint, "events"), make_client(endpoint)
        tag = uuid.uuid4().hex[:8]
        self.rule = f"bench-cmp-{tag}"
        self.url = self.sqs.create_queue(QueueName=f"bench-cmp-events-{tag}")["QueueUrl"]
        arn = self.sqs.get_queue_attributes(QueueUrl=self.url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
        self.events.put_rule(Name=self.rule, EventPattern=json.dumps({"source": ["bench.compare"]}), State="ENABLED")
        self.events.put_targets(Rule=self.rule, Targets=[{"Id": "q", "Arn": arn}])
        self.watcher = Watcher(endpoint, [self.url])
        try:
            self.once(30.0)
        except BaseException:
            self.watcher.close()
            raise

    def once(self, timeout: float = 10.0) -> float:
        tag = _tag()
        start = time.perf_counter()
        result = self.events.put_events(
            Entries=[{"Source": "bench.compare", "DetailType": "bench", "Detail": json.dumps({"t": f"cmp-tag-{tag}"})}]
        )
        if result.get("FailedEntryCount"):
            raise RuntimeError(f"PutEvents failed: {result['Entries']}")
        return (self.watcher.wait(tag, timeout) - start) * 1000

    def round(self, count: int) -> list[float]:
        return [self.once() for _ in range(count)]

    def close(self) -> None:
        self.watcher.close()
        self.events.remove_targets(Rule=self.rule, Ids=["q"])
        self.events.delete_rule(Name=self.rule)
        self.sqs.delete_queue(QueueUrl=self.url)


HANDLER = "def handler(event, context):\n    return {'echo': event.get('n')}\n"


def lambda_round(endpoint: str, warm: int) -> tuple[float, float]:
    """A fresh Python function: (first Invoke ms = cold start, median of `warm` later Invokes ms)."""
    lam = client(endpoint, "lambda")
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as archive:
        archive.writestr("index.py", HANDLER)
    name = f"bench-cmp-{uuid.uuid4().hex[:8]}"
    account = client(endpoint, "sts").get_caller_identity()["Account"]  # moto refuses a role from another account
    try:  # moto also wants the role to exist
        client(endpoint, "iam").create_role(
            RoleName="bench",
            AssumeRolePolicyDocument=json.dumps(
                {
                    "Version": "2012-10-17",
                    "Statement": [
                        {
                            "Effect": "Allow",
                            "Principal": {"Service": "lambda.amazonaws.com"},
                            "Action": "sts:AssumeRole",
                        }
                    ],
                }
            ),
        )
    except Exception:  # exists already, or the server has no IAM
        pass
    lam.create_function(
        FunctionName=name,
        Runtime="python3.12",
        Role=f"arn:aws:iam::{account}:role/bench",
        Handler="index.handler",
        Code={"ZipFile": buf.getvalue()},
        Timeout=30,
    )
    try:
        deadline = time.monotonic() + 60
        while (config := lam.get_function(FunctionName=name)["Configuration"]).get("State", "Active") != "Active":
            if config.get("State") == "Failed":
                raise RuntimeError(f"function state Failed: {config.get('StateReason', '')[:120]}")
            if time.monotonic() > deadline:
                raise TimeoutError("function still Pending after 60 s")
            time.sleep(0.05)

        def invoke(n: int) -> float:
            start = time.perf_counter()
            response = lam.invoke(FunctionName=name, Payload=json.dumps({"n": n}).encode())
            payload = response["Payload"].read()
            elapsed = (time.perf_counter() - start) * 1000
            if response.get("FunctionError") or json.loads(payload) != {"echo": n}:
                raise RuntimeError(f"Invoke failed: {response.get('FunctionError')} {payload[:200]!r}")
            return elapsed

        cold = invoke(0)
        return cold, statistics.median(invoke(n) for n in range(1, warm + 1))
    finally:
        try:
            lam.delete_function(FunctionName=name)
        except Exception:  # keep the error that matters (a failed create/invoke), not the clean-up's
            pass


def capacity(endpoint: str, mode: str, seconds: float, processes: int, connections: int = 16) -> float:
    """bench/load.py against one server; msgs/s (errors make it fail)."""
    result = measure([endpoint], mode, connections, seconds, processes=processes)
    if result["errors"] and not result["messages"]:
        raise RuntimeError(f"load.py {mode}: {result['errors']} errors, no messages")
    return float(result["msgs_per_s"])
