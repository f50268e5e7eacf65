"""Lightsail container services: a service is ``scale`` nodes of ``power`` (engine memory and CPU limits), each
node the deployment's containers on the engine sharing one network namespace (localhost between them, as on AWS);
a deployment activates once every node's public endpoint container passes its health check (HTTP GET of the path,
``healthyThreshold`` times in a row, within a deadline), then replaces the previous one; a failed deployment leaves
the previous one serving. The public endpoint is a gureum listener on a loopback port (the service's ``url``)
forwarding round-robin to the healthy nodes; a supervisor keeps checking them and restarts a node's stopped
containers. Images: any the engine has or can pull (gureum's ECR with the account's credentials), and images
registered with RegisterContainerImage (":service.label.N").
"""

from __future__ import annotations

import asyncio
import datetime as dt
import functools
import logging
import uuid
from collections.abc import Callable, Coroutine
from dataclasses import dataclass, field
from typing import Any

from ...clock import Clock
from ...containers import EngineError
from ...store.base import Store
from . import store
from .backend import clean_tags
from .errors import InvalidInputException, NotFoundException, OperationFailureException
from .machines import Machines
from .proxy import Forwarder, http_ok
from .records import Records

log = logging.getLogger("gureum")
Spawn = Callable[[Coroutine[Any, Any, Any], str], Any]
PullAuth = Callable[[str, str, str], "dict[str, str] | None"]
KIND = "ContainerService"
LABEL = "gureum.lightsail.container-service"
IMAGE_REPO = "localhost/gureum-lightsail/registered"
# name → (vCPUs, GB of memory, monthly price): AWS's powers, each node's engine limits
POWERS = {
    "nano": (0.25, 0.5, 7.0),
    "micro": (0.25, 1.0, 10.0),
    "small": (0.5, 2.0, 25.0),
    "medium": (1.0, 4.0, 50.0),
    "large": (2.0, 8.0, 100.0),
    "xlarge": (4.0, 16.0, 200.0),
}
HEALTH_DEFAULTS: dict[str, Any] = {
    "healthyThreshold": 2,
    "unhealthyThreshold": 2,
    "timeoutSeconds": 2,
    "intervalSeconds": 5,
    "path": "/",
    "successCodes": "200-499",
}
ACTIVATION_SECONDS = 300.0  # a deployment whose nodes are not all healthy by then fails


@dataclass
class Node:
    containers: list[str]
    ip: str | None = None
    healthy: bool = False
    passes: int = 0
    fails: int = 0


@dataclass
class Running:
    """A service's nodes of its current deployment on this server, and the round-robin cursor."""

    version: int = 0
    nodes: list[Node] = field(default_factory=list)
    turn: int = 0
    endpoint: dict[str, Any] | None = None
    supervisor: asyncio.Task[Any] | None = None


def _key(account: str, region: str, name: str) -> str:
    return f"cs/{account}/{region}/{name}"


def _codes(spec: str) -> set[int]:
    found: set[int] = set()
    for part in spec.split(","):
        lo, _, hi = part.strip().partition("-")
        try:
            found.update(range(int(lo), int(hi or lo) + 1))
        except ValueError:
            raise InvalidInputException(
                f"successCodes {spec!r} is invalid: use codes and ranges like 200-499."
            ) from None
    return found


