"""SQS capacity on SQLite (one node) beside PostgreSQL with one and two gureum nodes, measured with the
lean load generator (bench/load.py). Starts everything itself: a throwaway PostgreSQL cluster, the nodes.

    python bench/scaleout.py [--seconds 8] [--connections 16] [--json]

On a 2-core machine the nodes, PostgreSQL and the load generator share the cores: the two-node figure
shows correctness under load and the cost of coordination more than extra capacity.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from load import measure  # noqa: E402

from tests.pg import PgCluster  # noqa: E402
from tests.server import Server  # noqa: E402

MODES = ("send", "batch", "drain")


def run(seconds: float, connections: int, prefill: int) -> list[dict[str, Any]]:
    base = Path(tempfile.mkdtemp(prefix="gureum-scaleout-"))
    pg_base = Path(tempfile.mkdtemp(prefix="gureum-pg-"))  # its own tree: the server runs as the postgres user
    cluster = PgCluster(pg_base, durable=True).start()
    rows: list[dict[str, Any]] = []
    try:
        setups = [
            ("sqlite, 1 node", lambda: [Server(base / "sqlite")]),
            ("postgresql, 1 node", lambda: [Server(base / "pg1", store_url=cluster.create_database("b1"))]),
            (
                "postgresql, 2 nodes",
                lambda: (lambda url: [Server(base / "pg2a", store_url=url), Server(base / "pg2b", store_url=url)])(
                    cluster.create_database("b2")
                ),
            ),
        ]
        for label, make in setups:
            servers = [s.start() for s in make()]
            try:
                for mode in MODES:
                    sys.stderr.write(f"{label}: {mode}\n")
                    result = measure([s.endpoint for s in servers], mode, connections, seconds, prefill)
                    rows.append({"setup": label, **result})
            finally:
                for server in servers:
                    server.stop()
    finally:
        cluster.stop()
        shutil.rmtree(base, ignore_errors=True)
        shutil.rmtree(pg_base, ignore_errors=True)
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--seconds", type=float, default=8.0)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--prefill", type=int, default=150_000)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    rows = run(args.seconds, args.connections, args.prefill)
    if args.json:
        print(json.dumps(rows))
        return
    print("| setup | workload | msgs/s | requests/s | errors |\n|---|---|---:|---:|---:|")
    for row in rows:
        print(
            f"| {row['setup']} | {row['mode']} | {row['msgs_per_s']:,.0f} | {row['requests_per_s']:,.0f} | "
            f"{row['errors']} |"
        )


if __name__ == "__main__":
    main()
