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
import sys
import time
import uuid
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
import side_by_side  # noqa: E402
from compare_servers import log  # noqa: E402
from side_by_side import Server, json_request, measure_each, npm_binary, ratio_table  # noqa: E402

WORKLOADS = ("PutItem", "GetItem", "Query100", "BatchWrite25")
TICKS = os.sysconf("SC_CLK_TCK")


def session_cpu(session: int) -> float:
    """CPU seconds (utime+stime) of every live process in session ``session`` (a server started in a session of
    its own: its workers and children too)."""
    total = 0
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[3]) == session:
            total += int(fields[11]) + int(fields[12])
    return total / TICKS


def cpu_us_per_op(session: int, run: Callable[[], float]) -> tuple[float, float]:
    """(operations per second, the server's CPU microseconds per operation) of ``run`` (which returns the rate)."""
    cpu, began = session_cpu(session), time.perf_counter()
    rate = run()
    done = rate * (time.perf_counter() - began)
    return rate, (session_cpu(session) - cpu) / done * 1e6 if done else 0.0


def start(name: str) -> Server:
    return side_by_side.start(name, "dynamodb", npm={"dynalite": lambda port: [str(npm_binary("dynalite")), "--port",
                                                                              str(port)]})  # fmt: skip


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


def request(host: str, target: str, doc: dict[str, Any]) -> bytes:
    return json_request(host, f"DynamoDB_20120810.{target}", doc, "1.0", "dynamodb")


def capacity_requests(host: str, worker: int, table: str, workload: str) -> list[bytes]:
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


def capacity(server: Server, seconds: float, connections: int, cpu: dict[str, float]) -> dict[str, float]:
    ddb = server.client()
    table = make_table(ddb)
    for i in range(200):
        ddb.put_item(TableName=table, Item=item(f"p{i}", i))
    for start_at in range(0, 100, 25):
        ddb.batch_write_item(RequestItems={table: [{"PutRequest": {"Item": item("q", s)}}
                                                   for s in range(start_at, start_at + 25)]})  # fmt: skip
    out: dict[str, float] = {}
    for w in WORKLOADS:
        build = partial(capacity_requests, table=table, workload=w)
        out[w], cpu[w] = cpu_us_per_op(server.proc.pid, lambda build=build, w=w: asyncio.run(
            side_by_side.capacity(server.endpoint, connections, seconds, build, w)))  # fmt: skip
    return out


def cpu_table(cpu: dict[str, dict[str, float]], workloads: tuple[str, ...], digits: int = 0) -> list[str]:
    """A Markdown table of each server's CPU µs per operation (``digits`` after the point) and the best peer's ÷
    gureum's (above 1: gureum spends less CPU per operation)."""
    names = list(cpu)
    lines = ["| workload | " + " | ".join(f"{n} µs" for n in names) + " | best peer ÷ gureum |",
             "|---" * (len(names) + 2) + "|"]  # fmt: skip
    for workload in workloads:
        peers = [cpu[n][workload] for n in names if n != "gureum" and cpu[n].get(workload)]
        mine = cpu.get("gureum", {}).get(workload)
        ratio = f"{min(peers) / mine:.1f}×" if mine and peers else "–"
        cells = " | ".join(f"{cpu[n].get(workload, 0):.{digits}f}" for n in names)
        lines.append(f"| {workload} | {cells} | {ratio} |")
    return lines


def table_of(results: dict[str, dict[str, float]]) -> list[str]:
    return ratio_table(results, WORKLOADS, " ops/s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--peers", default="gureum,moto,ministack,dynalite")
    parser.add_argument("--seconds", type=float, default=3.0)
    parser.add_argument("--connections", type=int, default=8, help="capacity mode's connections (0: skip it)")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    results: dict[str, dict[str, float]] = {}
    loaded: dict[str, dict[str, float]] = {}
    cpu: dict[str, dict[str, float]] = {}

    def measure_one(server: Server) -> None:
        results[server.name] = measure(server, args.seconds)
        if args.connections:
            log(f"{server.name}: capacity over {args.connections} connections")
            cpu[server.name] = {}
            loaded[server.name] = capacity(server, args.seconds, args.connections, cpu[server.name])

    skipped = measure_each(args.peers, {"dynalite": "dynalite"}, start, "list_tables", measure_one)
    if args.json:
        print(json.dumps({"one_client": results, "capacity": loaded, "cpu_us_per_op": cpu,
                          "connections": args.connections, "skipped": skipped}, indent=2))  # fmt: skip
        return
    print("One boto3 client:\n")
    print("\n".join(table_of(results)))
    if loaded:
        print(f"\nCapacity, {args.connections} keep-alive connections of pre-built requests:\n")
        print("\n".join(table_of(loaded)))
        print("\nServer CPU per operation in the capacity run (µs; lower is better):\n")
        print("\n".join(cpu_table(cpu, WORKLOADS)))
    for name, why in skipped.items():
        print(f"\n{name}: not measured ({why})")


if __name__ == "__main__":
    main()
