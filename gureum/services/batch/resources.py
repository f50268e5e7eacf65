"""AWS Batch's control-plane rules, pure: ARNs, compute environments (MANAGED/UNMANAGED; EC2, SPOT, FARGATE and
FARGATE_SPOT all mapped to this machine's capacity), job queues, scheduling policies (fair share) and the checks
AWS makes on them. No SQL, no HTTP."""

from __future__ import annotations

import os
import string
from typing import Any

from .errors import ClientException

FARGATE_TYPES = frozenset({"FARGATE", "FARGATE_SPOT"})
_NAME_CHARS = frozenset(string.ascii_letters + string.digits + "-_")
_FARGATE_ONLY = frozenset({"type", "maxvCpus", "subnets", "securityGroupIds"})

# UpdateComputeEnvironment's updatePolicy members left out (a compute environment shows one only once it was set)
UPDATE_POLICY_DEFAULTS = {"terminateJobsOnUpdate": False, "jobExecutionTimeoutMinutes": 30}


def arn(account: str, region: str, kind: str, name: str) -> str:
    return f"arn:aws:batch:{region}:{account}:{kind}/{name}"


def name_of(reference: str, kind: str) -> str:
    """A resource's name from its name or ARN (arn:aws:batch:…:<kind>/<name>)."""
    if not isinstance(reference, str):
        raise ClientException(f"{reference!r} is not a valid {kind} name or ARN.")
    if reference.startswith("arn:"):
        rest = reference.split(":", 5)
        if len(rest) != 6 or not rest[5].startswith(kind + "/"):
            raise ClientException(f"{reference} is not a valid {kind} ARN.")
        return rest[5][len(kind) + 1 :]
    return reference


def check_name(value: str, what: str) -> None:
    if not 1 <= len(value) <= 128 or not set(value) <= _NAME_CHARS or not value[0].isalnum():
        raise ClientException(
            f"{what} must be 1-128 characters long, start with a letter or number, and contain only letters "
            "(uppercase and lowercase), numbers, hyphens (-), and underscores (_)."
        )


def machine() -> tuple[int, int]:
    """This machine's vCPUs and memory (MiB): what every compute environment's jobs share."""
    cpus = os.cpu_count() or 1
    try:
        memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") // (1024 * 1024)
    except (ValueError, OSError):
        memory = 4096
    return cpus, int(memory)


def check_tags(tags: dict[str, str] | None) -> dict[str, str]:
    tags = dict(tags or {})
    if len(tags) > 50:
        raise ClientException("A resource can have at most 50 tags.")
    for key in tags:
        if key.lower().startswith("aws:"):
            raise ClientException("Tag keys starting with 'aws:' are reserved for use by AWS.")
    return tags


# --- compute environments ------------------------------------------------------------------------------------


def compute_environment(
    account: str,
    region: str,
    name: str,
    kind: str,
    state: str | None,
    unmanaged_vcpus: int | None,
    resources: dict[str, Any] | None,
    service_role: str | None,
    tags: dict[str, str] | None,
    eks: dict[str, Any] | None,
    context: str | None,
    uuid: str,
) -> dict[str, Any]:
    """A new ComputeEnvironmentDetail (status CREATING; the scheduler makes it VALID)."""
    check_name(name, "computeEnvironmentName")
    if eks:
        raise ClientException(
            "EKS compute environments are not supported: gureum has no Kubernetes cluster; use an ECS (container) "
            "compute environment."
        )
    if kind == "MANAGED":
        if not resources:
            raise ClientException("computeResources must be provided for a MANAGED compute environment.")
        if unmanaged_vcpus is not None:
            raise ClientException("unmanagedvCpus can only be specified for an UNMANAGED compute environment.")
        resources = check_compute_resources(dict(resources), None)
    elif resources:
        raise ClientException("computeResources can't be specified for an UNMANAGED compute environment.")
    doc: dict[str, Any] = {
        "computeEnvironmentName": name,
        "computeEnvironmentArn": arn(account, region, "compute-environment", name),
        "ecsClusterArn": f"arn:aws:ecs:{region}:{account}:cluster/AWSBatch-{name}-{uuid}",
        "tags": check_tags(tags),
        "type": kind,
        "state": state or "ENABLED",
        "status": "CREATING",
        "statusReason": "Compute environment is being created",
        "serviceRole": service_role
        or f"arn:aws:iam::{account}:role/aws-service-role/batch.amazonaws.com/AWSServiceRoleForBatch",
        "containerOrchestrationType": "ECS",
        "uuid": uuid,
    }
    if resources:
        doc["computeResources"] = resources
    if kind == "UNMANAGED" and unmanaged_vcpus is not None:
        if unmanaged_vcpus < 0:
            raise ClientException("unmanagedvCpus must be a non-negative integer.")
        doc["unmanagedvCpus"] = unmanaged_vcpus
    if context is not None:
        doc["context"] = context
    return doc


