"""A lean SQS load generator: pre-built requests over keep-alive HTTP/1.1 connections, no SDK.

Measures server capacity (not one client's latency): N concurrent connections, spread round-robin over
one or more endpoints, each sending its next request as soon as the previous answer arrives.

    python bench/load.py --endpoint http://127.0.0.1:4566 [--endpoint …] --mode send|batch|drain \\
        --connections 16 --seconds 10

One Python process can become the bottleneck before the server does: `--processes N` splits the connections over
N generator processes (started together, same queue) and sums their counts. Servers that answer
`Connection: close` (moto's Werkzeug server) are reconnected to before the next request.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing
import sys
import time
import uuid
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from sqs_throughput import BODY, make_client, require_loopback

AUTH = (
    "AWS4-HMAC-SHA256 Credential=test/20250101/us-east-1/sqs/aws4_request, SignedHeaders=host;x-amz-date;x-amz-target, "
    "Signature=" + "0" * 64
)


def request_bytes(host: str, target: str, doc: dict[str, Any]) -> bytes:
    body = json.dumps(doc).encode()
    head = (
        f"POST / HTTP/1.1\r\nHost: {host}\r\nContent-Type: application/x-amz-json-1.0\r\nX-Amz-Target: "
        f"AmazonSQS.{target}\r\n"
        f"X-Amz-Date: 20250101T000000Z\r\nAuthorization: {AUTH}\r\nContent-Length: {len(body)}\r\n\r\n"
    )
    return head.encode() + body


READ_TIMEOUT = 30.0  # seconds; no answer by then ends the run with an error instead of hanging


async def read_response(reader: asyncio.StreamReader) -> tuple[int, bytes]:
    status, body, _close = await read_response_closing(reader)
    return status, body


async def read_response_closing(reader: asyncio.StreamReader) -> tuple[int, bytes, bool]:
    """(status, body, whether the server closes the connection after this answer)."""
    head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), READ_TIMEOUT)
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split(" ", 2)[1])
    length, close = 0, lines[0].startswith("HTTP/1.0")
    for line in lines[1:]:
        lower = line.lower()
        if lower[:15] == "content-length:":
            length = int(line[15:].strip())
        elif lower[:11] == "connection:":
            close = "close" in lower[11:]
    body = await asyncio.wait_for(reader.readexactly(length), READ_TIMEOUT) if length else b""
    return status, body, close


@dataclass
class Tally:
    requests: int = 0
    messages: int = 0
    errors: int = 0


class Conn:
    """One keep-alive connection that reopens itself when the server said `Connection: close`."""

    def __init__(self, endpoint: str) -> None:
        self.parts = urlsplit(endpoint)
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def call(self, request: bytes) -> tuple[int, bytes]:
        if self.writer is None:
            self.reader, self.writer = await asyncio.open_connection(self.parts.hostname, self.parts.port)
        assert self.reader is not None
        self.writer.write(request)
        status, body, close = await read_response_closing(self.reader)
        if close:
            self.close()
        return status, body

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
            self.reader = self.writer = None


async def connection(endpoint: str, mode: str, url: str, deadline: float, tally: Tally) -> None:
    conn = Conn(endpoint)
    host = conn.parts.netloc
    send_one = request_bytes(host, "SendMessage", {"QueueUrl": url, "MessageBody": BODY})
    send_ten = request_bytes(
        host, "SendMessageBatch", {"QueueUrl": url, "Entries": [{"Id": str(i), "MessageBody": BODY} for i in range(10)]}
    )
    receive = request_bytes(
        host, "ReceiveMessage", {"QueueUrl": url, "MaxNumberOfMessages": 10, "VisibilityTimeout": 60}
    )
    try:
        while time.perf_counter() < deadline:
            if mode == "send":
                status, _ = await conn.call(send_one)
                tally.requests += 1
                tally.messages += status == 200
            elif mode == "batch":
                status, body = await conn.call(send_ten)
                tally.requests += 1
                tally.messages += len(json.loads(body).get("Successful", [])) if status == 200 else 0
            else:
                status, body = await conn.call(receive)
                tally.requests += 1
                messages = json.loads(body).get("Messages", []) if status == 200 else []
                if not messages:
                    tally.errors += status != 200
                    continue
                entries = [{"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]} for i, m in enumerate(messages)]
                status, body = await conn.call(
                    request_bytes(host, "DeleteMessageBatch", {"QueueUrl": url, "Entries": entries})
                )
                tally.requests += 1
                tally.messages += len(json.loads(body).get("Successful", [])) if status == 200 else 0
            tally.errors += status != 200
    finally:
        conn.close()


async def run_load(
    endpoints: list[str], mode: str, url: str, connections: int, seconds: float, first: int = 0, report: bool = True
) -> dict[str, Any]:
    """`connections` connections numbered from `first` (connection i goes to endpoint i mod len(endpoints))."""
    tally = Tally()
    start = time.perf_counter()
    deadline = start + seconds

    async def progress() -> None:
        while time.perf_counter() < deadline:
            await asyncio.sleep(0.5)
            sys.stderr.write(f"\r  {mode:<6} {tally.messages:>9} msgs  {tally.errors} errors")
            sys.stderr.flush()

    reporter = asyncio.create_task(progress()) if report else None
    await asyncio.gather(
        *(connection(endpoints[(first + i) % len(endpoints)], mode, url, deadline, tally) for i in range(connections))
    )
    if reporter is not None:
        reporter.cancel()
        sys.stderr.write("\n")
    elapsed = time.perf_counter() - start
    return {
        "mode": mode,
        "connections": connections,
        "endpoints": len(endpoints),
        "requests": tally.requests,
        "messages": tally.messages,
        "errors": tally.errors,
        "seconds": round(elapsed, 2),
        "msgs_per_s": round(tally.messages / elapsed, 1),
        "requests_per_s": round(tally.requests / elapsed, 1),
    }


def prefill(endpoint: str, url: str, count: int) -> None:
    """Untimed: enough messages for a drain run, through the lean path itself (batches on 8 connections)."""

    async def fill() -> None:
        tally = Tally()
        parts = urlsplit(endpoint)

        async def one() -> None:
            conn = Conn(endpoint)
            batch = request_bytes(
                parts.netloc,
                "SendMessageBatch",
                {"QueueUrl": url, "Entries": [{"Id": str(i), "MessageBody": BODY} for i in range(10)]},
            )
            try:
                while tally.messages < count:
                    tally.messages += 10
                    status, _ = await conn.call(batch)
                    if status != 200:
                        raise RuntimeError(f"prefill: SendMessageBatch answered HTTP {status}")
            finally:
                conn.close()

        await asyncio.gather(*(one() for _ in range(8)))

    asyncio.run(fill())


def _load_process(
    endpoints: list[str], mode: str, url: str, connections: int, seconds: float, first: int
) -> dict[str, Any]:
    return asyncio.run(run_load(endpoints, mode, url, connections, seconds, first, report=first == 0))


def run_load_processes(
    endpoints: list[str], mode: str, url: str, connections: int, seconds: float, processes: int
) -> dict[str, Any]:
    """The same load split over `processes` generator processes; counts are summed, time is the longest run."""
    shares = [connections // processes + (i < connections % processes) for i in range(processes)]
    firsts = [sum(shares[:i]) for i in range(processes)]
    with multiprocessing.get_context("fork").Pool(processes) as pool:
        parts = pool.starmap(
            _load_process, [(endpoints, mode, url, n, seconds, f) for n, f in zip(shares, firsts) if n]
        )
    elapsed = max(p["seconds"] for p in parts)
    requests, messages, errors = (sum(p[k] for p in parts) for k in ("requests", "messages", "errors"))
    return {
        "mode": mode,
        "connections": connections,
        "endpoints": len(endpoints),
        "processes": processes,
        "requests": requests,
        "messages": messages,
        "errors": errors,
        "seconds": elapsed,
        "msgs_per_s": round(messages / elapsed, 1),
        "requests_per_s": round(requests / elapsed, 1),
    }


def measure(
    endpoints: list[str], mode: str, connections: int, seconds: float, prefill_count: int = 0, processes: int = 1
) -> dict[str, Any]:
    """Create a queue, (pre-fill it for drains), run the load (in `processes` generator processes), delete the queue."""
    client = make_client(endpoints[0])
    url = client.create_queue(QueueName=f"bench-load-{mode}-{uuid.uuid4().hex[:8]}")["QueueUrl"]
    try:
        if mode == "drain":
            prefill(endpoints[0], url, prefill_count)
        if processes > 1:
            return run_load_processes(endpoints, mode, url, connections, seconds, processes)
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
    parser.add_argument(
        "--processes", type=int, default=1, help="generator processes sharing the connections; rates are summed"
    )
    args = parser.parse_args()
    if args.processes < 1 or args.processes > args.connections:
        parser.error("--processes must be between 1 and --connections")
    endpoints = args.endpoint or ["http://127.0.0.1:4566"]
    for endpoint in endpoints:
        require_loopback(endpoint)
    print(json.dumps(measure(endpoints, args.mode, args.connections, args.seconds, args.prefill, args.processes)))


if __name__ == "__main__":
    main()
