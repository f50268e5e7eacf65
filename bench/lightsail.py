"""Lightsail CreateInstances → SSH-able on the local engine: the first instance (which builds the Debian blueprint
image from Debian's packages and caches it in the engine) and then cached runs, each timed from CreateInstances to
a command run over SSH (paramiko, the key pair's key) at the instance's public address. Podman's service as the
engine, set up as tests/containers.py does.

  python bench/lightsail.py [--runs 5] [--json]     # starts its own gureum and Podman service
"""

from __future__ import annotations

import argparse
import io
import json
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import boto3
import paramiko

REPO_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO_ROOT))
from tests.containers import Podman  # noqa: E402
from tests.server import Server  # noqa: E402


def _ssh_able(client: Any, name: str, key: str, start: float) -> float:
    """Seconds from ``start`` until a command ran over SSH on the instance."""
    pkey = paramiko.RSAKey.from_private_key(io.StringIO(key))
    while True:
        instance = client.get_instance(instanceName=name)["instance"]
        if instance["state"]["name"] == "stopped":
            raise SystemExit(f"{name} stopped: {client.get_operations_for_resource(resourceName=name)['operations']}")
        if instance["state"]["name"] == "running":
            ssh = paramiko.SSHClient()
            ssh.set_missing_host_key_policy(paramiko.AutoAddPolicy())
            try:
                ssh.connect(instance["publicIpAddress"], 22, username="admin", pkey=pkey, timeout=5,
                            allow_agent=False, look_for_keys=False)  # fmt: skip
                _, stdout, _ = ssh.exec_command("true")
                if stdout.channel.recv_exit_status() == 0:
                    return time.perf_counter() - start
            except (OSError, paramiko.SSHException):
                pass
            finally:
                ssh.close()
        time.sleep(0.02)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    base = Path(tempfile.mkdtemp(prefix="gureum-bench-lightsail-"))
    podman = Podman(base / "podman").start()
    server = Server(base / "data", env={"GUREUM_CONTAINER_HOST": podman.host}).start()
    try:
        client = boto3.client(
            "lightsail",
            endpoint_url=server.endpoint,
            region_name="us-east-1",
            aws_access_key_id="test",
            aws_secret_access_key="test",
        )
        key = client.create_key_pair(keyPairName="bench")["privateKeyBase64"]
        times = []
        for run in range(args.runs + 1):
            name = f"bench-{run}"
            start = time.perf_counter()
            client.create_instances(
                instanceNames=[name], availabilityZone="us-east-1a", blueprintId="debian_12", bundleId="nano_3_0",
                keyPairName="bench",
            )  # fmt: skip
            times.append(_ssh_able(client, name, key, start))
            client.delete_instance(instanceName=name)
        cached = times[1:]
        result = {
            "first_with_build_s": round(times[0], 2),
            "cached_runs": len(cached),
            "cached_s": {"median": round(statistics.median(cached), 3), "max": round(max(cached), 3)}
            if cached
            else None,
        }
        print(json.dumps(result) if args.json else json.dumps(result, indent=2))
    finally:
        server.stop()
        podman.stop()
        shutil.rmtree(base, ignore_errors=True)


if __name__ == "__main__":
    main()
