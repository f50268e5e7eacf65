"""Lambda invoke latency and rate against a loopback endpoint, per runtime.

For each runtime (by default python3.12, the machine's Node.js, and where the machine has them java17 on a JDK 17,
ruby3.3 on the machine's ruby, through GUREUM_LAMBDA_RUNTIME_OVERRIDE when that is not 3.3, and go: a
provided.al2023 bootstrap built with the machine's Go) a fresh function is created, then:

  cold     --cold fresh environments: UpdateFunctionConfiguration (a new revision retires the warm
           environment) then one Invoke, timed end to end: p50, p99; Init Duration from the REPORT line too
  warm     --seconds of sequential RequestResponse invokes on the warm environment: p50, p99
  rate     --clients threads invoking at once for --seconds: invokes/s (one environment per thread)
  stream   (Node.js) InvokeWithResponseStream of a function that writes a chunk, waits 100 ms, writes another:
           time to the first PayloadChunk (time to first byte) and to InvokeComplete, p50/p99 over --seconds

  python bench/lambda_latency.py --endpoint http://127.0.0.1:4566 [--seconds 5] [--clients 4] [--json]
  python bench/lambda_latency.py --start-gureum   # own server, free port, temporary data dir
  python bench/lambda_latency.py --start-gureum --runtime java17 --runtime go --runtime ruby3.3
"""

from __future__ import annotations

import argparse
import base64
import io
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
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
    "ruby": ("index.rb", "def handler(event:, context:)\n  { 'ok' => true, 'n' => event['n'] }\nend\n"),
}
JAVA = """package bench;
import java.util.*;
public class Handler {
    public static Map<String, Object> handle(Map<String, Object> event) {
        Map<String, Object> out = new HashMap<>();
        out.put("ok", true);
        out.put("n", event.get("n"));
        return out;
    }
}
"""
GO = """package main

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"os"
)

func main() {
	api := "http://" + os.Getenv("AWS_LAMBDA_RUNTIME_API") + "/2018-06-01/runtime/invocation/"
	for {
		res, err := http.Get(api + "next")
		if err != nil {
			panic(err)
		}
		body, _ := io.ReadAll(res.Body)
		res.Body.Close()
		var event map[string]interface{}
		json.Unmarshal(body, &event)
		out, _ := json.Marshal(map[string]interface{}{"ok": true, "n": event["n"]})
		r, err := http.Post(api+res.Header.Get("Lambda-Runtime-Aws-Request-Id")+"/response", "application/json",
			bytes.NewReader(out))
		if err == nil {
			io.Copy(io.Discard, r.Body) // read to the end: the connection is reused
			r.Body.Close()
		}
	}
}
"""


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


def compiled(family: str) -> bytes:
    """A Java class (javac) or a Go bootstrap (go build) of the bench handler, zipped."""
    with tempfile.TemporaryDirectory(prefix="gureum-bench-") as tmp:
        root, buf = Path(tmp), io.BytesIO()
        with zipfile.ZipFile(buf, "w") as archive:
            if family == "java":
                (root / "Handler.java").write_text(JAVA)
                subprocess.run(["javac", "-d", str(root / "out"), str(root / "Handler.java")], check=True)
                archive.write(root / "out" / "bench" / "Handler.class", "bench/Handler.class")
            else:
                (root / "main.go").write_text(GO)
                (root / "go.mod").write_text("module bootstrap\n\ngo 1.19\n")
                env = {**os.environ, "CGO_ENABLED": "0", "GOFLAGS": "-mod=mod", "GOPROXY": "off"}
                subprocess.run(["go", "build", "-o", "bootstrap", "."], cwd=root, env=env, check=True)
                info = zipfile.ZipInfo("bootstrap")
                info.external_attr = 0o755 << 16
                archive.writestr(info, (root / "bootstrap").read_bytes())
        return buf.getvalue()


def function_of(runtime: str) -> tuple[str, str, bytes]:
    """(the runtime to create, its handler, its package) for a bench runtime name (go: a provided.al2023 bootstrap)."""
    if runtime == "go":
        return "provided.al2023", "bootstrap", compiled("go")
    if runtime.startswith("java"):
        return runtime, "bench.Handler::handle", compiled("java")
    family = "nodejs" if runtime.startswith("nodejs") else "ruby" if runtime.startswith("ruby") else "python"
    return runtime, "index.handler", package(family)


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def bench_runtime(endpoint: str, runtime: str, seconds: float, clients: int, colds: int) -> dict[str, Any]:
    lam = client(endpoint)
    created, handler, code = function_of(runtime)
    name = f"bench-{runtime.replace('.', '')}-{uuid.uuid4().hex[:8]}"
    lam.create_function(
        FunctionName=name,
        Runtime=created,
        Role=ROLE,
        Handler=handler,
        Code={"ZipFile": code},
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
            "cold_p50_ms": percentile(cold_ms, 0.50),
            "cold_p99_ms": percentile(cold_ms, 0.99),
            "init_ms_median": statistics.median(init_ms) if init_ms else None,
            "warm_p50_ms": percentile(warm, 0.50),
            "warm_p99_ms": percentile(warm, 0.99),
            "warm_invokes": len(warm),
            "clients": clients,
            "invokes_per_s": total / elapsed,
        }
    finally:
        lam.delete_function(FunctionName=name)


