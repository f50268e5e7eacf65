"""ECS task definitions over boto3: revisions (never reused), the defaults and computed fields ECS reports,
Fargate's rules, describe by family / family:revision / ARN, listing and families, deregister and delete, tags —
and the ClientException messages for what ECS refuses."""

from __future__ import annotations

from typing import Any

import pytest
from botocore.exceptions import ClientError


def _code(info: pytest.ExceptionInfo[ClientError]) -> str:
    return str(info.value.response["Error"]["Code"])


def _container(**more: Any) -> dict[str, Any]:
    return {"name": "app", "image": "busybox", "memory": 128, **more}


def test_revisions_and_describe(ecs: Any, name: str) -> None:
    first = ecs.register_task_definition(
        family=name,
        containerDefinitions=[_container(portMappings=[{"containerPort": 8080}], command=["sleep", "5"])],
        tags=[{"key": "team", "value": "a"}],
    )
    task = first["taskDefinition"]
    assert first["tags"] == [{"key": "team", "value": "a"}]
    assert task["revision"] == 1 and task["status"] == "ACTIVE"
    assert task["taskDefinitionArn"].endswith(f":task-definition/{name}:1")
    assert task["networkMode"] == "bridge"
    assert task["compatibilities"] == ["EC2"]
    container = task["containerDefinitions"][0]
    assert container["essential"] is True and container["cpu"] == 0
    assert container["portMappings"] == [{"containerPort": 8080, "protocol": "tcp"}]
    assert container["environment"] == [] and container["mountPoints"] == [] and container["volumesFrom"] == []
    assert container["command"] == ["sleep", "5"]
    assert task["registeredBy"].startswith("arn:aws:iam::")
    assert "registeredAt" in task

    second = ecs.register_task_definition(
        family=name,
        requiresCompatibilities=["FARGATE"],
        networkMode="awsvpc",
        cpu="0.25 vCPU",
        memory="512",
        taskRoleArn="arn:aws:iam::000000000000:role/task",
        containerDefinitions=[
            _container(portMappings=[{"containerPort": 80}], logConfiguration={"logDriver": "awslogs", "options": {}})
        ],
    )["taskDefinition"]
    assert second["revision"] == 2
    assert second["cpu"] == "256" and second["memory"] == "512"
    assert second["compatibilities"] == ["EC2", "FARGATE"]
    assert second["containerDefinitions"][0]["portMappings"] == [
        {"containerPort": 80, "hostPort": 80, "protocol": "tcp"}
    ]
    attributes = {a["name"] for a in second["requiresAttributes"]}
    assert {
        "com.amazonaws.ecs.capability.task-iam-role",
        "ecs.capability.task-eni",
        "com.amazonaws.ecs.capability.logging-driver.awslogs",
    } <= attributes

    assert ecs.describe_task_definition(taskDefinition=name)["taskDefinition"]["revision"] == 2
    assert ecs.describe_task_definition(taskDefinition=f"{name}:1")["taskDefinition"] == task
    by_arn = ecs.describe_task_definition(taskDefinition=task["taskDefinitionArn"], include=["TAGS"])
    assert by_arn["tags"] == [{"key": "team", "value": "a"}]
    for missing in (f"{name}:9", f"{name}-none"):
        with pytest.raises(ClientError) as info:
            ecs.describe_task_definition(taskDefinition=missing)
        assert _code(info) == "ClientException"
        assert "Unable to describe task definition." in str(info.value)

    arns = ecs.list_task_definitions(familyPrefix=name)["taskDefinitionArns"]
    assert [a.rsplit(":", 1)[1] for a in arns] == ["1", "2"]
    desc = ecs.list_task_definitions(familyPrefix=name, sort="DESC", maxResults=1)
    assert desc["taskDefinitionArns"][0].endswith(":2") and "nextToken" in desc

    # deregistered: INACTIVE, gone from the ACTIVE lists; the latest ACTIVE revision is what the family names
    gone = ecs.deregister_task_definition(taskDefinition=f"{name}:2")["taskDefinition"]
    assert gone["status"] == "INACTIVE" and "deregisteredAt" in gone
    assert ecs.describe_task_definition(taskDefinition=name)["taskDefinition"]["revision"] == 1
    inactive = ecs.list_task_definitions(familyPrefix=name, status="INACTIVE")["taskDefinitionArns"]
    assert [a.rsplit(":", 1)[1] for a in inactive] == ["2"]

    deleted = ecs.delete_task_definitions(taskDefinitions=[f"{name}:2", f"{name}:1"])
    assert [d["revision"] for d in deleted["taskDefinitions"]] == [2]
    assert deleted["taskDefinitions"][0]["status"] == "DELETE_IN_PROGRESS"
    assert "still in ACTIVE status" in deleted["failures"][0]["reason"]

    ecs.deregister_task_definition(taskDefinition=f"{name}:1")
    assert name not in ecs.list_task_definition_families(familyPrefix=name)["families"]
    assert name in ecs.list_task_definition_families(familyPrefix=name, status="INACTIVE")["families"]
    third = ecs.register_task_definition(family=name, containerDefinitions=[_container()])["taskDefinition"]
    assert third["revision"] == 3  # revisions are never reused
    assert ecs.list_task_definition_families(familyPrefix=name)["families"] == [name]


