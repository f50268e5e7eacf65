"""Firehose side by side: PutRecordBatch records/s into an S3 delivery stream against gureum (this checkout) and
moto's server (PyPI, in its own venv as compare.py makes it; the peer available offline), with gureum's ratio.

Each server gets a bucket and a DirectPut stream to it; `--threads` boto3 clients (one each, keep-alive) send
batches of `--batch` records of `--size` bytes for `--seconds`. For gureum the stream buffers 1 s and the run also
reports when the last record reached S3 (end to end: every accepted record is in an object); moto writes to S3 inside
each PutRecordBatch call (no buffering), so its rate includes the S3 write.

    python bench/firehose.py                         # gureum and moto, 4 threads, 5 s, 500 × 100-byte records
    python bench/firehose.py --peers gureum --threads 8 --seconds 10 --json
"""

from __future__ import annotations

import argparse
import json
import sys
import threading
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from compare_servers import PEERS, install, log  # noqa: E402
from side_by_side import Server, boto_client  # noqa: E402
from side_by_side import start as start_server  # noqa: E402

ROLE = "arn:aws:iam::000000000000:role/firehose"


def client(server: Server, service: str) -> Any:
    return boto_client(server.endpoint, service, max_pool_connections=4)


def ready(server: Server, timeout: float = 90.0) -> None:
    server.wait_ready("list_delivery_streams", timeout, client(server, "firehose"), pause=0.1)


def objects_bytes(s3: Any, bucket: str) -> int:
    total = 0
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket):
        total += sum(o["Size"] for o in page.get("Contents", []))
    return total


def measure(server: Server, args: argparse.Namespace) -> dict[str, float]:
    s3, firehose = client(server, "s3"), client(server, "firehose")
    s3.create_bucket(Bucket="bench-firehose")
    firehose.create_delivery_stream(
        DeliveryStreamName="bench",
        ExtendedS3DestinationConfiguration={
            "RoleARN": ROLE, "BucketARN": "arn:aws:s3:::bench-firehose",
            "BufferingHints": {"SizeInMBs": 64, "IntervalInSeconds": 1},
        },
    )  # fmt: skip
    records = [{"Data": (b"%07d" % i) + b"x" * (args.size - 8) + b"\n"} for i in range(args.batch)]
    counts = [0] * args.threads
    failed = [0] * args.threads
    stop = threading.Event()

    def work(slot: int) -> None:
        fh = client(server, "firehose")
        fh.put_record_batch(DeliveryStreamName="bench", Records=records[:5])  # warm-up (connection)
        counts[slot] -= 5
        while not stop.is_set():
            out = fh.put_record_batch(DeliveryStreamName="bench", Records=records)
            counts[slot] += len(records) - out["FailedPutCount"]
            failed[slot] += out["FailedPutCount"]

    threads = [threading.Thread(target=work, args=(i,), daemon=True) for i in range(args.threads)]
    began = time.perf_counter()
    for t in threads:
        t.start()
    time.sleep(args.seconds)
    stop.set()
    for t in threads:
        t.join(60)
    took = time.perf_counter() - began
    accepted = sum(counts) + 5 * args.threads
    out = {"records_per_s": sum(counts) / took, "failed": float(sum(failed))}
    expected = accepted * args.size
    deadline = time.monotonic() + 120
    delivered = objects_bytes(s3, "bench-firehose")
    while delivered < expected and time.monotonic() < deadline:
        time.sleep(0.2)
        delivered = objects_bytes(s3, "bench-firehose")
    out["delivered_s"] = time.perf_counter() - began - took  # after the last put, until all bytes were in S3
    out["delivered_ok"] = float(delivered >= expected)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--peers", default="gureum,moto")
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--batch", type=int, default=500)
    parser.add_argument("--size", type=int, default=100)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    results: dict[str, dict[str, float] | str] = {}
    for name in args.peers.split(","):
        if name != "gureum":
            peer = next((p for p in PEERS if p.name == name), None)
            why = "unknown peer" if peer is None else install(peer)
            if why:
                results[name] = why
                continue
        server = start_server(name, "firehose")
        try:
            ready(server)
            log(f"{name}: measuring")
            results[name] = measure(server, args)
        except Exception as error:  # reported, the other servers still run
            results[name] = f"{type(error).__name__}: {error}"
        finally:
            server.stop()
    if args.json:
        print(json.dumps(results, indent=2))
        return
    print(f"PutRecordBatch ({args.batch} × {args.size} B, {args.threads} threads, {args.seconds:g} s)\n")
    print("| server | records/s | failed | all in S3 after the last put | gureum ÷ server |")
    print("|---|---|---|---|---|")
    ours = results.get("gureum")
    for name, got in results.items():
        if isinstance(got, str):
            print(f"| {name} | n/a ({got}) | | | |")
            continue
        rate = got["records_per_s"]
        ratio = f"{ours['records_per_s'] / rate:.2f}×" if isinstance(ours, dict) and rate else ""
        done = f"{got['delivered_s']:.1f} s" if got["delivered_ok"] else "not all delivered"
        print(f"| {name} | {rate:,.0f} | {got['failed']:.0f} | {done} | {ratio} |")


if __name__ == "__main__":
    main()
