"""Tasks as ECS reports them: the lifecycle (PROVISIONING → PENDING → ACTIVATING → RUNNING → DEACTIVATING →
STOPPING → DEPROVISIONING → STOPPED), the Task document and its containers, the container definitions a task runs
(with RunTask's overrides applied), and what RunTask checks."""

from __future__ import annotations

import copy
import uuid
from typing import Any

from .errors import ClientException, InvalidParameterException

PROVISIONING, PENDING, ACTIVATING, RUNNING = "PROVISIONING", "PENDING", "ACTIVATING", "RUNNING"
DEACTIVATING, STOPPING, DEPROVISIONING, STOPPED = "DEACTIVATING", "STOPPING", "DEPROVISIONING", "STOPPED"
ORDER = (PROVISIONING, PENDING, ACTIVATING, RUNNING, DEACTIVATING, STOPPING, DEPROVISIONING, STOPPED)
ACTIVE = frozenset(ORDER[:-1])
PRIVATE = "_gureum"  # gureum's own part of a stored task document (engine container ids, the task's secret)
DEFAULT_STOP_TIMEOUT = 30  # seconds between SIGTERM and SIGKILL when a task stops (AWS's default)
MAX_STOP_TIMEOUT = 120


def task_arn(account: str, region: str, cluster: str, task_id: str) -> str:
    return f"arn:aws:ecs:{region}:{account}:task/{cluster}/{task_id}"


def task_id_of(reference: str) -> str:
    """A task's id from its id or ARN."""
    return reference.rsplit("/", 1)[-1]


def containers_of(task_definition: dict[str, Any], overrides: dict[str, Any] | None) -> list[dict[str, Any]]:
    """The task definition's containers with RunTask's containerOverrides applied (command, environment,
    cpu, memory, memoryReservation)."""
    containers: list[dict[str, Any]] = copy.deepcopy(task_definition["containerDefinitions"])
    by_name = {c["name"]: c for c in containers}
    for override in (overrides or {}).get("containerOverrides") or []:
        target = by_name.get(override.get("name"))
        if target is None:
            raise InvalidParameterException(
                f"Override for container named {override.get('name')} is not a container in the TaskDefinition."
            )
        if override.get("command") is not None:
            target["command"] = override["command"]
        if override.get("environment"):
            merged = {e["name"]: e.get("value", "") for e in target.get("environment") or []}
            merged.update({e["name"]: e.get("value", "") for e in override["environment"]})
            target["environment"] = [{"name": k, "value": v} for k, v in merged.items()]
        for key in ("cpu", "memory", "memoryReservation"):
            if override.get(key) is not None:
                target[key] = override[key]
    return containers


def check_run(task_definition: dict[str, Any], launch_type: str | None, network: dict[str, Any] | None) -> str:
    """RunTask's checks of the definition against the launch type; the launch type the task runs with."""
    if task_definition["status"] != "ACTIVE":
        raise ClientException("TaskDefinition is inactive")
    chosen = launch_type or "EC2"
    if chosen == "FARGATE" and "FARGATE" not in task_definition.get("compatibilities", []):
        raise InvalidParameterException("Task definition does not support launch_type FARGATE.")
    if chosen == "EXTERNAL":
        raise InvalidParameterException("Launch type EXTERNAL is not supported: tasks run on this machine's engine.")
    if task_definition.get("networkMode") == "awsvpc" and not (network or {}).get("awsvpcConfiguration"):
        raise InvalidParameterException(
            "Network Configuration must be provided when networkMode 'awsvpc' is specified."
        )
    for container in task_definition["containerDefinitions"]:
        for file in container.get("environmentFiles") or []:
            if file.get("type", "s3") != "s3" or s3_location(str(file.get("value", ""))) is None:
                raise ClientException(
                    f"Invalid environmentFiles for container '{container['name']}': {file.get('value')} is not an "
                    "S3 object ARN (arn:aws:s3:::bucket/key.env)."
                )
        for dependency in container.get("dependsOn") or []:
            if dependency.get("condition") == "HEALTHY":
                target: dict[str, Any] = next(
                    (c for c in task_definition["containerDefinitions"] if c["name"] == dependency["containerName"]), {}
                )
                if not target.get("healthCheck"):
                    raise ClientException(
                        f"Container '{container['name']}' depends on '{dependency['containerName']}' being HEALTHY, "
                        "which has no healthCheck."
                    )
    return chosen


PLATFORM_VERSIONS = ("LATEST", "1.4.0", "1.3.0")  # Fargate's Linux platform versions


def platform_version(given: str) -> str:
    """The Fargate platform version a task reports: LATEST is 1.4.0."""
    return "1.4.0" if given == "LATEST" else given


