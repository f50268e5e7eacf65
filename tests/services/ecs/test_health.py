"""Container health checks (run in the container through the engine): a container that depends on another being
HEALTHY starts only once it is; container and task healthStatus as ECS reports them; a service replaces a task whose
essential container becomes UNHEALTHY. The engine server's health-check second is 0.1 s."""

from __future__ import annotations

import time
from typing import Any

import pytest
from botocore.exceptions import ClientError

from .conftest import Engine

pytestmark = pytest.mark.containers
NETWORK = {"awsvpcConfiguration": {"subnets": ["subnet-12345678"]}}


def _definition(ecs: Any, family: str, image: str) -> str:
    # startPeriod (3 s here) covers a slow start on a loaded machine: failures within it do not count
    check = {
        "command": ["CMD", "/bin/busybox", "test", "-f", "/ready"],
        "interval": 5,
        "retries": 2,
        "timeout": 2,
        "startPeriod": 30,
    }
    return str(
        ecs.register_task_definition(
            family=family,
            requiresCompatibilities=["FARGATE"],
            networkMode="awsvpc",
            cpu="256",
            memory="512",
            containerDefinitions=[
                {
                    "name": "db",
                    "image": image,
                    "command": ["sh", "-c", "touch /ready; exec sleep 300"],
                    "healthCheck": check,
                    "stopTimeout": 1,
                },
                {
                    "name": "app",
                    "image": image,
                    "command": ["sleep", "300"],
                    "dependsOn": [{"containerName": "db", "condition": "HEALTHY"}],
                    "stopTimeout": 1,
                },
            ],
        )["taskDefinition"]["taskDefinitionArn"]
    )


def _until(check: Any, timeout: float = 120) -> Any:
    deadline = time.monotonic() + timeout
    while True:
        found = check()
        if found:
            return found
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.1)


def _task(ecs: Any, cluster: str, arn: str) -> dict[str, Any]:
    return dict(ecs.describe_tasks(cluster=cluster, tasks=[arn])["tasks"][0])


def test_healthy_dependency_and_unhealthy_replacement(engine: Engine, name: str) -> None:
    ecs = engine.client("ecs")
    ecs.create_cluster(clusterName=name)
    definition = _definition(ecs, name, engine.image)
    with pytest.raises(ClientError) as invalid:
        ecs.register_task_definition(
            family=name,
            containerDefinitions=[
                {
                    "name": "x",
                    "image": engine.image,
                    "memory": 64,
                    "healthCheck": {"command": ["CMD", "true"], "interval": 1},
                }
            ],
        )
    assert invalid.value.response["Error"]["Code"] == "ClientException"
    assert "interval must be between 5 and 300" in str(invalid.value)

    service = ecs.create_service(
        cluster=name,
        serviceName=name,
        taskDefinition=definition,
        desiredCount=1,
        launchType="FARGATE",
        networkConfiguration=NETWORK,
    )["service"]
    first = _until(lambda: ecs.list_tasks(cluster=name)["taskArns"])[0]
    running = _until(lambda: (t := _task(ecs, name, first))["lastStatus"] == "RUNNING" and t)
    containers = {c["name"]: c for c in running["containers"]}
    assert containers["db"]["healthStatus"] == "HEALTHY"  # app started only once db was HEALTHY
    assert containers["app"]["lastStatus"] == "RUNNING"
    assert _until(lambda: _task(ecs, name, first)["healthStatus"] == "HEALTHY")

    # db's check starts failing: UNHEALTHY after 2 failures, and the service replaces the task
    engine.podman.run("exec", f"ecs-{first.rsplit('/', 1)[1][:12]}-db", "/bin/busybox", "rm", "/ready")
    _until(lambda: _task(ecs, name, first)["healthStatus"] == "UNHEALTHY")
    stopped = _until(lambda: (t := _task(ecs, name, first))["lastStatus"] == "STOPPED" and t)
    assert stopped["stoppedReason"] == "Task failed container health checks."
    assert stopped["stopCode"] == "ServiceSchedulerInitiated"
    replacement = _until(lambda: [a for a in ecs.list_tasks(cluster=name)["taskArns"] if a != first])[0]
    _until(lambda: _task(ecs, name, replacement)["healthStatus"] == "HEALTHY")
    ecs.delete_service(cluster=name, service=service["serviceName"], force=True)
