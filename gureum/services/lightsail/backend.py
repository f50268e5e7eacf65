"""LightsailBackend: key pairs, instances (system containers on the engine, machines.py), their public ports
(listeners on the instance's loopback public address, proxy.py), static IPs, instance snapshots (engine commits),
tags and AWS's operation records — one method per operation with plain arguments, kept by the start hook and
reached with backend(ctx). Instances' records live in the store; what the engine runs is reconciled with them at
start.
"""

from __future__ import annotations

import asyncio
import base64
import functools
import ipaddress
import logging
import random
import uuid
from collections.abc import Callable, Coroutine
from typing import Any

from ...aws.context import RequestContext
from ...clock import Clock
from ...containers import EngineError
from ...store.base import Store, Tx
from . import blueprint, catalog, keys, store
from .errors import InvalidInputException, NotFoundException, OperationFailureException, in_use
from .machines import SNAPSHOT_REPO, FileSpec, Machines
from .proxy import Forwarder
from .records import Records, existing

log = logging.getLogger("gureum")
Spawn = Callable[[Coroutine[Any, Any, Any], str], Any]
Mutation = Callable[[dict[str, Any]], None]

DEFAULT_KEY = "LightsailDefaultKeyPair"
STATES = {"pending": 0, "running": 16, "shutting-down": 32, "terminated": 48, "stopping": 64, "stopped": 80}
DEFAULT_PORTS = ((22, 22), (80, 80))
SSH_WAIT = 120.0  # seconds an instance may take to answer on port 22 after its container started
ACCESS_SECONDS = 12 * 3600  # AWS's temporary SSH certificates are valid for about 12 hours
_MAX_RANGE = 256  # ports one port range may open (one listener each)


def backend(ctx: RequestContext) -> LightsailBackend:
    return ctx.runtime.state(LightsailBackend)


def _location(region: str, zone: str | None = None) -> dict[str, str]:
    return {"availabilityZone": zone or f"{region}a", "regionName": region}


def check_name(name: str, what: str = "name") -> None:
    """AWS's resource name pattern: \\w[\\w\\-]*\\w (letters, digits, underscores and dashes; not starting or ending
    with a dash), at most 255 characters."""

    def word(ch: str) -> bool:
        return ch.isascii() and (ch.isalnum() or ch == "_")

    if (
        not 2 <= len(name) <= 255
        or not word(name[0])
        or not word(name[-1])
        or not all(word(c) or c == "-" for c in name)
    ):
        raise InvalidInputException(
            f"The {what} {name!r} is invalid: use 2 to 255 letters, numbers, underscores and dashes, starting and "
            "ending with a letter, number or underscore."
        )


def clean_tags(tags: list[dict[str, Any]] | None) -> list[dict[str, str]]:
    """Tags as Lightsail keeps them (a key once, the last value given); InvalidInputException for a tag without a
    key or more than 50."""
    found: dict[str, str] = {}
    for tag in tags or []:
        if not tag.get("key"):
            raise InvalidInputException("Each tag needs a key.")
        found[str(tag["key"])] = str(tag.get("value", ""))
    if len(found) > 50:
        raise InvalidInputException("A resource can have at most 50 tags.")
    return [{"key": key, "value": value} for key, value in found.items()]


