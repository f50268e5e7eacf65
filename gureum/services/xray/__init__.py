"""AWS X-Ray over rest-json: the trace store every service's hops write to (gureum.tracing's Recorder, kept here
at start and flushed into this service's tables off the request path) and the read API over it; the web console
at /_gureum/ui (console.py) draws the same traces.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

from ...runtime import Runtime
from ...tracing import Recorder
from ...tracing.recorder import Record
from .. import Service
from . import daemon
from .backend import XRayBackend
from .console import ROUTES

SERVICE: Service = Service("xray", migrations=Path(__file__).parent / "migrations")
SERVICE.admin_routes.update(ROUTES)  # each answers 404 under --no-ui


@SERVICE.on_start
async def _start(runtime: Runtime) -> None:
    config = runtime.config
    holder: list[XRayBackend] = []

    async def flush(records: list[Record]) -> None:
        await holder[0].flush(records)

    recorder = runtime.keep(Recorder(runtime.clock, flush, enabled=config.tracing))
    holder.append(runtime.keep(XRayBackend(runtime.store, runtime.clock, recorder, config.trace_retention)))
    runtime.spawn(recorder.run(), "xray-recorder")
    if config.tracing:  # the daemon functions' X-Ray SDKs send to (AWS_XRAY_DAEMON_ADDRESS)
        transport, recorder.daemon_address = await daemon.listen(holder[0].put_trace_segments)
        runtime.keep(_Daemon(transport))


class _Daemon:
    def __init__(self, transport: asyncio.DatagramTransport) -> None:
        self.transport = transport


@SERVICE.on_stop
async def _stop(runtime: Runtime) -> None:
    held = runtime.state_or_none(_Daemon)
    if held is not None:
        held.transport.close()


from . import ops_groups, ops_sampling, ops_settings, ops_traces  # noqa: E402,F401  (register)
