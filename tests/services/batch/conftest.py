"""Fixtures of the Batch tests: a client of the shared server; for tests marked ``containers``, a server whose engine
is the session's Podman service (tests/containers.py), with short scheduler ticks and a job timeout's second of
0.05 s, and a busybox image built locally (jobs run it from the engine's own store)."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from ...conftest import StoreFactory
from ...containers import Engine, Podman
from ...server import Server

SUBNETS = ["subnet-12345678"]


@pytest.fixture(scope="session")
def batch(aws: Callable[..., Any]) -> Any:
    return aws("batch")


@pytest.fixture(scope="session")
def engine_store(store: StoreFactory) -> dict[str, Any]:
    return store()


@pytest.fixture(scope="session")
def engine(engine_store: dict[str, Any], podman: Podman) -> Iterator[Engine]:
    env = {
        "GUREUM_CONTAINER_HOST": podman.host,
        "GUREUM_BATCH_SCHEDULER_SECONDS": "0.2",
        "GUREUM_BATCH_SECOND": "0.05",  # a 60-second timeout is 3 seconds
    }
    srv = Server(**engine_store, env=env).start()
    yield Engine(srv, podman, podman.busybox_image())
    srv.stop()


def environment(batch: Any, name: str, max_vcpus: int = 4, kind: str = "FARGATE", **more: Any) -> str:
    """A VALID, ENABLED managed compute environment."""
    arn = str(
        batch.create_compute_environment(
            computeEnvironmentName=name,
            type="MANAGED",
            computeResources={"type": kind, "maxvCpus": max_vcpus, "subnets": SUBNETS, **more},
        )["computeEnvironmentArn"]
    )
    wait_for(
        lambda: batch.describe_compute_environments(computeEnvironments=[arn])["computeEnvironments"][0],
        lambda doc: doc["status"] == "VALID",
    )
    return arn


def queue(batch: Any, name: str, environments: list[str], priority: int = 1, **more: Any) -> str:
    order = [{"order": i + 1, "computeEnvironment": arn} for i, arn in enumerate(environments)]
    return str(
        batch.create_job_queue(jobQueueName=name, priority=priority, computeEnvironmentOrder=order, **more)[
            "jobQueueArn"
        ]
    )


def wait_for(fetch: Callable[[], Any], done: Callable[[Any], bool], timeout: float = 60) -> Any:
    deadline = time.monotonic() + timeout
    while True:
        value = fetch()
        if done(value):
            return value
        assert time.monotonic() < deadline, value
        time.sleep(0.1)


def printed(logs: Any, stream: str) -> list[str]:
    """A job's log lines so far."""
    try:
        found = logs.get_log_events(logGroupName="/aws/batch/job", logStreamName=stream)["events"]
    except logs.exceptions.ResourceNotFoundException:
        return []  # shipped through the outbox: the group and stream appear with the first batch, as on AWS
    return [e["message"] for e in found]
