"""AWS Batch over rest-json (botocore "batch"): compute environments (MANAGED/UNMANAGED; EC2, SPOT, FARGATE and
FARGATE_SPOT, all this machine's capacity), job queues, fair-share scheduling policies, job definition revisions,
and jobs that really run as containers on the engine gureum.containers finds (Docker or Podman's service): a
scheduler on the leader node (scheduler.py) moves them SUBMITTED → PENDING → RUNNABLE → STARTING → RUNNING →
SUCCEEDED/FAILED with retries, timeouts, arrays and dependencies; runner.py runs each attempt, its output to
CloudWatch Logs, "Batch Job State Change" events to EventBridge; the "batch" delivery target submits jobs for
EventBridge rules and Scheduler schedules.
"""

from __future__ import annotations

import asyncio
import functools
import logging
import os
from pathlib import Path
from typing import Any

from ...aws.http import Request
from ...aws.validate import Rules
from ...containers import engine_state
from ...containers.secrets import parameter_reader
from ...ports import ImageRegistry
from ...runtime import Runtime
from .. import EdgeRoute, Service
from . import agent, store, target
from .backend import BatchBackend
from .runner import Runner
from .scheduler import Scheduler


def _actions(request: Request, protocol: str, operation: str, params: dict[str, Any]) -> None:
    """evaluateOnExit actions are not case sensitive on AWS ("retry", "Exit"): upper-cased before validation."""
    strategy = params.get("retryStrategy")
    if isinstance(strategy, dict):
        for condition in strategy.get("evaluateOnExit") or []:
            if isinstance(condition, dict) and isinstance(condition.get("action"), str):
                condition["action"] = condition["action"].upper()


SERVICE: Service = Service(
    "batch",
    migrations=Path(__file__).parent / "migrations",
    validation=Rules(code="ClientException"),
    prepare=_actions,
)
SERVICE.targets.append(target.TARGET)
log = logging.getLogger("gureum")
_RETENTION = 7 * 86400.0  # finished jobs are listed for about 7 days, as on AWS


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

    tick = float(os.environ.get("GUREUM_BATCH_SCHEDULER_SECONDS", "1"))
    second = float(os.environ.get("GUREUM_BATCH_SECOND", "1"))  # a timeout's or time limit's second (tests: less)
    scheduler = Scheduler(runtime.store, runtime.clock, runtime.delivery, engine_state(runtime), tick, second)
    processes = os.environ.get("GUREUM_BATCH_PROCESS_EXECUTOR", "").lower() in ("1", "true", "yes")
    scheduler.processes = processes  # opt-in: without an engine, jobs' commands run as host processes
    runtime.keep(
        Runner(
            runtime.store,
            runtime.clock,
            engine_state(runtime),
            scheduler,
            runtime.spawn,
            _endpoint(runtime),
            pull_auth,
            second,
            processes,
            parameter_reader(runtime, "Batch job secrets"),
        )
    )
    runtime.keep(BatchBackend(runtime.store, runtime.clock, scheduler.wake))
    runtime.store.subscribe(store.JOB_CHANNEL, scheduler.wake)  # SubmitJob, TerminateJob on any node
    runtime.spawn(scheduler.loop(), "batch-scheduler")
    runtime.spawn(_sweep(runtime), "batch-sweep")


async def _sweep(runtime: Runtime) -> None:
    """Finished jobs forgotten a week after they were created (on the leader, hourly)."""
    while True:
        await asyncio.sleep(3600)
        try:
            if await runtime.store.is_leader("batch-scheduler"):
                before = runtime.clock.now() - _RETENTION
                await runtime.store.write(functools.partial(store.forget_finished, before=before))
        except Exception:  # the next sweep tries again
            log.exception("Batch sweep failed")


SERVICE.edge_routes.append(EdgeRoute(agent.handle, path="/_batch"))

from . import ops_definitions, ops_environments, ops_jobs  # noqa: E402,F401  (register)
