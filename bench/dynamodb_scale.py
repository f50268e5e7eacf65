"""DynamoDB latency against table size: Query (one partition of 100 items) and GetItem latency on a table of 1,000
items and on one of 1,000,000 (both partitioned alike: 100 items per partition key), reported as the ratio of the
large table's latency to the small one's. A query is one range scan of the store's (table, index, pk, sk) key, so
the ratio should stay near 1 (the issue's goal: "Query latency flat from 1k to 1M items").

The tables are made through the API, then filled directly in the store (SQLite: gureum stopped, rows written with
gureum's own key encoding and item form), and gureum restarted on that data; one boto3 client then times requests
to random partitions and keys, alternating between the tables so both see the same machine load.

    python bench/dynamodb_scale.py                      # 1k vs 1M, 2,000 requests per measurement
    python bench/dynamodb_scale.py --large 200000 --requests 500 --json
"""

from __future__ import annotations

import argparse
import json
import random
import signal
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from typing import Any

import boto3
from botocore.config import Config

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from gureum.services.dynamodb import values  # noqa: E402

PER_PARTITION = 100


def start(data: Path, port: int) -> subprocess.Popen[bytes]:
    cmd = [sys.executable, "-m", "gureum", "start", "--port", str(port), "--data-dir", str(data), "--log-level",
           "warning"]  # fmt: skip
    proc = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/_gureum/health", timeout=1):
                return proc
        except OSError:
            time.sleep(0.1)
    proc.kill()
    raise SystemExit("gureum did not start")


def stop(proc: subprocess.Popen[bytes]) -> None:
    proc.send_signal(signal.SIGTERM)
    proc.wait(60)


def client(port: int) -> Any:
    config = Config(region_name="us-east-1", retries={"max_attempts": 1}, read_timeout=60)
    return boto3.client("dynamodb", endpoint_url=f"http://127.0.0.1:{port}", aws_access_key_id="test",
                        aws_secret_access_key="test", config=config)  # fmt: skip


def make_table(ddb: Any, name: str) -> None:
    ddb.create_table(TableName=name, BillingMode="PAY_PER_REQUEST",
                     AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"},
                                           {"AttributeName": "sk", "AttributeType": "N"}],
                     KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"},
                                {"AttributeName": "sk", "KeyType": "RANGE"}])  # fmt: skip


def item(n: int) -> dict[str, Any]:
    return {"pk": {"S": f"p{n // PER_PARTITION:07d}"}, "sk": {"N": str(n % PER_PARTITION)},
            "payload": {"S": f"item {n} " + "x" * 64}, "n": {"N": str(n)}}  # fmt: skip


def fill(db: Path, name: str, count: int) -> float:
    """Write ``count`` items into table ``name`` straight into gureum's SQLite file: seconds taken."""
    began = time.monotonic()
    conn = sqlite3.connect(db)
    conn.execute("PRAGMA journal_mode = WAL")
    (table_id,) = conn.execute("SELECT id FROM dynamodb_tables WHERE name = ?", (name,)).fetchone()
    batch = []
    for n in range(count):
        it = item(n)
        batch.append((table_id, 0, values.encode_key(it["pk"]), values.encode_key(it["sk"]), values.dump_item(it),
                      values.item_size(it), None))  # fmt: skip
        if len(batch) >= 50_000:
            conn.executemany("INSERT INTO dynamodb_items (table_id, index_id, pk, sk, item, size, expires) "
                             "VALUES (?, ?, ?, ?, ?, ?, ?)", batch)  # fmt: skip
            conn.commit()
            batch.clear()
    if batch:
        conn.executemany("INSERT INTO dynamodb_items (table_id, index_id, pk, sk, item, size, expires) "
                         "VALUES (?, ?, ?, ?, ?, ?, ?)", batch)  # fmt: skip
    conn.commit()
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    return time.monotonic() - began


def timed(call: Any) -> float:
    began = time.perf_counter()
    call()
    return (time.perf_counter() - began) * 1000


def measure(ddb: Any, tables: dict[str, int], requests: int, rng: random.Random) -> dict[str, dict[str, list[float]]]:
    samples: dict[str, dict[str, list[float]]] = {name: {"Query100": [], "GetItem": []} for name in tables}
    for _ in range(requests):
        for name, count in tables.items():  # alternate: both tables under the same load
            partition = rng.randrange(count // PER_PARTITION)
            pk = {"S": f"p{partition:07d}"}
            got = {}

            def query(name: str = name, pk: dict[str, str] = pk, got: dict[str, Any] = got) -> None:
                got.update(ddb.query(TableName=name, KeyConditionExpression="pk = :p",
                                     ExpressionAttributeValues={":p": pk}))  # fmt: skip

            samples[name]["Query100"].append(timed(query))
            assert got["Count"] == PER_PARTITION, got["Count"]
            key = {"pk": pk, "sk": {"N": str(rng.randrange(PER_PARTITION))}}
            samples[name]["GetItem"].append(timed(lambda name=name, key=key: ddb.get_item(TableName=name, Key=key)))
    return samples


def summary(ms: list[float]) -> dict[str, float]:
    ordered = sorted(ms)
    return {"median_ms": round(statistics.median(ordered), 3), "p99_ms": round(ordered[int(len(ordered) * 0.99)], 3)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--small", type=int, default=1_000)
    parser.add_argument("--large", type=int, default=1_000_000)
    parser.add_argument("--requests", type=int, default=2_000, help="requests per operation and table")
    parser.add_argument("--port", type=int, default=4599)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    tables = {"scale-small": args.small, "scale-large": args.large}
    with tempfile.TemporaryDirectory(prefix="gureum-scale-") as tmp:
        data = Path(tmp)
        proc = start(data, args.port)
        for name in tables:
            make_table(client(args.port), name)
        stop(proc)
        fills = {name: round(fill(data / "gureum.db", name, count), 1) for name, count in tables.items()}
        proc = start(data, args.port)
        try:
            ddb = client(args.port)
            for name, count in tables.items():
                assert ddb.describe_table(TableName=name)["Table"]["ItemCount"] == count
            measure(ddb, tables, 100, random.Random(1))  # warm-up: connections, caches
            samples = measure(ddb, tables, args.requests, random.Random(2))
        finally:
            stop(proc)
    result: dict[str, Any] = {"items": tables, "fill_seconds": fills, "requests": args.requests, "operations": {}}
    for op in ("Query100", "GetItem"):
        small, large = summary(samples["scale-small"][op]), summary(samples["scale-large"][op])
        result["operations"][op] = {"small": small, "large": large,
                                    "median_ratio": round(large["median_ms"] / small["median_ms"], 3),
                                    "p99_ratio": round(large["p99_ms"] / small["p99_ms"], 3)}  # fmt: skip
    if args.json:
        print(json.dumps(result, indent=2))
        return
    print(f"DynamoDB latency by table size (one boto3 client, {args.requests} requests per cell; SQLite store)\n")
    print(f"| operation | {args.small:,} items median / p99 ms | {args.large:,} items median / p99 ms | ratio "
          "median / p99 |")  # fmt: skip
    print("|---|---|---|---|")
    for op, row in result["operations"].items():
        print(f"| {op} | {row['small']['median_ms']} / {row['small']['p99_ms']} | {row['large']['median_ms']} / "
              f"{row['large']['p99_ms']} | {row['median_ratio']} / {row['p99_ratio']} |")  # fmt: skip


if __name__ == "__main__":
    main()
