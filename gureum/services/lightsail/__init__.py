"""Amazon Lightsail over the JSON protocol (botocore "lightsail"): key pairs, instances that are real Debian system
containers on the engine gureum.containers finds (SSH with the key pair, user data at first boot, public ports on a
loopback public address, start/stop keeping the disk), static IPs, instance snapshots as engine commits, tags and
AWS's operation records; container services (deployments of engine containers behind a loopback URL, health
checks, logs); load balancers (an HTTP proxy over the attached instances, health-checked). Databases, disks and
domains are refused by name.
"""

from __future__ import annotations

import asyncio
import logging
import os
from pathlib import Path

from ...containers import engine_state
from ...ports import ImageRegistry
from ...runtime import Runtime
from .. import Service
from .backend import LightsailBackend
from .container_services import ContainerServiceBackend
from .loadbalancers import LoadBalancerBackend
from .machines import Machines
from .proxy import Forwarder

SERVICE: Service = Service("lightsail", migrations=Path(__file__).parent / "migrations")
log = logging.getLogger("gureum")
_LEADER_ROLE = "lightsail-engine"


@SERVICE.on_start
async def _start(runtime: Runtime) -> None:
    def pull_auth(account: str, region: str, image: str) -> dict[str, str] | None:
        registry = runtime.optional_port(ImageRegistry)
        return registry.pull_auth(account, region, image) if registry is not None else None

    machines, forwarder = Machines(engine_state(runtime)), Forwarder()
    be = runtime.keep(LightsailBackend(runtime.store, runtime.clock, machines, forwarder, runtime.spawn))
    services = runtime.keep(
        ContainerServiceBackend(runtime.store, runtime.clock, machines, forwarder, runtime.spawn, pull_auth)
    )
    every = float(os.environ.get("GUREUM_LIGHTSAIL_HEALTH_SECONDS", "5"))  # load balancers' health checks
    balancers = runtime.keep(
        LoadBalancerBackend(runtime.store, runtime.clock, forwarder, runtime.spawn, be.instance_address, every)
    )
    runtime.spawn(_reconcile(runtime, be, services, balancers), "lightsail-reconcile")


async def _reconcile(
    runtime: Runtime, be: LightsailBackend, services: ContainerServiceBackend, balancers: LoadBalancerBackend
) -> None:
    """Once this node leads Lightsail (at once on SQLite; one PostgreSQL node at a time): instances and container
    services brought back to what the store records, on this machine's engine."""
    while not await runtime.store.is_leader(_LEADER_ROLE):
        await asyncio.sleep(2)
    await be.reconcile()
    await services.reconcile()
    await balancers.reconcile()


@SERVICE.on_stop
async def _stop(runtime: Runtime) -> None:
    balancers = runtime.state_or_none(LoadBalancerBackend)
    if balancers is not None:
        await balancers.shutdown()
    services = runtime.state_or_none(ContainerServiceBackend)
    if services is not None:
        await services.shutdown()
    be = runtime.state_or_none(LightsailBackend)
    if be is not None:
        await be.shutdown()


from . import (  # noqa: E402,F401  (register)
    ops_container_services,
    ops_instances,
    ops_keys,
    ops_loadbalancers,
    ops_network,
    ops_refused,
    ops_snapshots,
)
