"""EventBridge latency: PutEvents → rule → SQS target, timed until a long-polling receiver has the event.

A rule on the default bus (or a custom one) matches the benchmark's source and targets one SQS queue. A
receiver thread long-polls that queue (WaitTimeSeconds=20) on its own boto3 client and deletes what it gets;
the main thread sends one event at a time, waits until the receiver has it, then sends the next. Per event:

  put-events    the PutEvents call's round trip (rule matching and the SQS delivery commit inside it)
  end-to-end    from just before PutEvents until the receiver's long poll returned the event

  python bench/events_latency.py --endpoint http://127.0.0.1:4566 [--events 500] [--transformer] [--json]
  python bench/events_latency.py --start-gureum   # own server, free port, temporary data dir
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import threading
import time
import uuid
from pathlib import Path
from typing import Any

import boto3
from botocore.config import Config

sys.path.insert(0, str(Path(__file__).resolve().parent))
from sqs_throughput import gureum_server, require_loopback  # noqa: E402

WARMUP = 20
TRANSFORMER = {
    "InputPathsMap": {"n": "$.detail.n", "id": "$.id"},
    "InputTemplate": '{"n": <n>, "id": <id>, "rule": <aws.events.rule-name>}',
}


def client(endpoint: str, service: str) -> Any:
    config = Config(
        region_name="us-east-1", retries={"max_attempts": 1, "mode": "standard"}, connect_timeout=5, read_timeout=40
    )
    return boto3.client(
        service, endpoint_url=endpoint, aws_access_key_id="test", aws_secret_access_key="test", config=config
    )


class Receiver:
    """Long-polls one queue in a thread; ``arrived[n]`` is when the event numbered ``n`` came back."""

    def __init__(self, endpoint: str, url: str, transformed: bool) -> None:
        self.sqs = client(endpoint, "sqs")
        self.url = url
        self.transformed = transformed
        self.arrived: dict[int, float] = {}
        self.cond = threading.Condition()
        self.stopping = False
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self) -> None:
        while not self.stopping:
            got = self.sqs.receive_message(QueueUrl=self.url, MaxNumberOfMessages=10, WaitTimeSeconds=20).get(
                "Messages", []
            )
            now = time.perf_counter()
            for message in got:
                body = json.loads(message["Body"])
                number = body["n"] if self.transformed else body["detail"]["n"]
                with self.cond:
                    self.arrived[number] = now
                    self.cond.notify_all()
            if got:
                self.sqs.delete_message_batch(
                    QueueUrl=self.url,
                    Entries=[{"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]} for i, m in enumerate(got)],
                )

    def wait_for(self, number: int, timeout: float = 10.0) -> float:
        deadline = time.perf_counter() + timeout
        with self.cond:
            while number not in self.arrived:
                if not self.cond.wait(deadline - time.perf_counter()):
                    raise SystemExit(f"event {number} did not arrive within {timeout} s")
            return self.arrived[number]


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def summary(values: list[float]) -> dict[str, float]:
    ms = [v * 1000 for v in values]
    return {
        "p50_ms": round(percentile(ms, 0.5), 2),
        "p99_ms": round(percentile(ms, 0.99), 2),
        "mean_ms": round(statistics.fmean(ms), 2),
        "max_ms": round(max(ms), 2),
    }


def run(endpoint: str, count: int, transformer: bool, bus: str | None) -> dict[str, Any]:
    events, sqs = client(endpoint, "events"), client(endpoint, "sqs")
    name = f"bench-events-{uuid.uuid4().hex[:10]}"
    url = sqs.create_queue(QueueName=name)["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    bus_name = bus or "default"
    if bus:
        events.create_event_bus(Name=bus)
    events.put_rule(
        Name=name,
        EventBusName=bus_name,
        EventPattern=json.dumps({"source": [name], "detail": {"n": [{"numeric": [">=", 0]}]}}),
    )
    target: dict[str, Any] = {"Id": "queue", "Arn": arn}
    if transformer:
        target["InputTransformer"] = TRANSFORMER
    events.put_targets(Rule=name, EventBusName=bus_name, Targets=[target])
    receiver = Receiver(endpoint, url, transformer)
    put_times: list[float] = []
    end_to_end: list[float] = []
    try:
        for n in range(WARMUP + count):
            start = time.perf_counter()
            out = events.put_events(
                Entries=[
                    {"Source": name, "DetailType": "bench", "Detail": json.dumps({"n": n}), "EventBusName": bus_name}
                ]
            )
            put_done = time.perf_counter()
            if out["FailedEntryCount"]:
                raise SystemExit(f"PutEvents failed: {out['Entries']}")
            arrived = receiver.wait_for(n)
            if n >= WARMUP:
                put_times.append(put_done - start)
                end_to_end.append(arrived - start)
            if n % 50 == 0:
                sys.stderr.write(f"\r  {n - WARMUP:>6} / {count} events")
                sys.stderr.flush()
        sys.stderr.write("\n")
    finally:
        receiver.stopping = True
        events.remove_targets(Rule=name, EventBusName=bus_name, Ids=["queue"])
        events.delete_rule(Name=name, EventBusName=bus_name)
        if bus:
            events.delete_event_bus(Name=bus)
    return {
        "events": count,
        "transformer": transformer,
        "bus": bus_name,
        "put-events": summary(put_times),
        "end-to-end": summary(end_to_end),
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    where = parser.add_mutually_exclusive_group()
    where.add_argument("--endpoint", default="http://127.0.0.1:4566", help="loopback endpoint (default: %(default)s)")
    where.add_argument("--start-gureum", action="store_true", help="start a gureum server on a free port for the run")
    parser.add_argument(
        "--events", type=int, default=500, help=f"events timed, after {WARMUP} warm-up ones (default: %(default)s)"
    )
    parser.add_argument("--transformer", action="store_true", help="deliver through an InputTransformer")
    parser.add_argument("--bus", help="use a custom event bus of this name (created and deleted)")
    parser.add_argument("--json", action="store_true", help="print one JSON object instead of a table")
    args = parser.parse_args(argv)
    if args.events <= 0:
        parser.error("--events must be positive")
    if args.start_gureum:
        with gureum_server() as endpoint:
            result = run(endpoint, args.events, args.transformer, args.bus)
    else:
        require_loopback(args.endpoint)
        result = run(args.endpoint, args.events, args.transformer, args.bus)
    if args.json:
        print(json.dumps(result))
        return
    print(f"{result['events']} events, bus {result['bus']}, transformer {'on' if result['transformer'] else 'off'}")
    print(f"{'measure':<12} {'p50 ms':>8} {'p99 ms':>8} {'mean ms':>8} {'max ms':>8}")
    for measure in ("put-events", "end-to-end"):
        s = result[measure]
        print(f"{measure:<12} {s['p50_ms']:>8.2f} {s['p99_ms']:>8.2f} {s['mean_ms']:>8.2f} {s['max_ms']:>8.2f}")


if __name__ == "__main__":
    main()
