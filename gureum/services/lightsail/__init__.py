"""Amazon Lightsail over the JSON protocol (botocore "lightsail"): key pairs, instances that are real Debian system
containers on the engine gureum.containers finds (SSH with the key pair, user data at first boot, public ports on a
loopback public address, start/stop keeping the disk), static IPs, instance snapshots as engine commits, tags and
AWS's operation records. Databases, load balancers, disks, domains and container services are refused by name.
"""

from __future__ import annotations

import logging
from pathlib import Path

from ...containers import engine_state
from ...runtime import Runtime
from .. import Service
from .backend import LightsailBackend
from .machines import Machines
from .proxy import Forwarder

SERVICE: Service = Service("lightsail", migrations=Path(__file__).parent / "migrations")
log = logging.getLogger("gureum")


@SERVICE.on_start
async def _start(runtime: Runtime) -> None:
    be = runtime.keep(
        LightsailBackend(runtime.store, runtime.clock, Machines(engine_state(runtime)), Forwarder(), runtime.spawn)
    )
    runtime.spawn(be.reconcile(), "lightsail-reconcile")


@SERVICE.on_stop
async def _stop(runtime: Runtime) -> None:
    be = runtime.state_or_none(LightsailBackend)
    if be is not None:
        await be.shutdown()


from . import ops_instances, ops_keys, ops_network, ops_refused, ops_snapshots  # noqa: E402,F401  (register)