def new_task(
    account: str,
    region: str,
    cluster: str,
    task_definition: dict[str, Any],
    containers: list[dict[str, Any]],
    launch_type: str,
    capacity_provider: str | None,
    overrides: dict[str, Any] | None,
    started_by: str | None,
    group: str | None,
    tags: list[dict[str, str]],
    network: dict[str, Any] | None,
    now: float,
) -> dict[str, Any]:
    """A new task's document (PROVISIONING, desired RUNNING)."""
    task_id = uuid.uuid4().hex
    arn = task_arn(account, region, cluster, task_id)
    doc: dict[str, Any] = {
        "taskArn": arn,
        "clusterArn": f"arn:aws:ecs:{region}:{account}:cluster/{cluster}",
        "taskDefinitionArn": task_definition["taskDefinitionArn"],
        "overrides": {"containerOverrides": [], "inferenceAcceleratorOverrides": [], **(overrides or {})},
        "lastStatus": PROVISIONING,
        "desiredStatus": RUNNING,
        "containers": [
            {
                "containerArn": f"arn:aws:ecs:{region}:{account}:container/{cluster}/{task_id}/{uuid.uuid4()}",
                "taskArn": arn,
                "name": c["name"],
                "image": c["image"],
                "lastStatus": PENDING,
                "networkBindings": [],
                "networkInterfaces": [],
                "healthStatus": "UNKNOWN",
                "cpu": str(c.get("cpu", 0)),
                **({"memory": str(c["memory"])} if c.get("memory") is not None else {}),
                **({"memoryReservation": str(c["memoryReservation"])} if c.get("memoryReservation") else {}),
            }
            for c in containers
        ],
        "version": 1,
        "createdAt": now,
        "group": group or f"family:{task_definition['family']}",
        "launchType": launch_type,
        "availabilityZone": f"{region}a",
        "healthStatus": "UNKNOWN",
        "enableExecuteCommand": False,
        "tags": tags,
        "attachments": [],
    }
    if capacity_provider:
        doc["capacityProviderName"] = capacity_provider
    if started_by:
        doc["startedBy"] = started_by
    if task_definition.get("cpu"):
        doc["cpu"] = task_definition["cpu"]
    if task_definition.get("memory"):
        doc["memory"] = task_definition["memory"]
    if launch_type == "FARGATE":
        doc["platformVersion"] = "1.4.0"
        doc["platformFamily"] = "Linux"
    awsvpc = (network or {}).get("awsvpcConfiguration")
    if task_definition.get("networkMode") == "awsvpc" and awsvpc:
        subnets = awsvpc.get("subnets") or []
        doc["attachments"] = [
            {
                "id": str(uuid.uuid4()),
                "type": "ElasticNetworkInterface",
                "status": "PRECREATED",
                "details": [
                    {"name": "subnetId", "value": subnets[0] if subnets else ""},
                    {"name": "networkInterfaceId", "value": f"eni-{task_id[:17]}"},
                    {"name": "privateIPv4Address", "value": "127.0.0.1"},
                ],
            }
        ]
    doc[PRIVATE] = {"containers": containers, "engine": {}, "secret": uuid.uuid4().hex}
    return doc


def public(doc: dict[str, Any]) -> dict[str, Any]:
    """The document as DescribeTasks answers it (gureum's private part left out)."""
    return {key: value for key, value in doc.items() if key != PRIVATE}


def stop_timeout(container: dict[str, Any]) -> int:
    value = container.get("stopTimeout")
    return min(int(value), MAX_STOP_TIMEOUT) if isinstance(value, int) else DEFAULT_STOP_TIMEOUT


def task_health(doc: dict[str, Any]) -> str:
    """A task's healthStatus: UNHEALTHY when an essential container with a health check is, HEALTHY when all of them
    are, else UNKNOWN."""
    essential = {c["name"] for c in doc[PRIVATE]["containers"] if c.get("essential", True) and c.get("healthCheck")}
    states = [c.get("healthStatus", "UNKNOWN") for c in doc["containers"] if c["name"] in essential]
    if "UNHEALTHY" in states:
        return "UNHEALTHY"
    if states and all(state == "HEALTHY" for state in states):
        return "HEALTHY"
    return "UNKNOWN"


def s3_location(arn: str) -> tuple[str, str] | None:
    """(bucket, key) of an S3 object ARN "arn:aws:s3:::bucket/path/file.env"."""
    prefix = "arn:aws:s3:::"
    if not arn.startswith(prefix):
        return None
    bucket, _, key = arn[len(prefix) :].partition("/")
    return (bucket, key) if bucket and key else None


def parse_env_file(text: str) -> list[tuple[str, str]]:
    """An environment file's variables as ECS reads them: VARIABLE=VALUE per line, blank lines and lines starting
    with # skipped, values taken literally (quotes are not removed)."""
    out = []
    for line in text.splitlines():
        if not line.strip() or line.lstrip().startswith("#") or "=" not in line:
            continue
        name, _, value = line.partition("=")
        out.append((name.strip(), value))
    return out
