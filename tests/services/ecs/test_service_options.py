"""An ECS service's tagging and placement options as ECS keeps them: propagateTags, enableECSManagedTags and
availabilityZoneRebalancing are stored, shown by DescribeServices and changed by UpdateService (Terraform's
aws_ecs_service reads them back), and the tasks the service starts carry the tags they ask for."""

from __future__ import annotations

import time
from typing import Any

import pytest
from botocore.exceptions import ClientError

from .conftest import Engine

NETWORK = {"awsvpcConfiguration": {"subnets": ["subnet-12345678"]}}


def _definition(ecs: Any, family: str, image: str = "busybox") -> str:
    return str(
        ecs.register_task_definition(
            family=family,
            requiresCompatibilities=["FARGATE"],
            networkMode="awsvpc",
            cpu="256",
            memory="512",
            containerDefinitions=[{"name": "main", "image": image, "command": ["sleep", "300"], "stopTimeout": 1}],
            tags=[{"key": "from", "value": "definition"}],
        )["taskDefinition"]["taskDefinitionArn"]
    )


def _options(service: dict[str, Any]) -> tuple[Any, Any, Any]:
    return service["propagateTags"], service["enableECSManagedTags"], service["availabilityZoneRebalancing"]


def test_tag_and_rebalancing_options_are_kept(ecs: Any, name: str) -> None:
    ecs.create_cluster(clusterName=name)
    definition = _definition(ecs, name)
    common = {"cluster": name, "taskDefinition": definition, "desiredCount": 0, "launchType": "FARGATE"}
    created = ecs.create_service(
        serviceName="tagged",
        networkConfiguration=NETWORK,
        propagateTags="SERVICE",
        enableECSManagedTags=True,
        availabilityZoneRebalancing="DISABLED",
        tags=[{"key": "team", "value": "a"}],
        **common,
    )["service"]
    assert _options(created) == ("SERVICE", True, "DISABLED")
    described = ecs.describe_services(cluster=name, services=["tagged"])["services"][0]
    assert _options(described) == ("SERVICE", True, "DISABLED")

    updated = ecs.update_service(
        cluster=name, service="tagged", propagateTags="TASK_DEFINITION", enableECSManagedTags=False
    )["service"]
    assert _options(updated) == ("TASK_DEFINITION", False, "DISABLED")
    assert len(updated["deployments"]) == 1  # these options start no deployment
    ecs.update_service(cluster=name, service="tagged", availabilityZoneRebalancing="ENABLED")
    described = ecs.describe_services(cluster=name, services=["tagged"])["services"][0]
    assert _options(described) == ("TASK_DEFINITION", False, "ENABLED")

    # unset: no propagation, no managed tags, and rebalancing ENABLED (ECS's default on create)
    plain = ecs.create_service(serviceName="plain", networkConfiguration=NETWORK, **common)["service"]
    assert _options(plain) == ("NONE", False, "ENABLED")

    with pytest.raises(ClientError) as refused:
        ecs.create_service(serviceName="exec", networkConfiguration=NETWORK, enableExecuteCommand=True, **common)
    assert refused.value.response["Error"]["Code"] == "InvalidParameterException"
    assert "enableExecuteCommand" in str(refused.value)
    for service in ("tagged", "plain"):
        ecs.delete_service(cluster=name, service=service)


@pytest.mark.containers
@pytest.mark.timeout(300)
def test_tasks_of_a_service_carry_its_tags(engine: Engine, name: str) -> None:
    ecs = engine.client("ecs")
    ecs.create_cluster(clusterName=name)
    ecs.create_service(
        cluster=name,
        serviceName=name,
        taskDefinition=_definition(ecs, name, engine.image),
        desiredCount=1,
        launchType="FARGATE",
        networkConfiguration=NETWORK,
        propagateTags="SERVICE",
        enableECSManagedTags=True,
        tags=[{"key": "team", "value": "a"}],
    )
    deadline = time.monotonic() + 120
    while not (arns := ecs.list_tasks(cluster=name, serviceName=name)["taskArns"]):
        assert time.monotonic() < deadline, "the service started no task"
        time.sleep(0.2)
    task = ecs.describe_tasks(cluster=name, tasks=arns, include=["TAGS"])["tasks"][0]
    assert {t["key"]: t["value"] for t in task["tags"]} == {
        "team": "a",
        "aws:ecs:clusterName": name,
        "aws:ecs:serviceName": name,
    }
    ecs.update_service(cluster=name, service=name, desiredCount=0)
    ecs.delete_service(cluster=name, service=name)
