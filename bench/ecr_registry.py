"""`podman push` / `podman pull` MiB/s through gureum's ECR registry, beside Podman's own registry-free copies
(skopeo between containers-storage and a local directory) as the ceiling.

An image FROM scratch with busybox-static and one incompressible layer of --mib MiB is built in a private Podman
store (tests/containers.py's configuration: runc, cgroupfs, vfs). Then, each --rounds times:

  push        podman push to gureum's registry (gzip-compressing the layer, as every registry push does)
  pull        podman pull from gureum into an empty store (every blob downloaded, decompressed, stored)
  copy-out    skopeo copy containers-storage → dir: with gzip (the push's work without a registry)
  copy-in     skopeo copy dir: → an empty containers-storage (the pull's work without a registry)

  python bench/ecr_registry.py [--mib 64] [--rounds 3] [--json]     # starts its own gureum on a free port
"""

from __future__ import annotations

import argparse
import base64
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import boto3

REPO_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(REPO_ROOT))
from sqs_throughput import gureum_server  # noqa: E402

from tests.containers import Podman  # noqa: E402


def _timed(podman: Podman, *args: str, tool: str = "podman") -> float:
    start = time.perf_counter()
    proc = subprocess.run([tool, *args], env=podman.env, capture_output=True, text=True)
    elapsed = time.perf_counter() - start
    if proc.returncode != 0:
        raise SystemExit(f"{tool} {' '.join(args)} failed:\n{proc.stderr}")
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--mib", type=int, default=64)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    if shutil.which("skopeo") is None:
        raise SystemExit("skopeo is needed for the ceiling (apt-get install skopeo)")
    base = Path(tempfile.mkdtemp(prefix="gureum-bench-ecr-"))
    podman = Podman(base)
    podman.env = {**os.environ}
    try:
        from tests.containers import ensure_packages, write_config

        ensure_packages()
        podman.env.update(write_config(base))
        context = base / "ctx"
        context.mkdir()
        (context / "blob.bin").write_bytes(os.urandom(args.mib * 1024 * 1024))
        (context / "Containerfile").write_text(f"FROM {podman.busybox_image()}\nCOPY blob.bin /blob.bin\n")
        local = "localhost/bench/ecr:1"
        podman.run("build", "--quiet", "-t", local, str(context))
        results: dict[str, list[float]] = {"push": [], "pull": [], "copy-out": [], "copy-in": []}
        with gureum_server() as endpoint:
            ecr = boto3.client(
                "ecr",
                endpoint_url=endpoint,
                region_name="us-east-1",
                aws_access_key_id="test",
                aws_secret_access_key="test",
            )
            registry = endpoint.removeprefix("http://")
            data = ecr.get_authorization_token()["authorizationData"][0]
            password = base64.b64decode(data["authorizationToken"]).decode().partition(":")[2]
            podman.run(
                "login", "--tls-verify=false", "-u", "AWS", "--password-stdin", registry, input=password.encode()
            )
            for round_ in range(args.rounds):
                repo = f"bench-{round_}"
                ecr.create_repository(repositoryName=repo)
                target = f"{registry}/{repo}:v1"
                podman.run("tag", local, target)
                results["push"].append(_timed(podman, "push", "--tls-verify=false", target))
                fresh = ["--root", str(base / f"root-{round_}"), "--runroot", str(base / f"run-{round_}")]
                results["pull"].append(_timed(podman, *fresh, "pull", "--tls-verify=false", target))
                subprocess.run(["podman", *fresh, "rmi", "--all", "--force"], env=podman.env, capture_output=True)
                shutil.rmtree(base / f"root-{round_}", ignore_errors=True)
                out = base / f"dir-{round_}"
                results["copy-out"].append(
                    _timed(
                        podman, "copy", "--dest-compress", f"containers-storage:{local}", f"dir:{out}", tool="skopeo"
                    )
                )
                store = base / f"copy-{round_}"
                dest = f"containers-storage:[vfs@{store}/root+{store}/run]localhost/bench/copied:1"
                results["copy-in"].append(_timed(podman, "copy", f"dir:{out}", dest, tool="skopeo"))
                shutil.rmtree(out, ignore_errors=True)
                shutil.rmtree(store, ignore_errors=True)
                ecr.delete_repository(repositoryName=repo, force=True)
        summary = {
            name: {
                "median_s": round(statistics.median(times), 3),
                "mib_per_s": round(args.mib / statistics.median(times), 1),
            }
            for name, times in results.items()
        }
        summary["ratio"] = {
            "push_vs_copy_out": round(summary["push"]["median_s"] / summary["copy-out"]["median_s"], 2),
            "pull_vs_copy_in": round(summary["pull"]["median_s"] / summary["copy-in"]["median_s"], 2),
        }
        if args.json:
            print(json.dumps({"mib": args.mib, "rounds": args.rounds, **summary, "seconds": results}))
        else:
            for name, row in summary.items():
                print(f"{name:10} {row}")
            print("seconds per round:", json.dumps(results))
    finally:
        podman.stop()
        shutil.rmtree(base, ignore_errors=True)


if __name__ == "__main__":
    main()
