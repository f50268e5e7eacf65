"""How this server runs ECR; every field has a GUREUM_ECR_* variable (see from_env).

- lifecycle_seconds: how often the leader applies lifecycle policies (AWS: within 24 hours; here 60 s).
- day_seconds: the length of one day of a sinceImagePushed rule (AWS: 86,400; tests shorten it).
- orphan_seconds: how long an unfinished upload, or a blob no repository holds any longer, is kept (a day).
- registry_host: the host[:port] repositoryUri and proxyEndpoint name (default: the host the API call reached
  gureum at, e.g. 127.0.0.1:4566 — Docker and Podman treat loopback registries as plain-HTTP ones).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

PART_SIZE = 10 * 1024 * 1024  # InitiateLayerUpload's partSize, as ECR answers


@dataclass(frozen=True, slots=True)
class Settings:
    lifecycle_seconds: float = 60.0
    day_seconds: float = 86400.0
    orphan_seconds: float = 86400.0
    registry_host: str | None = None

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> Settings:
        default = cls()
        return cls(
            lifecycle_seconds=float(env.get("GUREUM_ECR_LIFECYCLE_SECONDS", default.lifecycle_seconds)),
            day_seconds=float(env.get("GUREUM_ECR_DAY_SECONDS", default.day_seconds)),
            orphan_seconds=float(env.get("GUREUM_ECR_ORPHAN_SECONDS", default.orphan_seconds)),
            registry_host=env.get("GUREUM_ECR_REGISTRY_HOST") or None,
        )
