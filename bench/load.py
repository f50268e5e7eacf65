"""A lean SQS load generator: pre-built requests over keep-alive HTTP/1.1 connections, no SDK.

Measures server capacity (not one client's latency): N concurrent connections, spread round-robin over
one or more endpoints, each sending its next request as soon as the previous answer arrives.

    python bench/load.py --endpoint http://127.0.0.1:4566 [--endpoint …] --mode send|batch|drain --connections 16 --seconds 10
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import time
import uuid
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from sqs_throughput import BODY, make_client, require_loopback

AUTH = "AWS4-HMAC-SHA256 Credential=test/20250101/us-east-1/sqs/aws4_request, SignedHeaders=host;x-amz-date;x-amz-target, Signature=" + "0" * 64


def request_bytes(host: str, target: str, doc: dict[str, Any]) -> bytes:
    body = json.dumps(doc).encode()
    head = (
        f"POST / HTTP/1.1\r\nHost: {host}\r\nContent-Type: application/x-amz-json-1.0\r\nX-Amz-Target: AmazonSQS.{target}\r\n"
        f"X-Amz-Date: 20250101T000000Z\r\nAuthorization: {AUTH}\r\nContent-Length: {len(body)}\r\n\r\n"
    )
    return head.encode() + body


async def read_response(reader: asyncio.StreamReader) -> tuple[int, bytes]:
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split(" ", 2)[1])
    length = 0
    for line in lines[1:]:
        if line[:15].lower() == "content-length:":
            length = int(line[15:].strip())
    body = await reader.readexactly(length) if length else b""
    return status, body


@dataclass
class Tally:
    requests: int = 0
    messages: int = 0
    errors: int = 0


async def connection(endpoint: str, mode: str, url: str, deadline: float, tally: Tally) -> None:
    parts = urlsplit(endpoint)
    host = parts.netloc
    reader, writer = await asyncio.open_connection(parts.hostname, parts.port)
    send_one = request_bytes(host, "SendMessage", {"QueueUrl": url, "MessageBody": BODY})
    send_ten = request_bytes(host, "SendMessageBatch", {"QueueUrl": url, "Entries": [{"Id": str(i), "MessageBody": BODY} for i in range(10)]})
    receive = request_bytes(host, "ReceiveMessage", {"QueueUrl": url, "MaxNumberOfMessages": 10, "VisibilityTimeout": 60})
    try:
        while time.perf_counter() < deadline:
            if mode == "send":
                writer.write(send_one)
                status, _ = await read_response(reader)
                tally.requests += 1
                tally.messages += status == 200
            elif mode == "batch":
                writer.write(send_ten)
                status, body = await read_response(reader)
                tally.requests += 1
                tally.messages += len(json.loads(body).get("Successful", [])) if status == 200 else 0
            else:
                writer.write(receive)
                status, body = await read_response(reader)
                tally.requests += 1
                messages = json.loads(body).get("Messages", []) if status == 200 else []
                if not messages:
                    tally.errors += status != 200
                    continue
                entries = [{"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]} for i, m in enumerate(messages)]
                writer.write(request_bytes(host, "DeleteMessageBatch", {"QueueUrl": url, "Entries": entries}))
                status, body = await read_response(reader)
                tally.requests += 1
                tally.messages += len(json.loads(body).get("Successful", [])) if status == 200 else 0
            tally.errors += status != 200
    finally:
        writer.close()


async def run_load(endpoints: list[str], mode: str, url: str, connections: int, seconds: float) -> dict[str, Any]:
    tally = Tally()
    start = time.perf_counter()
    deadline = start + seconds

    async def progress() -> None:
        while time.perf_counter() < deadline:
            await asyncio.sleep(0.5)
            sys.stderr.write(f"\r  {mode:<6} {tally.messages:>9} msgs  {tally.errors} errors")
            sys.stderr.flush()

    reporter = asyncio.create_task(progress())
    await asyncio.gather(*(connection(endpoints[i % len(endpoints)], mode, url, deadline, tally) for i in range(connections)))
    reporter.cancel()
    elapsed = time.perf_counter() - start
    sys.stderr.write("\n")
    return {"mode": mode, "connections": connections, "endpoints": len(endpoints), "requests": tally.requests, "messages": tally.messages,
            "errors": tally.errors, "seconds": round(elapsed, 2), "msgs_per_s": round(tally.messages / elapsed, 1), "requests_per_s": round(tally.requests / elapsed, 1)}  # fmt: skip


def prefill(endpoint: str, url: str, count: int) -> None:
    """Untimed: enough messages for a drain run, through the lean path itself (batches on 8 connections)."""
    async def fill() -> None:
        tally = Tally()
        parts = urlsplit(endpoint)

        async def one() -> None:
            reader, writer = await asyncio.open_connection(parts.hostname, parts.port)
            batch = request_bytes(parts.netloc, "SendMessageBatch", {"QueueUrl": url, "Entries": [{"Id": str(i), "MessageBody": BODY} for i in range(10)]})
            while tally.messages < count:
                tally.messages += 10
                writer.write(batch)
                await read_response(reader)
            writer.close()

        await asyncio.gather(*(one() for _ in range(8)))

    asyncio.run(fill())


def measure(endpoints: list[str], mode: str, connections: int, seconds: float, prefill_count: int = 0) -> dict[str, Any]:
    """Create a queue, (pre-fill it for drains), run the load, delete the queue."""
    client = make_client(endpoints[0])
    url = client.create_queue(QueueName=f"bench-load-{mode}-{uuid.uuid4().hex[:8]}")["QueueUrl"]
    try:
        if mode == "drain":
            prefill(endpoints[0], url, prefill_count)
        return asyncio.run(run_load(endpoints, mode, url, connections, seconds))
    finally:
        client.delete_queue(QueueUrl=url)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--endpoint", action="append", help="loopback endpoint; repeat for several nodes")
    parser.add_argument("--mode", choices=("send", "batch", "drain"), default="send")
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--prefill", type=int, default=200_000, help="messages queued before a drain run")
    args = parser.parse_args()
    endpoints = args.endpoint or ["http://127.0.0.1:4566"]
    for endpoint in endpoints:
        require_loopback(endpoint)
    print(json.dumps(measure(endpoints, args.mode, args.connections, args.seconds, args.prefill)))


if __name__ == "__main__":
    main()
