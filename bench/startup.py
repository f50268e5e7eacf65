"""Start-up and idle memory alone: process start → first ListQueues answered (wall clock, and the CPU time the server
spent getting there) and idle RSS 2 s later, each start on a fresh data dir (durable SQLite), as bench/cpu.py
measures them before its workloads; medians of --rounds starts, rounds alternating between checkouts (A/B).

    python bench/startup.py                                  # this checkout, 7 starts
    python bench/startup.py --repo /tmp/gureum-base --repo . # A/B against a baseline clone

The wall clock moves with whatever else the machine runs (the load average is printed); CPU time much less.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from cpu import Server  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--repo", action="append", type=Path, help="checkout to run (repeat for A/B); default this one")
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--variant", default="", help='extra server arguments, e.g. "--no-tracing"')
    args = parser.parse_args()
    repos = [r.resolve() for r in (args.repo or [Path(__file__).resolve().parent.parent])]
    for repo in repos:  # as `pip install .` does: start-up should not include compiling every module
        subprocess.run(
            [sys.executable, "-m", "compileall", "-q", str(repo / "gureum")], check=True, stdout=subprocess.DEVNULL
        )
    print(f"machine load (1/5/15 min) at the start: {' '.join(f'{x:.2f}' for x in os.getloadavg())}", file=sys.stderr)
    samples: dict[Path, list[tuple[float, float, float]]] = {repo: [] for repo in repos}
    for _ in range(args.rounds):
        for repo in repos:
            tmp = Path(tempfile.mkdtemp(prefix="gureum-startup-"))
            try:
                server = Server(repo, tmp, extra=args.variant.split())
                samples[repo].append((server.startup_ms, server.startup_cpu_ms, server.idle_rss_mb))
                server.stop()
            finally:
                shutil.rmtree(tmp, ignore_errors=True)
    print("| checkout | start → first answer (ms) | start-up CPU (ms) | idle RSS (MB) |")
    print("|---|---:|---:|---:|")
    for repo, values in samples.items():
        cells = []
        for column in range(3):
            series = [v[column] for v in values]
            cells.append(f"{statistics.median(series):.1f} ({min(series):.1f}–{max(series):.1f})")
        print(f"| {repo} | {' | '.join(cells)} |")
    print(f"machine load (1/5/15 min) at the end: {' '.join(f'{x:.2f}' for x in os.getloadavg())}", file=sys.stderr)


if __name__ == "__main__":
    main()
