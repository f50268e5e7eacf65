"""The opt-in host process executor (GUREUM_BATCH_PROCESS_EXECUTOR=1) on a server with no container engine: a job's
command runs as a host process with AWS Batch's environment, its output in CloudWatch Logs after a line saying how it
ran, container.instanceType "gureum-host-process"; a failing exit code is retried; the attempt timeout stops it.
Without the setting (test_time_limits.py) such jobs wait RUNNABLE."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from ...conftest import StoreFactory, make_client
from ...server import Server
from .conftest import environment, printed, queue, wait_for


@pytest.fixture(scope="module")
def server(store: StoreFactory) -> Iterator[Server]:
    env = {
        "GUREUM_CONTAINER_HOST": "unix:///nonexistent/gureum-test/engine.sock",
        "GUREUM_BATCH_PROCESS_EXECUTOR": "1",
        "GUREUM_BATCH_SCHEDULER_SECONDS": "0.2",
        "GUREUM_BATCH_SECOND": "0.05",
    }
    srv = Server(**store(), env=env).start()
    yield srv
    srv.stop()


def _job(
    batch: Any, jq: str, name: str, command: list[str], container_extra: Any = None, **more: Any
) -> dict[str, Any]:
    definition = batch.register_job_definition(
        jobDefinitionName=name,
        type="container",
        containerProperties={
            "image": "not-used",
            "command": command,
            "resourceRequirements": [{"type": "VCPU", "value": "1"}, {"type": "MEMORY", "value": "64"}],
            **(container_extra or {}),
        },
        **more,
    )["jobDefinitionArn"]
    job_id = batch.submit_job(jobName=name, jobQueue=jq, jobDefinition=definition)["jobId"]
    return dict(
        wait_for(
            lambda: batch.describe_jobs(jobs=[job_id])["jobs"][0],
            lambda d: d["status"] in ("SUCCEEDED", "FAILED"),
        )
    )


def test_jobs_run_as_host_processes(server: Server, name: str) -> None:
    batch, logs = make_client(server.endpoint, "batch"), make_client(server.endpoint, "logs")
    jq = queue(batch, name, [environment(batch, name, kind="EC2")])
    doc = _job(batch, jq, name, ["sh", "-c", "echo job=$AWS_BATCH_JOB_ID try=$AWS_BATCH_JOB_ATTEMPT; pwd"])
    assert doc["status"] == "SUCCEEDED", doc
    assert doc["container"]["instanceType"] == "gureum-host-process" and doc["container"]["exitCode"] == 0
    stream = doc["container"]["logStreamName"]
    lines = wait_for(lambda: printed(logs, stream), lambda found: len(found) == 3)
    assert "host process" in lines[0]
    assert lines[1] == f"job={doc['jobId']} try=1" and "gureum-batch-" in lines[2]
    retried = _job(batch, jq, f"{name}-retry", ["sh", "-c", "exit 5"], retryStrategy={"attempts": 2})
    assert retried["status"] == "FAILED" and [a["container"]["exitCode"] for a in retried["attempts"]] == [5, 5]
    slow = _job(batch, jq, f"{name}-slow", ["sleep", "300"], timeout={"attemptDurationSeconds": 60})
    assert slow["status"] == "FAILED" and slow["statusReason"] == "Job attempt duration exceeded timeout"
    assert slow["container"]["exitCode"] == 128 + 15  # SIGTERM


def test_secrets_come_from_parameter_store(server: Server, name: str) -> None:
    batch, logs = make_client(server.endpoint, "batch"), make_client(server.endpoint, "logs")
    make_client(server.endpoint, "ssm").put_parameter(Name=f"/{name}/password", Value="s3cret", Type="SecureString")
    jq = queue(batch, name, [environment(batch, name, kind="EC2")])
    role = "arn:aws:iam::000000000000:role/batch-execution"
    doc = _job(
        batch, jq, name, ["sh", "-c", "echo password=$PASSWORD"],
        container_extra={"executionRoleArn": role,
                                   "secrets": [{"name": "PASSWORD", "valueFrom": f"/{name}/password"}]},
    )  # fmt: skip
    assert doc["status"] == "SUCCEEDED", doc
    assert "s3cret" not in str(doc)  # the value reaches the process, never the job's description
    stream = doc["container"]["logStreamName"]
    assert wait_for(lambda: printed(logs, stream), lambda lines: len(lines) == 2)[1] == "password=s3cret"
    missing = _job(
        batch, jq, f"{name}-missing", ["true"],
        container_extra={"executionRoleArn": role,
                                   "secrets": [{"name": "PASSWORD", "valueFrom": f"/{name}/nothing"}]},
    )  # fmt: skip
    assert missing["status"] == "FAILED"
    assert missing["statusReason"].startswith("ResourceInitializationError: unable to pull secrets")
    assert f"invalid parameters: /{name}/nothing" in missing["statusReason"]
