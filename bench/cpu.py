"""Server CPU cost, robust on a busy machine: CPU seconds the gureum process spends per 10,000 requests.

Throughput swings with whatever else the cores are doing; the server's own CPU time per request does much
less.  For each checkout given (default: this one), starts `python -m gureum start` (durable SQLite, temporary
data dir), measures start → first ListQueues answered and idle RSS, then runs bench/load.py's workloads and
reads the server's utime+stime from /proc before and after each.  Rounds alternate between checkouts (A/B).

    python bench/cpu.py                                   # this checkout
    python bench/cpu.py --repo /tmp/gureum-base --repo .  # A/B: a baseline clone beside this checkout
    python bench/cpu.py --store postgresql                # each server on a fresh database of a throwaway cluster
    python bench/cpu.py --store postgresql --nodes 2      # two nodes per database, the load spread over both

With ``--store postgresql`` a throwaway PostgreSQL cluster (durable settings, as scaleout.py) is started once and
every server gets a database of its own; only the gureum processes' CPU is counted, not PostgreSQL's. With
``--nodes 2`` the CPU figures are both nodes' together per request: their ratio to one node's is what coordinating
costs, and a node's capacity (when its CPU is what runs out) is the inverse of its CPU per request.

The drain workload needs a queue that stays non-empty for the whole timed loop, or its second half is empty
receives and "drain cpu_per_10k_messages" divides a saturated server's time by however many messages there were.
It is pre-filled (untimed) with --drain-prefill-rate messages per second of --seconds, well above the fastest drain
seen (~34,000 msgs/s on 2 cores); the messages left are read after the timed loop, and a run whose queue ran dry
is flagged on stderr, in the table, and by exit status 1.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from load import prefill, run_load  # noqa: E402
from sqs_throughput import free_port, make_client  # noqa: E402

TICKS = os.sysconf("SC_CLK_TCK")
# messages queued per second of the timed loop before a drain: 4x the 20,000 that ran dry at ~20,000-30,000 msgs/s
DRAIN_PREFILL_RATE = 80_000


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICKS  # utime, stime


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


class Server:
    def __init__(self, repo: Path, tmp: Path, store_url: str | None = None, extra: list[str] | None = None) -> None:
        self.port = free_port()
        self.endpoint = f"http://127.0.0.1:{self.port}"
        env = {**os.environ, "PYTHONPATH": str(repo)}
        cmd = [
            sys.executable,
            "-m",
            "gureum",
            "start",
            "--port",
            str(self.port),
            "--data-dir",
            str(tmp / "data"),
            "--log-level",
            "warning",
        ]
        if store_url:
            cmd += ["--store", store_url]
        cmd += extra or []
        self.log = open(tmp / "server.log", "w+b")
        started = time.perf_counter()
        self.proc = subprocess.Popen(cmd, env=env, cwd=repo, stdout=self.log, stderr=subprocess.STDOUT)
        body = b'{"QueueNamePrefix": "x"}'
        headers = {
            "Content-Type": "application/x-amz-json-1.0",
            "X-Amz-Target": "AmazonSQS.ListQueues",
            "Authorization": "AWS4-HMAC-SHA256 Credential=test/20250101/us-east-1/sqs/aws4_request,"
            " SignedHeaders=host, Signature=0",
        }
        while True:
            if self.proc.poll() is not None or time.perf_counter() - started > 30:
                self.log.seek(0)
                raise RuntimeError(f"server did not start:\n{self.log.read().decode(errors='replace')[-2000:]}")
            try:
                with urllib.request.urlopen(
                    urllib.request.Request(self.endpoint + "/", body, headers), timeout=1
                ) as answer:
                    if answer.status == 200:
                        break
            except OSError:
                time.sleep(0.005)
        self.startup_ms = (time.perf_counter() - started) * 1000
        self.startup_cpu_ms = cpu_seconds(self.proc.pid) * 1000  # robust where the wall clock is not: a busy machine
        time.sleep(2)
        self.idle_rss_mb = rss_mb(self.proc.pid)

    def stop(self) -> None:
        self.proc.terminate()
        self.proc.wait(15)
        self.log.close()


def workload(
    servers: list[Server], mode: str, seconds: float, connections: int, prefill_rate: int = DRAIN_PREFILL_RATE
) -> dict[str, Any]:
    """One timed run of load.py's ``mode``, its connections spread over the servers (nodes of one database);
    the CPU figures are all the nodes' CPU time together per request (or message)."""
    server = servers[0]
    client = make_client(server.endpoint)
    url = client.create_queue(QueueName=f"cpu-{mode}-{time.monotonic_ns()}")["QueueUrl"]
    if mode == "drain":
        prefill(server.endpoint, url, int(seconds * prefill_rate))
    before = sum(cpu_seconds(s.proc.pid) for s in servers)
    result = asyncio.run(run_load([s.endpoint for s in servers], mode, url, connections, seconds, report=False))
    used = sum(cpu_seconds(s.proc.pid) for s in servers) - before
    out = {
        "cpu_per_10k_requests": used / max(result["requests"], 1) * 10_000,
        "cpu_per_10k_messages": used / max(result["messages"], 1) * 10_000,
        "msgs_per_s": result["msgs_per_s"],
        "errors": result["errors"],
    }
    if mode == "drain":  # after the CPU reading: how many messages the timed loop left (0: it ran dry)
        attributes = client.get_queue_attributes(QueueUrl=url, AttributeNames=["ApproximateNumberOfMessages"])
        out["queue_left"] = int(attributes["Attributes"]["ApproximateNumberOfMessages"])
    client.delete_queue(QueueUrl=url)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--repo", action="append", type=Path, help="checkout to run (repeat for A/B); default this one")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--seconds", type=float, default=4.0)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--modes", default="send,batch,drain")
    parser.add_argument(
        "--drain-prefill-rate",
        type=int,
        default=DRAIN_PREFILL_RATE,
        help="messages queued before a drain run, per second of --seconds (default %(default)s)",
    )
    parser.add_argument("--store", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument(
        "--variant",
        action="append",
        help='extra server arguments to compare, each checkout run with each (repeat): --variant "" --variant '
        '"--no-tracing"',
    )
    parser.add_argument(
        "--nodes",
        type=int,
        default=1,
        help="with --store postgresql: gureum nodes sharing each database, the load spread over them (default 1)",
    )
    args = parser.parse_args()
    if args.nodes > 1 and args.store != "postgresql":
        parser.error("--nodes needs --store postgresql (a SQLite data directory has one owner)")
    cluster = None
    if args.store == "postgresql":
        sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
        from tests.pg import PgCluster

        pg_base = Path(tempfile.mkdtemp(prefix="gureum-cpu-pg-"))
        cluster = PgCluster(pg_base, durable=True).start()
    try:
        measure_all(args, cluster)
    finally:
        if cluster is not None:
            cluster.stop()
            shutil.rmtree(cluster.base, ignore_errors=True)


def measure_all(args: argparse.Namespace, cluster: Any) -> None:
    checkouts = [r.resolve() for r in (args.repo or [Path(__file__).resolve().parent.parent])]
    variants = args.variant or [""]
    # what is compared: each checkout with each variant's extra arguments (the column names say which)
    runs = [(repo, variant) for repo in checkouts for variant in variants]
    repos = [f"{repo} {variant}".strip() for repo, variant in runs]
    modes = args.modes.split(",")
    for repo in checkouts:  # as `pip install .` does: start-up should not include compiling every module
        subprocess.run(
            [sys.executable, "-m", "compileall", "-q", str(repo / "gureum")], check=True, stdout=subprocess.DEVNULL
        )
    samples: dict[tuple[str, str], list[float]] = {}
    dry: list[str] = []  # drain runs whose queue emptied before the timed loop ended
    print(f"machine load (1/5/15 min) at the start: {' '.join(f'{x:.2f}' for x in os.getloadavg())}", file=sys.stderr)
    for round_ in range(args.rounds):
        for (checkout, variant), repo in zip(runs, repos):
            with tempfile.TemporaryDirectory(prefix="gureum-cpu-") as tmp:
                url = cluster.create_database("cpu") if cluster else None
                servers: list[Server] = []
                try:
                    for node in range(args.nodes):
                        (Path(tmp) / str(node)).mkdir()
                        servers.append(Server(checkout, Path(tmp) / str(node), url, variant.split()))
                    server = servers[0]
                    samples.setdefault((str(repo), "startup_ms"), []).append(server.startup_ms)
                    samples.setdefault((str(repo), "startup_cpu_ms"), []).append(server.startup_cpu_ms)
                    samples.setdefault((str(repo), "idle_rss_mb"), []).append(server.idle_rss_mb)
                    for mode in modes:
                        out = workload(servers, mode, args.seconds, args.connections, args.drain_prefill_rate)
                        for key in ("cpu_per_10k_requests", "cpu_per_10k_messages", "msgs_per_s", "queue_left"):
                            if key in out:
                                samples.setdefault((str(repo), f"{mode} {key}"), []).append(out[key])
                        if out.get("queue_left") == 0:
                            dry.append(f"round {round_ + 1} {repo}")
                            print(f"WARNING: round {round_ + 1} {repo}: the drain queue ran dry", file=sys.stderr)
                finally:
                    for node_server in servers:
                        node_server.stop()
            print(
                f"round {round_ + 1} {repo}: "
                + ", ".join(f"{k[1]}={v[-1]:.3g}" for k, v in samples.items() if k[0] == str(repo)),
                file=sys.stderr,
            )
    metrics = list(dict.fromkeys(metric for _, metric in samples))
    load = " ".join(f"{x:.2f}" for x in os.getloadavg())
    print(f"machine load (1/5/15 min) at the end: {load}; store: {args.store}, {args.nodes} node(s)")
    print("| metric | " + " | ".join(str(r) for r in repos) + " |")
    print("|---|" + "---:|" * len(repos))
    for metric in metrics:
        cells = [samples.get((str(r), metric), []) for r in repos]
        print(
            f"| {metric} | "
            + " | ".join(f"{statistics.median(c):.3g} ({min(c):.3g}–{max(c):.3g})" if c else "—" for c in cells)
            + " |"
        )
    print(json.dumps({f"{r} {m}": statistics.median(v) for (r, m), v in samples.items()}), file=sys.stderr)
    if dry:
        print(
            f"\nWARNING: the drain queue ran dry in {len(dry)} run(s) ({'; '.join(dry)}): their drain figures count"
            " empty receives, not messages; raise --drain-prefill-rate"
        )
        sys.exit(1)


if __name__ == "__main__":
    main()
