"""DynamoDB side by side: PutItem, GetItem, Query (100 items) and BatchWriteItem (25 items) rates against gureum
(this checkout) and the peers the registries serve: moto's server and MiniStack (PyPI, each in its own venv as
compare.py makes them) and dynalite (npm). Two measurements per workload: one boto3 client (its latency, SDK
included: the client's CPU is much of it) and server capacity (`--connections` keep-alive connections sending
pre-built signed-looking requests, load.py's way). Prints Markdown tables of operations per second with gureum's
ratio to the best peer per workload; --json for the figures.

    python bench/dynamodb_compare.py                       # every peer, 3 s per workload, 8 connections
    python bench/dynamodb_compare.py --peers gureum,moto --seconds 5 --connections 16

Amazon's DynamoDB Local is not among the peers: no registry serves it (its npm wrappers download the jar from an
AWS bucket at run time), and this bench installs only from registries.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import boto3
from botocore.config import Config

sys.path.insert(0, str(Path(__file__).resolve().parent))
from compare_servers import CACHE, GUREUM, PEERS, REPO_ROOT, Peer, free_port, install, log, venv_python  # noqa: E402
from load import Conn  # noqa: E402

PIP_PEERS = {p.name: p for p in PEERS if p.name in ("moto", "ministack")}
WORKLOADS = ("PutItem", "GetItem", "Query100", "BatchWrite25")


class Server:
    """One started server (a process group), ready once it answers DynamoDB ListTables."""

    def __init__(self, name: str, cmd: list[str], env: dict[str, str], port: int, tmp: Path) -> None:
        self.name, self.port, self.tmp = name, port, tmp
        self.endpoint = f"http://127.0.0.1:{port}"
        self.log_path = tmp / "server.log"
        self._log = open(self.log_path, "wb")
        self.proc = subprocess.Popen(cmd, env=env, cwd=tmp, stdout=self._log, stderr=subprocess.STDOUT,
                                     start_new_session=True)  # fmt: skip

    def client(self) -> Any:
        config = Config(region_name="us-east-1", retries={"max_attempts": 1}, read_timeout=60)
        return boto3.client("dynamodb", endpoint_url=self.endpoint, aws_access_key_id="test",
                            aws_secret_access_key="test", config=config)  # fmt: skip

    def wait_ready(self, timeout: float = 90.0) -> None:
        deadline = time.monotonic() + timeout
        probe = self.client()
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"{self.name} exited: {self.log_path.read_text(errors='replace')[-600:]}")
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
                probe.list_tables()
                return
            except Exception:
                time.sleep(0.05)
        raise RuntimeError(f"{self.name} did not answer ListTables within {timeout:.0f} s")

    def stop(self) -> None:
        if self.proc.poll() is None:
            try:
                os.killpg(self.proc.pid, signal.SIGTERM)
                self.proc.wait(timeout=15)
            except (ProcessLookupError, subprocess.TimeoutExpired):
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait()
        self._log.close()
        shutil.rmtree(self.tmp, ignore_errors=True)


def install_dynalite() -> str:
    """dynalite into the bench cache with npm; "" when it can run, else why not."""
    where = CACHE / "dynalite"
    binary = where / "node_modules" / ".bin" / "dynalite"
    if binary.exists():
        return ""
    if shutil.which("npm") is None:
        return "npm not found"
    where.mkdir(parents=True, exist_ok=True)
    log("dynalite: npm install dynalite …")
    proc = subprocess.run(["npm", "install", "--prefix", str(where), "--no-audit", "--no-fund", "dynalite"],
                          capture_output=True, text=True)  # fmt: skip
    if proc.returncode != 0 or not binary.exists():
        return "npm install failed: " + (proc.stderr or proc.stdout)[-300:].strip()
    return ""


def start(name: str) -> Server:
    port = free_port()
    tmp = Path(tempfile.mkdtemp(prefix=f"gureum-ddb-{name}-"))
    fill = {"port": str(port), "data": str(tmp / "data")}
    env = {**os.environ}
    env.pop("PYTHONPATH", None)
    if name == "gureum":
        env["PYTHONPATH"] = str(REPO_ROOT)
        cmd = [sys.executable, "-m", *(a.format(**fill) for a in GUREUM.module)]
    elif name == "dynalite":
        cmd = [str(CACHE / "dynalite" / "node_modules" / ".bin" / "dynalite"), "--port", str(port)]
    else:
        peer: Peer = PIP_PEERS[name]
        env.update({k: v.format(**fill) for k, v in peer.env.items()})
        cmd = [str(venv_python(peer)), "-m", *(a.format(**fill) for a in peer.module)]
    return Server(name, cmd, env, port, tmp)


def make_table(ddb: Any) -> str:
    name = f"bench-{uuid.uuid4().hex[:8]}"
    ddb.create_table(TableName=name, BillingMode="PAY_PER_REQUEST",
                     AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"},
                                           {"AttributeName": "sk", "AttributeType": "N"}],
                     KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"},
                                {"AttributeName": "sk", "KeyType": "RANGE"}])  # fmt: skip
    for _ in range(600):
        if ddb.describe_table(TableName=name)["Table"]["TableStatus"] == "ACTIVE":
            return name
        time.sleep(0.05)
    raise RuntimeError("table did not become ACTIVE")


def timed(step: Callable[[int], None], seconds: float, limit: int = 200_000) -> tuple[int, float]:
    for i in range(5):  # warm-up
        step(i)
    n = 0
    began = time.perf_counter()
    while n < limit and time.perf_counter() - began < seconds:
        step(n)
        n += 1
    return n, time.perf_counter() - began


def item(pk: str, sk: int) -> dict[str, Any]:
    return {"pk": {"S": pk}, "sk": {"N": str(sk)}, "payload": {"S": "x" * 200}, "n": {"N": str(sk * 7)}}


def measure(server: Server, seconds: float) -> dict[str, float]:
    ddb = server.client()
    table = make_table(ddb)
    out: dict[str, float] = {}
    n, took = timed(lambda i: ddb.put_item(TableName=table, Item=item(f"p{i % 1000}", i)), seconds)
    out["PutItem"] = n / took
    n, took = timed(lambda i: ddb.get_item(TableName=table, Key={"pk": {"S": f"p{i % 1000}"}, "sk": {"N": str(i)}}),
                    seconds)  # fmt: skip
    out["GetItem"] = n / took
    for start_at in range(0, 100, 25):
        ddb.batch_write_item(RequestItems={table: [{"PutRequest": {"Item": item("q", s)}}
                                                   for s in range(start_at, start_at + 25)]})  # fmt: skip

    def query(_i: int) -> None:
        got = ddb.query(TableName=table, KeyConditionExpression="pk = :p", ExpressionAttributeValues={":p": {"S": "q"}})
        assert got["Count"] == 100, got["Count"]

    n, took = timed(query, seconds)
    out["Query100"] = n / took

    def batch(i: int) -> None:
        ddb.batch_write_item(RequestItems={table: [{"PutRequest": {"Item": item(f"b{i}", s)}} for s in range(25)]})

    n, took = timed(batch, seconds)
    out["BatchWrite25"] = n / took
    return out


AUTH = (
    "AWS4-HMAC-SHA256 Credential=test/20250101/us-east-1/dynamodb/aws4_request, "
    "SignedHeaders=host;x-amz-date;x-amz-target, Signature=" + "0" * 64
)


def request(host: str, target: str, doc: dict[str, Any]) -> bytes:
    body = json.dumps(doc).encode()
    head = (
        f"POST / HTTP/1.1\r\nHost: {host}\r\nContent-Type: application/x-amz-json-1.0\r\n"
        f"X-Amz-Target: DynamoDB_20120810.{target}\r\nX-Amz-Date: 20250101T000000Z\r\nAuthorization: {AUTH}\r\n"
        f"Content-Length: {len(body)}\r\n\r\n"
    )
    return head.encode() + body


def capacity_requests(host: str, table: str, workload: str, worker: int) -> list[bytes]:
    """The requests one connection cycles through for a workload (distinct keys per connection)."""
    if workload == "PutItem":
        return [request(host, "PutItem", {"TableName": table, "Item": item(f"c{worker}-{i}", i)}) for i in range(200)]
    if workload == "GetItem":
        return [request(host, "GetItem", {"TableName": table, "Key": {"pk": {"S": f"p{i}"}, "sk": {"N": str(i)}}})
                for i in range(200)]  # fmt: skip
    if workload == "Query100":
        return [request(host, "Query", {"TableName": table, "KeyConditionExpression": "pk = :p",
                                         "ExpressionAttributeValues": {":p": {"S": "q"}}})]  # fmt: skip
    return [request(host, "BatchWriteItem", {"RequestItems": {table: [
        {"PutRequest": {"Item": item(f"cb{worker}-{i}", s)}} for s in range(25)]}}) for i in range(50)]  # fmt: skip


async def _capacity(endpoint: str, table: str, workload: str, connections: int, seconds: float) -> float:
    counts = [0] * connections
    errors = [0]

    async def one(worker: int) -> None:
        conn = Conn(endpoint)
        requests = capacity_requests(conn.parts.netloc, table, workload, worker)
        deadline = time.perf_counter() + seconds
        i = 0
        try:
            while time.perf_counter() < deadline:
                status, _body = await conn.call(requests[i % len(requests)])
                if status == 200:
                    counts[worker] += 1
                else:
                    errors[0] += 1
                i += 1
        finally:
            conn.close()

    began = time.perf_counter()
    await asyncio.gather(*(one(w) for w in range(connections)))
    if errors[0]:
        log(f"{workload}: {errors[0]} answers were not 200")
    return sum(counts) / (time.perf_counter() - began)


def capacity(server: Server, seconds: float, connections: int) -> dict[str, float]:
    ddb = server.client()
    table = make_table(ddb)
    for i in range(200):
        ddb.put_item(TableName=table, Item=item(f"p{i}", i))
    for start_at in range(0, 100, 25):
        ddb.batch_write_item(RequestItems={table: [{"PutRequest": {"Item": item("q", s)}}
                                                   for s in range(start_at, start_at + 25)]})  # fmt: skip
    return {w: asyncio.run(_capacity(server.endpoint, table, w, connections, seconds)) for w in WORKLOADS}


def table_of(results: dict[str, dict[str, float]]) -> list[str]:
    names = list(results)
    lines = ["| workload | " + " | ".join(f"{n} ops/s" for n in names) + " | gureum ÷ best peer |",
             "|---" * (len(names) + 2) + "|"]  # fmt: skip
    for workload in WORKLOADS:
        peers = [results[n][workload] for n in names if n != "gureum"]
        ratio = f"{results['gureum'][workload] / max(peers):.1f}×" if "gureum" in results and peers else "–"
        lines.append(f"| {workload} | " + " | ".join(f"{results[n][workload]:.0f}" for n in names) + f" | {ratio} |")
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--peers", default="gureum,moto,ministack,dynalite")
    parser.add_argument("--seconds", type=float, default=3.0)
    parser.add_argument("--connections", type=int, default=8, help="capacity mode's connections (0: skip it)")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    results: dict[str, dict[str, float]] = {}
    loaded: dict[str, dict[str, float]] = {}
    skipped: dict[str, str] = {}
    for name in args.peers.split(","):
        why = install_dynalite() if name == "dynalite" else install(GUREUM if name == "gureum" else PIP_PEERS[name])
        if why:
            skipped[name] = why
            log(f"{name}: skipped ({why})")
            continue
        server = start(name)
        try:
            server.wait_ready()
            log(f"{name}: measuring")
            results[name] = measure(server, args.seconds)
            if args.connections:
                log(f"{name}: capacity over {args.connections} connections")
                loaded[name] = capacity(server, args.seconds, args.connections)
        except Exception as error:  # a peer that fails a workload is reported, not fatal
            skipped[name] = f"{type(error).__name__}: {str(error)[:200]}"
            log(f"{name}: failed ({skipped[name]})")
        finally:
            server.stop()
    if args.json:
        print(json.dumps({"one_client": results, "capacity": loaded, "connections": args.connections,
                          "skipped": skipped}, indent=2))  # fmt: skip
        return
    print("One boto3 client:\n")
    print("\n".join(table_of(results)))
    if loaded:
        print(f"\nCapacity, {args.connections} keep-alive connections of pre-built requests:\n")
        print("\n".join(table_of(loaded)))
    for name, why in skipped.items():
        print(f"\n{name}: not measured ({why})")


if __name__ == "__main__":
    main()
