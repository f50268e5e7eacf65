"""Amazon Kinesis Data Analytics for SQL applications (kinesisanalytics, JSON protocol): applications with
versions, inputs, outputs, reference data, the streaming SQL run on live records (DuckDB), the live view.

The package face: SERVICE (v1's operations in ops_applications.py, the live view at /_gureum/analytics/<app>) and
its lifespan: AnalyticsBackend kept at start (backend.py), offered to kinesisanalyticsv2 as the
AnalyticsApplications port, and the runner manager (runner.py) that runs started applications on the leader node.
"""

from __future__ import annotations

from pathlib import Path

from ... import ports
from ...runtime import Runtime
from .. import Service
from .backend import AnalyticsBackend
from .runner import Runners
from .view import PREFIX, live_view

SERVICE: Service = Service("kinesisanalytics", migrations=Path(__file__).parent / "migrations")
SERVICE.admin_routes[("GET", PREFIX + "*")] = live_view


@SERVICE.on_start
async def _start(runtime: Runtime) -> None:
    be = runtime.keep(
        AnalyticsBackend(
            runtime.store,
            runtime.clock,
            lambda: runtime.optional_port(ports.KinesisReader),
            lambda: runtime.optional_port(ports.LambdaInvoker),
            lambda: runtime.optional_port(ports.S3Objects),
            lambda: runtime.optional_port(ports.FirehoseTap),
        )
    )
    runtime.provide(ports.AnalyticsApplications, be)
    runners = runtime.keep(Runners(runtime, be))
    runtime.spawn(runners.run(), "kinesisanalytics-runners")


from . import ops_applications  # noqa: E402,F401  (register)
