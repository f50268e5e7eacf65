"""Lightsail load balancers: a gureum listener on the load balancer's own loopback address (its dnsName, port 80)
forwarding each connection round-robin to the attached instances that pass the health check (HTTP GET of
``healthCheckPath`` on ``instancePort`` at the instance's private address, every GUREUM_LIGHTSAIL_HEALTH_SECONDS;
healthy on a pass, unhealthy after two failures in a row). HTTP only: TLS certificates are refused.
"""

from __future__ import annotations

import asyncio
import functools
import logging
import random
import uuid
from collections.abc import Callable, Coroutine
from dataclasses import dataclass, field
from typing import Any

from ...clock import Clock
from ...store.base import Store, Tx
from . import store
from .backend import check_name, clean_tags
from .errors import InvalidInputException
from .proxy import Forwarder, http_ok
from .records import Records, existing

log = logging.getLogger("gureum")
Spawn = Callable[[Coroutine[Any, Any, Any], str], Any]
InstanceAddress = Callable[[str, str, str], "str | None"]  # (account, region, instance) → private IP when running
KIND = "LoadBalancer"
_UNHEALTHY_AFTER = 2


@dataclass
class Health:
    state: str = "initial"
    reason: str = "Lb.InitialHealthChecking"
    fails: int = 0


@dataclass
class Balancing:
    """A load balancer's health view on this server."""

    health: dict[str, Health] = field(default_factory=dict)
    turn: int = 0
    port: int = 0  # the instances' port
    task: asyncio.Task[Any] | None = None


def _key(account: str, region: str, name: str) -> str:
    return f"lb/{account}/{region}/{name}"


def _anyone(peer: str) -> bool:
    return True


