"""Amazon ECS over the JSON protocol (botocore "ecs"): the control plane (clusters with FARGATE and FARGATE_SPOT
capacity providers, task definitions with revisions, tags, account settings) and tasks run on the container engine
gureum.containers finds (Docker or Podman's service): RunTask / StopTask / DescribeTasks / ListTasks with ECS's
lifecycle (runner.py), the task metadata and credentials endpoints (agent.py), awslogs output to CloudWatch Logs and
"ECS Task State Change" events, services (desired counts kept, rolling deployments, the circuit breaker) by a
scheduler on the leader node, and the "ecs" delivery target (target.py: EventBridge and Scheduler run tasks).
"""

from __future__ import annotations

import asyncio
import functools
import logging
import os
from pathlib import Path

from ...aws.authorize import IdentityRecord, IdentitySource
from ...containers import engine_state
from ...containers.secrets import parameter_reader
from ...ports import ImageRegistry, S3Objects
from ...runtime import Runtime
from .. import EdgeRoute, Service
from . import agent, store
from .backend import EcsBackend
from .runner import TaskRunner
from .target import TARGET

SERVICE: Service = Service("ecs", migrations=Path(__file__).parent / "migrations")
log = logging.getLogger("gureum")
_STOPPED_SECONDS = 3600.0  # how long a stopped task stays visible (AWS: at least an hour)
_LEADER_ROLE = "ecs-maintenance"


def _endpoint(runtime: Runtime) -> str:
    host = runtime.config.host
    if host in ("", "0.0.0.0", "::"):
        host = "127.0.0.1"
    return f"http://{host}:{runtime.config.port}"


@SERVICE.on_start
async def _start(runtime: Runtime) -> None:
    def pull_auth(account: str, region: str, image: str) -> dict[str, str] | None:
        registry = runtime.optional_port(ImageRegistry)
        return registry.pull_auth(account, region, image) if registry is not None else None

    async def read_object(account: str, region: str, bucket: str, key: str) -> bytes:
        objects = runtime.optional_port(S3Objects)
        if objects is None:
            raise RuntimeError("S3 is not running")
        return await objects.get_object(account, region, bucket, key)

    runner = TaskRunner(
        runtime.store,
        runtime.clock,
        runtime.delivery,
        engine_state(runtime),
        runtime.spawn,
        _endpoint(runtime),
        pull_auth,
        float(os.environ.get("GUREUM_ECS_HEALTH_SECONDS", "1")),  # a health check's second (tests shorten it)
        read_object,
        parameter_reader(runtime, "ECS task secrets"),
    )

    async def role_lookup(arn: str) -> IdentityRecord | None:
        source = runtime.optional_port(IdentitySource)
        return await source.by_arn(arn) if source is not None else None

    be = runtime.keep(EcsBackend(runtime.store, runtime.clock, runtime.principal_arn, runner, role_lookup))
    runner.on_instance_change = be.container_instance_event
    runtime.store.subscribe(store.TASK_CHANNEL, runner.stop_requested)  # StopTask on another node
    runtime.spawn(runner.leads(), "ecs-reconcile")  # takes the lead for this machine's engine if free, and adopts
    every = float(os.environ.get("GUREUM_ECS_SCHEDULER_SECONDS", "1"))
    runtime.spawn(_maintain(runtime, every), "ecs-scheduler")


async def _maintain(runtime: Runtime, every: float) -> None:
    """On the leader: the service scheduler every ``every`` seconds (GUREUM_ECS_SCHEDULER_SECONDS, default 1), and
    stopped tasks forgotten an hour after they stopped."""
    be = runtime.state(EcsBackend)
    last_sweep = runtime.clock.monotonic()
    while True:
        await asyncio.sleep(every)
        try:
            leads_engine = await be.runner_leads()  # (adopts this engine's tasks when it takes the lead)
            if not leads_engine or not await runtime.store.is_leader(_LEADER_ROLE):
                continue
            await be.schedule()
            if runtime.clock.monotonic() - last_sweep > 60:
                last_sweep = runtime.clock.monotonic()
                before = runtime.clock.now() - _STOPPED_SECONDS
                await runtime.store.write(functools.partial(store.forget_stopped, before=before))
        except Exception:  # the next pass tries again
            log.exception("ECS scheduler pass failed")


SERVICE.edge_routes.append(EdgeRoute(agent.handle, path="/_ecs"))
SERVICE.targets.append(TARGET)  # "ecs": EventBridge rule targets and Scheduler targets run tasks

from . import ops_clusters, ops_services, ops_settings, ops_taskdefs, ops_tasks  # noqa: E402,F401  (register)
