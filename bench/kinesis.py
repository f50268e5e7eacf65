"""Kinesis side by side: PutRecords (500-record batches) and GetRecords drain rates in records per second against
gureum (this checkout, durable SQLite store) and the peers the registries serve: moto's server and MiniStack (PyPI,
each in its own venv as compare.py makes them) and kinesalite (npm, in memory). PutRecords runs over
`--connections` keep-alive connections sending pre-built requests (load.py's way: the server's capacity, not boto3's
serialisation); the drain reads one shard of `--drain` records with GetRecords (Limit 10,000) over one connection.
gureum alone: PutRecord → Lambda handler latency through an event source mapping (0 s batching window), p50/p99
(the peers run Lambda only in Docker). Prints a Markdown table with gureum's ratio to the best peer, and each
server's CPU microseconds per record (its process group's utime + stime: a figure that holds when other work
shares the cores, which rates do not); --json too.

    python bench/kinesis.py                                  # every peer, 5 s of puts, 4 connections
    python bench/kinesis.py --peers gureum,kinesalite --seconds 3 --drain 20000 --esm 0
"""

from __future__ import annotations

import asyncio
import base64
import json
import statistics
import sys
import time
import uuid
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
import side_by_side  # noqa: E402
from compare_servers import log  # noqa: E402
from dynamodb_compare import cpu_table, cpu_us_per_op  # noqa: E402
from load import Conn  # noqa: E402
from side_by_side import Server, json_request, measure_each, npm_binary, ratio_table  # noqa: E402

KINESALITE = "kinesalite@3.3.3"
SHARDS = 4
DATA = base64.b64encode(b"x" * 100).decode()  # 100-byte records


def kinesalite(port: int) -> list[str]:
    return [str(npm_binary("kinesalite")), "--port", str(port), "--createStreamMs", "0", "--deleteStreamMs", "0",
            "--updateStreamMs", "0", "--shardLimit", "1000"]  # fmt: skip


def start(name: str) -> Server:
    return side_by_side.start(name, "kinesis", 120, {"GUREUM_KINESIS_DELAY": "0"}, {"kinesalite": kinesalite})


def make_stream(kinesis: Any, shards: int) -> str:
    name = f"bench-{uuid.uuid4().hex[:8]}"
    kinesis.create_stream(StreamName=name, ShardCount=shards)
    for _ in range(1200):
        if kinesis.describe_stream_summary(StreamName=name)["StreamDescriptionSummary"]["StreamStatus"] == "ACTIVE":
            return name
        time.sleep(0.05)
    raise RuntimeError("stream did not become ACTIVE")


def request(host: str, target: str, doc: dict[str, Any]) -> bytes:
    return json_request(host, f"Kinesis_20131202.{target}", doc, "1.1", "kinesis")


def put_records_request(host: str, stream: str, worker: int, i: int) -> bytes:
    records = [{"Data": DATA, "PartitionKey": f"k{worker}-{i}-{j}"} for j in range(500)]
    return request(host, "PutRecords", {"StreamName": stream, "Records": records})


async def _put_capacity(endpoint: str, stream: str, connections: int, seconds: float) -> tuple[float, int]:
    """PutRecords of 500 records over keep-alive connections: (records accepted per second, failed records)."""
    accepted = [0] * connections
    failed = [0]

    async def one(worker: int) -> None:
        conn = Conn(endpoint)
        requests = [put_records_request(conn.parts.netloc, stream, worker, i) for i in range(20)]
        deadline = time.perf_counter() + seconds
        i = 0
        try:
            while time.perf_counter() < deadline:
                status, body = await conn.call(requests[i % len(requests)])
                if status == 200:
                    misses = json.loads(body).get("FailedRecordCount", 0)
                    accepted[worker] += 500 - misses
                    failed[0] += misses
                else:
                    failed[0] += 500
                i += 1
        finally:
            conn.close()

    began = time.perf_counter()
    await asyncio.gather(*(one(w) for w in range(connections)))
    return sum(accepted) / (time.perf_counter() - began), failed[0]


