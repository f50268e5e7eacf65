"""gureum's per-request floor: the server CPU one request costs before any service's own work, to set beside the
issues' "3× the best peer" goals. Two requests over `--connections` keep-alive connections (pre-built, load.py's
way): `GET /_gureum/health` (gureum's HTTP/1.1 server alone: parse, route, answer) and DynamoDB's
`DescribeEndpoints` (the whole AWS path: SigV4 header, routing, the JSON protocol, no store). Prints answers per
second and the server's CPU µs per request (its utime+stime; the load generator's is not counted).

    python bench/floor.py
    python bench/floor.py --seconds 5 --connections 16 --rounds 3
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
import side_by_side  # noqa: E402
from cpu import Server, cpu_seconds  # noqa: E402
from side_by_side import json_request  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent


def health(host: str, _worker: int) -> list[bytes]:
    return [f"GET /_gureum/health HTTP/1.1\r\nHost: {host}\r\n\r\n".encode()]


def describe_endpoints(host: str, _worker: int) -> list[bytes]:
    return [json_request(host, "DynamoDB_20120810.DescribeEndpoints", {}, "1.0", "dynamodb")]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--seconds", type=float, default=4.0)
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        server = Server(ROOT, Path(tmp))
        try:
            print("| request | answers/s | server CPU µs per request |\n|---|---:|---:|")
            for label, build in (("GET /_gureum/health", health), ("DynamoDB DescribeEndpoints", describe_endpoints)):

                def run(build: Any = build, label: str = label) -> float:
                    return asyncio.run(
                        side_by_side.capacity(server.endpoint, args.connections, args.seconds, build, label)
                    )

                for _ in range(args.rounds):
                    used, began = cpu_seconds(server.proc.pid), time.perf_counter()
                    rate = run()
                    answered = rate * (time.perf_counter() - began)
                    cpu = (cpu_seconds(server.proc.pid) - used) / answered * 1e6
                    print(f"| {label} | {rate:,.0f} | {cpu:.1f} |")
        finally:
            server.stop()


if __name__ == "__main__":
    main()
