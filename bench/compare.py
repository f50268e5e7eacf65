"""gureum beside the emulators users would pick instead (moto's server, MiniStack, LocalStack), in one run on
one machine with one client, rounds alternating between servers so drift hits all of them alike.

    python bench/compare.py [--rounds 3] [--peers moto,ministack,localstack] [--quick]

Installs each peer into its own virtual environment under ~/.cache/gureum-bench/<peer> (GUREUM_BENCH_CACHE),
starts every server on a free loopback port (gureum with its durable SQLite store; peers with their defaults,
which keep state in memory), measures, stops them, and writes bench/results/<date>-compare.md, .json and .png.
A workload a server cannot do is marked in the table with the reason, never dropped.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import partial
from pathlib import Path
from typing import Any

import compare_workloads as wl
from botocore.exceptions import ClientError
from compare_servers import BENCH, CACHE, GUREUM, PEERS, Peer, Running, gureum_version, install, installed_version, log

CEILING = Peer("ceiling", ("uvicorn", "boto3"), (), smoke="uvicorn")  # its own venv: uvicorn is no test dependency


@dataclass(frozen=True)
class Metric:
    key: str
    label: str
    unit: str
    higher_is_better: bool


METRICS = [
    Metric("send-single", "SQS SendMessage, 1 boto3 client", "msgs/s", True),
    Metric("send-batch10", "SQS SendMessageBatch (10), 1 boto3 client", "msgs/s", True),
    Metric("drain-single", "SQS Receive(1) + Delete, 1 boto3 client", "msgs/s", True),
    Metric("drain-batch10", "SQS Receive(10) + DeleteBatch, 1 boto3 client", "msgs/s", True),
    Metric("depth-shallow", "Receive(10)+DeleteBatch, 1k queued", "msgs/s", True),
    Metric("depth-deep", "Receive(10)+DeleteBatch, deep queue (depth below)", "msgs/s", True),
    Metric("depth-ratio", "deep / shallow receive rate", "×", True),
    Metric("sns-p50", "SNS Publish → 20 SQS queues, p50", "ms", False),
    Metric("sns-p99", "SNS Publish → 20 SQS queues, p99", "ms", False),
    Metric("events-p50", "EventBridge PutEvents → SQS target, p50", "ms", False),
    Metric("events-p99", "EventBridge PutEvents → SQS target, p99", "ms", False),
    Metric("lambda-cold", "Lambda cold start (first Invoke)", "ms", False),
    Metric("lambda-warm", "Lambda warm Invoke, p50", "ms", False),
    Metric("load-send", "capacity: SendMessage, load.py 16 conns", "msgs/s", True),
    Metric("load-batch", "capacity: SendMessageBatch, load.py 16 conns", "msgs/s", True),
    Metric("startup", "start → first ListQueues answered", "ms", False),
    Metric("rss-idle", "idle RSS", "MB", False),
    Metric("rss-after", "RSS after the workload", "MB", False),
]


class Results:
    """values[metric][server] = one value per round; marks[metric][server] = why there is none."""

    def __init__(self, servers: list[str]) -> None:
        self.servers = servers
        self.values: dict[str, dict[str, list[float]]] = {m.key: {s: [] for s in servers} for m in METRICS}
        self.marks: dict[str, dict[str, str]] = {m.key: {} for m in METRICS}
        self.notes: dict[str, dict[str, str]] = {"depth": {}, "fill": {}}
        self.ceiling: list[float] = []

    def add(self, key: str, server: str, value: float) -> None:
        self.values[key][server].append(value)

    def mark(self, keys: list[str], server: str, reason: str) -> None:
        for key in keys:
            self.marks[key].setdefault(server, reason)

    def to_json(self) -> dict[str, Any]:
        return {
            "servers": self.servers,
            "values": self.values,
            "marks": self.marks,
            "notes": self.notes,
            "ceiling": self.ceiling,
            "metrics": [m.__dict__ for m in METRICS],
        }


def why(exc: BaseException) -> str:
    if isinstance(exc, ClientError):
        error = exc.response.get("Error", {})
        return f"{error.get('Code', '?')}: {str(error.get('Message', ''))[:90]}".strip()
    return f"{type(exc).__name__}: {str(exc).splitlines()[0][:110] if str(exc) else ''}"


def unavailable(exc: BaseException) -> bool:
    """The server does not offer the service or operation at all (vs. a failure while running it)."""
    text = why(exc).lower()
    return "docker" in text or any(
        s in text
        for s in (
            "unknown",
            "not implemented",
            "notimplemented",
            "not yet",
            "unsupported",
            "invalidaction",
            "not available",
            "unrecognized",
        )
    )


def guarded(results: Results, keys: list[str], server: str, label: str, fn: Callable[[], Any]) -> Any:
    """Run one workload step; on failure mark `keys` for `server` (first reason wins) and return None."""
    if keys and all(server in results.marks[key] for key in keys):
        return None
    try:
        return fn()
    except Exception as exc:  # one server failing a workload must not end the comparison
        reason = ("not available: " if unavailable(exc) else "failed: ") + why(exc)
        if "docker" in reason.lower():
            reason = "not available: needs a Docker engine (" + why(exc)[:80] + ")"
        log(f"{server}: {label}: {reason}")
        if os.environ.get("GUREUM_BENCH_DEBUG"):
            traceback.print_exc()
        results.mark(keys, server, reason)
        return None


def measure_startup(results: Results, peers: list[Peer], rounds: int) -> None:
    """Each server started and stopped alone, in turn, `rounds` times: start-up time and idle RSS."""
    for n in range(rounds):
        for peer in peers:
            if peer.name in results.marks["startup"]:
                continue
            server = Running(peer)
            try:
                startup = server.wait_ready()
                time.sleep(2.0)  # let start-up work settle before calling it idle
                idle = server.rss() / 2**20
                results.add("startup", peer.name, startup * 1000)
                results.add("rss-idle", peer.name, idle)
                log(
                    f"round {n + 1}: {peer.name}: first ListQueues after {startup * 1000:.0f} ms, idle RSS {idle:.0f} "
                    "MB"
                )
            except Exception as exc:
                log(f"{peer.name}: cannot run here: {why(exc)}")
                results.mark([m.key for m in METRICS], peer.name, f"cannot run here: {why(exc)}")
            finally:
                server.stop()


def workload_phase(results: Results, peers: list[Peer], args: argparse.Namespace) -> None:
    running: dict[str, Running] = {}
    ceiling = Running(CEILING, ceiling=True)
    setups: dict[str, dict[str, Any]] = {}
    try:
        ceiling.wait_ready()
        for peer in peers:
            if peer.name in results.marks["startup"]:
                continue
            server = Running(peer)
            try:
                server.wait_ready()
            except Exception as exc:
                results.mark([m.key for m in METRICS], peer.name, f"cannot run here: {why(exc)}")
                server.stop()
                continue
            running[peer.name] = server
        for name, server in running.items():
            ep, deep = server.endpoint, args.deep_gureum if name == "gureum" else args.deep_peers
            log(
                f"{name}: set-up (deep queue: up to {deep:,} messages or {args.fill_seconds:.0f} s; SNS topic + 20 "
                "queues; EventBridge rule)"
            )
            setups[name] = {
                "depth": guarded(
                    results,
                    ["depth-shallow", "depth-deep", "depth-ratio"],
                    name,
                    "depth set-up",
                    partial(wl.Depth, ep, deep, args.fill_seconds),
                ),
                "sns": guarded(results, ["sns-p50", "sns-p99"], name, "SNS set-up", partial(wl.Fanout, ep)),
                "events": guarded(
                    results, ["events-p50", "events-p99"], name, "EventBridge set-up", partial(wl.EventsToQueue, ep)
                ),
            }
            if setups[name]["depth"] is not None:
                depth = setups[name]["depth"]
                results.notes["depth"][name] = f"{depth.deep:,}"
                results.notes["fill"][name] = f"{depth.fill_rate:,.0f}"
                log(f"{name}: deep queue holds {depth.deep:,} messages (filled at {depth.fill_rate:,.0f} msgs/s)")
        names = list(running)
        for n in range(args.rounds):
            order = names[n % len(names) :] + names[: n % len(names)]  # rotate who goes first
            for name in order:
                log(f"round {n + 1}/{args.rounds}: {name}")
                one_round(results, name, running[name].endpoint, setups[name], args)
            rate = wl.ceiling_send(ceiling.endpoint, args.seconds, args.messages)
            results.ceiling.append(rate)
            log(f"round {n + 1}/{args.rounds}: client-bound ceiling {rate:,.0f} msgs/s")
        for name, server in running.items():
            results.add("rss-after", name, server.rss() / 2**20)
        for name, setup in setups.items():
            for thing in setup.values():
                if thing is not None:
                    guarded(results, [], name, "clean-up", thing.close)
    finally:
        for server in [*running.values(), ceiling]:
            server.stop()


def one_round(results: Results, name: str, ep: str, setup: dict[str, Any], args: argparse.Namespace) -> None:
    keys = ["send-single", "send-batch10", "drain-single", "drain-batch10"]
    rates = guarded(
        results, keys, name, "SQS throughput", lambda: wl.throughput(ep, args.seconds, args.messages, args.preload)
    )
    for key, rate in (rates or {}).items():
        results.add(key, name, rate)
    if setup["depth"] is not None:
        pair = guarded(
            results,
            ["depth-shallow", "depth-deep", "depth-ratio"],
            name,
            "depth",
            lambda: setup["depth"].round(args.per_round, 2 * args.seconds),
        )
        if pair:
            results.add("depth-shallow", name, pair[0])
            results.add("depth-deep", name, pair[1])
            results.add("depth-ratio", name, pair[1] / pair[0])
    for kind in ("sns", "events"):
        if setup[kind] is not None:
            count = args.fanout_messages
            samples = guarded(results, [f"{kind}-p50", f"{kind}-p99"], name, kind, partial(setup[kind].round, count))
            if samples:
                p50, p99 = wl.percentiles(samples)
                results.add(f"{kind}-p50", name, p50)
                results.add(f"{kind}-p99", name, p99)
    if name == "gureum" and not gureum_has("lambda_"):
        results.mark(["lambda-cold", "lambda-warm"], name, "not available: gureum's Lambda is not there yet")
    pair = guarded(
        results, ["lambda-cold", "lambda-warm"], name, "Lambda", lambda: wl.lambda_round(ep, args.lambda_warm)
    )
    if pair:
        results.add("lambda-cold", name, pair[0])
        results.add("lambda-warm", name, pair[1])
    for mode in ("send", "batch"):
        rate = guarded(
            results,
            [f"load-{mode}"],
            name,
            f"load {mode}",
            partial(wl.capacity, ep, mode, args.load_seconds, args.load_processes),
        )
        if rate is not None:
            results.add(f"load-{mode}", name, rate)


def gureum_has(package: str) -> bool:
    return (BENCH.parent / "gureum" / "services" / package / "__init__.py").exists()


def fmt(value: float) -> str:
    if value >= 100:
        return f"{value:,.0f}"
    if value >= 10:
        return f"{value:.1f}"
    return f"{value:.2f}"


def cell(values: list[float], mark: str | None) -> str:
    if not values:
        return f"— *{mark or 'no result'}*"
    median = statistics.median(values)
    return f"{fmt(median)} ({fmt(min(values))}–{fmt(max(values))})" if len(values) > 1 else fmt(median)


def ratio(results: Results, key: str, peer: str) -> str:
    mine, theirs = results.values[key]["gureum"], results.values[key][peer]
    if not mine or not theirs or statistics.median(theirs) == 0:
        return "—"
    return f"{statistics.median(mine) / statistics.median(theirs):.2f}"


def median_of(results: Results, key: str, server: str) -> float | None:
    values = results.values[key].get(server) or []
    return statistics.median(values) if values else None


def targets(results: Results) -> list[tuple[str, str, bool | None]]:
    """(target, where gureum stands, met?) for the issue's targets."""
    rows: list[tuple[str, str, bool | None]] = []
    send, ceiling = (
        median_of(results, "send-single", "gureum"),
        statistics.median(results.ceiling) if results.ceiling else None,
    )
    if send and ceiling:
        rows.append(
            (
                "through boto3 ≥ 90% of the client-bound ceiling (SendMessage)",
                f"{send:,.0f} of {ceiling:,.0f} msgs/s = {send / ceiling:.0%}",
                send / ceiling >= 0.9,
            )
        )
    load_send, mini_send = median_of(results, "load-send", "gureum"), median_of(results, "load-send", "ministack")
    if load_send:
        rows.append(("capacity SendMessage ≥ 10k msgs/s", f"{load_send:,.0f} msgs/s", load_send >= 10_000))
        if mini_send:
            rows.append(
                (
                    "capacity SendMessage ≥ 3× MiniStack",
                    f"{load_send / mini_send:.2f}× ({mini_send:,.0f} msgs/s)",
                    load_send >= 3 * mini_send,
                )
            )
    load_batch, mini_batch = median_of(results, "load-batch", "gureum"), median_of(results, "load-batch", "ministack")
    if load_batch:
        rows.append(("capacity SendMessageBatch ≥ 50k msgs/s", f"{load_batch:,.0f} msgs/s", load_batch >= 50_000))
        if mini_batch:
            rows.append(
                (
                    "capacity SendMessageBatch ≥ 3× MiniStack",
                    f"{load_batch / mini_batch:.2f}× ({mini_batch:,.0f} msgs/s)",
                    load_batch >= 3 * mini_batch,
                )
            )
    depth_ratio = median_of(results, "depth-ratio", "gureum")
    depth = results.notes["depth"].get("gureum", "?")
    if depth_ratio:
        full = depth.replace(",", "").isdigit() and int(depth.replace(",", "")) >= 1_000_000
        rows.append(
            (
                "receive at 1M queued ≥ 90% of at 1k",
                f"{depth_ratio:.0%} at {depth} queued" + ("" if full else " (not 1M: see --deep-gureum)"),
                depth_ratio >= 0.9 if full else None,
            )
        )
    sns = median_of(results, "sns-p50", "gureum")
    rows.append(
        (
            "SNS → 20 queues p50 < 10 ms",
            f"{sns:.1f} ms" if sns else results.marks["sns-p50"].get("gureum", "no result"),
            sns < 10 if sns else None,
        )
    )
    startup = median_of(results, "startup", "gureum")
    if startup:
        rows.append(("start-up < 300 ms", f"{startup:.0f} ms", startup < 300))
    rss = median_of(results, "rss-idle", "gureum")
    if rss:
        rows.append(("idle RSS < 50 MB", f"{rss:.0f} MB", rss < 50))
    return rows