class LightsailBackend:
    def __init__(self, store_: Store, clock: Clock, machines: Machines, forwarder: Forwarder, spawn: Spawn) -> None:
        self._store = store_
        self._records = Records(store_)
        self._clock = clock
        self.machines = machines
        self._forwarder = forwarder
        self._spawn = spawn
        self._targets: dict[str, str | None] = {}  # instance key → container IP (None: not running)

    # --- records --------------------------------------------------------------------------------------------

    def _arn(self, account: str, region: str, kind: str) -> tuple[str, str]:
        uid = str(uuid.uuid4())
        return f"arn:aws:lightsail:{region}:{account}:{kind}/{uid}", f"{account}/{uid[:13]}"

    def _operation(
        self, account: str, region: str, resource: str, kind: str, op_type: str, status: str, details: str = ""
    ) -> dict[str, Any]:
        now = self._clock.now()
        return {
            "id": str(uuid.uuid4()),
            "resourceName": resource,
            "resourceType": kind,
            "createdAt": now,
            "location": _location(region),
            "isTerminal": status in ("Succeeded", "Failed", "Completed"),
            "operationDetails": details,
            "operationType": op_type,
            "status": status,
            "statusChangedAt": now,
        }

    async def _record(self, account: str, region: str, op: dict[str, Any]) -> dict[str, Any]:
        await self._store.write(functools.partial(store.put_operation, account=account, region=region, body=op))
        return op

    async def _finish(
        self, account: str, region: str, op: dict[str, Any], error: str | None = None, code: str = ""
    ) -> None:
        done = dict(op, status="Failed" if error else "Succeeded", isTerminal=True, statusChangedAt=self._clock.now())
        if error:
            done["errorCode"], done["errorDetails"] = code or "OperationFailure", error
        await self._record(account, region, done)

    async def _need_engine(self) -> None:
        """OperationFailureException naming what to install when no container engine answers."""
        try:
            await self.machines.engine()
        except EngineError as exc:
            raise OperationFailureException(f"Instances run on a container engine: {exc}") from None

    def _background(self, coro: Coroutine[Any, Any, Any], name: str) -> None:
        self._spawn(coro, name)

    # --- key pairs ------------------------------------------------------------------------------------------

    def _key_doc(self, region: str, body: dict[str, Any]) -> dict[str, Any]:
        return {
            "name": body["name"],
            "arn": body["arn"],
            "supportCode": body["supportCode"],
            "createdAt": body["createdAt"],
            "location": _location(region),
            "resourceType": "KeyPair",
            "tags": body.get("tags", []),
            "fingerprint": body["fingerprint"],
        }

    async def _add_key(self, account: str, region: str, body: dict[str, Any]) -> None:
        await self._records.add(account, region, "KeyPair", body)

    async def create_key_pair(
        self, account: str, region: str, name: str, tags: list[dict[str, Any]] | None
    ) -> dict[str, Any]:
        check_name(name, "key pair name")
        if name == DEFAULT_KEY:
            raise InvalidInputException(f"{DEFAULT_KEY} is reserved: call DownloadDefaultKeyPair for it.")
        material = await asyncio.to_thread(keys.create_rsa, name)
        arn, support = self._arn(account, region, "KeyPair")
        body = {
            "name": name, "arn": arn, "supportCode": support, "createdAt": self._clock.now(), "tags": clean_tags(tags),
            "fingerprint": material.fingerprint, "publicKey": material.public,
        }  # fmt: skip
        await self._add_key(account, region, body)
        op = await self._record(
            account, region, self._operation(account, region, name, "KeyPair", "CreateKeyPair", "Succeeded")
        )
        return {
            "keyPair": self._key_doc(region, body),
            "publicKeyBase64": material.public,
            "privateKeyBase64": material.private,
            "operation": op,
        }

    async def import_key_pair(self, account: str, region: str, name: str, public_key: str) -> dict[str, Any]:
        check_name(name, "key pair name")
        if name == DEFAULT_KEY:
            raise InvalidInputException(f"{DEFAULT_KEY} is reserved.")
        text = _maybe_base64(public_key)
        line, fingerprint = keys.imported(text)
        arn, support = self._arn(account, region, "KeyPair")
        body = {
            "name": name, "arn": arn, "supportCode": support, "createdAt": self._clock.now(), "tags": [],
            "fingerprint": fingerprint, "publicKey": f"{line} {name}",
        }  # fmt: skip
        await self._add_key(account, region, body)
        op = self._operation(account, region, name, "KeyPair", "ImportKeyPair", "Succeeded")
        return {"operation": await self._record(account, region, op)}

    async def get_key_pair(self, account: str, region: str, name: str) -> dict[str, Any]:
        if name == DEFAULT_KEY:
            return {"keyPair": self._key_doc(region, await self._default_key(account, region))}
        return {"keyPair": self._key_doc(region, await self._records.get(account, region, "KeyPair", name))}

    async def get_key_pairs(self, account: str, region: str, include_default: bool) -> dict[str, Any]:
        bodies = await self._store.read(functools.partial(store.listed, account=account, region=region, kind="KeyPair"))
        found = [self._key_doc(region, body) for body in bodies]
        if include_default:
            default = await self._store.read(
                functools.partial(store.get, account=account, region=region, kind="DefaultKeyPair", name=DEFAULT_KEY)
            )
            if default is not None:
                found.insert(0, self._key_doc(region, default))
        return {"keyPairs": found}

    async def delete_key_pair(self, account: str, region: str, name: str, expected: str | None) -> dict[str, Any]:
        body = await self._records.get(account, region, "KeyPair", name)
        if expected is not None and expected != body["fingerprint"]:
            raise InvalidInputException(
                f"The key pair {name}'s fingerprint is {body['fingerprint']}, not the expected {expected}."
            )
        await self._store.write(
            functools.partial(store.delete, account=account, region=region, kind="KeyPair", name=name)
        )
        op = self._operation(account, region, name, "KeyPair", "DeleteKeyPair", "Succeeded")
        return {"operation": await self._record(account, region, op)}

    async def _default_key(self, account: str, region: str) -> dict[str, Any]:
        """The region's default key pair (made on first use; its private key is kept, as AWS keeps it)."""
        found = await self._store.read(
            functools.partial(store.get, account=account, region=region, kind="DefaultKeyPair", name=DEFAULT_KEY)
        )
        if found is not None:
            return found
        material = await asyncio.to_thread(keys.create_rsa, DEFAULT_KEY)
        arn, support = self._arn(account, region, "KeyPair")
        body = {
            "name": DEFAULT_KEY, "arn": arn, "supportCode": support, "createdAt": self._clock.now(), "tags": [],
            "fingerprint": material.fingerprint, "publicKey": material.public, "privateKey": material.private,
        }  # fmt: skip

        def put(tx: Tx) -> dict[str, Any]:
            store.insert(tx, account, region, "DefaultKeyPair", DEFAULT_KEY, self._clock.now(), body)
            return store.get(tx, account, region, "DefaultKeyPair", DEFAULT_KEY) or body  # another call's, if first

        return await self._store.write(put)

    async def download_default_key_pair(self, account: str, region: str) -> dict[str, Any]:
        body = await self._default_key(account, region)
        return {
            "publicKeyBase64": body["publicKey"],
            "privateKeyBase64": body["privateKey"],
            "createdAt": body["createdAt"],
        }

    async def _ca(self, account: str, region: str) -> dict[str, Any]:
        """The region's access CA, which signs GetInstanceAccessDetails' certificates (made on first use)."""
        found = await self._store.read(
            functools.partial(store.get, account=account, region=region, kind="AccessCa", name="ssh")
        )
        if found is not None:
            return found
        private, public = await asyncio.to_thread(keys.certificate_authority)
        body = {"privateKey": private, "publicKey": public}

        def put(tx: Tx) -> dict[str, Any]:
            store.insert(tx, account, region, "AccessCa", "ssh", self._clock.now(), body)
            return store.get(tx, account, region, "AccessCa", "ssh") or body

        return await self._store.write(put)

    # --- catalog --------------------------------------------------------------------------------------------

    def get_blueprints(self, app_category: str | None) -> dict[str, Any]:
        return {"blueprints": [] if app_category else catalog.blueprints()}

    def get_bundles(self, include_inactive: bool, app_category: str | None) -> dict[str, Any]:
        return {"bundles": [] if app_category else catalog.bundles(include_inactive)}

    # --- instances ------------------------------------------------------------------------------------------

    def _instance_doc(self, account: str, region: str, body: dict[str, Any]) -> dict[str, Any]:
        bundle = next(b for b in catalog.BUNDLES if b.bundle_id == body["bundleId"])
        key = _key(account, region, body["name"])
        bound = self._forwarder.bound(key)
        ports = [self._port_doc(port, bound) for port in body["ports"]]
        doc: dict[str, Any] = {
            "name": body["name"],
            "arn": body["arn"],
            "supportCode": body["supportCode"],
            "createdAt": body["createdAt"],
            "location": _location(region, body["zone"]),
            "resourceType": "Instance",
            "tags": body.get("tags", []),
            "blueprintId": body["blueprintId"],
            "blueprintName": catalog.BLUEPRINTS[body["blueprintId"]]["name"],
            "bundleId": body["bundleId"],
            "addOns": [],
            "isStaticIp": bool(body.get("staticIp")),
            "ipv6Addresses": [],
            "ipAddressType": "ipv4",
            "hardware": {
                "cpuCount": bundle.cpus,
                "ramSizeInGb": bundle.ram_gb,
                "disks": [
                    {
                        "name": f"{body['name']}-system-disk",
                        "createdAt": body["createdAt"],
                        "sizeInGb": bundle.disk_gb,
                        "isSystemDisk": True,
                        "path": "/dev/xvda",
                        "state": "in-use",
                        "attachedTo": body["name"],
                        "isAttached": True,
                        "attachmentState": "attached",
                    }
                ],
            },
            "networking": {"monthlyTransfer": {"gbPerMonthAllocated": bundle.transfer_gb}, "ports": ports},
            "state": {"code": STATES[body["state"]], "name": body["state"]},
            "username": blueprint.USER,
            "sshKeyName": body["keyPairName"],
            "metadataOptions": {
                "state": "applied",
                "httpTokens": "optional",
                "httpEndpoint": "disabled",
                "httpPutResponseHopLimit": 1,
                "httpProtocolIpv6": "disabled",
            },  # fmt: skip
        }
        if body.get("publicIp"):
            doc["publicIpAddress"] = body["publicIp"]
        if body.get("privateIp"):
            doc["privateIpAddress"] = body["privateIp"]
        return doc

    @staticmethod
    def _port_doc(port: dict[str, Any], bound: dict[int, int]) -> dict[str, Any]:
        cidrs = port.get("cidrs") or []
        anywhere = "0.0.0.0/0" in cidrs
        doc = {
            "fromPort": port["fromPort"],
            "toPort": port["toPort"],
            "protocol": port["protocol"],
            "accessFrom": "Anywhere (0.0.0.0/0)" if anywhere else "Custom",
            "accessType": "public",
            "commonName": "",
            "accessDirection": "inbound",
            "cidrs": cidrs,
            "ipv6Cidrs": port.get("ipv6Cidrs") or [],
            "cidrListAliases": port.get("cidrListAliases") or [],
        }
        moved = [f"{p}->{bound[p]}" for p in range(port["fromPort"], port["toPort"] + 1) if bound.get(p, p) != p]
        if moved:  # served on a fallback port (gureum could not bind a privileged port here)
            doc["commonName"] = "served on " + ", ".join(moved)
        return doc

    async def _addresses_in_use(self) -> set[str]:
        return await self._store.read(store.used_addresses)

    async def _new_address(self, prefix: str) -> str:
        used = await self._addresses_in_use()
        rng = random.SystemRandom()
        while True:
            address = f"{prefix}.{rng.randrange(0, 256)}.{rng.randrange(1, 255)}"
            if address not in used:
                return address

    async def create_instances(
        self,
        account: str,
        region: str,
        names: list[str],
        zone: str,
        blueprint_id: str | None,
        bundle_id: str,
        user_data: str | None,
        key_pair: str | None,
        tags: list[dict[str, Any]] | None,
        snapshot: str | None = None,
        custom_image: str | None = None,
        ip_address_type: str | None = None,
    ) -> dict[str, Any]:
        if custom_image:
            raise InvalidInputException("Custom images are not supported by gureum's Lightsail.")
        if ip_address_type not in (None, "ipv4"):
            raise InvalidInputException(f"The IP address type {ip_address_type} is not supported: only ipv4 is.")
        if not names:
            raise InvalidInputException("instanceNames must name at least one instance.")
        if not zone.startswith(region) or len(zone) != len(region) + 1 or not zone[-1].isalpha():
            raise InvalidInputException(f"The availability zone {zone} is invalid in {region}.")
        for name in names:
            check_name(name, "instance name")
        image: str | None = None
        from_snapshot: dict[str, Any] | None = None
        if snapshot is not None:
            from_snapshot = await self._records.get(account, region, "InstanceSnapshot", snapshot)
            if from_snapshot["state"] != "available":
                raise InvalidInputException(f"The instance snapshot {snapshot} is not available yet.")
            blueprint_id, image = from_snapshot["fromBlueprintId"], from_snapshot["image"]
        catalog.blueprint(blueprint_id or "")
        bundle = catalog.bundle(bundle_id)
        if key_pair is not None and key_pair != DEFAULT_KEY:
            public = (await self._records.get(account, region, "KeyPair", key_pair))["publicKey"]
        else:
            key_pair, public = DEFAULT_KEY, (await self._default_key(account, region))["publicKey"]
        await self._need_engine()
        ca = await self._ca(account, region)
        tags_ = clean_tags(tags)
        bodies: list[dict[str, Any]] = []
        used = await self._addresses_in_use()
        for name in names:
            arn, support = self._arn(account, region, "Instance")
            address = await self._new_address("127.77")
            while address in used:
                address = await self._new_address("127.77")
            used.add(address)
            host = await asyncio.to_thread(keys.host_key)
            bodies.append(
                {
                    "name": name, "arn": arn, "supportCode": support, "createdAt": self._clock.now(), "zone": zone,
                    "blueprintId": blueprint_id, "bundleId": bundle.bundle_id, "keyPairName": key_pair,
                    "authorizedKey": public, "caKey": ca["publicKey"], "userData": user_data or "", "tags": tags_,
                    "state": "pending", "container": None, "privateIp": None, "publicIp": address, "staticIp": None,
                    "ports": [_port(lo, hi, "tcp", ["0.0.0.0/0"]) for lo, hi in DEFAULT_PORTS],
                    "hostKey": {"private": host.private, "public": host.public, "sha1": host.sha1,
                                "sha256": host.sha256, "witnessedAt": self._clock.now()},
                    "image": image, "fromSnapshot": snapshot,
                }
            )  # fmt: skip

        def insert(tx: Tx) -> list[str]:
            taken = [b["name"] for b in bodies if store.get(tx, account, region, "Instance", b["name"]) is not None]
            if taken:
                return taken
            for body in bodies:
                store.insert(tx, account, region, "Instance", body["name"], body["createdAt"], body)
            return []

        taken = await self._store.write(insert)
        if taken:
            raise in_use(taken)
        op_type = "CreateInstancesFromSnapshot" if snapshot else "CreateInstance"
        operations = []
        for body in bodies:
            op = await self._record(
                account, region, self._operation(account, region, body["name"], "Instance", op_type, "Started")
            )
            operations.append(op)
            self._background(self._create_job(account, region, body["name"], op), f"lightsail-create-{body['name']}")
        return {"operations": operations}

    async def create_instances_from_snapshot(
        self,
        account: str,
        region: str,
        names: list[str],
        zone: str,
        snapshot: str | None,
        bundle_id: str,
        user_data: str | None,
        key_pair: str | None,
        tags: list[dict[str, Any]] | None,
        source_instance: str | None,
        ip_address_type: str | None,
    ) -> dict[str, Any]:
        if snapshot is None:
            why = "automatic snapshots are not taken by gureum" if source_instance else "it is required"
            raise InvalidInputException(f"instanceSnapshotName must name an instance snapshot: {why}.")
        return await self.create_instances(
            account, region, names, zone, None, bundle_id, user_data, key_pair, tags, snapshot=snapshot,
            ip_address_type=ip_address_type,
        )  # fmt: skip

    def _files(self, body: dict[str, Any]) -> list[FileSpec]:
        host = body["hostKey"]
        user = f"/home/{blueprint.USER}"
        return [
            FileSpec(f"{user}/.ssh/authorized_keys", (body["authorizedKey"] + "\n").encode(), 0o600, blueprint.UID),
            FileSpec("/etc/ssh/ssh_host_ed25519_key", host["private"].encode(), 0o600),
            FileSpec("/etc/ssh/ssh_host_ed25519_key.pub", (host["public"] + "\n").encode()),
            FileSpec("/etc/ssh/lightsail_ca.pub", (body["caKey"] + "\n").encode()),
            FileSpec("/var/lib/cloud/instance-id", (body["arn"].rsplit("/", 1)[1] + "\n").encode()),
            FileSpec("/var/lib/cloud/user-data", body["userData"].encode(), 0o700),
            FileSpec("/etc/lightsail/blueprint", (body["blueprintId"] + "\n").encode()),
        ]

    def _progress(self, line: str) -> None:
        log.info("lightsail: %s", line)

    async def _create_job(self, account: str, region: str, name: str, op: dict[str, Any]) -> None:
        try:
            body = await self._records.get(account, region, "Instance", name)
            image = body.get("image") or await self.machines.ensure_image(self._progress)
            bundle = next(b for b in catalog.BUNDLES if b.bundle_id == body["bundleId"])
            container = await self.machines.create(
                name, image, [blueprint.INIT], self._files(body), bundle.ram_gb, bundle.cpus
            )

            def set_container(found: dict[str, Any]) -> None:
                found["container"] = container

            try:
                await self._records.mutate(account, region, "Instance", name, set_container)
            except NotFoundException:  # deleted meanwhile
                await self.machines.remove(container)
                raise
            await self._power_on(account, region, name)
            await self._finish(account, region, op)
        except Exception as exc:  # the operation fails with the reason; the instance is left stopped
            log.warning("lightsail: creating instance %s failed: %s", name, exc)
            await self._set_state(account, region, name, "stopped")
            await self._finish(account, region, op, str(exc), type(exc).__name__)

    async def _set_state(self, account: str, region: str, name: str, state: str, ip: str | None = None) -> None:
        def change(body: dict[str, Any]) -> None:
            body["state"] = state
            if ip is not None:
                body["privateIp"] = ip

        try:
            await self._records.mutate(account, region, "Instance", name, change)
        except NotFoundException:
            pass

    async def _power_on(self, account: str, region: str, name: str, restart: bool = False) -> None:
        """Start (or restart) the instance's container, wait for its sshd, open its ports: state running."""
        body = await self._records.get(account, region, "Instance", name)
        container = body["container"]
        if restart:
            await self.machines.restart(container)
        else:
            seen = await self.machines.seen(container)
            if not seen.running:
                await self.machines.start(container)
        seen = await self.machines.seen(container)
        if not seen.running or seen.ip is None:
            raise OperationFailureException(
                f"The instance {name} did not start: {seen.error or f'its init exited with code {seen.exit_code}'}"
            )
        if not await self.machines.wait_ssh(seen.ip, SSH_WAIT):
            raise OperationFailureException(f"The instance {name} did not answer on port 22 within {SSH_WAIT:.0f}s.")
        self._targets[_key(account, region, name)] = seen.ip
        await self._set_state(account, region, name, "running", seen.ip)
        await self._listen(account, region, await self._records.get(account, region, "Instance", name))

    async def _listen(self, account: str, region: str, body: dict[str, Any]) -> None:
        """Listeners for exactly the instance's open TCP ports on its public address."""
        key = _key(account, region, body["name"])
        wanted: dict[int, list[str]] = {}
        for port in body["ports"]:
            for number in range(port["fromPort"], port["toPort"] + 1):
                wanted.setdefault(number, []).extend(port.get("cidrs") or [])
        current = self._forwarder.bound(key)
        for number in current:
            if number not in wanted or body.get("listenOn") != body["publicIp"]:
                await self._forwarder.close(key, number)
        for number, cidrs in wanted.items():
            networks = [ipaddress.ip_network(c, strict=False) for c in cidrs]
            try:
                await self._forwarder.open(
                    key, body["publicIp"], number, functools.partial(self._target, key, number),
                    functools.partial(_allowed, networks),
                )  # fmt: skip
            except OSError as exc:  # e.g. another gureum node on this machine serves it
                log.warning("lightsail: %s:%d cannot be served here: %s", body["publicIp"], number, exc)
        if body.get("listenOn") != body["publicIp"]:

            def mark(found: dict[str, Any]) -> None:
                found["listenOn"] = found["publicIp"]

            await self._records.mutate(account, region, "Instance", body["name"], mark)

    def instance_address(self, account: str, region: str, name: str) -> str | None:
        """The running instance's private address (None: not running on this server)."""
        return self._targets.get(_key(account, region, name))

    def _target(self, key: str, port: int) -> tuple[str, int] | None:
        ip = self._targets.get(key)
        return (ip, port) if ip else None

    async def _refresh(self, account: str, region: str, body: dict[str, Any]) -> dict[str, Any]:
        """An instance recorded as running whose container is not running any more is stopped, with the reason as
        an operation record."""
        if body["state"] != "running" or not body.get("container"):
            return body
        try:
            seen = await self.machines.seen(body["container"])
        except EngineError:
            return body
        if seen.running:
            return body
        reason = seen.error or f"the instance's init exited with code {seen.exit_code}"
        await self._set_state(account, region, body["name"], "stopped")
        self._targets[_key(account, region, body["name"])] = None
        await self._forwarder.close_all(_key(account, region, body["name"]))
        op = self._operation(account, region, body["name"], "Instance", "StopInstance", "Failed")
        await self._finish(account, region, op, f"The instance stopped by itself: {reason}", "InstanceStopped")
        return dict(body, state="stopped")

    async def get_instance(self, account: str, region: str, name: str) -> dict[str, Any]:
        body = await self._refresh(account, region, await self._records.get(account, region, "Instance", name))
        return {"instance": self._instance_doc(account, region, body)}

    async def get_instances(self, account: str, region: str) -> dict[str, Any]:
        bodies = await self._store.read(
            functools.partial(store.listed, account=account, region=region, kind="Instance")
        )
        found = [await self._refresh(account, region, body) for body in bodies]
        return {"instances": [self._instance_doc(account, region, body) for body in found]}

    async def get_instance_state(self, account: str, region: str, name: str) -> dict[str, Any]:
        body = await self._refresh(account, region, await self._records.get(account, region, "Instance", name))
        return {"state": {"code": STATES[body["state"]], "name": body["state"]}}

    async def _transition(
        self, account: str, region: str, name: str, allowed: tuple[str, ...], state: str, op_type: str
    ) -> tuple[dict[str, Any], dict[str, Any]]:
        def change(body: dict[str, Any]) -> None:
            if body["state"] not in allowed:
                raise InvalidInputException(
                    f"The instance {name} is {body['state']}; {op_type} needs it {' or '.join(allowed)}."
                )
            body["state"] = state

        body = await self._records.mutate(account, region, "Instance", name, change)
        op = await self._record(account, region, self._operation(account, region, name, "Instance", op_type, "Started"))
        return body, op

    async def start_instance(self, account: str, region: str, name: str) -> dict[str, Any]:
        await self._refresh(account, region, await self._records.get(account, region, "Instance", name))
        await self._need_engine()
        _, op = await self._transition(account, region, name, ("stopped",), "pending", "StartInstance")

        async def job() -> None:
            try:
                body = await self._records.get(account, region, "Instance", name)
                if not body.get("container"):  # its creation failed: create it now
                    await self._create_job(account, region, name, op)
                    return
                await self._power_on(account, region, name)
                await self._finish(account, region, op)
            except Exception as exc:
                await self._set_state(account, region, name, "stopped")
                await self._finish(account, region, op, str(exc), type(exc).__name__)

        self._background(job(), f"lightsail-start-{name}")
        return {"operations": [op]}

    async def stop_instance(self, account: str, region: str, name: str, force: bool) -> dict[str, Any]:
        allowed = ("running", "pending", "stopping") if force else ("running",)
        await self._refresh(account, region, await self._records.get(account, region, "Instance", name))
        body, op = await self._transition(account, region, name, allowed, "stopping", "StopInstance")

        async def job() -> None:
            key = _key(account, region, name)
            try:
                self._targets[key] = None
                await self._forwarder.close_all(key)
                if body.get("container"):
                    await self.machines.stop(body["container"], force)
                await self._set_state(account, region, name, "stopped")
                await self._finish(account, region, op)
            except Exception as exc:
                await self._finish(account, region, op, str(exc), type(exc).__name__)

        self._background(job(), f"lightsail-stop-{name}")
        return {"operations": [op]}

    async def reboot_instance(self, account: str, region: str, name: str) -> dict[str, Any]:
        await self._refresh(account, region, await self._records.get(account, region, "Instance", name))
        _, op = await self._transition(account, region, name, ("running",), "pending", "RebootInstance")

        async def job() -> None:
            try:
                self._targets[_key(account, region, name)] = None
                await self._power_on(account, region, name, restart=True)
                await self._finish(account, region, op)
            except Exception as exc:
                await self._set_state(account, region, name, "stopped")
                await self._finish(account, region, op, str(exc), type(exc).__name__)

        self._background(job(), f"lightsail-reboot-{name}")
        return {"operations": [op]}

    async def delete_instance(self, account: str, region: str, name: str) -> dict[str, Any]:
        body = await self._records.get(account, region, "Instance", name)

        def delete(tx: Tx) -> None:
            store.delete(tx, account, region, "Instance", name)
            for balancer in store.listed(tx, account, region, "LoadBalancer"):  # detached, as AWS does
                if name in balancer["instances"]:
                    balancer["instances"] = [i for i in balancer["instances"] if i != name]
                    store.update(tx, account, region, "LoadBalancer", balancer["name"], balancer)
            if body.get("staticIp"):
                ip = store.get(tx, account, region, "StaticIp", body["staticIp"])
                if ip is not None:
                    ip.pop("attachedTo", None)
                    store.update(tx, account, region, "StaticIp", body["staticIp"], ip)

        await self._store.write(delete)
        key = _key(account, region, name)
        self._targets.pop(key, None)
        await self._forwarder.close_all(key)
        op = self._operation(account, region, name, "Instance", "DeleteInstance", "Started")
        await self._record(account, region, op)
        try:
            if body.get("container"):
                await self.machines.remove(body["container"])
            await self._finish(account, region, op)
        except EngineError as exc:
            await self._finish(account, region, op, str(exc), "EngineError")
        return {"operations": [dict(op, status="Succeeded", isTerminal=True)]}

    async def get_instance_access_details(
        self, account: str, region: str, name: str, protocol: str | None
    ) -> dict[str, Any]:
        if protocol not in (None, "ssh"):
            raise InvalidInputException("Only ssh access is available: gureum's instances are Linux.")
        body = await self._refresh(account, region, await self._records.get(account, region, "Instance", name))
        if body["state"] != "running":
            raise InvalidInputException(f"The instance {name} is {body['state']}: it must be running.")
        ca = await self._ca(account, region)
        now = self._clock.now()
        private, cert = await asyncio.to_thread(
            keys.access_certificate, ca["privateKey"], blueprint.USER, now, ACCESS_SECONDS
        )
        host = body["hostKey"]
        return {
            "accessDetails": {
                "certKey": cert,
                "expiresAt": now + ACCESS_SECONDS,
                "ipAddress": body["publicIp"],
                "ipv6Addresses": [],
                "password": "",
                "privateKey": private,
                "protocol": "ssh",
                "instanceName": name,
                "username": blueprint.USER,
                "hostKeys": [
                    {
                        "algorithm": "ssh-ed25519",
                        "publicKey": host["public"].split()[1],
                        "witnessedAt": host["witnessedAt"],
                        "fingerprintSHA1": host["sha1"],
                        "fingerprintSHA256": host["sha256"],
                    }
                ],
            }
        }

    # --- ports ----------------------------------------------------------------------------------------------

    async def _change_ports(
        self,
        account: str,
        region: str,
        name: str,
        op_type: str,
        change: Callable[[list[dict[str, Any]]], list[dict[str, Any]]],
    ) -> dict[str, Any]:
        def mutation(body: dict[str, Any]) -> None:
            body["ports"] = change(list(body["ports"]))

        body = await self._records.mutate(account, region, "Instance", name, mutation)
        if body["state"] == "running":
            await self._listen(account, region, body)
        op = self._operation(account, region, name, "Instance", op_type, "Succeeded")
        return {"operation": await self._record(account, region, op)}

    async def open_ports(self, account: str, region: str, name: str, info: dict[str, Any]) -> dict[str, Any]:
        port = _port_input(info)
        return await self._change_ports(
            account, region, name, "OpenInstancePublicPorts", lambda ports: _merged(ports, port)
        )

    async def close_ports(self, account: str, region: str, name: str, info: dict[str, Any]) -> dict[str, Any]:
        port = _port_input(info)

        def close(ports: list[dict[str, Any]]) -> list[dict[str, Any]]:
            return [p for p in ports if not _same_range(p, port)]

        return await self._change_ports(account, region, name, "CloseInstancePublicPorts", close)

    async def put_ports(self, account: str, region: str, name: str, infos: list[dict[str, Any]]) -> dict[str, Any]:
        wanted = [_port_input(info) for info in infos]
        merged: list[dict[str, Any]] = []
        for port in wanted:
            merged = _merged(merged, port)
        return await self._change_ports(account, region, name, "PutInstancePublicPorts", lambda _: merged)

    async def get_port_states(self, account: str, region: str, name: str) -> dict[str, Any]:
        body = await self._records.get(account, region, "Instance", name)
        states = [
            {
                k: v
                for k, v in p.items()
                if k in ("fromPort", "toPort", "protocol", "cidrs", "ipv6Cidrs", "cidrListAliases")
            }
            | {"state": "open"}
            for p in body["ports"]
        ]
        return {"portStates": states}

    # --- static IPs -----------------------------------------------------------------------------------------

    def _static_doc(self, region: str, body: dict[str, Any]) -> dict[str, Any]:
        doc = {
            "name": body["name"], "arn": body["arn"], "supportCode": body["supportCode"],
            "createdAt": body["createdAt"], "location": _location(region), "resourceType": "StaticIp",
            "ipAddress": body["ipAddress"], "isAttached": bool(body.get("attachedTo")),
        }  # fmt: skip
        if body.get("attachedTo"):
            doc["attachedTo"] = body["attachedTo"]
        return doc

    async def allocate_static_ip(self, account: str, region: str, name: str) -> dict[str, Any]:
        check_name(name, "static IP name")
        arn, support = self._arn(account, region, "StaticIp")
        body: dict[str, Any] = {
            "name": name, "arn": arn, "supportCode": support, "createdAt": self._clock.now(),
            "ipAddress": await self._new_address("127.78"),
        }  # fmt: skip
        await self._records.add(account, region, "StaticIp", body)
        op = self._operation(account, region, name, "StaticIp", "AllocateStaticIp", "Succeeded")
        return {"operations": [await self._record(account, region, op)]}

    async def get_static_ip(self, account: str, region: str, name: str) -> dict[str, Any]:
        return {"staticIp": self._static_doc(region, await self._records.get(account, region, "StaticIp", name))}

    async def get_static_ips(self, account: str, region: str) -> dict[str, Any]:
        bodies = await self._store.read(
            functools.partial(store.listed, account=account, region=region, kind="StaticIp")
        )
        return {"staticIps": [self._static_doc(region, body) for body in bodies]}

    async def attach_static_ip(self, account: str, region: str, name: str, instance: str) -> dict[str, Any]:
        def attach(tx: Tx) -> dict[str, Any]:
            ip = existing(tx, account, region, "StaticIp", name)
            body = existing(tx, account, region, "Instance", instance)
            if ip.get("attachedTo") and ip["attachedTo"] != instance:
                raise InvalidInputException(f"The static IP {name} is attached to {ip['attachedTo']}.")
            if body.get("staticIp") and body["staticIp"] != name:
                raise InvalidInputException(f"The instance {instance} already has the static IP {body['staticIp']}.")
            ip["attachedTo"] = instance
            body["staticIp"], body["publicIp"] = name, ip["ipAddress"]
            store.update(tx, account, region, "StaticIp", name, ip)
            store.update(tx, account, region, "Instance", instance, body)
            return body

        body = await self._store.write(attach)
        await self._relisten(account, region, body)
        ops = [
            self._operation(account, region, name, "StaticIp", "AttachStaticIp", "Succeeded"),
            self._operation(account, region, instance, "Instance", "AttachStaticIp", "Succeeded"),
        ]
        return {"operations": [await self._record(account, region, op) for op in ops]}

    async def _relisten(self, account: str, region: str, body: dict[str, Any]) -> None:
        key = _key(account, region, body["name"])
        await self._forwarder.close_all(key)
        if body["state"] == "running":
            await self._listen(account, region, body)

    async def detach_static_ip(self, account: str, region: str, name: str) -> dict[str, Any]:
        ip = await self._records.get(account, region, "StaticIp", name)
        instance = ip.get("attachedTo")
        if not instance:
            raise InvalidInputException(f"The static IP {name} is not attached to an instance.")
        address = await self._new_address("127.77")

        def detach(tx: Tx) -> dict[str, Any] | None:
            found = store.get(tx, account, region, "StaticIp", name)
            if found is not None:
                found.pop("attachedTo", None)
                store.update(tx, account, region, "StaticIp", name, found)
            body = store.get(tx, account, region, "Instance", instance)
            if body is not None:
                body["staticIp"], body["publicIp"] = None, address
                store.update(tx, account, region, "Instance", instance, body)
            return body

        body = await self._store.write(detach)
        if body is not None:
            await self._relisten(account, region, body)
        op = self._operation(account, region, name, "StaticIp", "DetachStaticIp", "Succeeded")
        return {"operations": [await self._record(account, region, op)]}

    async def release_static_ip(self, account: str, region: str, name: str) -> dict[str, Any]:
        ip = await self._records.get(account, region, "StaticIp", name)
        if ip.get("attachedTo"):
            await self.detach_static_ip(account, region, name)
        await self._store.write(
            functools.partial(store.delete, account=account, region=region, kind="StaticIp", name=name)
        )
        op = self._operation(account, region, name, "StaticIp", "ReleaseStaticIp", "Succeeded")
        return {"operations": [await self._record(account, region, op)]}

    # --- snapshots ------------------------------------------------------------------------------------------

    def _snapshot_doc(self, region: str, body: dict[str, Any]) -> dict[str, Any]:
        return {
            "name": body["name"], "arn": body["arn"], "supportCode": body["supportCode"],
            "createdAt": body["createdAt"], "location": _location(region), "resourceType": "InstanceSnapshot",
            "tags": body.get("tags", []), "state": body["state"], "progress": body["progress"],
            "fromAttachedDisks": [], "fromInstanceName": body["fromInstanceName"],
            "fromInstanceArn": body["fromInstanceArn"], "fromBlueprintId": body["fromBlueprintId"],
            "fromBundleId": body["fromBundleId"], "isFromAutoSnapshot": False, "sizeInGb": body["sizeInGb"],
        }  # fmt: skip

    async def create_instance_snapshot(
        self, account: str, region: str, name: str, instance: str, tags: list[dict[str, Any]] | None
    ) -> dict[str, Any]:
        check_name(name, "instance snapshot name")
        source = await self._records.get(account, region, "Instance", instance)
        if not source.get("container"):
            raise InvalidInputException(f"The instance {instance} has no disk yet ({source['state']}).")
        arn, support = self._arn(account, region, "InstanceSnapshot")
        body = {
            "name": name, "arn": arn, "supportCode": support, "createdAt": self._clock.now(), "tags": clean_tags(tags),
            "state": "pending", "progress": "0%", "fromInstanceName": instance, "fromInstanceArn": source["arn"],
            "fromBlueprintId": source["blueprintId"], "fromBundleId": source["bundleId"],
            "sizeInGb": next(b.disk_gb for b in catalog.BUNDLES if b.bundle_id == source["bundleId"]),
            "image": f"{SNAPSHOT_REPO}:{arn.rsplit('/', 1)[1]}",
        }  # fmt: skip
        await self._records.add(account, region, "InstanceSnapshot", body)
        ops = [
            await self._record(
                account,
                region,
                self._operation(account, region, name, "InstanceSnapshot", "CreateInstanceSnapshot", "Started"),
            ),
            await self._record(
                account,
                region,
                self._operation(account, region, instance, "Instance", "CreateInstanceSnapshot", "Started"),
            ),
        ]

        async def job() -> None:
            error: str | None = None
            try:
                repo, _, tag = body["image"].rpartition(":")
                await self.machines.commit(source["container"], repo, tag)
                state = {"state": "available", "progress": "100%"}
            except Exception as exc:
                error, state = str(exc), {"state": "error", "progress": "0%"}

            def change(found: dict[str, Any]) -> None:
                found.update(state)

            try:
                await self._records.mutate(account, region, "InstanceSnapshot", name, change)
            except NotFoundException:
                pass
            for op in ops:
                await self._finish(account, region, op, error, "EngineError" if error else "")

        self._background(job(), f"lightsail-snapshot-{name}")
        return {"operations": ops}

    async def get_instance_snapshot(self, account: str, region: str, name: str) -> dict[str, Any]:
        return {
            "instanceSnapshot": self._snapshot_doc(
                region, await self._records.get(account, region, "InstanceSnapshot", name)
            )
        }

    async def get_instance_snapshots(self, account: str, region: str) -> dict[str, Any]:
        bodies = await self._store.read(
            functools.partial(store.listed, account=account, region=region, kind="InstanceSnapshot")
        )
        return {"instanceSnapshots": [self._snapshot_doc(region, body) for body in bodies]}

    async def delete_instance_snapshot(self, account: str, region: str, name: str) -> dict[str, Any]:
        body = await self._records.get(account, region, "InstanceSnapshot", name)
        await self._store.write(
            functools.partial(store.delete, account=account, region=region, kind="InstanceSnapshot", name=name)
        )
        op = self._operation(account, region, name, "InstanceSnapshot", "DeleteInstanceSnapshot", "Succeeded")
        try:
            await self.machines.remove_image(body["image"])
        except EngineError as exc:  # an instance made from it still uses the image: the engine keeps it
            log.info("lightsail: snapshot image %s kept: %s", body["image"], exc)
        return {"operations": [await self._record(account, region, op)]}

    # --- operations and tags --------------------------------------------------------------------------------

    async def get_operation(self, account: str, region: str, operation_id: str) -> dict[str, Any]:
        found = await self._store.read(
            functools.partial(store.operation, account=account, region=region, operation_id=operation_id)
        )
        if found is None:
            raise NotFoundException(f"The operation does not exist: {operation_id}")
        return {"operation": found}

    async def get_operations(self, account: str, region: str, resource: str | None) -> dict[str, Any]:
        found = await self._store.read(
            functools.partial(store.operations, account=account, region=region, resource=resource)
        )
        return {"operations": found}

    async def _tag(
        self,
        account: str,
        region: str,
        name: str,
        arn: str | None,
        change: Callable[[list[dict[str, str]]], list[dict[str, str]]],
    ) -> dict[str, Any]:
        def run(tx: Tx) -> str:
            for kind, body in store.named(tx, account, region, name):
                if "tags" in body and (arn is None or body.get("arn") == arn) and kind != "DefaultKeyPair":
                    body["tags"] = change(list(body["tags"]))
                    store.update(tx, account, region, kind, name, body)
                    return kind
            raise NotFoundException(f"The resource does not exist: {name}")

        kind = await self._store.write(run)
        op = self._operation(account, region, name, kind, "TagResource", "Succeeded")
        return {"operations": [await self._record(account, region, op)]}

    async def tag_resource(
        self, account: str, region: str, name: str, arn: str | None, tags: list[dict[str, Any]]
    ) -> dict[str, Any]:
        new = clean_tags(tags)

        def change(current: list[dict[str, str]]) -> list[dict[str, str]]:
            return clean_tags([*current, *new])

        return await self._tag(account, region, name, arn, change)

    async def untag_resource(
        self, account: str, region: str, name: str, arn: str | None, tag_keys: list[str]
    ) -> dict[str, Any]:
        def change(current: list[dict[str, str]]) -> list[dict[str, str]]:
            return [tag for tag in current if tag["key"] not in tag_keys]

        return await self._tag(account, region, name, arn, change)

    # --- lifespan -------------------------------------------------------------------------------------------

    async def reconcile(self) -> None:
        """After a start: every instance whose record says running (or was mid-change) runs again with its ports;
        a stopped one stays stopped."""
        bodies = await self._store.read(functools.partial(store.every, kind="Instance"))
        for account, region, body in bodies:
            name = body["name"]
            try:
                if body["state"] in ("running", "pending"):
                    if not body.get("container"):
                        op = self._operation(account, region, name, "Instance", "CreateInstance", "Started")
                        await self._create_job(account, region, name, await self._record(account, region, op))
                    else:
                        if not (await self.machines.seen(body["container"])).running:
                            await self._set_state(account, region, name, "pending")  # not "died": being started
                        await self._power_on(account, region, name)
                elif body["state"] == "stopping":
                    if body.get("container"):
                        await self.machines.stop(body["container"], True)
                    await self._set_state(account, region, name, "stopped")
            except Exception as exc:
                log.warning("lightsail: instance %s could not be brought back: %s", name, exc)
                await self._set_state(account, region, name, "stopped")

    async def shutdown(self) -> None:
        await self._forwarder.shutdown()


