"""Job definitions, pure: RegisterJobDefinition's checks (container type; multi-node, EKS and ECS-properties
definitions and GPUs refused clearly), what a job's container gets (parameters substituted for ``Ref::name``,
overrides, vCPU and memory from resourceRequirements or the legacy fields), and the retry strategy's decision
(evaluateOnExit conditions with trailing-``*`` globs, matched without regular expressions)."""

from __future__ import annotations

import copy
from typing import Any

from ...containers.secrets import is_parameter
from .errors import ClientException
from .resources import check_name, check_tags

_FARGATE_VCPUS = {0.25: (512, 2048), 0.5: (1024, 4096), 1.0: (2048, 8192), 2.0: (4096, 16384), 4.0: (8192, 30720)}
_FARGATE_VCPUS |= {8.0: (16384, 61440), 16.0: (32768, 122880)}
_REASON_CHARS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.: \t")


def check_definition(
    name: str,
    kind: str,
    parameters: dict[str, str] | None,
    container: dict[str, Any] | None,
    node: dict[str, Any] | None,
    retry: dict[str, Any] | None,
    timeout: dict[str, Any] | None,
    platforms: list[str] | None,
    eks: dict[str, Any] | None,
    ecs: dict[str, Any] | None,
    tags: dict[str, str] | None,
) -> dict[str, Any]:
    """The checked body of a new revision (without name, ARN, revision and status)."""
    check_name(name, "jobDefinitionName")
    if eks:
        raise ClientException(
            "EKS job definitions (eksProperties) are not supported: gureum runs jobs on a container engine, not "
            "Kubernetes."
        )
    if ecs:
        raise ClientException(
            "ecsProperties (multi-container ECS job definitions) are not supported: use containerProperties."
        )
    if kind == "multinode" or node:
        raise ClientException(
            "Multi-node parallel job definitions are not supported: gureum runs every job on this one machine, so it "
            "has no nodes to spread a job over; use type container (array jobs run copies in parallel)."
        )
    if kind != "container":
        raise ClientException("type must be container.")
    if not container:
        raise ClientException("containerProperties must be specified for a job definition of type container.")
    platforms = list(platforms or ["EC2"])
    if len(platforms) != 1 or platforms[0] not in ("EC2", "FARGATE"):
        raise ClientException("platformCapabilities must be EC2 or FARGATE.")
    container = copy.deepcopy(container)
    if not container.get("image"):
        raise ClientException("containerProperties.image must be specified.")
    check_resources(container, platforms[0], at_submit=False)
    for key in ("volumes", "environment", "mountPoints", "ulimits", "resourceRequirements", "secrets"):
        container.setdefault(key, [])
    if (
        any(not is_parameter(str(s.get("valueFrom", ""))) for s in container["secrets"])
        or container.get("repositoryCredentials")
        or ((container.get("logConfiguration") or {}).get("secretOptions"))
    ):
        raise ClientException(
            "secrets from AWS Secrets Manager, repositoryCredentials and logConfiguration secretOptions are not "
            "supported by gureum (Secrets Manager does not run here): take secrets from Systems Manager Parameter "
            "Store (valueFrom: a parameter's name or ARN) or pass the values in environment."
        )
    if container["secrets"] and not container.get("executionRoleArn"):
        raise ClientException(
            "When you are specifying container secrets, you must also specify a value for 'executionRoleArn'."
        )
    log = container.get("logConfiguration")
    if log and log.get("logDriver") not in ("awslogs", "json-file", "journald", "syslog", "none"):
        raise ClientException("logConfiguration.logDriver must be awslogs, json-file, journald, syslog or none.")
    if platforms[0] == "FARGATE":  # networkConfiguration is shown only as given (its default: no public address)
        container.setdefault("fargatePlatformConfiguration", {"platformVersion": "LATEST"})
    body: dict[str, Any] = {
        "type": "container",
        "parameters": check_parameters(parameters),
        "containerProperties": container,
        "tags": check_tags(tags),
        "platformCapabilities": platforms,
        "containerOrchestrationType": "ECS",
    }
    if retry is not None:
        body["retryStrategy"] = check_retry(retry)
    if timeout is not None:
        body["timeout"] = check_timeout(timeout)
    return body