def markdown(results: Results, meta: dict[str, Any]) -> str:
    peers = [s for s in results.servers if s != "gureum"]
    lines = [
        f"# gureum beside moto, MiniStack and LocalStack — {meta['date']}",
        "",
        f"One run of `python bench/compare.py {meta['argv']}` on one machine ({meta['machine']}), one boto3 client; "
        f"{meta['rounds']} rounds alternating between the servers. Cells: median (min–max over rounds). "
        "Ratio = gureum ÷ peer (↑: higher is better, so > 1 favours gureum; "
        "↓: lower is better, so < 1 favours gureum).",
        "",
        "| workload | unit | " + " | ".join(results.servers) + " | " + " | ".join(f"gureum/{p}" for p in peers) + " |",
        "|---|---|" + "---:|" * (len(results.servers) + len(peers)),
    ]
    for m in METRICS:
        arrow = "↑" if m.higher_is_better else "↓"
        cells = [cell(results.values[m.key][s], results.marks[m.key].get(s)) for s in results.servers]
        lines.append(
            f"| {m.label} | {m.unit} {arrow} | "
            + " | ".join(cells)
            + " | "
            + " | ".join(ratio(results, m.key, p) for p in peers)
            + " |"
        )
    if results.ceiling:
        c = results.ceiling
        lines += [
            "",
            f"Client-bound ceiling (the same boto3 client, SendMessage, against a server answering a canned response): "
            f"{fmt(statistics.median(c))} msgs/s ({fmt(min(c))}–{fmt(max(c))}).",
        ]
    lines += [
        "",
        "Deep-queue depth used: "
        + ", ".join(f"{s} {d}" for s, d in results.notes["depth"].items())
        + " (lean-path fill rate, msgs/s: "
        + ", ".join(f"{s} {r}" for s, r in results.notes["fill"].items())
        + ").",
    ]
    lines += ["", "## Targets (from the issue)", "", "| target | gureum | met |", "|---|---|---|"]
    for target, where, met in targets(results):
        lines.append(f"| {target} | {where} | {'yes' if met else 'no' if met is False else 'n/a'} |")
    lines += ["", "## Setup", ""] + [f"- {line}" for line in meta["setup"]]
    return "\n".join(lines) + "\n"


