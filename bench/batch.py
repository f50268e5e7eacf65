"""AWS Batch on the local engine: trivial jobs completed per second (an array job of N children, each a busybox
container running `true`, from SubmitJob until the parent is SUCCEEDED) and SubmitJob → RUNNING latency (a single
job, polled with DescribeJobs every 20 ms), with Podman's service as the engine (set up as tests/containers.py
does) — beside the peers of compare_servers that offer Batch (moto, ministack), through the same calls, showing
what they do with a job: whether it reaches SUCCEEDED, and whether anything ran (its exit code and log stream).
The engine's own ceiling (containers created, started, waited for and removed per second through the Engine API,
16 at a time, with no gureum in between) is measured on the same Podman and shown beside gureum's jobs/s.

  python bench/batch.py [--children 1000] [--runs 10] [--max-vcpus 64] [--peers moto,ministack] [--json]
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import boto3
from botocore.config import Config

REPO_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO_ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))
from side_by_side import install_named, start  # noqa: E402

from tests.containers import Podman  # noqa: E402
from tests.server import Server  # noqa: E402

ROLE = "arn:aws:iam::123456789012:role/bench-batch"


class _Skip(Exception):
    """--no-gureum."""


def client(endpoint: str, service: str = "batch") -> Any:
    return boto3.client(
        service,
        endpoint_url=endpoint,
        region_name="us-east-1",
        aws_access_key_id="test",
        aws_secret_access_key="test",
        config=Config(retries={"max_attempts": 1}, read_timeout=120),
    )


def setup(endpoint: str, image: str, max_vcpus: int, name: str) -> tuple[Any, str, str]:
    """A Fargate environment, a queue and a definition of 0.25 vCPU / 512 MiB running `true`."""
    batch = client(endpoint)
    subnet, group = "subnet-1", "sg-1"
    try:  # moto checks the service role, the subnet and the security group exist
        client(endpoint, "iam").create_role(RoleName="bench-batch", AssumeRolePolicyDocument="{}")
        ec2 = client(endpoint, "ec2")
        vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
        subnet = ec2.create_subnet(VpcId=vpc, CidrBlock="10.0.0.0/24")["Subnet"]["SubnetId"]
        group = ec2.create_security_group(GroupName=name, Description="bench", VpcId=vpc)["GroupId"]
    except Exception:
        pass
    ce = batch.create_compute_environment(
        computeEnvironmentName=name,
        type="MANAGED",
        serviceRole=ROLE,
        computeResources={
            "type": "FARGATE",
            "maxvCpus": max_vcpus,
            "subnets": [subnet],
            "securityGroupIds": [group],
        },
    )["computeEnvironmentArn"]
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        found = batch.describe_compute_environments(computeEnvironments=[ce])["computeEnvironments"]
        if found and found[0].get("status") == "VALID":
            break
        time.sleep(0.05)
    queue = batch.create_job_queue(
        jobQueueName=name, state="ENABLED", priority=1, computeEnvironmentOrder=[{"order": 1, "computeEnvironment": ce}]
    )["jobQueueArn"]
    time.sleep(0.2)
    definition = batch.register_job_definition(
        jobDefinitionName=name,
        type="container",
        platformCapabilities=["FARGATE"],
        containerProperties={
            "image": image,
            "command": ["sh", "-c", "echo ran $AWS_BATCH_JOB_ID"],
            "resourceRequirements": [{"type": "VCPU", "value": "0.25"}, {"type": "MEMORY", "value": "512"}],
            "executionRoleArn": ROLE,
        },
    )["jobDefinitionArn"]
    return batch, queue, definition


def wait_status(batch: Any, job_id: str, statuses: tuple[str, ...], timeout: float, pause: float) -> tuple[str, float]:
    start = time.monotonic()
    status = "?"
    while time.monotonic() - start < timeout:
        found = batch.describe_jobs(jobs=[job_id])["jobs"]
        status = found[0]["status"] if found else "?"
        if status in statuses:
            break
        time.sleep(pause)
    return status, time.monotonic() - start


def measure(
    endpoint: str, image: str, children: int, runs: int, max_vcpus: int, patience: float = 1800
) -> dict[str, Any]:
    """``patience``: seconds to wait for a job or the array to finish (a peer that never runs jobs is not waited
    for long)."""
    batch, queue, definition = setup(endpoint, image, max_vcpus, f"bench-{int(time.time() * 1000)}")
    out: dict[str, Any] = {}
    latencies = []
    last: dict[str, Any] = {}
    for i in range(runs):
        started = time.monotonic()
        job_id = batch.submit_job(jobName=f"latency-{i}", jobQueue=queue, jobDefinition=definition)["jobId"]
        status, _ = wait_status(batch, job_id, ("RUNNING", "SUCCEEDED", "FAILED"), min(patience, 60), 0.02)
        if status not in ("RUNNING", "SUCCEEDED", "FAILED"):
            out["submit_to_running_s"] = f"never RUNNING within {min(patience, 60):.0f} s (stayed {status})"
            out["single_job_final_status"] = status
            return out
        latencies.append(time.monotonic() - started)
        status, _ = wait_status(batch, job_id, ("SUCCEEDED", "FAILED"), min(patience, 60), 0.05)
        last = batch.describe_jobs(jobs=[job_id])["jobs"][0]
    out["submit_to_running_s"] = statistics.median(latencies)
    out["single_job_final_status"] = last.get("status")
    container = last.get("container") or {}
    out["ran_something"] = bool(container.get("logStreamName")) and container.get("exitCode") == 0
    parent = batch.submit_job(
        jobName="array", jobQueue=queue, jobDefinition=definition, arrayProperties={"size": children}
    )["jobId"]
    status, elapsed = wait_status(batch, parent, ("SUCCEEDED", "FAILED"), patience, 0.5)
    out["array_status"] = status
    out["array_seconds"] = round(elapsed, 2)
    out["jobs_per_s"] = round(children / elapsed, 1) if status == "SUCCEEDED" else 0.0
    summary = (batch.describe_jobs(jobs=[parent])["jobs"][0].get("arrayProperties") or {}).get("statusSummary")
    out["array_summary"] = summary
    return out


def engine_ceiling(podman: Podman, image: str, count: int, parallel: int = 16) -> float:
    """Containers per second the engine itself runs through the same Engine API calls a job makes (create, start,
    wait, remove), `parallel` at a time, with no gureum in between: the ceiling for jobs/s on this machine."""
    import asyncio

    from gureum.containers.engine import Engine

    async def run() -> float:
        engine = Engine(podman.host)
        gate = asyncio.Semaphore(parallel)

        async def one(index: int) -> None:
            async with gate:
                body = {"Image": image, "Cmd": ["true"], "HostConfig": {"NetworkMode": "host"}}
                container = await engine.create_container(f"bench-ceiling-{index}", body)
                await engine.start_container(container)
                await engine.wait_container(container)
                await engine.remove_container(container)

        started = time.monotonic()
        await asyncio.gather(*(one(i) for i in range(count)))
        elapsed = time.monotonic() - started
        await engine.close()
        return count / elapsed

    return round(asyncio.run(run()), 1)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--children", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--max-vcpus", type=int, default=64)
    parser.add_argument("--peers", default="moto,ministack")
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--no-gureum", action="store_true", help="measure the peers only")
    args = parser.parse_args()
    results: dict[str, Any] = {}
    base = Path(tempfile.mkdtemp(prefix="gureum-bench-batch-"))
    podman = Podman(base / "podman").start()
    try:
        if args.no_gureum:
            raise _Skip
        image = podman.busybox_image()
        server = Server(
            base / "data",
            env={"GUREUM_CONTAINER_HOST": podman.host, "GUREUM_BATCH_SCHEDULER_SECONDS": "1"},
        ).start()
        try:
            results["gureum"] = measure(server.endpoint, image, args.children, args.runs, args.max_vcpus)
        finally:
            server.stop()
        ceiling = engine_ceiling(podman, image, min(args.children, 200))
        results["gureum"]["engine_ceiling_containers_per_s"] = ceiling
        results["gureum"]["jobs_per_s_of_ceiling"] = round(results["gureum"]["jobs_per_s"] / ceiling, 2)
    except _Skip:
        pass
    finally:
        podman.stop()
        shutil.rmtree(base, ignore_errors=True)
    for name in [p for p in args.peers.split(",") if p]:
        why = install_named(name)
        if why:
            results[name] = {"skipped": why}
            continue
        peer = start(name, "batch")
        try:
            peer.wait_ready("describe_job_queues")
            results[name] = measure(peer.endpoint, "busybox", min(args.children, 100), 3, args.max_vcpus, 20)
        except Exception as error:  # a peer that cannot do Batch: said, not dropped
            results[name] = {"failed": f"{type(error).__name__}: {str(error)[:300]}"}
        finally:
            peer.stop()
    if args.json:
        print(json.dumps(results, indent=2))
        return
    for name, found in results.items():
        print(f"{name}: {json.dumps(found)}")


if __name__ == "__main__":
    main()
