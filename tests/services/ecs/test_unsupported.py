"""What ECS refuses because it cannot be real here, answered clearly: secrets from SSM Parameter Store / Secrets
Manager (container secrets, log secretOptions, repositoryCredentials), EFS and FSx volumes, and ECS Exec."""

from __future__ import annotations

from typing import Any

import pytest
from botocore.exceptions import ClientError


def _container(**more: Any) -> dict[str, Any]:
    return {"name": "app", "image": "busybox", "memory": 128, **more}


SECRET = "arn:aws:secretsmanager:us-east-1:000000000000:secret:db-AbCdEf"


@pytest.mark.parametrize(
    "container, member",
    [
        ({"secrets": [{"name": "DB_PASSWORD", "valueFrom": SECRET}]}, "secrets"),
        (
            {"logConfiguration": {"logDriver": "awslogs", "secretOptions": [{"name": "k", "valueFrom": SECRET}]}},
            "logConfiguration.secretOptions",
        ),
        ({"repositoryCredentials": {"credentialsParameter": SECRET}}, "repositoryCredentials"),
    ],
)
def test_secrets_refused(ecs: Any, name: str, container: dict[str, Any], member: str) -> None:
    with pytest.raises(ClientError) as info:
        ecs.register_task_definition(family=name, containerDefinitions=[_container(**container)])
    error = info.value.response["Error"]
    assert error["Code"] == "ClientException"
    assert f"Invalid '{member}' setting for container 'app'" in error["Message"]
    assert "Secrets Manager" in error["Message"] and "not supported by gureum" in error["Message"]
    assert not ecs.list_task_definitions(familyPrefix=name)["taskDefinitionArns"]


@pytest.mark.parametrize("volume", ["efsVolumeConfiguration", "fsxWindowsFileServerVolumeConfiguration"])
def test_efs_and_fsx_volumes_refused(ecs: Any, name: str, volume: str) -> None:
    configuration = (
        {"fileSystemId": "fs-12345678"}
        if volume.startswith("efs")
        else {
            "fileSystemId": "fs-12345678",
            "rootDirectory": "share",
            "authorizationConfig": {"credentialsParameter": SECRET, "domain": "example.com"},
        }
    )
    with pytest.raises(ClientError) as info:
        ecs.register_task_definition(
            family=name,
            containerDefinitions=[_container(mountPoints=[{"sourceVolume": "data", "containerPath": "/data"}])],
            volumes=[{"name": "data", volume: configuration}],
        )
    assert info.value.response["Error"]["Code"] == "ClientException"
    assert "EFS and FSx volumes are not served by gureum" in info.value.response["Error"]["Message"]


def test_execute_command_refused(ecs: Any, name: str) -> None:
    ecs.create_cluster(clusterName=name)
    ecs.register_task_definition(family=name, containerDefinitions=[_container()])
    with pytest.raises(ClientError) as info:
        ecs.run_task(cluster=name, taskDefinition=name, enableExecuteCommand=True)
    assert info.value.response["Error"]["Code"] == "InvalidParameterException"
    assert "ECS Exec" in info.value.response["Error"]["Message"]
