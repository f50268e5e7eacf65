"""Task definitions: what RegisterTaskDefinition checks (as ECS words its refusals), the defaults ECS fills in,
the compatibilities and required attributes it computes, and how a reference ("family", "family:3", an ARN)
names a revision."""

from __future__ import annotations

from typing import Any

from ...containers.secrets import is_parameter
from .errors import ClientException

NETWORK_MODES = ("bridge", "host", "awsvpc", "none")
MAX_CONTAINERS = 10
_FAMILY_CHARS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_")
# Fargate's task sizes: cpu units → the memory (MiB) allowed with it
_FARGATE_MEMORY = {
    256: [512, 1024, 2048],
    512: list(range(1024, 4097, 1024)),
    1024: list(range(2048, 8193, 1024)),
    2048: list(range(4096, 16385, 1024)),
    4096: list(range(8192, 30721, 1024)),
    8192: list(range(16384, 61441, 4096)),
    16384: list(range(32768, 122881, 8192)),
}
_ALWAYS = [
    "com.amazonaws.ecs.capability.docker-remote-api.1.18",
    "com.amazonaws.ecs.capability.docker-remote-api.1.19",
]


def check_family(family: str) -> None:
    if not family or len(family) > 255 or not set(family) <= _FAMILY_CHARS:
        raise ClientException(
            "Family contains invalid characters: up to 255 letters (uppercase and lowercase), numbers, hyphens, and "
            "underscores are allowed."
        )


def cpu_units(text: str | None) -> int | None:
    """ "1024", "1 vCPU", "0.25 vcpu" → cpu units."""
    if text is None:
        return None
    value = text.strip().lower()
    try:
        if value.endswith("vcpu"):
            return int(float(value[:-4].strip()) * 1024)
        return int(value)
    except ValueError:
        raise ClientException(f"Invalid 'cpu' setting for task: {text}") from None


def memory_mib(text: str | None) -> int | None:
    """ "2048", "2 GB", "0.5 gb" → MiB."""
    if text is None:
        return None
    value = text.strip().lower()
    try:
        if value.endswith("gb"):
            return int(float(value[:-2].strip()) * 1024)
        return int(value)
    except ValueError:
        raise ClientException(f"Invalid 'memory' setting for task: {text}") from None


def _container(raw: dict[str, Any], network_mode: str) -> dict[str, Any]:
    """One container definition with the defaults ECS reports."""
    container = dict(raw)
    name = container.get("name")
    if not name:
        raise ClientException("Container.name should not be null or empty.")
    if not container.get("image"):
        raise ClientException("Container.image should not be null or empty.")
    container.setdefault("cpu", 0)
    container.setdefault("essential", True)
    for key in ("environment", "mountPoints", "volumesFrom"):
        container.setdefault(key, [])
    mappings = []
    for mapping in container.get("portMappings") or []:
        entry = dict(mapping)
        if "containerPort" not in entry and "containerPortRange" not in entry:
            raise ClientException(f"Invalid port mapping for container '{name}': containerPort is required.")
        entry.setdefault("protocol", "tcp")
        if network_mode in ("awsvpc", "host") and "containerPort" in entry:
            host_port = entry.setdefault("hostPort", entry["containerPort"])
            if host_port != entry["containerPort"]:
                raise ClientException(
                    f"When networkMode={network_mode}, the host ports and container ports in port mappings must match."
                )
        mappings.append(entry)
    container["portMappings"] = mappings
    container.setdefault("systemControls", [])
    for variable in container["environment"]:
        if not variable.get("name"):
            raise ClientException(f"Invalid environment variable for container '{name}': name is required.")
    return container


