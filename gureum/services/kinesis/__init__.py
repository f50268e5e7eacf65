"""Amazon Kinesis Data Streams over the JSON protocol (application/x-amz-json-1.1, as boto3 sends it).

The package face: SERVICE (operations registered by ops_*.py, the "kinesis" delivery target) and its lifespan:
KinesisBackend kept at start (backend.py; every behaviour is its), the maintenance task (maintenance.py). Settings
come from GUREUM_KINESIS_* variables (limits.Settings): GUREUM_KINESIS_DELAY (seconds a stream or consumer stays
CREATING / UPDATING / DELETING, default 0.5; 0 makes changes immediate) and GUREUM_KINESIS_LIMITS=1 (enforce AWS's
per-shard throughput and account quotas; off by default).
"""

from __future__ import annotations

import os
from pathlib import Path

from ...aws.authorize import authorizer
from ...aws.validate import Rules
from ...ports import KinesisReader
from ...runtime import Runtime
from .. import Service
from .backend import KinesisBackend
from .limits import Settings
from .maintenance import maintain
from .port import KinesisPort
from .store import forget
from .target import TARGET

# AWS checks the model's patterns (stream names, shard ids, hash keys, sequence numbers) with ValidationException
SERVICE: Service = Service(
    "kinesis", validation=Rules(style="coral", patterns=True), migrations=Path(__file__).parent / "migrations"
)
SERVICE.targets.append(TARGET)


@SERVICE.on_start
async def _start(runtime: Runtime) -> None:
    settings = Settings.from_env(os.environ)
    be = runtime.keep(KinesisBackend(runtime.store, runtime.clock, settings, runtime.deployment_secret))
    runtime.provide(KinesisReader, KinesisPort(be))  # Lambda event source mappings read streams through it
    # IAM enforcement reads stream/consumer policies and tags, cached: store.py notifies their changes
    authorizer(runtime).register("kinesis", be.resource_facts, notifies=True)
    runtime.spawn(maintain(runtime, be), "kinesis-maintenance")


@SERVICE.on_reset
async def _reset(runtime: Runtime) -> None:
    """POST /_gureum/reset emptied every table behind the store's cache and the backend's meters."""
    runtime.state(KinesisBackend).forget()
    await runtime.store.write(forget)


from . import ops_consumers, ops_records, ops_resources, ops_shards, ops_streams  # noqa: E402,F401  (register)