def check_parameters(parameters: dict[str, str] | None) -> dict[str, str]:
    for key, value in (parameters or {}).items():
        if not isinstance(key, str) or not isinstance(value, str):
            raise ClientException("parameters must be a map of strings to strings.")
    return dict(parameters or {})


def check_retry(retry: dict[str, Any]) -> dict[str, Any]:
    attempts = retry.get("attempts", 1)
    if not 1 <= int(attempts) <= 10:
        raise ClientException("retryStrategy.attempts must be between 1 and 10.")
    conditions = list(retry.get("evaluateOnExit") or [])
    if len(conditions) > 5:
        raise ClientException("retryStrategy.evaluateOnExit can contain at most 5 conditions.")
    out = []
    for condition in conditions:
        action = str(condition.get("action", "")).upper()
        if action not in ("RETRY", "EXIT"):
            raise ClientException("evaluateOnExit action must be RETRY or EXIT.")
        item: dict[str, Any] = {"action": action}
        code = condition.get("onExitCode")
        if code is not None:
            core = code[:-1] if code.endswith("*") else code
            if len(code) > 512 or not core.isdigit() and core != "":
                raise ClientException("onExitCode can contain only numbers and may end with an asterisk (*).")
            item["onExitCode"] = code
        for key in ("onReason", "onStatusReason"):
            value = condition.get(key)
            if value is not None:
                core = value[:-1] if value.endswith("*") else value
                if len(value) > 512 or not set(core) <= _REASON_CHARS:
                    raise ClientException(
                        f"{key} can contain only letters, numbers, periods (.), colons (:) and white space, and "
                        "may end with an asterisk (*)."
                    )
                item[key] = value
        out.append(item)
    return {"attempts": int(attempts), "evaluateOnExit": out}


def check_timeout(timeout: dict[str, Any]) -> dict[str, Any]:
    seconds = timeout.get("attemptDurationSeconds")
    if seconds is not None and int(seconds) < 60:
        raise ClientException("timeout.attemptDurationSeconds must be at least 60 seconds.")
    return {"attemptDurationSeconds": int(seconds)} if seconds is not None else {}


def check_resources(container: dict[str, Any], platform: str, at_submit: bool) -> tuple[float, int]:
    """The container's vCPUs and memory (MiB) from resourceRequirements or vcpus/memory: GPUs refused (this
    machine has none to give), Fargate's sizes enforced. At submit time both must be known."""
    vcpus: float | None = container.get("vcpus")
    memory: int | None = container.get("memory")
    for requirement in container.get("resourceRequirements") or []:
        kind, value = requirement.get("type"), str(requirement.get("value", ""))
        if kind == "GPU":
            raise ClientException(
                "GPU resource requirements can't be met: gureum's compute environments run on this machine's "
                "container engine, which exposes no GPUs."
            )
        try:
            number = float(value)
        except ValueError:
            raise ClientException(f"resourceRequirements {kind} value {value!r} is not a number.") from None
        if kind == "VCPU":
            vcpus = number
        elif kind == "MEMORY":
            memory = int(number)
        else:
            raise ClientException(f"resourceRequirements type {kind} is not supported (VCPU, MEMORY).")
    if vcpus is not None and vcpus <= 0:
        raise ClientException("vCPU must be greater than 0.")
    if platform == "EC2" and vcpus is not None and vcpus != int(vcpus):
        raise ClientException("vCPU must be a whole number for jobs on EC2 resources.")
    if memory is not None and memory < 4:
        raise ClientException("memory must be at least 4 MiB.")
    if platform == "FARGATE" and vcpus is not None:
        if float(vcpus) not in _FARGATE_VCPUS:
            raise ClientException("Fargate vCPU must be one of 0.25, 0.5, 1, 2, 4, 8, 16.")
        low, high = _FARGATE_VCPUS[float(vcpus)]
        if memory is not None and not low <= memory <= high:
            raise ClientException(
                f"Fargate memory for {vcpus:g} vCPU must be between {low} and {high} MiB (the supported Fargate sizes)."
            )
    if at_submit:
        if vcpus is None:
            raise ClientException("The job's vCPU requirement must be specified (resourceRequirements VCPU).")
        if memory is None:
            raise ClientException("The job's memory requirement must be specified (resourceRequirements MEMORY).")
    return float(vcpus or 0), int(memory or 0)


