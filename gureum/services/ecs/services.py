"""Services as ECS keeps them: the Service document, its deployments (PRIMARY first, then the ACTIVE ones it
replaces), service events, and the scheduler's decision for one service (plan): how many tasks of the primary
deployment to start, which tasks to stop, the counts and rollout states to report — rolling updates within
minimumHealthyPercent / maximumPercent, crashed tasks replaced, and the deployment circuit breaker (with rollback).
Pure: no I/O."""

from __future__ import annotations

import math
import random
import uuid
from dataclasses import dataclass, field
from typing import Any

from .errors import InvalidParameterException

MAX_EVENTS = 100
PRIVATE = "_gureum"  # gureum's own part of a stored service document (the last steady task definition)
DEFAULT_CONFIGURATION: dict[str, Any] = {
    "deploymentCircuitBreaker": {"enable": False, "rollback": False},
    "maximumPercent": 200,
    "minimumHealthyPercent": 100,
}


@dataclass(frozen=True, slots=True)
class TaskView:
    """What the scheduler needs of one of the service's tasks."""

    task_id: str
    deployment: str  # its startedBy: the deployment's id
    last_status: str
    desired_status: str
    stop_code: str | None
    health: str = "UNKNOWN"


@dataclass
class Plan:
    start: int = 0  # tasks of the primary deployment to start
    stop: list[tuple[str, str]] = field(default_factory=list)  # (task id, reason)
    events: list[str] = field(default_factory=list)
    changed: bool = False  # the document changed (counts, deployments, rollout states)
    deployment_events: list[tuple[str, str]] = field(default_factory=list)  # (eventName, reason)
    inactive: bool = False  # a DRAINING service whose tasks all stopped


def service_arn(account: str, region: str, cluster: str, name: str) -> str:
    return f"arn:aws:ecs:{region}:{account}:service/{cluster}/{name}"


def check_execute_command(enabled: bool | None) -> None:
    """ECS Exec, which gureum does not offer."""
    if enabled:
        raise InvalidParameterException(
            "enableExecuteCommand (ECS Exec) is not supported by gureum: it needs the SSM agent in the task."
        )


def task_tags(doc: dict[str, Any], definition_tags: list[dict[str, str]], cluster: str) -> list[dict[str, str]]:
    """The tags of a task the service starts: the service's or the task definition's (propagateTags), and with
    enableECSManagedTags ECS's own aws:ecs:clusterName and aws:ecs:serviceName (the ECS guide's "Tagging your
    Amazon ECS resources")."""
    source = doc.get("propagateTags") or "NONE"
    tags = list(doc.get("tags") or []) if source == "SERVICE" else []
    if source == "TASK_DEFINITION":
        tags = list(definition_tags)
    if doc.get("enableECSManagedTags"):
        tags += [
            {"key": "aws:ecs:clusterName", "value": cluster},
            {"key": "aws:ecs:serviceName", "value": doc["serviceName"]},
        ]
    return tags


def check_configuration(config: dict[str, Any] | None, current: dict[str, Any] | None = None) -> dict[str, Any]:
    merged = {**(current or DEFAULT_CONFIGURATION), **(config or {})}
    breaker = {**DEFAULT_CONFIGURATION["deploymentCircuitBreaker"], **(merged.get("deploymentCircuitBreaker") or {})}
    merged["deploymentCircuitBreaker"] = breaker
    maximum, minimum = int(merged["maximumPercent"]), int(merged["minimumHealthyPercent"])
    if not 100 <= maximum <= 2000:
        raise InvalidParameterException("The maximumPercent must be between 100 and 2000.")
    if not 0 <= minimum <= 100:
        raise InvalidParameterException("The minimumHealthyPercent must be between 0 and 100.")
    return merged