class LoadBalancerBackend:
    def __init__(
        self, store_: Store, clock: Clock, forwarder: Forwarder, spawn: Spawn, address: InstanceAddress, every: float
    ) -> None:
        self._store = store_
        self._records = Records(store_)
        self._clock = clock
        self._forwarder = forwarder
        self._spawn = spawn
        self._address = address
        self._every = every
        self._balancing: dict[str, Balancing] = {}

    def _operation(self, region: str, resource: str, kind: str, op_type: str) -> dict[str, Any]:
        now = self._clock.now()
        return {
            "id": str(uuid.uuid4()), "resourceName": resource, "resourceType": kind, "createdAt": now,
            "location": {"availabilityZone": "all", "regionName": region}, "isTerminal": True,
            "operationDetails": "", "operationType": op_type, "status": "Succeeded", "statusChangedAt": now,
        }  # fmt: skip

    async def _record(self, account: str, region: str, ops: list[dict[str, Any]]) -> list[dict[str, Any]]:
        def put(tx: Tx) -> None:
            for op in ops:
                store.put_operation(tx, account, region, op)

        await self._store.write(put)
        return ops

    def _doc(self, account: str, region: str, body: dict[str, Any]) -> dict[str, Any]:
        balancing = self._balancing.get(_key(account, region, body["name"]))
        summary = []
        for instance in body["instances"]:
            health = (
                balancing.health.get(instance, Health()) if balancing else Health("unavailable", "Lb.InternalError")
            )
            summary.append(
                {"instanceName": instance, "instanceHealth": health.state, "instanceHealthReason": health.reason}
            )
        impaired = any(item["instanceHealth"] != "healthy" for item in summary)
        moved = self._forwarder.bound(_key(account, region, body["name"])).get(80, 80)
        return {
            "name": body["name"], "arn": body["arn"], "supportCode": body["supportCode"],
            "createdAt": body["createdAt"], "location": {"availabilityZone": "all", "regionName": region},
            "resourceType": "LoadBalancer",
            "tags": body["tags"], "dnsName": body["address"] if moved == 80 else f"{body['address']}:{moved}",
            "state": "active_impaired" if impaired and summary else "active", "protocol": "HTTP", "publicPorts": [80],
            "healthCheckPath": body["healthCheckPath"], "instancePort": body["instancePort"],
            "instanceHealthSummary": summary, "tlsCertificateSummaries": [], "configurationOptions": {},
            "ipAddressType": body.get("ipAddressType", "ipv4"), "httpsRedirectionEnabled": False,
        }  # fmt: skip

    async def create(
        self, account: str, region: str, name: str, port: int, path: str | None, certificate: str | None,
        tags: list[dict[str, Any]] | None, ip_type: str | None,
    ) -> dict[str, Any]:  # fmt: skip
        check_name(name, "load balancer name")
        if certificate:
            raise InvalidInputException("TLS certificates are not supported by gureum: load balancers serve HTTP.")
        # AWS's default is dualstack; gureum listens on an IPv4 address, which serves ipv4 and dualstack clients
        ip_type = ip_type or "dualstack"
        if ip_type not in ("ipv4", "dualstack"):
            raise InvalidInputException(
                f"The IP address type {ip_type} is not supported: gureum's load balancers listen on IPv4 addresses."
            )
        if not 0 < port < 65536:
            raise InvalidInputException(f"The instance port {port} is invalid.")
        path = path or "/"
        if not path.startswith("/"):
            raise InvalidInputException("healthCheckPath must start with /.")
        used = await self._store.read(store.used_addresses)
        address = ""
        while not address or address in used:
            address = f"127.79.{random.SystemRandom().randrange(256)}.{random.SystemRandom().randrange(1, 255)}"
        uid = str(uuid.uuid4())
        body: dict[str, Any] = {
            "name": name, "arn": f"arn:aws:lightsail:{region}:{account}:LoadBalancer/{uid}",
            "supportCode": f"{account}/{uid[:13]}", "createdAt": self._clock.now(), "tags": clean_tags(tags),
            "address": address, "instancePort": port, "healthCheckPath": path, "instances": [],
            "ipAddressType": ip_type,
        }  # fmt: skip
        await self._records.add(account, region, KIND, body)
        await self._serve(account, region, body)
        return {
            "operations": await self._record(
                account, region, [self._operation(region, name, KIND, "CreateLoadBalancer")]
            )
        }

    async def _serve(self, account: str, region: str, body: dict[str, Any]) -> None:
        key = _key(account, region, body["name"])
        balancing = self._balancing.setdefault(key, Balancing())
        balancing.port = int(body["instancePort"])
        await self._forwarder.open(
            key, body["address"], 80, functools.partial(self._pick, account, region, key), _anyone
        )
        if balancing.task is None:
            balancing.task = self._spawn(
                self._check_loop(account, region, body["name"]), f"lightsail-lb-{body['name']}"
            )

    def _pick(self, account: str, region: str, key: str) -> tuple[str, int] | None:
        balancing = self._balancing.get(key)
        if balancing is None:
            return None
        healthy = [name for name, health in balancing.health.items() if health.state == "healthy"]
        if not healthy:
            return None
        balancing.turn = (balancing.turn + 1) % len(healthy)
        address = self._address(account, region, healthy[balancing.turn])
        return (address, balancing.port) if address else None

    async def _check_loop(self, account: str, region: str, name: str) -> None:
        key = _key(account, region, name)
        while key in self._balancing:
            try:
                await self._check(account, region, name)
            except Exception as exc:  # the next pass tries again
                if "does not exist" in str(exc):
                    return
                log.info("lightsail: load balancer %s health checks: %s", name, exc)
            await asyncio.sleep(self._every)

    async def _check(self, account: str, region: str, name: str) -> None:
        body = await self._records.get(account, region, KIND, name)
        key = _key(account, region, name)
        balancing = self._balancing.get(key)
        if balancing is None:
            return
        balancing.port = int(body["instancePort"])
        for gone in [n for n in balancing.health if n not in body["instances"]]:
            del balancing.health[gone]
        for instance in body["instances"]:
            health = balancing.health.setdefault(instance, Health())
            address = self._address(account, region, instance)
            if address is None:
                health.state, health.reason, health.fails = "unavailable", "Instance.InvalidState", _UNHEALTHY_AFTER
                continue
            ok = await http_ok(address, int(body["instancePort"]), body["healthCheckPath"], set(range(200, 400)), 5)
            if ok:
                health.state, health.reason, health.fails = "healthy", "", 0
                continue
            health.fails += 1
            if health.fails >= _UNHEALTHY_AFTER or health.state == "initial":
                health.state, health.reason = "unhealthy", "Instance.FailedHealthChecks"

    async def attach(self, account: str, region: str, name: str, instances: list[str]) -> dict[str, Any]:
        def run(tx: Tx) -> None:
            body = existing(tx, account, region, KIND, name)
            for instance in instances:
                existing(tx, account, region, "Instance", instance)
            body["instances"] = list(dict.fromkeys([*body["instances"], *instances]))
            store.update(tx, account, region, KIND, name, body)

        await self._store.write(run)
        await self._check(account, region, name)
        ops = [self._operation(region, name, KIND, "AttachInstancesToLoadBalancer")]
        ops += [self._operation(region, i, "Instance", "AttachInstancesToLoadBalancer") for i in instances]
        return {"operations": await self._record(account, region, ops)}

    async def detach(self, account: str, region: str, name: str, instances: list[str]) -> dict[str, Any]:
        def run(tx: Tx) -> None:
            body = existing(tx, account, region, KIND, name)
            missing = [i for i in instances if i not in body["instances"]]
            if missing:
                raise InvalidInputException(f"Instances not attached to {name}: {', '.join(missing)}")
            body["instances"] = [i for i in body["instances"] if i not in instances]
            store.update(tx, account, region, KIND, name, body)

        await self._store.write(run)
        await self._check(account, region, name)
        ops = [self._operation(region, name, KIND, "DetachInstancesFromLoadBalancer")]
        ops += [self._operation(region, i, "Instance", "DetachInstancesFromLoadBalancer") for i in instances]
        return {"operations": await self._record(account, region, ops)}

    async def get(self, account: str, region: str, name: str | None) -> dict[str, Any]:
        if name is not None:
            return {"loadBalancer": self._doc(account, region, await self._records.get(account, region, KIND, name))}
        bodies = await self._store.read(functools.partial(store.listed, account=account, region=region, kind=KIND))
        return {"loadBalancers": [self._doc(account, region, body) for body in bodies]}

    async def update_attribute(
        self, account: str, region: str, name: str, attribute: str, value: str
    ) -> dict[str, Any]:
        if attribute != "HealthCheckPath":
            raise InvalidInputException(
                f"The attribute {attribute} is not supported by gureum: only HealthCheckPath is."
            )
        if not value.startswith("/"):
            raise InvalidInputException("HealthCheckPath must start with /.")

        def run(tx: Tx) -> None:
            body = existing(tx, account, region, KIND, name)
            body["healthCheckPath"] = value
            store.update(tx, account, region, KIND, name, body)

        await self._store.write(run)
        return {
            "operations": await self._record(
                account, region, [self._operation(region, name, KIND, "UpdateLoadBalancerAttribute")]
            )
        }

    async def delete(self, account: str, region: str, name: str) -> dict[str, Any]:
        await self._records.get(account, region, KIND, name)
        await self._store.write(functools.partial(store.delete, account=account, region=region, kind=KIND, name=name))
        key = _key(account, region, name)
        balancing = self._balancing.pop(key, None)
        if balancing is not None and balancing.task is not None:
            balancing.task.cancel()
        await self._forwarder.close_all(key)
        return {
            "operations": await self._record(
                account, region, [self._operation(region, name, KIND, "DeleteLoadBalancer")]
            )
        }

    async def reconcile(self) -> None:
        for account, region, body in await self._store.read(functools.partial(store.every, kind=KIND)):
            try:
                await self._serve(account, region, body)
            except OSError as exc:
                log.warning("lightsail: load balancer %s cannot be served here: %s", body["name"], exc)

    async def shutdown(self) -> None:
        for balancing in self._balancing.values():
            if balancing.task is not None:
                balancing.task.cancel()
