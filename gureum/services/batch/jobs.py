"""Jobs, pure: the JobDetail documents SubmitJob makes (an array's children ``<jobId>:<index>`` with their N_TO_N
and SEQUENTIAL dependencies), what DescribeJobs and ListJobs show of them, the array status summary, and the
"Batch Job State Change" event. gureum's private part of a job lives under "_gureum" and is never shown."""

from __future__ import annotations

import copy
import datetime as dt
import string
import uuid
from collections.abc import Callable
from typing import Any

from . import definitions
from .errors import ClientException

PRIVATE = "_gureum"
STATUSES = ("SUBMITTED", "PENDING", "RUNNABLE", "STARTING", "RUNNING", "SUCCEEDED", "FAILED")
CANCELLABLE = ("SUBMITTED", "PENDING", "RUNNABLE")
UNFINISHED = ("SUBMITTED", "PENDING", "RUNNABLE", "STARTING", "RUNNING")
_NAME_CHARS = frozenset(string.ascii_letters + string.digits + "-_")


def ms(at: float) -> int:
    return int(at * 1000)


def submitted(
    account: str,
    region: str,
    job_id: str,
    now: float,
    request: dict[str, Any],
    queue: dict[str, Any],
    definition: dict[str, Any],
    policy: dict[str, Any] | None,
    lookup: Callable[[str], dict[str, Any] | None],
) -> list[dict[str, Any]]:
    """The store rows of a submitted job: the job, then (for an array job) its children."""
    name = request["jobName"]
    if not 1 <= len(name) <= 128 or not set(name) <= _NAME_CHARS or not name[0].isalnum():
        raise ClientException(
            "jobName must be 1-128 characters long, start with a letter or number, and contain only letters "
            "(uppercase and lowercase), numbers, hyphens (-), and underscores (_)."
        )
    for key, what in (
        ("nodeOverrides", "Multi-node parallel jobs are not supported"),
        ("eksPropertiesOverride", "EKS jobs are not supported"),
        ("ecsPropertiesOverride", "ecsProperties jobs are not supported"),
        ("consumableResourcePropertiesOverride", "consumable resources are not supported"),
    ):
        if request.get(key):
            raise ClientException(f"{key}: {what} by gureum.")
    share = request.get("shareIdentifier")
    if policy is not None and not share:
        raise ClientException("shareIdentifier is required for jobs submitted to a fair share job queue.")
    if policy is None and share:
        raise ClientException("shareIdentifier can only be specified for a job queue with a scheduling policy.")
    priority = request.get("schedulingPriorityOverride")
    if priority is None:
        priority = definition.get("schedulingPriority", 0)
    if not 0 <= int(priority) <= 9999:
        raise ClientException("schedulingPriorityOverride must be between 0 and 9999.")
    size = (request.get("arrayProperties") or {}).get("size")
    if size is not None and not 2 <= int(size) <= 10000:
        raise ClientException("arrayProperties size must be between 2 and 10000.")
    parameters = {**definition.get("parameters", {}), **definitions.check_parameters(request.get("parameters"))}
    container, vcpus, memory = definitions.job_container(definition, parameters, request.get("containerOverrides"))
    retry = definition.get("retryStrategy") or {"attempts": 1, "evaluateOnExit": []}
    if request.get("retryStrategy") is not None:
        retry = definitions.check_retry(request["retryStrategy"])
    timeout = dict(definition.get("timeout") or {})
    if request.get("timeout") is not None:
        timeout = definitions.check_timeout(request["timeout"])
    depends = _dependencies(request.get("dependsOn") or [], size, lookup)
    job_arn = f"arn:aws:batch:{region}:{account}:job/{job_id}"
    propagate = request.get("propagateTags")
    if propagate is None:
        propagate = definition.get("propagateTags", False)
    tags = {**((definition.get("tags") or {}) if propagate else {}), **dict(request.get("tags") or {})}
    doc: dict[str, Any] = {
        "jobArn": job_arn,
        "jobName": name,
        "jobId": job_id,
        "jobQueue": queue["jobQueueArn"],
        "status": "SUBMITTED",
        "attempts": [],
        "createdAt": ms(now),
        "retryStrategy": retry,
        "dependsOn": [dict(d) for d in request.get("dependsOn") or []],
        "jobDefinition": definition["jobDefinitionArn"],
        "parameters": parameters,
        "container": container,
        "tags": tags,
        "propagateTags": bool(propagate),
        "platformCapabilities": definition["platformCapabilities"],
        PRIVATE: {
            "vcpus": vcpus,
            "memory": memory,
            "definitionName": definition["jobDefinitionName"],
            "deps": depends["job"],
        },
    }
    if timeout:
        doc["timeout"] = timeout
    if share:
        doc["shareIdentifier"] = share
    if policy is not None or request.get("schedulingPriorityOverride") is not None:
        doc["schedulingPriority"] = int(priority)
    base = {
        "account": account,
        "region": region,
        "queue": queue["jobQueueArn"],
        "name": name,
        "status": "SUBMITTED",
        "created_at": now,
        "share": share,
        "priority": int(priority),
        "vcpus": vcpus,
        "memory": memory,
        "definition": definition["jobDefinitionArn"],
    }
    rows = [{**base, "id": job_id, "body": doc}]
    if size is None:
        return rows
    doc["arrayProperties"] = {"size": int(size)}
    doc[PRIVATE]["array"] = True
    for index in range(int(size)):
        child = {key: value for key, value in doc.items() if key not in ("arrayProperties", PRIVATE)}
        child_id = f"{job_id}:{index}"
        deps = list(depends["job"])
        deps += [f"{d}:{index}" for d in depends["n_to_n"]]
        if depends["sequential"] and index > 0:
            deps.append(f"{job_id}:{index - 1}")
        child.update(
            {
                "jobArn": f"{job_arn}:{index}",
                "jobId": child_id,
                "arrayProperties": {"index": index},
                PRIVATE: {**doc[PRIVATE], "array": False, "deps": deps, "parent": job_id, "index": index},
            }
        )
        child["dependsOn"] = [{"jobId": d, "type": "N_TO_N"} for d in depends["n_to_n"]] + (
            [{"jobId": f"{job_id}:{index - 1}", "type": "SEQUENTIAL"}] if depends["sequential"] and index else []
        )
        rows.append({**base, "id": child_id, "parent": job_id, "body": child})
    return rows