def new_deployment(task_definition: str, desired: int, doc: dict[str, Any], now: float) -> dict[str, Any]:
    deployment_id = f"ecs-svc/{random.randrange(10**18, 10**19)}"
    deployment: dict[str, Any] = {
        "id": deployment_id,
        "status": "PRIMARY",
        "taskDefinition": task_definition,
        "desiredCount": desired,
        "pendingCount": 0,
        "runningCount": 0,
        "failedTasks": 0,
        "createdAt": now,
        "updatedAt": now,
        "launchType": doc.get("launchType"),
        "rolloutState": "IN_PROGRESS",
        "rolloutStateReason": f"ECS deployment {deployment_id} in progress.",
    }
    if doc.get("capacityProviderStrategy"):
        deployment["capacityProviderStrategy"] = doc["capacityProviderStrategy"]
        deployment.pop("launchType")
    if doc.get("networkConfiguration"):
        deployment["networkConfiguration"] = doc["networkConfiguration"]
    if doc.get("platformVersion"):
        deployment["platformVersion"] = doc["platformVersion"]
    return deployment


def deploy(doc: dict[str, Any], task_definition: str, now: float) -> None:
    """A new PRIMARY deployment; the old PRIMARY becomes ACTIVE (its tasks are replaced as the rollout goes)."""
    for deployment in doc["deployments"]:
        if deployment["status"] == "PRIMARY":
            deployment["status"] = "ACTIVE"
            deployment["updatedAt"] = now
    doc["deployments"].insert(0, new_deployment(task_definition, doc["desiredCount"], doc, now))
    doc["taskDefinition"] = task_definition


def add_event(doc: dict[str, Any], message: str, now: float) -> None:
    doc["events"].insert(0, {"id": str(uuid.uuid4()), "createdAt": now, "message": message})
    del doc["events"][MAX_EVENTS:]


def threshold(desired: int) -> int:
    """The circuit breaker's failed-task threshold: half the desired count, at least 3 and at most 200."""
    return max(3, min(200, math.ceil(desired / 2)))


