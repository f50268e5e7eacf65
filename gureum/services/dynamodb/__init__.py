"""Amazon DynamoDB over the JSON protocol (application/x-amz-json-1.0, X-Amz-Target DynamoDB_20120810.*).

The package face: SERVICE (operations registered by ops_*.py) and its lifespan: DynamoBackend kept at start
(backend.py; it is the DynamoDbStreams port the dynamodbstreams package serves), PartiqlBackend, BackupBackend,
ReplicationBackend, TransferBackend (exports to and imports from S3) and PolicyBackend (resource policies,
contributor insights) beside it, every operation wrapped in access.guard (calls on another account's table), and
the TTL, stream and point-in-time log sweeps and the export/import worker (maintenance.py). Settings come from
GUREUM_DYNAMODB_* variables (limits.Settings): GUREUM_DYNAMODB_DELAY (seconds a new table, index or backup stays
CREATING, an updated one UPDATING; default 0), GUREUM_DYNAMODB_TTL_SWEEP_SECONDS (how often expired items are
deleted and stream shards rolled; default 30), GUREUM_DYNAMODB_SHARD_SECONDS (how long a stream's shard takes
records before the leader closes it and opens its child; default 14400, AWS's four hours),
GUREUM_DYNAMODB_INCREMENTAL_MIN_SECONDS (the shortest incremental export period; default
900, AWS's)."""

from __future__ import annotations

import os
from pathlib import Path

from ...aws.authorize import authorizer
from ...aws.validate import Rules
from ...ports import DynamoDbStreams, KinesisReader, S3Objects
from ...runtime import Runtime
from .. import Service
from .backend import DynamoBackend
from .backend_backups import BackupBackend
from .backend_partiql import PartiqlBackend
from .backend_policies import PolicyBackend
from .backend_replication import ReplicationBackend
from .backend_transfers import TransferBackend
from .limits import Settings
from .maintenance import maintain, transfers
from .store import forget

SERVICE: Service = Service("dynamodb", validation=Rules(style="coral"), migrations=Path(__file__).parent / "migrations")


@SERVICE.on_start
async def _start(runtime: Runtime) -> None:
    be = runtime.keep(
        DynamoBackend(runtime.store, runtime.clock, Settings.from_env(os.environ), runtime.deployment_secret)
    )
    runtime.keep(PartiqlBackend(be))
    runtime.keep(BackupBackend(be))
    policies = runtime.keep(PolicyBackend(be))
    authorizer(runtime).register("dynamodb", policies.resource_policy)  # IAM enforcement reads table policies
    be.outbox = runtime.delivery  # Kinesis streaming destinations' records go out with their change

    async def stream_exists(stream_arn: str) -> bool:
        reader = runtime.optional_port(KinesisReader)  # looked up per call: Kinesis may start after DynamoDB
        return reader is not None and await reader.shards(stream_arn) is not None

    runtime.keep(ReplicationBackend(be)).stream_exists = stream_exists
    runtime.provide(DynamoDbStreams, be)
    runtime.spawn(maintain(runtime, be), "dynamodb-ttl")
    # S3 looked up per job: it may start after DynamoDB
    worker = runtime.keep(TransferBackend(be, lambda: runtime.optional_port(S3Objects)))
    runtime.spawn(transfers(runtime, worker), "dynamodb-transfers")


@SERVICE.on_reset
async def _reset(runtime: Runtime) -> None:
    """POST /_gureum/reset emptied every table behind the store's cache."""
    await runtime.store.write(forget)


from . import (  # noqa: E402,F401  (register)
    ops_backups,
    ops_batch,
    ops_items,
    ops_partiql,
    ops_policies,
    ops_query,
    ops_replication,
    ops_tables,
    ops_transfers,
)
from .access import guard  # noqa: E402

SERVICE.ops.update({name: guard(handler) for name, handler in SERVICE.ops.items()})  # cross-account: access.py
