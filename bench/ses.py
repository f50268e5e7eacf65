"""SES SendEmail/s side by side: gureum (this checkout, durable SQLite, the account out of the sandbox as AWS
Support leaves it) beside the peers installable here that implement SES — moto's server and MiniStack from PyPI,
each in its own venv as compare.py makes them (LocalStack too when asked with --peers: compare.py's install, which
needs Python 3.12). Two measurements: one boto3 client sending in a loop (its latency, SDK included), and server
capacity (`--connections` keep-alive connections sending pre-built SendEmail requests, load.py's way). Prints a
Markdown table of messages per second with gureum's ratio to the best peer; --json for the figures. SMTP
throughput is bench/ses_smtp.py's.

    python bench/ses.py                                  # gureum, moto, ministack; 3 s per workload, 8 connections
    python bench/ses.py --peers gureum,moto --seconds 5 --connections 16
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
import time
import urllib.request
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

sys.path.insert(0, str(Path(__file__).resolve().parent))
from compare_servers import GUREUM, Running  # noqa: E402
from dynamodb_compare import cpu_table, cpu_us_per_op  # noqa: E402
from side_by_side import boto_client, capacity, ratio_table, run_peers  # noqa: E402

SENDER = "bench@example.com"
RECIPIENT = "success@simulator.amazonses.com"
WORKLOADS = ("SendEmail, 1 boto3 client", "SendEmail, capacity")
CPU = "SendEmail, server CPU µs per message"
AUTH = (
    "AWS4-HMAC-SHA256 Credential=test/20250101/us-east-1/ses/aws4_request, "
    "SignedHeaders=host;x-amz-date, Signature=" + "0" * 64
)


def client(endpoint: str) -> Any:
    return boto_client(endpoint, "ses")


def prepare(server: Running) -> None:
    """The sender verified and, on gureum, the account out of the sandbox (AWS Support's admin stand-in)."""
    ses = client(server.endpoint)
    ses.verify_email_identity(EmailAddress=SENDER)
    if server.peer is GUREUM:
        doc = {"accountId": "000000000000", "max24HourSend": 10_000_000, "maxSendRate": 1_000_000}
        request = urllib.request.Request(
            f"{server.endpoint}/_gureum/ses/account/production", data=json.dumps(doc).encode(), method="POST"
        )
        with urllib.request.urlopen(request, timeout=10) as resp:
            assert resp.status == 200
    ses.send_email(Source=SENDER, Destination={"ToAddresses": [RECIPIENT]}, Message=_message(0))


def _message(i: int) -> dict[str, Any]:
    return {"Subject": {"Data": f"bench {i}"}, "Body": {"Text": {"Data": "a message of a few words " * 8}}}


def one_client(server: Running, seconds: float) -> float:
    ses = client(server.endpoint)
    done, deadline = 0, time.perf_counter() + seconds
    began = time.perf_counter()
    while time.perf_counter() < deadline:
        ses.send_email(Source=SENDER, Destination={"ToAddresses": [RECIPIENT]}, Message=_message(done))
        done += 1
    return done / (time.perf_counter() - began)


def request(host: str, i: int) -> bytes:
    body = urlencode({
        "Action": "SendEmail", "Version": "2010-12-01", "Source": SENDER,
        "Destination.ToAddresses.member.1": RECIPIENT, "Message.Subject.Data": f"bench {i}",
        "Message.Body.Text.Data": "a message of a few words " * 8,
    }).encode()  # fmt: skip
    head = (
        f"POST / HTTP/1.1\r\nHost: {host}\r\nContent-Type: application/x-www-form-urlencoded; charset=utf-8\r\n"
        f"X-Amz-Date: 20250101T000000Z\r\nAuthorization: {AUTH}\r\nContent-Length: {len(body)}\r\n\r\n"
    )
    return head.encode() + body


def requests_for(host: str, worker: int) -> list[bytes]:
    return [request(host, worker * 100 + i) for i in range(100)]


def measure(server: Running, seconds: float, connections: int) -> dict[str, float]:
    prepare(server)
    out = {WORKLOADS[0]: one_client(server, seconds)}
    out[WORKLOADS[1]], out[CPU] = cpu_us_per_op(server.proc.pid, lambda: asyncio.run(
        capacity(server.endpoint, connections, seconds, requests_for, server.endpoint)))  # fmt: skip
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--peers", default="gureum,moto,ministack")
    parser.add_argument("--seconds", type=float, default=3.0)
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    os.environ["GUREUM_SES_AUTO_VERIFY"] = "1"  # gureum's sender verified at once (no link to open)
    results, versions = run_peers(args.peers, lambda server: measure(server, args.seconds, args.connections))
    if args.json:
        print(json.dumps({"results": results, "versions": versions}, indent=2))
        return
    print(f"SES SendEmail, {args.seconds:.0f} s per workload, capacity over {args.connections} connections; "
          + "; ".join(f"{k}: {v}" for k, v in versions.items()))  # fmt: skip
    print("\n".join(ratio_table(results, WORKLOADS, " msgs/s")))
    print("\nServer CPU per message in the capacity run (lower is better):\n")
    print("\n".join(cpu_table({name: {CPU: r[CPU]} for name, r in results.items() if CPU in r}, (CPU,))))


if __name__ == "__main__":
    main()