def job_container(
    definition: dict[str, Any], parameters: dict[str, str], overrides: dict[str, Any] | None
) -> tuple[dict[str, Any], float, int]:
    """The job's ContainerDetail (overrides applied, ``Ref::name`` command items substituted) and its vCPUs and
    memory."""
    container = copy.deepcopy(definition["containerProperties"])
    overrides = overrides or {}
    if overrides.get("command") is not None:
        container["command"] = list(overrides["command"])
    if overrides.get("environment"):
        merged = {e["name"]: e.get("value", "") for e in container.get("environment") or []}
        for item in overrides["environment"]:
            if item.get("name", "").startswith("AWS_BATCH"):
                raise ClientException("Environment variables that start with AWS_BATCH are reserved for AWS Batch.")
            merged[item["name"]] = item.get("value", "")
        container["environment"] = [{"name": k, "value": v} for k, v in merged.items()]
    if overrides.get("resourceRequirements"):
        by_type = {r["type"]: r for r in container.get("resourceRequirements") or []}
        for item in overrides["resourceRequirements"]:
            by_type[item["type"]] = dict(item)
        container["resourceRequirements"] = list(by_type.values())
    for key in ("vcpus", "memory", "instanceType"):
        if overrides.get(key) is not None:
            container[key] = overrides[key]
    for variable in container.get("environment") or []:
        if variable["name"].startswith("AWS_BATCH"):
            raise ClientException("Environment variables that start with AWS_BATCH are reserved for AWS Batch.")
    container["command"] = substitute(container.get("command") or [], parameters)
    vcpus, memory = check_resources(container, definition["platformCapabilities"][0], at_submit=True)
    container["networkInterfaces"] = []
    return container, vcpus, memory


def substitute(command: list[str], parameters: dict[str, str]) -> list[str]:
    """``Ref::name`` command items replaced by the parameter's value (a missing parameter is refused)."""
    out = []
    for item in command:
        if item.startswith("Ref::"):
            key = item[len("Ref::") :]
            if key not in parameters:
                raise ClientException(
                    f"The command refers to parameter {key} (Ref::{key}), which neither the job definition nor the "
                    "SubmitJob request specifies."
                )
            out.append(parameters[key])
        else:
            out.append(item)
    return out


def glob(pattern: str, value: str) -> bool:
    """AWS's evaluateOnExit match: the whole value, or a prefix when the pattern ends with ``*``."""
    if pattern.endswith("*"):
        return value.startswith(pattern[:-1])
    return value == pattern


def retry_action(retry: dict[str, Any], exit_code: int | None, reason: str, status_reason: str) -> str:
    """RETRY or EXIT for a failed attempt: the first evaluateOnExit condition whose every given field matches
    decides; none matching retries (attempts permitting)."""
    for condition in retry.get("evaluateOnExit") or []:
        checks = []
        if "onExitCode" in condition:
            checks.append(exit_code is not None and glob(condition["onExitCode"], str(exit_code)))
        if "onReason" in condition:
            checks.append(glob(condition["onReason"], reason))
        if "onStatusReason" in condition:
            checks.append(glob(condition["onStatusReason"], status_reason))
        if checks and all(checks):
            return str(condition["action"])
    return "RETRY"
