"""Clusters as ECS describes them, their settings and capacity providers (FARGATE and FARGATE_SPOT are built in;
both run on the local engine), and tags in ECS's {key, value} form."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .errors import InvalidParameterException

BUILT_IN_PROVIDERS = ("FARGATE", "FARGATE_SPOT")
CLUSTER_SETTING_VALUES = {"containerInsights": ("enabled", "disabled", "enhanced")}
MAX_TAGS = 50
_NAME_CHARS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_")


@dataclass(slots=True)
class Cluster:
    id: int
    account: str
    region: str
    name: str
    status: str
    created_at: float
    settings: list[dict[str, str]]
    configuration: dict[str, Any] | None
    capacity_providers: list[str]
    strategy: list[dict[str, Any]]
    service_connect: dict[str, Any] | None
    tags: list[dict[str, str]] = field(default_factory=list)

    @property
    def arn(self) -> str:
        return f"arn:aws:ecs:{self.region}:{self.account}:cluster/{self.name}"

    def doc(self, include: list[str] | None = None, counts: dict[str, int] | None = None) -> dict[str, Any]:
        """The Cluster shape; tags, settings, configurations, statistics only when ``include`` names them (None:
        every part, as Create/Update/Delete answer)."""
        wanted = set(include) if include is not None else {"TAGS", "SETTINGS", "CONFIGURATIONS", "STATISTICS"}
        found = counts or {}
        out: dict[str, Any] = {
            "clusterArn": self.arn,
            "clusterName": self.name,
            "status": self.status,
            "registeredContainerInstancesCount": 0,
            "runningTasksCount": found.get("running", 0),
            "pendingTasksCount": found.get("pending", 0),
            "activeServicesCount": found.get("services", 0),
            "capacityProviders": list(self.capacity_providers),
            "defaultCapacityProviderStrategy": list(self.strategy),
        }
        if "STATISTICS" in wanted and include is not None:
            out["statistics"] = []
        if "TAGS" in wanted and (self.tags or include is not None):
            out["tags"] = list(self.tags)
        if "SETTINGS" in wanted:
            out["settings"] = list(self.settings)
        if "CONFIGURATIONS" in wanted and self.configuration:
            out["configuration"] = self.configuration
        if self.service_connect:
            out["serviceConnectDefaults"] = self.service_connect
        return out


def check_name(name: str) -> None:
    if not name or len(name) > 255 or not set(name) <= _NAME_CHARS:
        raise InvalidParameterException(
            "Cluster name must be up to 255 letters (uppercase and lowercase), numbers, underscores, and hyphens."
        )


def check_settings(settings: list[dict[str, Any]] | None, current: list[dict[str, str]]) -> list[dict[str, str]]:
    merged = {item["name"]: item["value"] for item in current}
    for item in settings or []:
        name, value = item.get("name"), item.get("value")
        allowed = CLUSTER_SETTING_VALUES.get(str(name))
        if allowed is None:
            raise InvalidParameterException(f"Invalid setting name: {name}")
        if value not in allowed:
            raise InvalidParameterException(
                f"Invalid value '{value}' for setting {name}: the value must be one of {', '.join(allowed)}."
            )
        merged[str(name)] = str(value)
    return [{"name": name, "value": value} for name, value in merged.items()]


def check_providers(
    providers: list[str] | None, strategy: list[dict[str, Any]] | None, known: set[str]
) -> tuple[list[str], list[dict[str, Any]]]:
    """The cluster's capacity providers and default strategy, as ECS checks them."""
    chosen = list(dict.fromkeys(providers or []))
    for provider in chosen:
        if provider not in BUILT_IN_PROVIDERS and provider not in known:
            raise InvalidParameterException(f"The specified capacity provider '{provider}' does not exist.")
    steps: list[dict[str, Any]] = []
    bases = 0
    for step in strategy or []:
        name = step.get("capacityProvider")
        if name not in chosen:
            raise InvalidParameterException(
                f"The specified capacity provider strategy cannot contain a capacity provider that is not associated "
                f"with the cluster. Associate the capacity provider with the cluster or specify a valid capacity "
                f"provider and try again. Capacity provider: {name}"
            )
        weight, base = int(step.get("weight", 0)), int(step.get("base", 0))
        if not 0 <= weight <= 1000 or not 0 <= base <= 100000:
            raise InvalidParameterException("The capacity provider strategy weight must be 0-1000 and base 0-100000.")
        bases += 1 if base else 0
        steps.append({"capacityProvider": name, "weight": weight, "base": base})
    if bases > 1:
        raise InvalidParameterException("Only one capacity provider in a capacity provider strategy can have a base.")
    if steps and not any(step["weight"] for step in steps):
        raise InvalidParameterException("At least one capacity provider in a strategy must have a weight above 0.")
    return chosen, steps


def merge_tags(existing: list[dict[str, str]], new: list[dict[str, Any]]) -> list[dict[str, str]]:
    merged = {tag["key"]: tag["value"] for tag in existing}
    for tag in new:
        key, value = tag.get("key"), tag.get("value", "")
        if not isinstance(key, str) or not key:
            raise InvalidParameterException("Tag keys must not be empty.")
        if key.lower().startswith("aws:"):
            raise InvalidParameterException("Tag keys starting with 'aws:' are reserved.")
        merged[key] = str(value)
    if len(merged) > MAX_TAGS:
        raise InvalidParameterException(f"A resource may have at most {MAX_TAGS} tags.")
    return [{"key": key, "value": value} for key, value in merged.items()]


def built_in_provider(name: str) -> dict[str, Any]:
    """FARGATE / FARGATE_SPOT as DescribeCapacityProviders shows them."""
    return {
        "capacityProviderArn": f"arn:aws:ecs:::capacity-provider/{name}",
        "name": name,
        "status": "ACTIVE",
        "tags": [],
    }