def test_task_definition_tags(ecs: Any, name: str) -> None:
    arn = ecs.register_task_definition(family=name, containerDefinitions=[_container()])["taskDefinition"][
        "taskDefinitionArn"
    ]
    ecs.tag_resource(resourceArn=arn, tags=[{"key": "a", "value": "1"}, {"key": "b", "value": "2"}])
    ecs.untag_resource(resourceArn=arn, tagKeys=["a"])
    assert ecs.list_tags_for_resource(resourceArn=arn)["tags"] == [{"key": "b", "value": "2"}]
    with pytest.raises(ClientError) as missing:
        ecs.list_tags_for_resource(resourceArn=arn.replace(":1", ":99"))
    assert _code(missing) == "ResourceNotFoundException"


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"containerDefinitions": [{"name": "app", "image": "busybox"}]}, "At least one of 'memory' or"),
        ({"containerDefinitions": [_container(), _container()]}, "Container names must be unique"),
        ({"containerDefinitions": [_container(essential=False)]}, "does not have any essential containers"),
        ({"containerDefinitions": [{"name": "app", "memory": 128}]}, "Container.image should not be null"),
        (
            {"containerDefinitions": [_container(dependsOn=[{"containerName": "db", "condition": "START"}])]},
            "depends on container 'db'",
        ),
        ({"requiresCompatibilities": ["FARGATE"], "networkMode": "bridge", "cpu": "256", "memory": "512"}, "awsvpc"),
        ({"requiresCompatibilities": ["FARGATE"], "networkMode": "awsvpc", "memory": "512"}, "'cpu' be defined"),
        (
            {"requiresCompatibilities": ["FARGATE"], "networkMode": "awsvpc", "cpu": "256", "memory": "4096"},
            "No Fargate configuration exists for given values: 256 CPU, 4096 memory",
        ),
        ({"memory": "64"}, "container memory is larger than the task memory"),
        (
            {
                "networkMode": "awsvpc",
                "containerDefinitions": [_container(portMappings=[{"containerPort": 80, "hostPort": 81}])],
            },
            "host ports and container ports in port mappings must match",
        ),
    ],
)
def test_refusals(ecs: Any, name: str, change: dict[str, Any], message: str) -> None:
    request = {"family": name, "containerDefinitions": [_container()], **change}
    with pytest.raises(ClientError) as info:
        ecs.register_task_definition(**request)
    assert _code(info) == "ClientException"
    assert message in str(info.value)
    # a refused registration takes no revision
    assert (
        ecs.register_task_definition(family=name, containerDefinitions=[_container()])["taskDefinition"]["revision"]
        == 1
    )