STREAMING = """exports.handler = awslambda.streamifyResponse(async (event, stream) => {
  stream.write('first');
  await new Promise((r) => setTimeout(r, 100));
  stream.end('second');
});
"""


def bench_stream(endpoint: str, runtime: str, seconds: float) -> dict[str, Any]:
    lam = client(endpoint)
    name = f"bench-stream-{uuid.uuid4().hex[:8]}"
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as archive:
        archive.writestr("index.js", STREAMING)
    lam.create_function(FunctionName=name, Runtime=runtime, Role=ROLE, Handler="index.handler",
                        Code={"ZipFile": buf.getvalue()}, MemorySize=256)  # fmt: skip
    lam.get_waiter("function_active_v2").wait(FunctionName=name, WaiterConfig={"Delay": 0.1})
    try:
        first, total = [], []
        deadline = time.perf_counter() + seconds
        while time.perf_counter() < deadline or not first:
            start = time.perf_counter()
            out = lam.invoke_with_response_stream(FunctionName=name, Payload=b"{}")
            seen = None
            for event in out["EventStream"]:
                if "PayloadChunk" in event and seen is None:
                    seen = time.perf_counter()
            total.append((time.perf_counter() - start) * 1000)
            first.append(((seen or time.perf_counter()) - start) * 1000)
        first, total = first[1:] or first, total[1:] or total  # the first stream was a cold start
        return {"runtime": runtime, "ttfb_p50_ms": percentile(first, 0.5), "ttfb_p99_ms": percentile(first, 0.99),
                "complete_p50_ms": percentile(total, 0.5), "streams": len(first)}  # fmt: skip
    finally:
        lam.delete_function(FunctionName=name)


def node_runtime() -> str | None:
    if shutil.which("node") is None:
        return None
    version = subprocess.run(["node", "--version"], capture_output=True, text=True).stdout.strip()
    match = re.match(r"^v(\d+)\.", version)
    return f"nodejs{match.group(1)}.x" if match and match.group(1) in ("18", "20", "22") else None


def machine_runtimes() -> list[str]:
    """The runtimes measured by default: python3.12, the machine's Node.js, java17, ruby3.3 and go where present."""
    found = [r for r in ("python3.12", node_runtime()) if r]
    if shutil.which("javac") and "17" in subprocess.run(["javac", "-version"], capture_output=True, text=True).stdout:
        found.append("java17")
    if shutil.which("ruby"):
        found.append("ruby3.3")
    if shutil.which("go"):
        found.append("go")
    return found


def ruby_override() -> None:
    """Serve ruby3.3 on the machine's ruby (the explicit override) when that is another version (own server only)."""
    if not shutil.which("ruby"):
        return
    version = subprocess.run(["ruby", "-e", "print RUBY_VERSION"], capture_output=True, text=True).stdout
    minor = ".".join(version.split(".")[:2])
    if minor != "3.3":
        os.environ.setdefault("GUREUM_LAMBDA_RUNTIME_OVERRIDE", f"ruby3.3={minor}")


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
        help="runtime to measure (repeatable; go for a Go provided.al2023 bootstrap; default: what the machine has)",
    )
    parser.add_argument("--json", action="store_true", help="print one JSON object instead of a table")
    args = parser.parse_args(argv)
    runtimes = args.runtime or machine_runtimes()

    def run(endpoint: str) -> list[dict[str, Any]]:
        return [bench_runtime(endpoint, runtime, args.seconds, args.clients, args.cold) for runtime in runtimes]

    node = next((r for r in runtimes if r.startswith("nodejs")), None)
    streamed: list[dict[str, Any]] = []

    if args.start_gureum:
        ruby_override()
        with gureum_server() as endpoint:
            results = run(endpoint)
            streamed = [bench_stream(endpoint, node, args.seconds)] if node else []
    else:
        require_loopback(args.endpoint)
        endpoint = args.endpoint
        results = run(endpoint)
        streamed = [bench_stream(endpoint, node, args.seconds)] if node else []
    if args.json:
        print(json.dumps({"endpoint": endpoint, "results": results, "streaming": streamed}))
        return
    print(
        f"{'runtime':<12} {'cold p50':>8} {'cold p99':>8} {'init ms':>8} {'warm p50':>9} {'warm p99':>9} "
        f"{'clients':>7} {'invokes/s':>10}"
    )
    for r in results:
        init = f"{r['init_ms_median']:.1f}" if r["init_ms_median"] is not None else "-"
        print(
            f"{r['runtime']:<12} {r['cold_p50_ms']:>8.1f} {r['cold_p99_ms']:>8.1f} {init:>8} {r['warm_p50_ms']:>9.2f} "
            f"{r['warm_p99_ms']:>9.2f} {r['clients']:>7} {r['invokes_per_s']:>10.1f}"
        )
    for r in streamed:
        print(
            f"streaming ({r['runtime']}, 100 ms between two chunks): first chunk p50 {r['ttfb_p50_ms']:.1f} ms, "
            f"p99 {r['ttfb_p99_ms']:.1f} ms; complete p50 {r['complete_p50_ms']:.1f} ms over {r['streams']} streams"
        )


if __name__ == "__main__":
    main()
