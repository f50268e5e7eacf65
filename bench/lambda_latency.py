"""Lambda invoke latency and rate against a loopback endpoint, per runtime.

For each runtime (python3.12 and the machine's Node.js by default) a fresh function is created, then:

  cold     --cold fresh environments: UpdateFunctionConfiguration (a new revision retires the warm
           environment) then one Invoke, timed end to end; Init Duration from the REPORT line too
  warm     --seconds of sequential RequestResponse invokes on the warm environment: p50, p99
  rate     --clients threads invoking at once for --seconds: invokes/s (one environment per thread)

  python bench/lambda_latency.py --endpoint http://127.0.0.1:4566 [--seconds 5] [--clients 4] [--json]
  python bench/lambda_latency.py --start-gureum   # own server, free port, temporary data dir
"""

from __future__ import annotations

import argparse
import base64
import io
import json
import re
import shutil
import statistics
import subprocess
import sys
import time
import uuid
import zipfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import boto3
from botocore.config import Config

sys.path.insert(0, str(Path(__file__).resolve().parent))
from sqs_throughput import gureum_server, require_loopback  # noqa: E402

ROLE = "arn:aws:iam::000000000000:role/bench"
CODE = {
    "python": ("index.py", "def handler(event, context):\n    return {'ok': True, 'n': event.get('n')}\n"),
    "nodejs": ("index.js", "exports.handler = async (event) => ({ ok: true, n: event.n });\n"),
}


def client(endpoint: str) -> Any:
    config = Config(region_name="us-east-1", retries={"max_attempts": 1}, read_timeout=60, max_pool_connections=64)
    return boto3.client(
        "lambda", endpoint_url=endpoint, aws_access_key_id="test", aws_secret_access_key="test", config=config
    )


def package(family: str) -> bytes:
    name, text = CODE[family]
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as archive:
        archive.writestr(name, text)
    return buf.getvalue()


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def bench_runtime(endpoint: str, runtime: str, seconds: float, clients: int, colds: int) -> dict[str, Any]:
    lam = client(endpoint)
    family = "nodejs" if runtime.startswith("nodejs") else "python"
    name = f"bench-{runtime.replace('.', '')}-{uuid.uuid4().hex[:8]}"
    lam.create_function(
        FunctionName=name,
        Runtime=runtime,
        Role=ROLE,
        Handler="index.handler",
        Code={"ZipFile": package(family)},
        MemorySize=256,
    )
    lam.get_waiter("function_active_v2").wait(FunctionName=name, WaiterConfig={"Delay": 0.1})
    try:
        cold_ms, init_ms = [], []
        for i in range(colds):
            if i:
                lam.update_function_configuration(FunctionName=name, Description=str(i))
                lam.get_waiter("function_updated_v2").wait(FunctionName=name, WaiterConfig={"Delay": 0.1})
            start = time.perf_counter()
            out = lam.invoke(FunctionName=name, Payload=b"{}", LogType="Tail")
            cold_ms.append((time.perf_counter() - start) * 1000)
            found = re.search(r"Init Duration: ([\d.]+) ms", base64.b64decode(out["LogResult"]).decode())
            if found:
                init_ms.append(float(found.group(1)))
        warm: list[float] = []
        deadline = time.perf_counter() + seconds
        while time.perf_counter() < deadline:
            start = time.perf_counter()
            lam.invoke(FunctionName=name, Payload=json.dumps({"n": len(warm)}))["Payload"].read()
            warm.append((time.perf_counter() - start) * 1000)

        def worker(_: int) -> int:
            own = client(endpoint)
            count, stop = 0, time.perf_counter() + seconds
            while time.perf_counter() < stop:
                own.invoke(FunctionName=name, Payload=b"{}")["Payload"].read()
                count += 1
            return count

        with ThreadPoolExecutor(clients) as pool:
            list(
                pool.map(lambda _: client(endpoint).invoke(FunctionName=name, Payload=b"{}"), range(clients))
            )  # warm every environment
            start = time.perf_counter()
            total = sum(pool.map(worker, range(clients)))
            elapsed = time.perf_counter() - start
        return {
            "runtime": runtime,
            "cold_ms_median": statistics.median(cold_ms),
            "init_ms_median": statistics.median(init_ms) if init_ms else None,
            "warm_p50_ms": percentile(warm, 0.50),
            "warm_p99_ms": percentile(warm, 0.99),
            "warm_invokes": len(warm),
            "clients": clients,
            "invokes_per_s": total / elapsed,
        }
    finally:
        lam.delete_function(FunctionName=name)


def node_runtime() -> str | None:
    if shutil.which("node") is None:
        return None
    version = subprocess.run(["node", "--version"], capture_output=True, text=True).stdout.strip()
    match = re.match(r"^v(\d+)\.", version)
    return f"nodejs{match.group(1)}.x" if match and match.group(1) in ("18", "20", "22") else None


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    target = parser.add_mutually_exclusive_group()
    target.add_argument("--endpoint", default="http://127.0.0.1:4566", help="loopback endpoint (default: %(default)s)")
    target.add_argument("--start-gureum", action="store_true", help="start a gureum server on a free port for the run")
    parser.add_argument(
        "--seconds", type=float, default=5.0, help="duration of the warm and rate phases (default: %(default)s)"
    )
    parser.add_argument(
        "--clients", type=int, default=4, help="concurrent clients in the rate phase (default: %(default)s)"
    )
    parser.add_argument("--cold", type=int, default=5, help="cold starts measured per runtime (default: %(default)s)")
    parser.add_argument(
        "--runtime",
        action="append",
        help="runtime to measure (repeatable; default python3.12 and the machine's Node.js)",
    )
    parser.add_argument("--json", action="store_true", help="print one JSON object instead of a table")
    args = parser.parse_args(argv)
    runtimes = args.runtime or [r for r in ("python3.12", node_runtime()) if r]

    def run(endpoint: str) -> list[dict[str, Any]]:
        return [bench_runtime(endpoint, runtime, args.seconds, args.clients, args.cold) for runtime in runtimes]

    if args.start_gureum:
        with gureum_server() as endpoint:
            results = run(endpoint)
    else:
        require_loopback(args.endpoint)
        endpoint = args.endpoint
        results = run(endpoint)
    if args.json:
        print(json.dumps({"endpoint": endpoint, "results": results}))
        return
    print(
        f"{'runtime':<12} {'cold ms':>8} {'init ms':>8} {'warm p50':>9} {'warm p99':>9} {'clients':>7} "
        f"{'invokes/s':>10}"
    )
    for r in results:
        init = f"{r['init_ms_median']:.1f}" if r["init_ms_median"] is not None else "-"
        print(
            f"{r['runtime']:<12} {r['cold_ms_median']:>8.1f} {init:>8} {r['warm_p50_ms']:>9.2f} "
            f"{r['warm_p99_ms']:>9.2f} {r['clients']:>7} {r['invokes_per_s']:>10.1f}"
        )


if __name__ == "__main__":
    main()
