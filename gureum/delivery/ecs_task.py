"""The "ecs" delivery kind's payload — RunTask's arguments in ECS's own casing — as EventBridge rule targets and
Scheduler targets both build it from their EcsParameters (the ecs service's target reads it). As AWS does, the
target's input, when a JSON object, supplies the task's overrides (containerOverrides, taskRoleArn, cpu, memory,
...); its other members, and input that is not an object, override nothing."""

from __future__ import annotations

from typing import Any

# RunTask's TaskOverride members an ECS target's input may give
TASK_OVERRIDES = (
    "containerOverrides",
    "cpu",
    "memory",
    "executionRoleArn",
    "taskRoleArn",
    "ephemeralStorage",
    "inferenceAcceleratorOverrides",
)


def run_task(
    cluster: str,
    parameters: dict[str, Any],
    given: dict[str, Any],
    tags: list[dict[str, str]],
    origin: dict[str, str],
    role_arn: str | None,
) -> dict[str, Any]:
    """The payload for ``cluster`` from a target's EcsParameters, its input as an object (``given``), its tags
    already as RunTask's {"key", "value"} pairs, who delivers (``origin``) and the role it runs the task as."""
    overrides = {key: given[key] for key in TASK_OVERRIDES if key in given}
    awsvpc = (parameters.get("NetworkConfiguration") or {}).get("awsvpcConfiguration")
    network = None
    if awsvpc is not None:
        network = {
            "awsvpcConfiguration": {
                "subnets": awsvpc.get("Subnets") or [],
                **({"securityGroups": awsvpc["SecurityGroups"]} if awsvpc.get("SecurityGroups") else {}),
                **({"assignPublicIp": awsvpc["AssignPublicIp"]} if awsvpc.get("AssignPublicIp") else {}),
            }
        }
    return {
        "cluster": cluster,
        "task_definition": parameters.get("TaskDefinitionArn"),
        "count": parameters.get("TaskCount", 1),
        "launch_type": parameters.get("LaunchType"),
        "capacity_provider_strategy": parameters.get("CapacityProviderStrategy"),
        "network_configuration": network,
        "platform_version": parameters.get("PlatformVersion"),
        "group": parameters.get("Group"),
        "tags": tags,
        "propagate_tags": parameters.get("PropagateTags"),
        "reference_id": parameters.get("ReferenceId"),
        "enable_execute_command": bool(parameters.get("EnableExecuteCommand")),
        "enable_ecs_managed_tags": bool(parameters.get("EnableECSManagedTags")),
        "overrides": overrides or None,
        "origin": origin,
        "role_arn": role_arn,
    }