def plot(json_path: Path, png_path: Path) -> None:
    """matplotlib lives in the bench venv (CACHE/bench), not in gureum's dependencies."""
    venv = CACHE / "bench"
    python = venv / "bin" / "python"
    if not python.exists():
        log(f"plot: creating {venv} with matplotlib")
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    probe = subprocess.run([str(python), "-c", "import matplotlib"], capture_output=True)
    if probe.returncode:
        log("plot: pip install matplotlib …")
        subprocess.run(
            [str(python), "-m", "pip", "install", "-q", "--disable-pip-version-check", "matplotlib"], check=True
        )
    subprocess.run([str(python), str(BENCH / "compare_plot.py"), str(json_path), str(png_path)], check=True)
    log(f"plot: wrote {png_path}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument(
        "--peers", default=",".join(p.name for p in PEERS), help="comma-separated subset of %(default)s"
    )
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--seconds", type=float, default=3.0, help="time per one-client SQS workload and round")
    parser.add_argument("--messages", type=int, default=20_000, help="message cap per one-client SQS workload")
    parser.add_argument("--preload", type=int, default=6_000, help="messages queued before each drain workload")
    parser.add_argument("--deep-gureum", type=int, default=1_000_000, help="deep-queue depth for gureum")
    parser.add_argument(
        "--deep-peers", type=int, default=100_000, help="deep-queue depth for peers (filling is slow there)"
    )
    parser.add_argument(
        "--fill-seconds", type=float, default=90.0, help="cap on filling one deep queue; the depth reached is reported"
    )
    parser.add_argument("--per-round", type=int, default=1_000, help="messages drained from each depth queue per round")
    parser.add_argument("--fanout-messages", type=int, default=30, help="publishes (SNS) / PutEvents per round")
    parser.add_argument("--lambda-warm", type=int, default=10)
    parser.add_argument("--load-seconds", type=float, default=5.0)
    parser.add_argument("--load-processes", type=int, default=2, help="load.py generator processes (rates summed)")
    parser.add_argument("--out", type=Path, default=BENCH / "results")
    parser.add_argument(
        "--quick", action="store_true", help="a smoke run: 1 round, short workloads, shallow deep queues"
    )
    parser.add_argument("--no-plot", action="store_true")
    args = parser.parse_args()
    if args.quick:
        args.rounds, args.seconds, args.preload, args.deep_gureum, args.deep_peers = 1, 1.0, 1_000, 20_000, 5_000
        args.fanout_messages, args.lambda_warm, args.load_seconds, args.fill_seconds = 5, 3, 2.0, 30.0
    wanted = [p.strip() for p in args.peers.split(",") if p.strip()]
    unknown = set(wanted) - {p.name for p in PEERS}
    if unknown:
        parser.error(f"unknown peers: {', '.join(sorted(unknown))}")
    peers = [p for p in PEERS if p.name in wanted]

    started = time.monotonic()
    versions = [gureum_version()]
    results = Results(["gureum", *(p.name for p in peers)])
    install(GUREUM)  # gureum runs from this checkout: its bytecode is written first, as pip install would
    reason = install(CEILING)
    if reason:
        sys.exit(f"the client-bound ceiling server cannot run: {reason}")
    for peer in peers:
        reason = install(peer)
        if reason:
            results.mark([m.key for m in METRICS], peer.name, f"cannot run here: {reason}")
        else:
            versions.append(installed_version(peer))
    runnable = [GUREUM, *(p for p in peers if p.name not in results.marks["startup"])]
    log("start-up and idle memory, each server alone")
    measure_startup(results, runnable, args.rounds)
    log("workloads, alternating between servers")
    workload_phase(results, runnable, args)

    date = datetime.now(UTC).strftime("%Y-%m-%d")
    meta = {
        "date": date,
        "argv": " ".join(sys.argv[1:]),
        "rounds": args.rounds,
        "machine": f"{platform.machine()}, {os.cpu_count()} CPUs, Linux {platform.release()}, Python "
        f"{platform.python_version()}",
        "setup": [
            "Versions: " + "; ".join(versions) + ".",
            "gureum: `python -m gureum start --port P --data-dir D` (durable SQLite store, WAL, synchronous=normal). "
            "Peers with their own defaults, which keep state in memory: moto `python -m moto.server`, MiniStack "
            "`python -m ministack` "
            "(GATEWAY_PORT, BIND_HOST=127.0.0.1), LocalStack `python -m localstack.runtime.main` without Docker "
            "(GATEWAY_LISTEN, LS_LOG=warn, DNS_ADDRESS=0).",
            "One-client workloads: bench/sqs_throughput.py's steps, 256-byte bodies, "
            f"{args.seconds:g} s per workload and round (cap {args.messages:,} messages); drains start from "
            f"{args.preload:,} queued "
            f"(filled for at most {max(2 * args.seconds, 10):g} s: fewer on a server that fills slowly).",
            f"Depth: receive+delete (batches of 10) of {args.per_round:,} messages (or {2 * args.seconds:g} s) per "
            "round from a 1,000-message queue "
            "(refilled) and from the deep queue, filled beforehand over 8 lean connections for at most "
            f"{args.fill_seconds:g} s.",
            f"SNS: one topic, 20 SQS subscriptions with raw delivery; {args.fanout_messages} publishes per round, "
            "latency until every queue "
            "has the message, watched by long polls (WaitTimeSeconds=1) on 20 lean connections. EventBridge: one rule "
            "on the default bus, one SQS target, same method.",
            f"Lambda: a fresh python3.12 function per round, first Invoke (cold) then the median of {args.lambda_warm} "
            "Invokes (warm).",
            f"Capacity: bench/load.py, 16 keep-alive connections over {args.load_processes} generator processes, "
            f"{args.load_seconds:g} s per mode and round.",
            "Start-up: process start → first successful ListQueues, each server started alone; idle RSS (process tree, "
            "/proc) 2 s later. "
            "RSS after the workload: once, at the end.",
            f"Whole run: {(time.monotonic() - started) / 60:.0f} min.",
        ],
    }
    args.out.mkdir(parents=True, exist_ok=True)
    md_path, json_path, png_path = (args.out / f"{date}-compare{ext}" for ext in (".md", ".json", ".png"))
    md_path.write_text(markdown(results, meta))
    json_path.write_text(json.dumps({"meta": meta, **results.to_json()}, indent=1))
    log(f"wrote {md_path} and {json_path}")
    if not args.no_plot:
        try:
            plot(json_path, png_path)
        except Exception as exc:
            log(f"plot failed: {why(exc)}")
    print(md_path.read_text())


if __name__ == "__main__":
    main()