def build(
    account: str,
    region: str,
    family: str,
    revision: int,
    request: dict[str, Any],
    registered_at: float,
    registered_by: str,
) -> dict[str, Any]:
    """The TaskDefinition document RegisterTaskDefinition answers (ClientException for what ECS refuses)."""
    check_family(family)
    requires = list(request.get("requiresCompatibilities") or [])
    fargate = "FARGATE" in requires
    network_mode = request.get("networkMode") or ("awsvpc" if fargate else "bridge")
    if network_mode not in NETWORK_MODES:
        raise ClientException(f"Invalid networkMode: {network_mode}")
    raw_containers = request.get("containerDefinitions") or []
    if not raw_containers:
        raise ClientException("Container list cannot be empty.")
    if len(raw_containers) > MAX_CONTAINERS:
        raise ClientException(f"Too many containers: a task definition may have at most {MAX_CONTAINERS}.")
    containers = [_container(raw, network_mode) for raw in raw_containers]
    names = [c["name"] for c in containers]
    if len(set(names)) != len(names):
        raise ClientException("Container names must be unique within a task definition.")
    if not any(c["essential"] for c in containers):
        raise ClientException("Task definition does not have any essential containers.")
    volumes = check_volumes(request.get("volumes") or [], fargate)
    for container in containers:
        check_health(container)
        check_secrets(container, bool(request.get("executionRoleArn")))
        for mount in container.get("mountPoints") or []:
            if mount.get("sourceVolume") not in volumes:
                raise ClientException(
                    f"Invalid 'mountPoints' setting for container '{container['name']}': the task definition has no "
                    f"volume named '{mount.get('sourceVolume')}'."
                )
            if not str(mount.get("containerPath", "")).startswith("/"):
                raise ClientException(
                    f"Invalid 'mountPoints' setting for container '{container['name']}': containerPath must be an "
                    "absolute path."
                )
        for source in container.get("volumesFrom") or []:
            if source.get("sourceContainer") not in names or source.get("sourceContainer") == container["name"]:
                raise ClientException(
                    f"Invalid 'volumesFrom' setting for container '{container['name']}': "
                    f"'{source.get('sourceContainer')}' is not another container of the task definition."
                )
    for container in containers:
        for dependency in container.get("dependsOn") or []:
            if dependency.get("containerName") not in names:
                raise ClientException(
                    f"Container '{container['name']}' depends on container '{dependency.get('containerName')}', "
                    "which is not in the task definition."
                )
            if dependency.get("condition") not in ("START", "COMPLETE", "SUCCESS", "HEALTHY"):
                raise ClientException("dependsOn condition must be one of START, COMPLETE, SUCCESS, HEALTHY.")
    cpu, memory = cpu_units(request.get("cpu")), memory_mib(request.get("memory"))
    if fargate:
        if network_mode != "awsvpc":
            raise ClientException("Fargate only supports network mode 'awsvpc'.")
        if cpu is None:
            raise ClientException("Fargate requires that 'cpu' be defined at the task level.")
        if memory is None:
            raise ClientException("Fargate requires that 'memory' be defined at the task level.")
        if memory not in _FARGATE_MEMORY.get(cpu, []):
            raise ClientException(
                "No Fargate configuration exists for given values: "
                f"{cpu} CPU, {memory} memory. See the Amazon ECS documentation for the valid combinations."
            )
    if memory is None:
        for container in containers:
            if container.get("memory") is None and container.get("memoryReservation") is None:
                raise ClientException(
                    f"Invalid setting for container '{container['name']}'. At least one of 'memory' or "
                    "'memoryReservation' must be specified."
                )
    for container in containers:
        limit, reserved = container.get("memory"), container.get("memoryReservation")
        if limit is not None and reserved is not None and reserved > limit:
            raise ClientException(
                f"Invalid setting for container '{container['name']}'. 'memoryReservation' must be less than or "
                "equal to 'memory'."
            )
        if memory is not None and limit is not None and limit > memory:
            raise ClientException(
                f"Invalid setting for container '{container['name']}'. The container memory is larger than the "
                "task memory."
            )
    compatibilities = ["EC2"]
    if network_mode == "awsvpc" and cpu is not None and memory is not None:
        compatibilities.append("FARGATE")
    doc: dict[str, Any] = {
        "taskDefinitionArn": arn(account, region, family, revision),
        "containerDefinitions": containers,
        "family": family,
        "networkMode": network_mode,
        "revision": revision,
        "volumes": list(request.get("volumes") or []),
        "status": "ACTIVE",
        "requiresAttributes": _attributes(request, containers, network_mode),
        "placementConstraints": list(request.get("placementConstraints") or []),
        "compatibilities": compatibilities,
        "registeredAt": registered_at,
        "registeredBy": registered_by,
    }
    if requires:
        doc["requiresCompatibilities"] = requires
    if cpu is not None:
        doc["cpu"] = str(cpu)
    if memory is not None:
        doc["memory"] = str(memory)
    for key in (
        "taskRoleArn",
        "executionRoleArn",
        "pidMode",
        "ipcMode",
        "proxyConfiguration",
        "inferenceAccelerators",
        "ephemeralStorage",
        "runtimePlatform",
        "enableFaultInjection",
    ):
        if request.get(key) is not None:
            doc[key] = request[key]
    return doc


