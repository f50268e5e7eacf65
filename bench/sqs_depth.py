"""Receive rate against a shallow and a deep queue: does gureum slow down as messages pile up?

Fills one queue to --shallow (1,000) and another to --deep (1,000,000) messages with concurrent
SendMessageBatch clients (untimed), then alternates timed rounds of ReceiveMessage(10) +
DeleteMessageBatch on each, refilling the shallow queue between rounds so its depth stays put.
Prints the median rate of each and their ratio (deep / shallow; 1.0 means no slowdown).

    python bench/sqs_depth.py --start-gureum [--deep 1000000] [--rounds 5] [--per-round 2000]
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import threading
import time
import uuid
from contextlib import nullcontext
from typing import Any

from sqs_throughput import BODY, Progress, drain_batch_step, gureum_server, make_client, require_loopback

FILL_THREADS = 4


def fill(endpoint: str, url: str, count: int, label: str) -> float:
    """Send `count` messages with FILL_THREADS clients; return the fill rate (msgs/s)."""
    lock = threading.Lock()
    state = {"left": count, "sent": 0}
    progress = Progress(label)
    errors: list[BaseException] = []

    def worker() -> None:
        client = make_client(endpoint)
        try:
            while True:
                with lock:
                    n = min(10, state["left"])
                    state["left"] -= n
                if n == 0:
                    return
                result = client.send_message_batch(
                    QueueUrl=url, Entries=[{"Id": str(i), "MessageBody": BODY} for i in range(n)]
                )
                if result.get("Failed"):
                    raise RuntimeError(f"fill failed: {result['Failed'][:1]}")
                with lock:
                    state["sent"] += n
                    progress.update(state["sent"])
        except BaseException as exc:  # surfaced after join
            errors.append(exc)

    start = time.perf_counter()
    threads = [threading.Thread(target=worker, daemon=True) for _ in range(FILL_THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    progress.done(state["sent"])
    if errors:
        raise errors[0]
    return state["sent"] / (time.perf_counter() - start)


def drain_round(client: Any, url: str, messages: int) -> float:
    start = time.perf_counter()
    done = 0
    while done < messages:
        _ops, got = drain_batch_step(client, url, messages - done)
        if got == 0:
            break
        done += got
    return done / (time.perf_counter() - start)


def run(endpoint: str, shallow: int, deep: int, rounds: int, per_round: int) -> dict[str, Any]:
    client = make_client(endpoint)
    tag = uuid.uuid4().hex[:8]
    urls = {
        name: client.create_queue(QueueName=f"bench-depth-{name}-{tag}")["QueueUrl"] for name in ("shallow", "deep")
    }
    try:
        fill_rate = fill(endpoint, urls["deep"], deep + rounds * per_round, "fill deep")
        fill(endpoint, urls["shallow"], shallow, "fill shallow")
        drain_round(client, urls["shallow"], 50)  # warm-up
        rates: dict[str, list[float]] = {"shallow": [], "deep": []}
        for n in range(rounds):
            for name in ("shallow", "deep"):
                if name == "shallow":
                    fill(endpoint, urls["shallow"], per_round, "refill")
                rates[name].append(drain_round(client, urls[name], per_round))
                sys.stderr.write(f"  round {n + 1} {name:<8} {rates[name][-1]:8.1f} msgs/s\n")
        medians = {name: statistics.median(values) for name, values in rates.items()}
        return {
            "shallow_depth": shallow,
            "deep_depth": deep,
            "fill_msgs_per_s": round(fill_rate, 1),
            "shallow_msgs_per_s": round(medians["shallow"], 1),
            "deep_msgs_per_s": round(medians["deep"], 1),
            "deep_over_shallow": round(medians["deep"] / medians["shallow"], 3),
            "rounds": {name: [round(v, 1) for v in values] for name, values in rates.items()},
        }
    finally:
        for url in urls.values():
            client.delete_queue(QueueUrl=url)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    target = parser.add_mutually_exclusive_group()
    target.add_argument("--endpoint", default="http://127.0.0.1:4566")
    target.add_argument("--start-gureum", action="store_true")
    parser.add_argument("--shallow", type=int, default=1_000)
    parser.add_argument("--deep", type=int, default=1_000_000)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--per-round", type=int, default=2_000, help="messages drained per timed round")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    context: Any = gureum_server() if args.start_gureum else nullcontext(args.endpoint)
    with context as endpoint:
        require_loopback(endpoint)
        result = run(endpoint, args.shallow, args.deep, args.rounds, args.per_round)
    if args.json:
        print(json.dumps(result))
    else:
        print(
            f"receive+delete (batch 10) at {result['shallow_depth']:,} queued: {result['shallow_msgs_per_s']:>9.1f} "
            "msgs/s"
        )
        print(f"receive+delete (batch 10) at {result['deep_depth']:,} queued: {result['deep_msgs_per_s']:>9.1f} msgs/s")
        print(
            f"ratio deep/shallow: {result['deep_over_shallow']:.3f}   (fill rate {result['fill_msgs_per_s']:.0f} "
            f"msgs/s with {FILL_THREADS} clients)"
        )


if __name__ == "__main__":
    main()