class ContainerServiceBackend:
    """Container services over the store and the engine (one method per operation, plain arguments)."""

    def __init__(
        self, store_: Store, clock: Clock, machines: Machines, forwarder: Forwarder, spawn: Spawn, pull_auth: PullAuth
    ) -> None:
        self._store = store_
        self._records = Records(store_)
        self._clock = clock
        self._machines = machines
        self._forwarder = forwarder
        self._spawn = spawn
        self._pull_auth = pull_auth
        self._running: dict[str, Running] = {}

    # --- records --------------------------------------------------------------------------------------------

    def _doc(self, region: str, body: dict[str, Any]) -> dict[str, Any]:
        deployments = {d["version"]: d for d in body["deployments"]}
        doc: dict[str, Any] = {
            "containerServiceName": body["name"],
            "arn": body["arn"],
            "createdAt": body["createdAt"],
            "location": {"availabilityZone": "all", "regionName": region},
            "resourceType": "ContainerService",
            "tags": body["tags"],
            "power": body["power"],
            "powerId": f"{body['power']}-1",
            "state": body["state"],
            "scale": body["scale"],
            "isDisabled": body["isDisabled"],
            "principalArn": "",
            "privateDomainName": f"{body['name']}.service.local",
            "url": body["url"],
            "privateRegistryAccess": {"ecrImagePullerRole": {"isActive": False, "principalArn": ""}},
        }
        # publicDomainNames is absent, as on AWS, for a service without custom domains (gureum supports none):
        # an empty map reads as one empty public_domain_names block to Terraform, a change on every plan
        if body.get("stateDetail"):
            doc["stateDetail"] = body["stateDetail"]
        if body.get("current") in deployments:
            doc["currentDeployment"] = _deployment_doc(deployments[body["current"]])
        if body.get("next") in deployments:
            doc["nextDeployment"] = _deployment_doc(deployments[body["next"]])
        return doc

    # --- operations -----------------------------------------------------------------------------------------

    def get_powers(self) -> dict[str, Any]:
        from .catalog import _host

        memory, cpus = _host()
        return {
            "powers": [
                {
                    "powerId": f"{name}-1",
                    "price": price,
                    "cpuCount": cpu,
                    "ramSizeInGb": ram,
                    "name": name,
                    "isActive": ram <= memory and cpu <= cpus,
                }  # fmt: skip
                for name, (cpu, ram, price) in POWERS.items()
            ]
        }

    async def create(
        self,
        account: str,
        region: str,
        name: str,
        power: str,
        scale: int,
        tags: list[dict[str, Any]] | None,
        deployment: dict[str, Any] | None,
        domains: dict[str, Any] | None,
    ) -> dict[str, Any]:
        if domains:
            raise InvalidInputException("Custom domains (publicDomainNames) are not supported by gureum.")
        ok = 1 <= len(name) <= 63 and name[0] != "-" and name[-1] != "-"
        if not ok or not all(ch.isascii() and (ch.islower() or ch.isdigit() or ch == "-") for ch in name):
            raise InvalidInputException(
                f"The container service name {name!r} is invalid: use 1 to 63 lowercase letters, numbers and dashes, "
                "not starting or ending with a dash."
            )
        if power not in POWERS:
            raise InvalidInputException(f"The power {power} is invalid: use one of {', '.join(POWERS)}.")
        if not 1 <= scale <= 20:
            raise InvalidInputException("scale must be between 1 and 20.")
        key = _key(account, region, name)
        port = await self._forwarder.open(key, "127.0.0.1", 0, functools.partial(self._pick, key), _anyone, listen=0)
        body: dict[str, Any] = {
            "name": name, "arn": f"arn:aws:lightsail:{region}:{account}:ContainerService/{uuid.uuid4()}",
            "createdAt": self._clock.now(), "power": power, "scale": scale, "isDisabled": False,
            "tags": clean_tags(tags), "state": "READY",
            "deployments": [], "current": None, "next": None, "port": port,
            "url": f"http://127.0.0.1:{port}/", "images": [], "imageSeq": 0,
        }  # fmt: skip
        try:
            await self._records.add(account, region, KIND, body)
        except InvalidInputException:
            await self._forwarder.close_all(key)
            raise
        if deployment:
            return {"containerService": await self.deploy(account, region, name, deployment.get("containers") or {},
                                                          deployment.get("publicEndpoint"))}  # fmt: skip
        return {"containerService": self._doc(region, body)}

    async def get(self, account: str, region: str, name: str | None) -> dict[str, Any]:
        if name is not None:
            return {"containerServices": [self._doc(region, await self._records.get(account, region, KIND, name))]}
        bodies = await self._store.read(functools.partial(store.listed, account=account, region=region, kind=KIND))
        return {"containerServices": [self._doc(region, body) for body in bodies]}

    async def deployments(self, account: str, region: str, name: str) -> dict[str, Any]:
        body = await self._records.get(account, region, KIND, name)
        return {"deployments": [_deployment_doc(d) for d in reversed(body["deployments"])]}

    async def deploy(
        self, account: str, region: str, name: str, containers: dict[str, Any], endpoint: dict[str, Any] | None
    ) -> dict[str, Any]:
        if not containers:
            raise InvalidInputException("A deployment needs at least one container.")
        for cname, spec in containers.items():
            if not spec.get("image"):
                raise InvalidInputException(f"The container {cname} has no image.")
        if endpoint is not None:
            target = containers.get(endpoint["containerName"])
            if target is None:
                raise InvalidInputException(
                    f"The public endpoint's container {endpoint['containerName']} is not in the deployment."
                )
            protocol = (target.get("ports") or {}).get(str(endpoint["containerPort"]))
            if protocol not in ("HTTP", "HTTPS"):
                raise InvalidInputException(
                    f"The public endpoint's port {endpoint['containerPort']} must be an HTTP or HTTPS port of "
                    f"{endpoint['containerName']}."
                )
            endpoint = {**endpoint, "healthCheck": {**HEALTH_DEFAULTS, **(endpoint.get("healthCheck") or {})}}
            _codes(endpoint["healthCheck"]["successCodes"])

        try:
            await self._machines.engine()
        except EngineError as exc:
            raise OperationFailureException(f"Container services run on a container engine: {exc}") from None

        def add(body: dict[str, Any]) -> None:
            if body["state"] == "DELETING":
                raise InvalidInputException(f"The container service {name} is being deleted.")
            version = max((d["version"] for d in body["deployments"]), default=0) + 1
            deployment = {"version": version, "state": "ACTIVATING", "containers": containers,
                          "createdAt": self._clock.now()}  # fmt: skip
            if endpoint is not None:
                deployment["publicEndpoint"] = endpoint
            for old in body["deployments"]:
                if old["version"] == body.get("next"):
                    old["state"] = "FAILED"  # superseded before it activated
            body["deployments"].append(deployment)
            body["next"], body["state"] = version, "DEPLOYING"
            body.pop("stateDetail", None)

        body = await self._records.mutate(account, region, KIND, name, add)
        version = body["next"]
        self._spawn(self._activate(account, region, name, version), f"lightsail-deploy-{name}-{version}")
        return self._doc(region, body)

    async def update(
        self, account: str, region: str, name: str, power: str | None, scale: int | None, disabled: bool | None,
        domains: dict[str, Any] | None,
    ) -> dict[str, Any]:  # fmt: skip
        if domains:
            raise InvalidInputException("Custom domains (publicDomainNames) are not supported by gureum.")
        if power is not None and power not in POWERS:
            raise InvalidInputException(f"The power {power} is invalid: use one of {', '.join(POWERS)}.")
        if scale is not None and not 1 <= scale <= 20:
            raise InvalidInputException("scale must be between 1 and 20.")

        def change(body: dict[str, Any]) -> None:
            if power is not None:
                body["power"] = power
            if scale is not None:
                body["scale"] = scale
            if disabled is not None:
                body["isDisabled"] = disabled
            if body["isDisabled"]:
                body["state"] = "DISABLED"
            elif body.get("current"):
                body["state"] = "UPDATING"
            else:
                body["state"] = "READY"

        body = await self._records.mutate(account, region, KIND, name, change)
        key = _key(account, region, name)
        if body["isDisabled"]:
            await self._stop_nodes(key)
        elif body.get("current"):  # the current deployment again on the new nodes
            self._spawn(
                self._activate(account, region, name, body["current"], redeploy=True), f"lightsail-update-{name}"
            )
        return {"containerService": self._doc(region, body)}

    async def delete(self, account: str, region: str, name: str) -> dict[str, Any]:
        body = await self._records.get(account, region, KIND, name)
        key = _key(account, region, name)
        await self._stop_nodes(key)
        await self._forwarder.close_all(key)
        for image in body["images"]:
            try:
                await self._machines.remove_image(image["local"])
            except EngineError:
                pass
        await self._store.write(functools.partial(store.delete, account=account, region=region, kind=KIND, name=name))
        return {}

    async def register_image(self, account: str, region: str, name: str, label: str, digest: str) -> dict[str, Any]:
        await self._records.get(account, region, KIND, name)
        try:
            engine = await self._machines.engine()
            found = await engine.inspect_image(digest) if digest and "/" not in digest else None
        except EngineError as exc:
            raise OperationFailureException(f"The container engine cannot be asked about {digest}: {exc}") from None
        if found is None:
            raise InvalidInputException(
                f"The image {digest} is not in the container engine: build or pull it there (or push it to gureum's "
                "ECR and deploy it by its ECR URI)."
            )
        seq: dict[str, int] = {}

        def number(body: dict[str, Any]) -> None:
            body["imageSeq"] += 1
            seq["n"] = body["imageSeq"]

        await self._records.mutate(account, region, KIND, name, number)
        tag = f"{name}.{label}.{seq['n']}"
        await engine.request("POST", f"/images/{found['Id']}/tag", params={"repo": IMAGE_REPO, "tag": tag})
        image = {"image": f":{tag}", "digest": str(found["Id"]), "createdAt": self._clock.now(),
                 "local": f"{IMAGE_REPO}:{tag}"}  # fmt: skip

        def add(body: dict[str, Any]) -> None:
            body["images"].append(image)

        await self._records.mutate(account, region, KIND, name, add)
        return {"containerImage": {k: image[k] for k in ("image", "digest", "createdAt")}}

    async def images(self, account: str, region: str, name: str) -> dict[str, Any]:
        body = await self._records.get(account, region, KIND, name)
        return {
            "containerImages": [{k: i[k] for k in ("image", "digest", "createdAt")} for i in reversed(body["images"])]
        }

    async def delete_image(self, account: str, region: str, name: str, image: str) -> dict[str, Any]:
        removed: list[dict[str, Any]] = []

        def drop(body: dict[str, Any]) -> None:
            removed.extend(i for i in body["images"] if i["image"] == image)
            body["images"] = [i for i in body["images"] if i["image"] != image]

        await self._records.mutate(account, region, KIND, name, drop)
        if not removed:
            raise NotFoundException(f"The container image does not exist: {image}")
        for found in removed:
            try:
                await self._machines.remove_image(found["local"])
            except EngineError as exc:  # in use by a running deployment: the engine keeps it
                log.info("lightsail: image %s kept: %s", found["local"], exc)
        return {}

    async def log(
        self, account: str, region: str, name: str, container: str, start: Any, end: Any, pattern: str | None
    ) -> dict[str, Any]:
        body = await self._records.get(account, region, KIND, name)
        if not any(container in d["containers"] for d in body["deployments"]):
            raise InvalidInputException(f"The container {container} is not in any deployment of {name}.")
        terms = [t for t in (pattern or "").split() if t]
        events: list[dict[str, Any]] = []
        try:
            engine = await self._machines.engine()
            ids = [
                c["Id"]
                for c in await engine.list_containers({LABEL: _key(account, region, name)})
                if (c.get("Labels") or {}).get(f"{LABEL}.container") == container
            ]
            lines = [line for cid in ids for line in await self._machines.log_lines(cid)]
        except EngineError as exc:
            raise OperationFailureException(f"The container engine cannot give {container}'s log: {exc}") from None
        for when, message in lines:
            if start is not None and when < _seconds(start):
                continue
            if end is not None and when > _seconds(end):
                continue
            if terms and not all(term.strip('"') in message for term in terms):
                continue
            events.append({"createdAt": when, "message": message})
        events.sort(key=lambda e: e["createdAt"])
        return {"logEvents": events[-10000:]}

    # --- nodes ----------------------------------------------------------------------------------------------

    def _pick(self, key: str) -> tuple[str, int] | None:
        running = self._running.get(key)
        if running is None or running.endpoint is None:
            return None
        healthy = [node for node in running.nodes if node.healthy and node.ip]
        if not healthy:
            return None
        running.turn = (running.turn + 1) % len(healthy)
        node = healthy[running.turn]
        assert node.ip is not None
        return node.ip, int(running.endpoint["containerPort"])

    async def _image(self, account: str, region: str, body: dict[str, Any], image: str) -> str:
        if image.startswith(":"):
            for found in body["images"]:
                if found["image"] == image:
                    return str(found["local"])
            raise InvalidInputException(f"The image {image} is not registered with {body['name']}.")
        engine = await self._machines.engine()
        if await engine.inspect_image(image) is None:
            try:
                await engine.pull(image, self._pull_auth(account, region, image))
            except EngineError as exc:
                raise InvalidInputException(f"CannotPullContainerError: {image}: {exc}") from None
        return image

    async def _start_node(
        self, account: str, region: str, body: dict[str, Any], deployment: dict[str, Any], index: int
    ) -> Node:
        engine = await self._machines.engine()
        cpu, ram, _ = POWERS[body["power"]]
        key = _key(account, region, body["name"])
        node = Node([])
        try:
            for cname, spec in deployment["containers"].items():
                image = await self._image(account, region, body, spec["image"])
                config: dict[str, Any] = {
                    "Image": image,
                    "Env": [f"{k}={v}" for k, v in (spec.get("environment") or {}).items()],
                    "Labels": {
                        LABEL: key,
                        f"{LABEL}.version": str(deployment["version"]),
                        f"{LABEL}.container": cname,
                        f"{LABEL}.node": str(index),
                    },  # fmt: skip
                    "HostConfig": {"Memory": int(ram * 2**30), "NanoCpus": int(cpu * 10**9)},
                }
                if spec.get("command"):
                    config["Cmd"] = list(spec["command"])
                if node.containers:  # one network namespace per node: its containers reach each other on localhost
                    config["HostConfig"]["NetworkMode"] = f"container:{node.containers[0]}"
                else:
                    config["Hostname"] = f"{body['name']}-{index}"
                cid = await engine.create_container(None, config)
                node.containers.append(cid)
                await engine.start_container(cid)
            node.ip = (await self._machines.seen(node.containers[0])).ip
        except Exception:
            for cid in node.containers:
                await engine.remove_container(cid)
            raise
        return node

    async def _check(self, node: Node, endpoint: dict[str, Any] | None) -> bool:
        """One health check of a node: its containers run and (with a public endpoint) the path answers with a
        success code."""
        for cid in node.containers:
            if not (await self._machines.seen(cid)).running:
                return False
        if endpoint is None:
            return True
        if node.ip is None:
            return False
        health = endpoint["healthCheck"]
        return await http_ok(node.ip, int(endpoint["containerPort"]), health["path"], _codes(health["successCodes"]),
                              float(health["timeoutSeconds"]))  # fmt: skip

    async def _activate(self, account: str, region: str, name: str, version: int, redeploy: bool = False) -> None:
        key = _key(account, region, name)
        nodes: list[Node] = []
        error = ""
        try:
            body = await self._records.get(account, region, KIND, name)
            deployment = next(d for d in body["deployments"] if d["version"] == version)
            endpoint = deployment.get("publicEndpoint")
            for index in range(body["scale"]):
                nodes.append(await self._start_node(account, region, body, deployment, index))
            health = (endpoint or {}).get("healthCheck") or HEALTH_DEFAULTS
            needed = int(health["healthyThreshold"]) if endpoint else 1
            interval = min(float(health["intervalSeconds"]), 1.0)  # checked at least every second while activating
            deadline = self._clock.monotonic() + ACTIVATION_SECONDS
            while True:
                for node in nodes:
                    ok = await self._check(node, endpoint)
                    node.passes = node.passes + 1 if ok else 0
                    node.healthy = node.passes >= needed
                    for cid in node.containers:
                        seen = await self._machines.seen(cid)
                        if not seen.running and seen.exit_code is not None:
                            raise RuntimeError(f"a container exited with code {seen.exit_code} {seen.error}".strip())
                if all(node.healthy for node in nodes):
                    break
                if self._clock.monotonic() > deadline:
                    raise RuntimeError(f"the nodes were not healthy within {ACTIVATION_SECONDS:.0f}s")
                current = await self._records.get(account, region, KIND, name)
                if current.get("next") != version and not redeploy:
                    raise RuntimeError("superseded by a newer deployment")
                await asyncio.sleep(interval)
        except NotFoundException:
            await self._remove(nodes)
            return
        except Exception as exc:
            error = str(exc)
            log.warning("lightsail: container service %s deployment %d failed: %s", name, version, error)
            await self._remove(nodes)
        if error:

            def failed(body: dict[str, Any]) -> None:
                for found in body["deployments"]:
                    if found["version"] == version and not redeploy:
                        found["state"] = "FAILED"
                if body.get("next") == version:
                    body["next"] = None
                body["state"] = "RUNNING" if body.get("current") else "READY"
                body["stateDetail"] = {"code": "UNKNOWN_ERROR", "message": f"Deployment {version} failed: {error}"}

            try:
                await self._records.mutate(account, region, KIND, name, failed)
            except NotFoundException:
                pass
            return
        old = self._running.get(key)
        self._running[key] = Running(version, nodes, 0, endpoint)
        if old is not None:
            if old.supervisor is not None:
                old.supervisor.cancel()
            await self._remove(old.nodes)

        def active(body: dict[str, Any]) -> None:
            for found in body["deployments"]:
                if found["version"] == version:
                    found["state"] = "ACTIVE"
                elif found["state"] == "ACTIVE":
                    found["state"] = "INACTIVE"
            body["current"] = version
            if body.get("next") == version:
                body["next"] = None
            body["state"] = "DISABLED" if body["isDisabled"] else "RUNNING"

        try:
            await self._records.mutate(account, region, KIND, name, active)
        except NotFoundException:
            await self._stop_nodes(key)
            return
        self._running[key].supervisor = self._spawn(self._supervise(key), f"lightsail-supervise-{name}")

    async def _supervise(self, key: str) -> None:
        """The running deployment's health checks at its interval: unhealthy nodes leave the rotation, stopped
        containers are started again."""
        while True:
            running = self._running.get(key)
            if running is None:
                return
            health = (running.endpoint or {}).get("healthCheck") or HEALTH_DEFAULTS
            await asyncio.sleep(float(health["intervalSeconds"]))
            for node in running.nodes:
                try:
                    ok = await self._check(node, running.endpoint)
                    if ok:
                        node.passes, node.fails = node.passes + 1, 0
                        node.healthy = node.healthy or node.passes >= int(health["healthyThreshold"])
                    else:
                        node.fails, node.passes = node.fails + 1, 0
                        if node.fails >= int(health["unhealthyThreshold"]):
                            node.healthy = False
                        for cid in node.containers:
                            seen = await self._machines.seen(cid)
                            if seen.exists and not seen.running:
                                await self._machines.start(cid)
                        node.ip = (await self._machines.seen(node.containers[0])).ip
                except EngineError as exc:
                    log.info("lightsail: health check of %s failed: %s", key, exc)

    async def _remove(self, nodes: list[Node]) -> None:
        for node in nodes:
            for cid in reversed(node.containers):
                try:
                    await self._machines.remove(cid)
                except EngineError:
                    pass

    async def _stop_nodes(self, key: str) -> None:
        running = self._running.pop(key, None)
        if running is None:
            return
        if running.supervisor is not None:
            running.supervisor.cancel()
        await self._remove(running.nodes)

    async def reconcile(self) -> None:
        """After a start: each service's listener on its remembered port, and its current deployment on fresh
        nodes (the previous server's nodes removed)."""
        for account, region, body in await self._store.read(functools.partial(store.every, kind=KIND)):
            key = _key(account, region, body["name"])
            try:
                engine = await self._machines.engine()
                for found in await engine.list_containers({LABEL: key}):
                    await engine.remove_container(found["Id"])
            except EngineError:
                pass
            port = await self._forwarder.open(
                key, "127.0.0.1", 0, functools.partial(self._pick, key), _anyone, listen=body["port"]
            )
            if port != body["port"]:

                def moved(found: dict[str, Any], port: int = port) -> None:
                    found["port"], found["url"] = port, f"http://127.0.0.1:{port}/"

                await self._records.mutate(account, region, KIND, body["name"], moved)
            if body.get("current") and not body["isDisabled"]:
                self._spawn(self._activate(account, region, body["name"], body["current"], redeploy=True),
                            f"lightsail-redeploy-{body['name']}")  # fmt: skip

    async def shutdown(self) -> None:
        for running in self._running.values():
            if running.supervisor is not None:
                running.supervisor.cancel()


def _anyone(peer: str) -> bool:
    return True


def _seconds(value: Any) -> float:
    if isinstance(value, dt.datetime):
        return value.timestamp()
    return float(value)


def _deployment_doc(deployment: dict[str, Any]) -> dict[str, Any]:
    doc = {k: deployment[k] for k in ("version", "state", "containers", "createdAt")}
    if deployment.get("publicEndpoint"):
        doc["publicEndpoint"] = deployment["publicEndpoint"]
    return doc