async def _drain(endpoint: str, stream: str, shard: str, expected: int) -> float:
    """GetRecords (Limit 10,000) from TRIM_HORIZON until ``expected`` records were read: records per second."""
    conn = Conn(endpoint)
    host = conn.parts.netloc
    try:
        status, body = await conn.call(request(host, "GetShardIterator", {
            "StreamName": stream, "ShardId": shard, "ShardIteratorType": "TRIM_HORIZON"}))  # fmt: skip
        assert status == 200, body[:300]
        iterator = json.loads(body)["ShardIterator"]
        read = 0
        began = time.perf_counter()
        while read < expected:
            status, body = await conn.call(request(host, "GetRecords", {"ShardIterator": iterator, "Limit": 10_000}))
            if status != 200:
                if b"ProvisionedThroughputExceeded" in body:
                    await asyncio.sleep(0.2)
                    continue
                raise RuntimeError(f"GetRecords answered {status}: {body[:300]!r}")
            got = json.loads(body)
            read += len(got["Records"])
            iterator = got.get("NextShardIterator")
            if not got["Records"] and not got.get("MillisBehindLatest"):
                break
        return read / (time.perf_counter() - began)
    finally:
        conn.close()


def fill(kinesis: Any, stream: str, count: int) -> None:
    records = [{"Data": b"x" * 100, "PartitionKey": f"d{j}"} for j in range(500)]
    for _ in range(0, count, 500):
        out = kinesis.put_records(StreamName=stream, Records=records)
        if out.get("FailedRecordCount"):
            raise RuntimeError(f"{out['FailedRecordCount']} records failed while filling the drain stream")


def measure(server: Server, seconds: float, connections: int, drain: int, cpu: dict[str, float]) -> dict[str, float]:
    """Records per second of both workloads; ``cpu`` gets the server's CPU microseconds per record of each (its
    whole process group: utime + stime), which holds better than a rate when other work shares the cores."""
    kinesis = server.client()
    out: dict[str, float] = {}
    stream = make_stream(kinesis, SHARDS)
    failed = [0]

    def put() -> float:
        rate, failed[0] = asyncio.run(_put_capacity(server.endpoint, stream, connections, seconds))
        return rate

    out["PutRecords500"], cpu["PutRecords500"] = cpu_us_per_op(server.proc.pid, put)
    if failed[0]:
        log(f"{server.name}: {failed[0]} records failed in PutRecords")
    one = make_stream(kinesis, 1)
    fill(kinesis, one, drain)
    shard = kinesis.list_shards(StreamName=one)["Shards"][0]["ShardId"]
    out["GetRecordsDrain"], cpu["GetRecordsDrain"] = cpu_us_per_op(
        server.proc.pid, lambda: asyncio.run(_drain(server.endpoint, one, shard, drain))
    )
    return out


FORWARD = """
import json, os, time, boto3
sqs = boto3.client("sqs")
def handler(event, context):
    seen = time.time()
    sqs.send_message(QueueUrl=os.environ["OUT"], MessageBody=json.dumps({"seen": seen, "data": [
        r["kinesis"]["data"] for r in event["Records"]]}))
"""