def check_compute_resources(new: dict[str, Any], old: dict[str, Any] | None) -> dict[str, Any]:
    """ComputeResource checked as AWS does (Fargate takes only maxvCpus, subnets and securityGroupIds)."""
    merged = {**(old or {}), **new}
    kind = merged.get("type")
    if old is not None and new.get("type") not in (None, old.get("type")):
        raise ClientException("computeResources.type can't be changed by UpdateComputeEnvironment.")
    if kind in FARGATE_TYPES:
        extra = sorted(set(new) - _FARGATE_ONLY)
        if extra:
            raise ClientException(f"computeResources.{extra[0]} is not applicable for Fargate compute environments.")
    else:
        merged.setdefault("minvCpus", 0)
        merged.setdefault("instanceTypes", ["optimal"])
        merged.setdefault("allocationStrategy", "BEST_FIT")
        merged.setdefault("desiredvCpus", merged["minvCpus"])
    if merged.get("maxvCpus") is None or int(merged["maxvCpus"]) < 1:
        raise ClientException("computeResources.maxvCpus must be greater than 0.")
    low, high = int(merged.get("minvCpus") or 0), int(merged["maxvCpus"])
    if low < 0:
        raise ClientException("computeResources.minvCpus must be a non-negative integer.")
    if low > high:
        raise ClientException("computeResources.minvCpus must be less than or equal to maxvCpus.")
    desired = merged.get("desiredvCpus")
    if desired is not None and not low <= int(desired) <= high:
        raise ClientException("computeResources.desiredvCpus must be between minvCpus and maxvCpus.")
    if kind not in FARGATE_TYPES and kind == "SPOT" and merged.get("bidPercentage") is not None:
        if not 0 <= int(merged["bidPercentage"]) <= 100:
            raise ClientException("computeResources.bidPercentage must be between 0 and 100.")
    if not merged.get("subnets"):
        raise ClientException("computeResources.subnets must contain at least one subnet.")
    return merged


def capacity(doc: dict[str, Any]) -> float:
    """The vCPUs a compute environment may run jobs on at once: maxvCpus (managed) or unmanagedvCpus (or this
    machine's vCPUs, for an unmanaged environment that says nothing)."""
    if doc["type"] == "MANAGED":
        return float(doc["computeResources"]["maxvCpus"])
    return float(doc.get("unmanagedvCpus") or machine()[0])


def is_fargate(doc: dict[str, Any]) -> bool:
    return (doc.get("computeResources") or {}).get("type") in FARGATE_TYPES


# --- job queues ----------------------------------------------------------------------------------------------


def check_priority(priority: int) -> int:
    if not 0 <= priority <= 1000:
        raise ClientException("priority must be between 0 and 1000.")
    return priority


def check_order(order: list[dict[str, Any]], environments: dict[str, dict[str, Any] | None]) -> list[dict[str, Any]]:
    """computeEnvironmentOrder: 1-3 distinct compute environments (by ARN or name, each existing and VALID), of one
    kind (Fargate or EC2), with distinct order values; returned by ARN, sorted by order."""
    if not 1 <= len(order) <= 3:
        raise ClientException("computeEnvironmentOrder must contain between 1 and 3 compute environments.")
    out: list[dict[str, Any]] = []
    seen_orders: set[int] = set()
    fargate: set[bool] = set()
    for entry in order:
        found = environments.get(entry["computeEnvironment"])
        if found is None:
            raise ClientException(f"computeEnvironment {entry['computeEnvironment']} does not exist.")
        if found["status"] not in ("VALID", "CREATING", "UPDATING"):
            raise ClientException(f"computeEnvironment {found['computeEnvironmentName']} is not VALID.")
        if entry["order"] in seen_orders:
            raise ClientException("computeEnvironmentOrder must have unique order values.")
        seen_orders.add(entry["order"])
        fargate.add(is_fargate(found))
        out.append({"order": int(entry["order"]), "computeEnvironment": found["computeEnvironmentArn"]})
    if len({o["computeEnvironment"] for o in out}) != len(out):
        raise ClientException("computeEnvironmentOrder must not list a compute environment twice.")
    if len(fargate) > 1:
        raise ClientException(
            "A job queue can't mix Fargate (FARGATE, FARGATE_SPOT) and EC2 (EC2, SPOT) compute environments."
        )
    return sorted(out, key=lambda o: o["order"])


# --- scheduling policies -------------------------------------------------------------------------------------


def check_fairshare(policy: dict[str, Any] | None) -> dict[str, Any]:
    policy = dict(policy or {})
    decay = int(policy.get("shareDecaySeconds") or 0)
    if not 0 <= decay <= 604800:
        raise ClientException("fairsharePolicy.shareDecaySeconds must be between 0 and 604800.")
    reservation = int(policy.get("computeReservation") or 0)
    if not 0 <= reservation <= 99:
        raise ClientException("fairsharePolicy.computeReservation must be between 0 and 99.")
    shares = []
    seen: set[str] = set()
    for share in policy.get("shareDistribution") or []:
        ident = share["shareIdentifier"]
        if ident in seen:
            raise ClientException(f"shareIdentifier {ident} is listed twice in shareDistribution.")
        seen.add(ident)
        if not (ident[:-1] if ident.endswith("*") else ident).replace("_", "").isalnum() and ident != "*":
            raise ClientException(f"shareIdentifier {ident} may contain only letters, numbers and underscores.")
        weight = float(share.get("weightFactor", 1.0))
        if not 0.0001 <= weight <= 999.9999:
            raise ClientException("weightFactor must be between 0.0001 and 999.9999.")
        shares.append({"shareIdentifier": ident, "weightFactor": weight})
    if len(shares) > 500:
        raise ClientException("shareDistribution can list at most 500 share identifiers.")
    return {"shareDecaySeconds": decay, "computeReservation": reservation, "shareDistribution": shares}


def weight(policy: dict[str, Any], share: str) -> float:
    """A share identifier's weightFactor (exact entries first, then the longest "prefix*" entry; default 1)."""
    best: tuple[int, float] | None = None
    for entry in policy.get("shareDistribution") or []:
        ident = entry["shareIdentifier"]
        if ident == share:
            return float(entry["weightFactor"])
        if ident.endswith("*") and share.startswith(ident[:-1]) and (best is None or len(ident) > best[0]):
            best = (len(ident), float(entry["weightFactor"]))
    return best[1] if best else 1.0
