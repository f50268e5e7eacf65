"""ECS services on Podman's service: a service keeps its desired count (a crashed task is replaced), a rolling
deployment to a new task definition never drops below minimumHealthyPercent, the deployment circuit breaker fails a
deployment whose tasks cannot start and rolls back, events and counts as ECS reports them, and DeleteService drains
the service's tasks."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import pytest
from botocore.exceptions import ClientError

from .conftest import Engine

# a crash, a rolling deploy and a rollback in one test: on a loaded shared machine it may pass pytest's 120 s
pytestmark = [pytest.mark.containers, pytest.mark.timeout(300)]
NETWORK = {"awsvpcConfiguration": {"subnets": ["subnet-12345678"]}}


def _definition(ecs: Any, family: str, image: str, command: list[str]) -> str:
    return str(
        ecs.register_task_definition(
            family=family,
            requiresCompatibilities=["FARGATE"],
            networkMode="awsvpc",
            cpu="256",
            memory="512",
            containerDefinitions=[{"name": "main", "image": image, "command": command, "stopTimeout": 1}],
        )["taskDefinition"]["taskDefinitionArn"]
    )


def _until(check: Callable[[], Any], timeout: float = 120, what: str = "") -> Any:
    deadline = time.monotonic() + timeout
    while True:
        found = check()
        if found:
            return found
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.2)


def _service(ecs: Any, cluster: str, name: str) -> dict[str, Any]:
    return dict(ecs.describe_services(cluster=cluster, services=[name])["services"][0])


def _running(ecs: Any, cluster: str, name: str) -> list[dict[str, Any]]:
    arns = ecs.list_tasks(cluster=cluster, desiredStatus="RUNNING")["taskArns"]
    if not arns:
        return []
    found = ecs.describe_tasks(cluster=cluster, tasks=arns)["tasks"]
    return [t for t in found if t["group"] == f"service:{name}" and t["lastStatus"] == "RUNNING"]


def _steady(ecs: Any, cluster: str, name: str, definition: str, count: int) -> Callable[[], bool]:
    def check() -> bool:
        service = _service(ecs, cluster, name)
        deployments = service["deployments"]
        return (
            len(deployments) == 1
            and deployments[0]["taskDefinition"] == definition
            and deployments[0]["rolloutState"] == "COMPLETED"
            and service["runningCount"] == count
        )

    return check


def test_desired_count_rolling_deploy_and_circuit_breaker(engine: Engine, name: str) -> None:
    ecs = engine.client("ecs")
    ecs.create_cluster(clusterName=name)
    first = _definition(ecs, name, engine.image, ["sleep", "300"])
    created = ecs.create_service(
        cluster=name,
        serviceName=name,
        taskDefinition=first,
        desiredCount=2,
        launchType="FARGATE",
        networkConfiguration=NETWORK,
        deploymentConfiguration={
            "maximumPercent": 200,
            "minimumHealthyPercent": 100,
            "deploymentCircuitBreaker": {"enable": True, "rollback": True},
        },
    )["service"]
    assert created["status"] == "ACTIVE" and created["desiredCount"] == 2
    assert created["deployments"][0]["rolloutState"] == "IN_PROGRESS"
    assert created["serviceArn"].endswith(f":service/{name}/{name}")
    with pytest.raises(ClientError) as again:
        ecs.create_service(
            cluster=name,
            serviceName=name,
            taskDefinition=first,
            desiredCount=1,
            launchType="FARGATE",
            networkConfiguration=NETWORK,
        )
    assert again.value.response["Error"]["Code"] == "InvalidParameterException"

    _until(_steady(ecs, name, name, first, 2), what="the first deployment")
    service = _service(ecs, name, name)
    assert any("has reached a steady state" in e["message"] for e in service["events"])
    assert ecs.list_services(cluster=name)["serviceArns"] == [service["serviceArn"]]
    assert ecs.describe_clusters(clusters=[name])["clusters"][0]["activeServicesCount"] == 1
    tasks = _running(ecs, name, name)
    assert len(tasks) == 2 and all(t["startedBy"] == service["deployments"][0]["id"] for t in tasks)
    assert sorted(ecs.list_tasks(cluster=name, serviceName=name)["taskArns"]) == sorted(t["taskArn"] for t in tasks)
    for arn in (service["serviceArn"], tasks[1]["taskArn"]):  # tags on a service and on a running task
        ecs.tag_resource(resourceArn=arn, tags=[{"key": "team", "value": "x"}])
        assert ecs.list_tags_for_resource(resourceArn=arn)["tags"] == [{"key": "team", "value": "x"}]

    # a task that dies is replaced
    crashed = tasks[0]["taskArn"]
    engine.podman.run("kill", f"ecs-{crashed.rsplit('/', 1)[1][:12]}-main")
    _until(lambda: ecs.describe_tasks(cluster=name, tasks=[crashed])["tasks"][0]["lastStatus"] == "STOPPED")
    replaced = _until(
        lambda: (
            [t for t in _running(ecs, name, name) if t["taskArn"] != crashed]
            if len(_running(ecs, name, name)) == 2
            else None
        ),
        what="a replacement",
    )
    assert crashed not in {t["taskArn"] for t in replaced}

    # a rolling deployment: never fewer than 2 running (minimumHealthyPercent 100)
    second = _definition(ecs, name, engine.image, ["sleep", "301"])
    ecs.update_service(cluster=name, service=name, taskDefinition=second)
    lowest = 2
    deadline = time.monotonic() + 120
    while not _steady(ecs, name, name, second, 2)():
        lowest = min(lowest, len(_running(ecs, name, name)))
        if time.monotonic() > deadline:
            seen = _service(ecs, name, name)
            pytest.fail(
                f"the rolling deployment did not finish: {seen['deployments']}, running "
                f"{[(t['taskDefinitionArn'], t['lastStatus']) for t in _running(ecs, name, name)]}, "
                f"events {[e['message'] for e in seen['events'][:8]]}"
            )
        time.sleep(0.1)
    assert lowest >= 2
    assert {t["taskDefinitionArn"] for t in _running(ecs, name, name)} == {second}
    replaced_tasks = ecs.describe_tasks(cluster=name, tasks=[t["taskArn"] for t in replaced])["tasks"]
    assert {t["stopCode"] for t in replaced_tasks} == {"ServiceSchedulerInitiated"}
    assert all(
        t["stoppedReason"].startswith("Scaling activity initiated by (deployment ecs-svc/") for t in replaced_tasks
    )

    # a deployment whose tasks cannot start: the circuit breaker fails it and rolls back to the second definition
    broken = _definition(ecs, name, engine.image.replace("busybox:1", "missing:1"), ["true"])
    ecs.update_service(cluster=name, service=name, taskDefinition=broken)

    def rolled_back() -> bool:
        service = _service(ecs, name, name)
        return service["taskDefinition"] == second and service["deployments"][0]["rolloutState"] == "COMPLETED"

    _until(rolled_back, timeout=180, what="the rollback")
    service = _service(ecs, name, name)
    assert any("deployment failed" in e["message"] for e in service["events"])
    assert {t["taskDefinitionArn"] for t in _running(ecs, name, name)} == {second}

    # scaled in and deleted: its tasks drain, then it is INACTIVE
    with pytest.raises(ClientError) as busy:
        ecs.delete_service(cluster=name, service=name)
    assert busy.value.response["Error"]["Code"] == "InvalidParameterException"
    with pytest.raises(ClientError) as has_services:
        ecs.delete_cluster(cluster=name)
    assert has_services.value.response["Error"]["Code"] == "ClusterContainsServicesException"
    assert ecs.delete_service(cluster=name, service=name, force=True)["service"]["status"] == "DRAINING"
    _until(lambda: _service(ecs, name, name)["status"] == "INACTIVE", what="draining")
    assert _running(ecs, name, name) == []
    with pytest.raises(ClientError) as gone:
        ecs.update_service(cluster=name, service=name, desiredCount=1)
    assert gone.value.response["Error"]["Code"] == "ServiceNotFoundException"
    ecs.delete_cluster(cluster=name)