def esm_latency(server: Server, count: int) -> tuple[float, float]:
    """PutRecord → handler start through an event source mapping (LATEST, BatchSize 1, 0 s window): p50, p99 ms."""
    import io
    import zipfile

    kinesis, sqs, lam = server.client(), server.client("sqs"), server.client("lambda")
    stream = make_stream(kinesis, 1)
    stream_arn = kinesis.describe_stream_summary(StreamName=stream)["StreamDescriptionSummary"]["StreamARN"]
    out = sqs.create_queue(QueueName=f"{stream}-out")["QueueUrl"]
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as archive:
        archive.writestr("index.py", FORWARD)
    lam.create_function(FunctionName=stream, Runtime="python3.12", Role="arn:aws:iam::000000000000:role/r",
                        Handler="index.handler", Code={"ZipFile": buf.getvalue()},
                        Environment={"Variables": {"OUT": out}})  # fmt: skip
    while lam.get_function(FunctionName=stream)["Configuration"]["State"] != "Active":
        time.sleep(0.1)
    uuid_ = lam.create_event_source_mapping(EventSourceArn=stream_arn, FunctionName=stream, StartingPosition="LATEST",
                                            BatchSize=1, MaximumBatchingWindowInSeconds=0)["UUID"]  # fmt: skip
    while lam.get_event_source_mapping(UUID=uuid_)["State"] != "Enabled":
        time.sleep(0.1)
    sent: dict[str, float] = {}
    seen: dict[str, float] = {}

    def collect(until: float) -> None:
        while time.monotonic() < until and len(seen) < len(sent):
            for m in sqs.receive_message(QueueUrl=out, WaitTimeSeconds=1, MaxNumberOfMessages=10).get("Messages", []):
                doc = json.loads(m["Body"])
                for data in doc["data"]:
                    seen.setdefault(base64.b64decode(data).decode(), doc["seen"])
                sqs.delete_message(QueueUrl=out, ReceiptHandle=m["ReceiptHandle"])

    for i in range(-3, count):  # three warm-ups, not counted
        key = f"w{i}" if i < 0 else str(i)
        sent[key] = time.time()
        kinesis.put_record(StreamName=stream, Data=key.encode(), PartitionKey="k")
        time.sleep(0.2)  # apart enough that one invocation ends before the next record: latency, not a queue
    collect(time.monotonic() + 30)
    latencies = sorted((seen[k] - sent[k]) * 1000 for k in sent if k in seen and not k.startswith("w"))
    if len(latencies) < count:
        log(f"{server.name}: {count - len(latencies)} of {count} records never reached the handler")
    p99 = latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))]
    return statistics.median(latencies), p99


def main() -> None:
    import argparse

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--peers", default="gureum,moto,ministack,kinesalite")
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--connections", type=int, default=4)
    parser.add_argument("--drain", type=int, default=50_000, help="records in the drained shard")
    parser.add_argument("--esm", type=int, default=50, help="PutRecord → handler samples on gureum (0: skip)")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    results: dict[str, dict[str, float]] = {}
    cpu: dict[str, dict[str, float]] = {}
    latencies: dict[str, tuple[float, float]] = {}

    def measure_one(server: Server) -> None:
        cpu[server.name] = {}
        results[server.name] = measure(server, args.seconds, args.connections, args.drain, cpu[server.name])
        if server.name == "gureum" and args.esm:
            log("gureum: PutRecord → Lambda handler latency")
            latencies["gureum"] = esm_latency(server, args.esm)

    skipped = measure_each(args.peers, {"kinesalite": KINESALITE}, start, "list_streams", measure_one)
    esm = latencies.get("gureum")
    if args.json:
        print(json.dumps({"records_per_second": results, "cpu_us_per_record": cpu, "esm_latency_ms": esm,
                          "skipped": skipped, "connections": args.connections, "drain": args.drain},
                         indent=2))  # fmt: skip
        return
    print(f"Records per second (PutRecords: 500-record batches over {args.connections} connections to a "
          f"{SHARDS}-shard stream; drain: GetRecords of {args.drain} records from one shard):\n")  # fmt: skip
    print("\n".join(ratio_table(results, ("PutRecords500", "GetRecordsDrain"), "", number=",.0f")))
    print("\nServer CPU per record (µs; lower is better; it holds when other work shares the cores):\n")
    print("\n".join(cpu_table(cpu, ("PutRecords500", "GetRecordsDrain"), digits=2)))
    if esm is not None:
        print(f"\ngureum PutRecord → Lambda handler (ESM, 0 s window): p50 {esm[0]:.1f} ms, p99 {esm[1]:.1f} ms")
    for name, why in skipped.items():
        print(f"\n{name}: not measured ({why})")


if __name__ == "__main__":
    main()
