"""This machine as ECS sees it: EC2-style capacity providers (an Auto Scaling group stored; tasks placed with them
run on the local engine) and each cluster's one container instance — the machine gureum's engine runs on, with its
real CPU and memory as registered resources, what its running EC2 tasks reserve subtracted as remaining."""

from __future__ import annotations

import hashlib
import os
from typing import Any

from .errors import ClientException, InvalidParameterException

_RESERVED_PREFIXES = ("aws", "ecs", "fargate")


def provider_arn(account: str, region: str, name: str) -> str:
    return f"arn:aws:ecs:{region}:{account}:capacity-provider/{name}"


def new_provider(
    account: str,
    region: str,
    name: str,
    group: dict[str, Any] | None,
    managed: dict[str, Any] | None,
    tags: list[dict[str, str]],
) -> dict[str, Any]:
    """CreateCapacityProvider's document, as ECS checks and fills it."""
    if not name or len(name) > 255 or name.lower().startswith(_RESERVED_PREFIXES):
        raise InvalidParameterException(
            "The specified capacity provider name is invalid. Capacity provider names can't be prefixed with "
            "'aws', 'ecs', or 'fargate'."
        )
    if managed is not None:
        raise InvalidParameterException(
            "managedInstancesProvider is not supported: EC2-style capacity providers run tasks on this machine."
        )
    if not group or not group.get("autoScalingGroupArn"):
        raise InvalidParameterException("autoScalingGroupProvider with an autoScalingGroupArn is required.")
    scaling = {
        "status": "DISABLED",
        "targetCapacity": 100,
        "minimumScalingStepSize": 1,
        "maximumScalingStepSize": 10000,
        "instanceWarmupPeriod": 300,
        **(group.get("managedScaling") or {}),
    }
    return {
        "capacityProviderArn": provider_arn(account, region, name),
        "name": name,
        "status": "ACTIVE",
        "autoScalingGroupProvider": {
            "autoScalingGroupArn": group["autoScalingGroupArn"],
            "managedScaling": scaling,
            "managedTerminationProtection": group.get("managedTerminationProtection", "DISABLED"),
            **({"managedDraining": group["managedDraining"]} if group.get("managedDraining") else {}),
        },
        "tags": tags,
    }


def instance_id(cluster_arn: str) -> str:
    """The id of a cluster's container instance (stable: derived from the cluster)."""
    return hashlib.sha256(cluster_arn.encode()).hexdigest()[:32]


def instance_arn(account: str, region: str, cluster: str) -> str:
    cluster_arn = f"arn:aws:ecs:{region}:{account}:cluster/{cluster}"
    return f"arn:aws:ecs:{region}:{account}:container-instance/{cluster}/{instance_id(cluster_arn)}"


def machine() -> tuple[int, int]:
    """(CPU units, memory MiB) of this machine."""
    cpus = os.cpu_count() or 1
    try:
        memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") // (1024 * 1024)
    except (ValueError, OSError):
        memory = 1024
    return cpus * 1024, int(memory)


def _resources(cpu: int, memory: int) -> list[dict[str, Any]]:
    return [
        {"name": "CPU", "type": "INTEGER", "doubleValue": 0.0, "longValue": 0, "integerValue": cpu},
        {"name": "MEMORY", "type": "INTEGER", "doubleValue": 0.0, "longValue": 0, "integerValue": memory},
        {
            "name": "PORTS",
            "type": "STRINGSET",
            "doubleValue": 0.0,
            "longValue": 0,
            "integerValue": 0,
            "stringSetValue": [],
        },
    ]


def instance_doc(
    account: str,
    region: str,
    cluster: str,
    registered_at: float,
    running: int,
    pending: int,
    reserved: tuple[int, int],
    engine: dict[str, Any],
) -> dict[str, Any]:
    """The cluster's container instance: this machine, its engine, what its EC2 tasks use."""
    cpu, memory = machine()
    connected = bool(engine.get("engine"))
    return {
        "containerInstanceArn": instance_arn(account, region, cluster),
        "ec2InstanceId": "i-" + instance_id(f"{account}/{region}/{cluster}")[:17],
        "version": 1,
        "versionInfo": {
            "agentVersion": "gureum",
            "dockerVersion": f"{engine.get('engine') or 'none'} {engine.get('version', '')}".strip(),
        },
        "remainingResources": _resources(max(0, cpu - reserved[0]), max(0, memory - reserved[1])),
        "registeredResources": _resources(cpu, memory),
        "status": "ACTIVE",
        "agentConnected": connected,
        "runningTasksCount": running,
        "pendingTasksCount": pending,
        "attributes": [
            {"name": "ecs.os-type", "value": "linux"},
            {"name": "ecs.capability.execution-role-awslogs"},
            {"name": "com.amazonaws.ecs.capability.logging-driver.awslogs"},
            {"name": "com.amazonaws.ecs.capability.task-iam-role"},
            {"name": "ecs.capability.container-ordering"},
        ],
        "registeredAt": registered_at,
        "attachments": [],
        "tags": [],
    }


def check_instances(references: list[str], expected: str) -> None:
    """StartTask's containerInstances: this cluster's one instance (by ARN or id)."""
    if not references:
        raise InvalidParameterException("containerInstances must name at least one container instance.")
    for reference in references:
        if reference != expected and reference != expected.rsplit("/", 1)[-1]:
            raise ClientException(f"Container instance {reference} is not registered with the cluster.")
