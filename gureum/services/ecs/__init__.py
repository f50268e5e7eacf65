"""Amazon ECS's control plane over the JSON protocol (botocore "ecs"): clusters (FARGATE and FARGATE_SPOT capacity
providers built in), task definitions with revisions, tags and account settings. Tasks and services — which run
on the container engine gureum.containers finds (Docker or Podman's service) — are not served yet.
"""

from __future__ import annotations

from pathlib import Path

from ...runtime import Runtime
from .. import Service
from .backend import EcsBackend

SERVICE: Service = Service("ecs", migrations=Path(__file__).parent / "migrations")


@SERVICE.on_start
async def _start(runtime: Runtime) -> None:
    runtime.keep(EcsBackend(runtime.store, runtime.clock, runtime.principal_arn))


from . import ops_clusters, ops_settings, ops_taskdefs  # noqa: E402,F401  (register the operations)