def check_volumes(volumes: list[dict[str, Any]], fargate: bool) -> set[str]:
    """The task definition's volume names, after ECS's checks: host paths (not on Fargate), task-scoped bind mounts,
    Docker volumes; EFS and FSx volumes are refused (no such file systems here)."""
    names: set[str] = set()
    for volume in volumes:
        name = volume.get("name")
        if not name or name in names:
            raise ClientException("Each volume must have a unique name.")
        names.add(name)
        if volume.get("efsVolumeConfiguration") or volume.get("fsxWindowsFileServerVolumeConfiguration"):
            raise ClientException(
                f"Volume '{name}': EFS and FSx volumes are not served by gureum; use a Docker volume or a host path."
            )
        if fargate and (volume.get("host") or {}).get("sourcePath"):
            raise ClientException(f"Volume '{name}': host sourcePath volumes are not supported on Fargate.")
        docker = volume.get("dockerVolumeConfiguration") or {}
        if docker and docker.get("scope", "task") not in ("task", "shared"):
            raise ClientException(f"Volume '{name}': scope must be task or shared.")
    return names


def check_secrets(container: dict[str, Any], execution_role: bool) -> None:
    """A container's secrets come from Systems Manager Parameter Store (a parameter's name or ARN, read with the task
    execution role when the task starts). Secrets Manager does not run here: its secrets, log configuration
    secretOptions and private registry repositoryCredentials are refused clearly."""
    name = container["name"]
    where = [
        member
        for member, given in (
            ("secrets", [s for s in container.get("secrets") or [] if not is_parameter(str(s.get("valueFrom", "")))]),
            ("logConfiguration.secretOptions", (container.get("logConfiguration") or {}).get("secretOptions")),
            ("repositoryCredentials", container.get("repositoryCredentials")),
        )
        if given
    ]
    if where:
        raise ClientException(
            f"Invalid '{where[0]}' setting for container '{name}': secrets from AWS Secrets Manager are not supported "
            "by gureum (it does not run here); take them from Systems Manager Parameter Store (valueFrom: a "
            "parameter's name or ARN) or pass the values in 'environment' or 'environmentFiles'."
        )
    if container.get("secrets") and not execution_role:
        raise ClientException(
            "When you are specifying container secrets, you must also specify a value for 'executionRoleArn'."
        )


HEALTH_LIMITS = {"interval": (5, 300, 30), "timeout": (2, 60, 5), "retries": (1, 10, 3), "startPeriod": (0, 300, 0)}


def check_health(container: dict[str, Any]) -> None:
    """A container's healthCheck as ECS checks it (and fills its defaults in)."""
    check = container.get("healthCheck")
    if not check:
        return
    command = check.get("command") or []
    if not command or command[0] not in ("CMD", "CMD-SHELL", "NONE"):
        raise ClientException(
            f"Invalid healthCheck for container '{container['name']}': the command must start with CMD or CMD-SHELL."
        )
    for key, (low, high, default) in HEALTH_LIMITS.items():
        value = check.setdefault(key, default)
        if not isinstance(value, int) or not low <= value <= high:
            raise ClientException(
                f"Invalid healthCheck for container '{container['name']}': {key} must be between {low} and {high}."
            )


def _attributes(request: dict[str, Any], containers: list[dict[str, Any]], network_mode: str) -> list[dict[str, str]]:
    names = list(_ALWAYS)
    if request.get("taskRoleArn"):
        names.append("com.amazonaws.ecs.capability.task-iam-role")
    if network_mode == "awsvpc":
        names.append("ecs.capability.task-eni")
    for container in containers:
        if ".dkr.ecr." in container["image"]:
            names.append("com.amazonaws.ecs.capability.ecr-auth")
        log = (container.get("logConfiguration") or {}).get("logDriver")
        if log == "awslogs":
            names.append("com.amazonaws.ecs.capability.logging-driver.awslogs")
            if request.get("executionRoleArn"):
                names.append("ecs.capability.execution-role-awslogs")
        if container.get("healthCheck"):
            names.append("ecs.capability.container-health-check")
        if container.get("dependsOn"):
            names.append("ecs.capability.container-ordering")
        if container.get("secrets"):
            names.append("ecs.capability.secrets.ssm.environment-variables")
    return [{"name": name} for name in dict.fromkeys(names)]


def arn(account: str, region: str, family: str, revision: int) -> str:
    return f"arn:aws:ecs:{region}:{account}:task-definition/{family}:{revision}"


def parse_reference(reference: str) -> tuple[str, int | None]:
    """ "family" → (family, None: the latest ACTIVE); "family:3" or an ARN → (family, 3)."""
    text = reference
    if text.startswith("arn:"):
        parts = text.split(":", 5)
        if len(parts) != 6 or not parts[5].startswith("task-definition/"):
            raise ClientException("Unable to describe task definition.")
        text = parts[5][len("task-definition/") :]
    family, colon, revision = text.partition(":")
    if not colon:
        return family, None
    if not revision.isdigit() or int(revision) < 1:
        raise ClientException(f"Invalid revision number. Number: {revision}")
    return family, int(revision)
