"""Amazon Data Firehose over the JSON protocol (application/x-amz-json-1.1, target Firehose_20150804).

The package face: SERVICE (operations registered by ops_*.py, the "firehose" delivery target) and its lifespan:
FirehoseBackend kept at start (backend.py), the flusher (flushing.py) and the Kinesis source readers
(kinesis_source.py), both on the leader node only, and the tap (tap.py, the FirehoseTap port) Kinesis Data Analytics
reads delivery streams through. Settings come from GUREUM_FIREHOSE_* variables (limits.Settings).
"""

from __future__ import annotations

import os
from pathlib import Path

from ... import ports
from ...aws.validate import Rules
from ...runtime import Runtime
from .. import Service
from .backend import FirehoseBackend
from .flushing import Flusher
from .kinesis_source import KinesisSources
from .limits import Settings
from .store import CHANNEL
from .tap import Tap
from .target import TARGET

# the model's patterns AWS checks with ValidationException; not Url's (https:// only at AWS: http:// is accepted
# here for local endpoints)
SERVICE: Service = Service(
    "firehose",
    validation=Rules(
        style="coral",
        patterns=True,
        pattern_members=frozenset(
            {
                "DeliveryStreamName",
                "BucketARN",
                "RoleARN",
                "KinesisStreamARN",
                "CurrentDeliveryStreamVersionId",
                "DestinationId",
                "FileExtension",
                "CustomTimeZone",
                "KeyARN",
                "ExclusiveStartDeliveryStreamName",
            }
        ),
    ),  # fmt: skip
    migrations=Path(__file__).parent / "migrations",
)
SERVICE.targets.append(TARGET)


@SERVICE.on_start
async def _start(runtime: Runtime) -> None:
    be = runtime.keep(FirehoseBackend(runtime.store, runtime.clock, Settings.from_env(os.environ)))
    sources = KinesisSources(runtime, be)
    be.kinesis_exists = sources.exists
    tap = runtime.keep(Tap(runtime.store, runtime.clock))
    runtime.provide(ports.FirehoseTap, tap)

    def changed(payload: str) -> None:
        be.wake.set()
        tap.notify(payload)
        if payload == "*":  # a stream was created, changed or deleted (not just records accepted)
            sources.wake.set()

    runtime.store.subscribe(CHANNEL, changed)
    flusher = runtime.keep(Flusher(runtime, be))
    runtime.spawn(flusher.run(), "firehose-flusher")
    runtime.spawn(sources.run(), "firehose-kinesis-sources")


@SERVICE.on_stop
async def _stop(runtime: Runtime) -> None:
    flusher = runtime.state_or_none(Flusher)
    if flusher is not None:
        flusher.jq.close()


@SERVICE.on_reset
async def _reset(runtime: Runtime) -> None:
    """POST /_gureum/reset emptied every table: the flusher forgets its retry times."""
    flusher = runtime.state_or_none(Flusher)
    if flusher is not None:
        flusher.retry_at.clear()


from . import ops_records, ops_streams  # noqa: E402,F401  (register)