def _dependencies(
    items: list[dict[str, Any]], size: int | None, lookup: Callable[[str], dict[str, Any] | None]
) -> dict[str, Any]:
    """SubmitJob's dependsOn: {"job": ids every job (or child) waits for, "n_to_n": array ids whose child of the
    same index each child waits for, "sequential": whether each child waits for the one before it}."""
    if len(items) > 20:
        raise ClientException("A job can depend on at most 20 jobs.")
    out: dict[str, Any] = {"job": [], "n_to_n": [], "sequential": False}
    for item in items:
        kind, job_id = item.get("type"), item.get("jobId")
        if kind == "SEQUENTIAL":
            if size is None:
                raise ClientException("A SEQUENTIAL dependency can only be specified for an array job.")
            if job_id:
                raise ClientException("A SEQUENTIAL dependency must not specify a jobId.")
            out["sequential"] = True
            continue
        if not job_id:
            raise ClientException("A dependency must specify a jobId.")
        found = lookup(job_id)
        if found is None:
            raise ClientException(f"Dependent job {job_id} does not exist.")
        if kind == "N_TO_N":
            other = (found.get("arrayProperties") or {}).get("size")
            if size is None or other is None:
                raise ClientException("An N_TO_N dependency can only be specified between two array jobs.")
            if int(other) != int(size):
                raise ClientException(
                    f"An N_TO_N dependency requires array jobs of the same size ({job_id} has size {other})."
                )
            out["n_to_n"].append(job_id)
        else:
            out["job"].append(job_id)
    return out


def public(doc: dict[str, Any]) -> dict[str, Any]:
    """The JobDetail DescribeJobs answers (and a state change event carries)."""
    out = {key: value for key, value in doc.items() if key != PRIVATE}
    if "size" in (out.get("arrayProperties") or {}) and "container" in out:
        out["container"] = {k: v for k, v in out["container"].items() if k not in ("exitCode", "logStreamName")}
    return out


def summary_of(doc: dict[str, Any]) -> dict[str, Any]:
    """A JobSummary of ListJobs."""
    out: dict[str, Any] = {
        "jobArn": doc["jobArn"],
        "jobId": doc["jobId"],
        "jobName": doc["jobName"],
        "createdAt": doc["createdAt"],
        "status": doc["status"],
        "jobDefinition": doc["jobDefinition"],
    }
    for key in ("statusReason", "startedAt", "stoppedAt", "shareIdentifier"):
        if key in doc:
            out[key] = doc[key]
    container = doc.get("container") or {}
    if "exitCode" in container or "reason" in container:
        out["container"] = {k: container[k] for k in ("exitCode", "reason") if k in container}
    array = doc.get("arrayProperties") or {}
    if array:
        out["arrayProperties"] = {k: array[k] for k in ("size", "index") if k in array}
    out["capacityUsage"] = [{"capacityUnit": "VCPU", "quantity": float(doc.get(PRIVATE, {}).get("vcpus", 0))}]
    return out


def summary(counts: dict[str, int]) -> dict[str, int]:
    """An array parent's statusSummary: every status, with its count of children."""
    return {status: int(counts.get(status, 0)) for status in STATUSES}


def event(doc: dict[str, Any], now: float) -> dict[str, Any]:
    """The "Batch Job State Change" event of a job's new status."""
    parts = doc["jobArn"].split(":")
    return {
        "version": "0",
        "id": str(uuid.uuid4()),
        "detail-type": "Batch Job State Change",
        "source": "aws.batch",
        "account": parts[4],
        "time": dt.datetime.fromtimestamp(now, dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "region": parts[3],
        "resources": [doc["jobArn"]],
        "detail": copy.deepcopy(public(doc)),
    }
