"""One Batch scheduler across PostgreSQL nodes: jobs submitted through either node run once, on the node that
holds the lead; when that node is SIGKILLed mid-job, the other takes the lead, adopts the running container and
finishes the job (one attempt), and runs what is submitted next."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from ...conftest import make_client
from ...containers import Podman
from ...server import Server
from .conftest import environment, queue, wait_for

pytestmark = pytest.mark.containers


@pytest.fixture
def nodes(store_kind: str, pg_cluster: Any, podman: Podman, tmp_path: Path) -> Iterator[tuple[Server, Server]]:
    if store_kind != "postgresql":
        pytest.skip("several nodes share a PostgreSQL store only")
    url = pg_cluster.create_database("batchnodes")
    env = {"GUREUM_CONTAINER_HOST": podman.host, "GUREUM_BATCH_SCHEDULER_SECONDS": "0.2"}
    first = Server(tmp_path / "a", store_url=url, env=env).start()
    time.sleep(1)  # its scheduler takes the lead before the second node starts
    second = Server(tmp_path / "b", store_url=url, env=env).start()
    yield first, second
    first.stop()
    second.stop()


def _definition(batch: Any, name: str, image: str, script: str) -> str:
    return str(
        batch.register_job_definition(
            jobDefinitionName=name,
            type="container",
            containerProperties={
                "image": image,
                "command": ["sh", "-c", script],
                "resourceRequirements": [{"type": "VCPU", "value": "1"}, {"type": "MEMORY", "value": "64"}],
            },
        )["jobDefinitionArn"]
    )


def test_failover_adopts_the_running_job(nodes: tuple[Server, Server], podman: Podman, name: str) -> None:
    leader, other = nodes
    batch = make_client(other.endpoint, "batch")
    jq = queue(batch, name, [environment(batch, name, kind="EC2")])
    slow = _definition(batch, name, podman.busybox_image(), "sleep 3")
    quick = _definition(batch, f"{name}-quick", podman.busybox_image(), "true")
    job_id = batch.submit_job(jobName=name, jobQueue=jq, jobDefinition=slow)["jobId"]
    wait_for(lambda: batch.describe_jobs(jobs=[job_id])["jobs"][0], lambda d: d["status"] == "RUNNING")
    leader.kill()  # its container keeps running on the shared engine
    doc = wait_for(
        lambda: batch.describe_jobs(jobs=[job_id])["jobs"][0], lambda d: d["status"] in ("SUCCEEDED", "FAILED")
    )
    assert doc["status"] == "SUCCEEDED" and len(doc["attempts"]) == 1, doc
    after = batch.submit_job(jobName=name, jobQueue=jq, jobDefinition=quick)["jobId"]
    doc = wait_for(
        lambda: batch.describe_jobs(jobs=[after])["jobs"][0], lambda d: d["status"] in ("SUCCEEDED", "FAILED")
    )
    assert doc["status"] == "SUCCEEDED", doc