def plan(doc: dict[str, Any], tasks: list[TaskView], now: float) -> Plan:
    """The scheduler's next step for one service."""
    out = Plan()
    name = doc["serviceName"]
    draining = doc["status"] == "DRAINING"
    desired = 0 if draining else int(doc["desiredCount"])
    config = doc["deploymentConfiguration"]
    maximum = max(desired, math.floor(desired * int(config["maximumPercent"]) / 100))
    minimum = math.ceil(desired * int(config["minimumHealthyPercent"]) / 100)
    deployments = doc["deployments"]
    primary = deployments[0]
    live = [t for t in tasks if t.last_status != "STOPPED" and t.desired_status == "RUNNING"]
    # an unhealthy task (an essential container failed its health checks) is replaced
    for view in [t for t in live if t.health == "UNHEALTHY"]:
        out.stop.append((view.task_id, "Task failed container health checks."))
        live.remove(view)
    by_deployment: dict[str, list[TaskView]] = {d["id"]: [] for d in deployments}
    for view in live:
        by_deployment.setdefault(view.deployment, []).append(view)

    # counts, and the primary's failures (tasks that stopped though the scheduler wanted them running)
    for deployment in deployments:
        mine = by_deployment.get(deployment["id"], [])
        running = sum(1 for t in mine if t.last_status == "RUNNING")
        failed = sum(
            1
            for t in tasks
            if t.deployment == deployment["id"] and t.last_status == "STOPPED" and t.desired_status == "RUNNING"
        )
        counts = {"runningCount": running, "pendingCount": len(mine) - running, "failedTasks": failed}
        if deployment is primary:
            counts["desiredCount"] = desired
        if any(deployment.get(k) != v for k, v in counts.items()):
            deployment.update(counts, updatedAt=now)
            out.changed = True
    running_total = sum(1 for t in live if t.last_status == "RUNNING")
    counts = {"runningCount": running_total, "pendingCount": len(live) - running_total}
    if any(doc.get(k) != v for k, v in counts.items()):
        doc.update(counts)
        out.changed = True

    # the circuit breaker: too many of the primary's tasks failed before it ever became steady
    breaker = config["deploymentCircuitBreaker"]
    if (
        breaker.get("enable")
        and primary["rolloutState"] == "IN_PROGRESS"
        and primary["failedTasks"] >= threshold(desired)
        and not draining
    ):
        primary["rolloutState"] = "FAILED"
        primary["rolloutStateReason"] = "ECS deployment circuit breaker: tasks failed to start."
        out.changed = True
        out.deployment_events.append(("SERVICE_DEPLOYMENT_FAILED", primary["rolloutStateReason"]))
        add_event(doc, f"(service {name}) (deployment {primary['id']}) deployment failed: tasks failed to start.", now)
        stable = doc.get(PRIVATE, {}).get("stable")
        if breaker.get("rollback") and stable and stable != primary["taskDefinition"]:
            add_event(doc, f"(service {name}) rolling back to task definition {stable}.", now)
            deploy(doc, stable, now)
            doc["deployments"][0]["rolloutStateReason"] = (
                f"ECS deployment circuit breaker: rolling back to task definition {stable}."
            )
            return out
    if primary["rolloutState"] == "FAILED":
        desired_primary = 0  # a failed deployment starts nothing more; its running tasks stay
    else:
        desired_primary = desired

    # start tasks of the primary deployment within maximumPercent
    primary_live = by_deployment.get(primary["id"], [])
    room = maximum - len(live)
    out.start = max(0, min(desired_primary - len(primary_live), room))

    # stop: tasks of older deployments, keeping minimumHealthyPercent running; pending old tasks go at once
    healthy = running_total
    for deployment in deployments[1:] if primary["rolloutState"] != "FAILED" else []:
        for view in sorted(by_deployment.get(deployment["id"], []), key=lambda t: t.last_status == "RUNNING"):
            if view.last_status == "RUNNING":
                primary_running = sum(1 for t in primary_live if t.last_status == "RUNNING")
                if healthy - 1 < minimum and primary_running < desired:
                    continue
                healthy -= 1
            out.stop.append((view.task_id, f"Scaling activity initiated by (deployment {primary['id']})"))
    # scale in: the primary's tasks beyond the desired count (pending ones first)
    extra = len(primary_live) - desired_primary if primary["rolloutState"] != "FAILED" else 0
    for view in sorted(primary_live, key=lambda t: t.last_status == "RUNNING")[: max(0, extra)]:
        out.stop.append((view.task_id, f"Scaling activity initiated by (deployment {primary['id']})"))
    if out.start:
        out.events.append(f"(service {name}) has started {out.start} tasks")
    if out.stop:
        stopped = " ".join(task_id for task_id, _ in out.stop)
        out.events.append(f"(service {name}) has stopped {len(out.stop)} running tasks: (task {stopped}).")

    # old deployments without tasks are done; a primary with all its tasks running and nothing else is steady
    for deployment in list(deployments[1:]):
        if not by_deployment.get(deployment["id"]) and primary["rolloutState"] != "FAILED":
            deployments.remove(deployment)
            out.changed = True
    primary_running = sum(1 for t in primary_live if t.last_status == "RUNNING")
    if (
        primary["rolloutState"] == "IN_PROGRESS"
        and len(deployments) == 1
        and primary_running == desired
        and len(primary_live) == desired
        and not out.start
        and not out.stop
    ):
        primary["rolloutState"] = "COMPLETED"
        primary["rolloutStateReason"] = f"ECS deployment {primary['id']} completed."
        doc.setdefault(PRIVATE, {})["stable"] = primary["taskDefinition"]  # what a failed rollout returns to
        out.changed = True
        out.deployment_events.append(("SERVICE_DEPLOYMENT_COMPLETED", primary["rolloutStateReason"]))
        add_event(doc, f"(service {name}) has reached a steady state.", now)
    if draining and all(t.last_status == "STOPPED" for t in tasks):  # its tasks drained, not only asked to stop
        out.inactive = True
    return out