def _key(account: str, region: str, name: str) -> str:
    return f"{account}/{region}/{name}"


def _allowed(networks: list[ipaddress.IPv4Network | ipaddress.IPv6Network], peer: str) -> bool:
    try:
        address = ipaddress.ip_address(peer)
    except ValueError:
        return False
    return any(address.version == net.version and address in net for net in networks)


def _port(lo: int, hi: int, protocol: str, cidrs: list[str]) -> dict[str, Any]:
    return {
        "fromPort": lo,
        "toPort": hi,
        "protocol": protocol,
        "cidrs": cidrs,
        "ipv6Cidrs": ["::/0"],
        "cidrListAliases": [],
    }


def _port_input(info: dict[str, Any]) -> dict[str, Any]:
    protocol = info.get("protocol", "tcp")
    lo, hi = int(info.get("fromPort", -1)), int(info.get("toPort", -1))
    if protocol != "tcp":
        raise InvalidInputException(
            f"The protocol {protocol} is not supported: gureum forwards tcp ports to instances (not udp, icmp or all)."
        )
    if not 0 <= lo <= hi <= 65535:
        raise InvalidInputException(f"The port range {lo}-{hi} is invalid.")
    if hi - lo + 1 > _MAX_RANGE:
        raise InvalidInputException(f"A port range may open at most {_MAX_RANGE} ports here ({lo}-{hi} asked).")
    cidrs = list(info.get("cidrs") or [])
    for cidr in cidrs:
        try:
            ipaddress.ip_network(cidr, strict=False)
        except ValueError:
            raise InvalidInputException(f"The CIDR {cidr} is invalid.") from None
    if info.get("cidrListAliases"):
        raise InvalidInputException("CIDR list aliases (lightsail-connect) are not supported by gureum.")
    ipv6 = list(info.get("ipv6Cidrs") or [])
    if not cidrs and not ipv6:
        cidrs, ipv6 = ["0.0.0.0/0"], ["::/0"]
    return {
        "fromPort": lo,
        "toPort": hi,
        "protocol": protocol,
        "cidrs": cidrs,
        "ipv6Cidrs": ipv6,
        "cidrListAliases": [],
    }


def _same_range(a: dict[str, Any], b: dict[str, Any]) -> bool:
    return (a["fromPort"], a["toPort"], a["protocol"]) == (b["fromPort"], b["toPort"], b["protocol"])


def _merged(ports: list[dict[str, Any]], port: dict[str, Any]) -> list[dict[str, Any]]:
    return [p for p in ports if not _same_range(p, port)] + [port]


def _maybe_base64(text: str) -> str:
    """ImportKeyPair's publicKeyBase64 is the OpenSSH line itself (boto3 sends it as given); a base64 of that line
    is accepted too."""
    stripped = text.strip()
    if stripped.startswith(("ssh-", "ecdsa-")):
        return stripped
    try:
        decoded = base64.b64decode(stripped, validate=True).decode()
    except (ValueError, UnicodeDecodeError):
        return stripped
    return decoded if decoded.startswith(("ssh-", "ecdsa-")) else stripped
