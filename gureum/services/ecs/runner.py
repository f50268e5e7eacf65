"""Running tasks on the container engine (gureum.containers: Docker or Podman's service, through the Engine API).

One coroutine per task on the node whose engine runs it drives the lifecycle ECS reports — PROVISIONING → PENDING
(images pulled; gureum's own ECR with its credentials through the ImageRegistry port) → ACTIVATING (containers
created, started in dependsOn order) → RUNNING → DEACTIVATING → STOPPING (containers stopped with their
stopTimeout) → DEPROVISIONING (removed) → STOPPED — writing each step, with an "ECS Task State Change" event, to the
store. A task stops when an essential container exits (EssentialContainerExited), when StopTask asks
(UserInitiated, on any node: the store notifies the owner), or when it cannot start (TaskFailedToStart with
CannotPullContainerError / CannotStartContainerError). awslogs containers' output goes to CloudWatch Logs as it is
printed. After a restart, unfinished tasks are adopted when their containers still run, else reported STOPPED.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import socket
import uuid
from collections.abc import Awaitable, Callable
from typing import Any

from ...clock import Clock
from ...containers import Containers, Engine, EngineError, NoEngine
from ...containers.logs import LogTarget, ship
from ...containers.secrets import ReadParameters, SecretsFailed, read_secrets
from ...delivery import Delivery
from ...store.base import Store, Tx
from . import store, tasks
from .tasks import PRIVATE

log = logging.getLogger("gureum")

_LABEL = "gureum.ecs.task"


class StartFailure(Exception):
    """The task cannot start: its stoppedReason ("CannotPullContainerError: …")."""


class StopRequested(Exception):
    """StopTask asked for the task while it was starting."""


def _iso(at: float) -> str:
    return dt.datetime.fromtimestamp(at, dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


class TaskRunner:
    """The node's running tasks."""

    def __init__(
        self,
        store_: Store,
        clock: Clock,
        delivery: Delivery,
        containers: Containers,
        spawn: Callable[..., Any],
        endpoint: str,
        pull_auth: Callable[[str, str, str], dict[str, str] | None],
        health_second: float = 1.0,
        read_object: Callable[[str, str, str, str], Awaitable[bytes]] | None = None,
        read_parameters: ReadParameters | None = None,
    ) -> None:
        self.store = store_
        self.clock = clock
        self.delivery = delivery
        self.containers = containers
        self.spawn = spawn
        self.endpoint = endpoint  # gureum's URL as a container on the host network reaches it
        self.pull_auth = pull_auth
        self.health_second = health_second  # the length of a health check's second (tests shorten it)
        self.read_object = read_object  # S3's objects (environmentFiles); None while S3 is not running
        self.read_parameters = read_parameters  # Parameter Store's values (secrets), read as the execution role
        self._stops: dict[str, asyncio.Event] = {}
        self._leading = False
        # an EC2 task started or stopped on this machine's container instance: its state change event (backend)
        self.on_instance_change: Callable[[str, str, str], Awaitable[None]] | None = None

    @property
    def owner(self) -> str:
        """This machine's engine, which the tasks started here run on: "<host name>|<engine address>" (two
        machines may reach their own engines at the same socket path)."""
        return f"{socket.gethostname()}|{self.containers.address or 'none'}"

    async def leads(self) -> bool:
        """Whether this node runs the tasks of this machine's engine: one node per engine does (the store's
        leadership; with several nodes on one machine, the others leave its tasks alone). On taking the lead it
        adopts the unfinished tasks of that engine."""
        leading = await self.store.is_leader(f"ecs-tasks:{self.owner}")
        if leading and not self._leading:
            self._leading = True
            await self.reconcile()
        self._leading = leading
        return leading

    def launch(self, task_id: str) -> None:
        self._stops[task_id] = asyncio.Event()
        self.spawn(self._drive(task_id, adopt=False), f"ecs-task-{task_id}")

    def stop_requested(self, task_id: str) -> None:
        """StopTask on any node: the runner here (if it runs the task) begins stopping it."""
        event = self._stops.get(task_id)
        if event is not None:
            event.set()

    async def reconcile(self) -> None:
        """On taking the lead for this engine: adopt its unfinished tasks whose containers still run; report the
        others STOPPED with the reason."""
        for task_id in await self.store.read(lambda tx: store.unfinished(tx, self.owner)):
            if task_id in self._stops:
                continue  # run here already
            self._stops[task_id] = asyncio.Event()
            self.spawn(self._drive(task_id, adopt=True), f"ecs-task-{task_id}")

    # --- one task -----------------------------------------------------------------------------------------------

    async def _load(self, task_id: str) -> tuple[dict[str, Any], str, str | None]:
        found = await self.store.read(lambda tx: store.task(tx, task_id))
        assert found is not None
        doc, desired, reason, _ = found
        return doc, desired, reason

    async def _save(self, task_id: str, doc: dict[str, Any], status: str | None = None, **times: Any) -> None:
        """Write the task (a new lastStatus, with its times, sends an "ECS Task State Change" event)."""
        changed = status is not None and status != doc["lastStatus"]
        if status is not None:
            doc["lastStatus"] = status
        doc.update(times)
        doc["version"] = int(doc.get("version", 1)) + 1

        def write(tx: Tx) -> None:
            current = store.task(tx, task_id)
            if current is not None:
                doc["desiredStatus"] = current[1]
                doc["tags"] = current[0].get("tags") or []  # TagResource may have changed them meanwhile
            store.save_task(tx, task_id, doc)
            if changed:
                self.event(tx, doc)

        await self.store.write(write)
        if changed and doc.get("containerInstanceArn") and doc["lastStatus"] in (tasks.RUNNING, tasks.STOPPED):
            if self.on_instance_change is not None:
                parts = doc["taskArn"].split(":")
                cluster = doc["clusterArn"].rsplit("/", 1)[-1]
                try:
                    await self.on_instance_change(parts[4], parts[3], cluster)
                except Exception:  # an event, not the task's fate
                    log.exception("ECS container instance event for %s failed", cluster)

    def event(self, tx: Tx, doc: dict[str, Any]) -> None:
        """Enqueue the task's "ECS Task State Change" event (inside the transaction that records the change)."""
        parts = doc["taskArn"].split(":")
        region, account = parts[3], parts[4]
        now = self.clock.now()
        detail = {**tasks.public(doc), "updatedAt": _iso(now)}
        for key in (
            "createdAt",
            "startedAt",
            "stoppedAt",
            "stoppingAt",
            "pullStartedAt",
            "pullStoppedAt",
            "connectivityAt",
            "executionStoppedAt",
        ):
            if isinstance(detail.get(key), (int, float)):
                detail[key] = _iso(detail[key])
        event = {
            "version": "0",
            "id": str(uuid.uuid4()),
            "detail-type": "ECS Task State Change",
            "source": "aws.ecs",
            "account": account,
            "time": _iso(now)[:19] + "Z",
            "region": region,
            "resources": [doc["taskArn"]],
            "detail": detail,
        }
        bus = f"arn:aws:events:{region}:{account}:event-bus/default"
        self.delivery.enqueue(tx, "events", bus, {"event": event, "hops": 1}, source=doc["taskArn"])

    async def _drive(self, task_id: str, adopt: bool) -> None:
        stop = self._stops[task_id]
        doc, desired, reason = await self._load(task_id)
        waiters: dict[str, asyncio.Task[int]] = {}
        loggers: list[asyncio.Task[None]] = []  # awslogs shippers and health checkers, ended with the task
        engine: Engine | None = None
        stop_code, stopped_reason = "EssentialContainerExited", "Essential container in task exited"
        try:
            engine = await self.containers.require()
            if adopt:
                await self._adopt(engine, doc, waiters)
            else:
                await self._start(task_id, engine, doc, waiters, loggers, stop)
            if desired == "STOPPED" or stop.is_set():
                raise StopRequested
            lost = await self._run(task_id, doc, waiters, stop)
            if stop.is_set():
                stop_code, stopped_reason = await self.store.read(lambda tx: store.stop_request(tx, task_id))
            elif lost is not None:  # the engine stopped answering about an essential container
                stop_code, stopped_reason = "TerminationNotice", f"The container engine stopped answering: {lost}"
        except (StopRequested, StartFailure, EngineError) as exc:
            # (a CancelledError — gureum shutting down — is not caught: the task keeps running, adopted at start)
            if isinstance(exc, StopRequested):
                stop_code, stopped_reason = await self.store.read(lambda tx: store.stop_request(tx, task_id))
            elif isinstance(exc, NoEngine) and adopt:
                stop_code, stopped_reason = "TaskFailedToStart", f"The container engine is unreachable: {exc}"
            elif isinstance(exc, NoEngine):
                stop_code, stopped_reason = "TaskFailedToStart", f"CannotStartContainerError: {exc}"
            elif isinstance(exc, StartFailure):
                stop_code, stopped_reason = "TaskFailedToStart", str(exc)
            else:
                stop_code, stopped_reason = "TaskFailedToStart", f"CannotStartContainerError: {exc}"
        except Exception as exc:  # reported on the task, never a task left running silently
            log.exception("ECS task %s failed", task_id)
            stop_code, stopped_reason = "TaskFailedToStart", f"InternalError: {exc}"
        try:
            await self._finish(task_id, engine, doc, waiters, loggers, stop_code, stopped_reason)
        finally:
            self._stops.pop(task_id, None)

    async def _start(
        self,
        task_id: str,
        engine: Engine,
        doc: dict[str, Any],
        waiters: dict[str, asyncio.Task[int]],
        loggers: list[asyncio.Task[None]],
        stop: asyncio.Event,
    ) -> None:
        private = doc[PRIVATE]
        definitions: list[dict[str, Any]] = private["containers"]
        account, region = doc["taskArn"].split(":")[4], doc["taskArn"].split(":")[3]
        await self._save(task_id, doc, tasks.PENDING, pullStartedAt=self.clock.now())
        for image in dict.fromkeys(c["image"] for c in definitions):
            if stop.is_set():
                raise StopRequested
            try:
                await engine.pull(image, self.pull_auth(account, region, image))
            except EngineError as exc:
                if exc.status == 0 or await engine.inspect_image(image) is None:
                    raise StartFailure(f"CannotPullContainerError: pull image {image}: {exc}") from None
                # a local image no registry has (built on this machine): used as it is
        await self._save(
            task_id,
            doc,
            tasks.ACTIVATING,
            pullStoppedAt=self.clock.now(),
            connectivity="CONNECTED",
            connectivityAt=self.clock.now(),
        )
        network_mode = private.get("networkMode", "bridge")
        await self._volumes(engine, doc)
        for definition in definitions:
            await self._environment_files(account, region, definition)
            await self._secrets(account, region, private.get("executionRoleArn") or "", definition)
        for definition in definitions:
            config = self._config(doc, definition, network_mode)
            name = f"ecs-{task_id[:12]}-{definition['name']}"
            try:
                private["engine"][definition["name"]] = await engine.create_container(name, config)
            except EngineError as exc:
                raise StartFailure(f"CannotCreateContainerError: {definition['name']}: {exc}") from None
        await self._save(task_id, doc)
        started: set[str] = set()
        health: dict[str, asyncio.Future[str]] = {}  # a container's first verdict: HEALTHY or UNHEALTHY
        for definition in _ordered(definitions):
            for dependency in definition.get("dependsOn") or []:
                target, condition = dependency["containerName"], dependency["condition"]
                if condition == "HEALTHY":
                    verdict = await self._verdict(health[target], waiters[target], definition)
                    if verdict != "HEALTHY":
                        raise StartFailure(
                            f"CannotStartContainerError: container {definition['name']} depends on {target} being "
                            f"HEALTHY; it {verdict}"
                        )
                if condition in ("COMPLETE", "SUCCESS"):
                    code = await waiters[target]
                    if condition == "SUCCESS" and code != 0:
                        raise StartFailure(
                            f"CannotStartContainerError: container {definition['name']} depends on {target} "
                            f"exiting successfully; it exited with code {code}"
                        )
            container_id = private["engine"][definition["name"]]
            try:
                await engine.start_container(container_id)
            except EngineError as exc:
                raise StartFailure(f"CannotStartContainerError: {definition['name']}: {exc}") from None
            started.add(definition["name"])
            waiters[definition["name"]] = asyncio.ensure_future(engine.wait_container(container_id))
            logging_options = definition.get("logConfiguration") or {}
            if logging_options.get("logDriver") == "awslogs":
                loggers.append(asyncio.ensure_future(self._ship_logs(engine, doc, definition, container_id)))
            command = (definition.get("healthCheck") or {}).get("command") or ["NONE"]
            if command[0] != "NONE":
                health[definition["name"]] = asyncio.get_running_loop().create_future()
                loggers.append(
                    asyncio.ensure_future(
                        self._check_health(engine, task_id, doc, definition, container_id, health[definition["name"]])
                    )
                )
            record = _container(doc, definition["name"])
            record["lastStatus"] = tasks.RUNNING
            record["runtimeId"] = container_id
            record["networkBindings"] = await self._bindings(engine, container_id, definition, network_mode)
        await self._save(task_id, doc, tasks.RUNNING, startedAt=self.clock.now())

    async def _adopt(self, engine: Engine, doc: dict[str, Any], waiters: dict[str, asyncio.Task[int]]) -> None:
        """A task of before the restart: watch the containers that still run; none running → it stopped."""
        running = False
        for name, container_id in doc[PRIVATE]["engine"].items():
            found = await engine.inspect_container(container_id)
            if found is None:
                continue
            if (found.get("State") or {}).get("Running"):
                running = True
            waiters[name] = asyncio.ensure_future(engine.wait_container(container_id))
        if not running or doc["lastStatus"] != tasks.RUNNING:
            raise StartFailure("Task stopped while gureum was not running: its containers are not running")

    async def _run(
        self, task_id: str, doc: dict[str, Any], waiters: dict[str, asyncio.Task[int]], stop: asyncio.Event
    ) -> str | None:
        """Until an essential container exits or the task is asked to stop; exits are recorded as they happen.
        Returns the engine's error when it stopped answering about an essential container (None otherwise)."""
        essential = {c["name"] for c in doc[PRIVATE]["containers"] if c.get("essential", True)}
        stopper = asyncio.ensure_future(stop.wait())
        pending: set[asyncio.Future[Any]] = {stopper, *(w for w in waiters.values() if not w.done())}
        try:
            for name, waiter in waiters.items():
                if waiter.done():
                    self._exited(doc, name, waiter)
                    if name in essential:
                        return _lost(waiter)
            while pending:
                done, pending = await asyncio.wait(pending, return_when=asyncio.FIRST_COMPLETED)
                if stopper in done:
                    return None
                for name, waiter in waiters.items():
                    if waiter in done:
                        self._exited(doc, name, waiter)
                        await self._save(task_id, doc)
                        if name in essential:
                            return _lost(waiter)
            return None
        finally:
            stopper.cancel()

    @staticmethod
    def _exited(doc: dict[str, Any], name: str, waiter: asyncio.Task[int]) -> None:
        record = _container(doc, name)
        record["lastStatus"] = tasks.STOPPED
        if not waiter.cancelled() and waiter.exception() is None:
            record["exitCode"] = waiter.result()

    async def _finish(
        self,
        task_id: str,
        engine: Engine | None,
        doc: dict[str, Any],
        waiters: dict[str, asyncio.Task[int]],
        loggers: list[asyncio.Task[None]],
        stop_code: str,
        stopped_reason: str,
    ) -> None:
        now = self.clock.now()
        doc["stopCode"], doc["stoppedReason"] = stop_code, stopped_reason
        await self._save(task_id, doc, tasks.DEACTIVATING, stoppingAt=now)
        await self._save(task_id, doc, tasks.STOPPING)
        if engine is not None:
            definitions = {c["name"]: c for c in doc[PRIVATE]["containers"]}
            stops = []
            for name, container_id in doc[PRIVATE]["engine"].items():
                if name in waiters and not waiters[name].done():
                    stops.append(self._stop(engine, container_id, tasks.stop_timeout(definitions.get(name, {}))))
            await asyncio.gather(*stops, return_exceptions=True)
            for name, container_id in doc[PRIVATE]["engine"].items():
                record = _container(doc, name)
                found = await _inspect(engine, container_id)
                state = (found or {}).get("State") or {}
                if name in waiters:
                    record["lastStatus"] = tasks.STOPPED
                    if found is not None and not state.get("Running"):
                        record["exitCode"] = int(state.get("ExitCode", 0))
                        if state.get("OOMKilled"):
                            record["reason"] = "OutOfMemoryError: Container killed due to memory usage"
                else:
                    record["lastStatus"] = tasks.STOPPED  # never started
                    record.setdefault("reason", stopped_reason if stop_code == "TaskFailedToStart" else "")
        for logger in loggers:
            if getattr(logger, "gureum_health", False):
                logger.cancel()  # a health checker: it never ends by itself
                continue
            try:
                await asyncio.wait_for(logger, timeout=5)
            except (TimeoutError, asyncio.CancelledError, EngineError):
                logger.cancel()
        for record in doc["containers"]:
            record["lastStatus"] = tasks.STOPPED
            if not record.get("reason"):
                record.pop("reason", None)
        doc["executionStoppedAt"] = self.clock.now()
        await self._save(task_id, doc, tasks.DEPROVISIONING)
        if engine is not None:
            for container_id in doc[PRIVATE]["engine"].values():
                try:
                    await engine.remove_container(container_id)
                except EngineError:
                    log.warning("ECS task %s: container %s could not be removed", task_id, container_id)
            for volume in doc[PRIVATE].get("task_volumes", []):
                try:
                    await engine.request("DELETE", f"/volumes/{volume}")
                except EngineError:
                    log.warning("ECS task %s: volume %s could not be removed", task_id, volume)
        await self._save(task_id, doc, tasks.STOPPED, stoppedAt=self.clock.now())

    @staticmethod
    async def _stop(engine: Engine, container_id: str, timeout: int) -> None:
        try:
            await engine.stop_container(container_id, timeout)
        except EngineError as exc:
            if exc.status not in (304, 404):  # already stopped, or gone
                raise

    async def _environment_files(self, account: str, region: str, definition: dict[str, Any]) -> None:
        """A container's environmentFiles read from S3 into its environment (the definition's own variables win;
        among the files, the one listed first)."""
        files = definition.get("environmentFiles") or []
        if not files:
            return
        if self.read_object is None:
            raise StartFailure("ResourceInitializationError: environmentFiles are read from S3, which is not running")
        merged: dict[str, str] = {}
        for file in files:
            location = tasks.s3_location(file["value"])
            assert location is not None  # checked by RunTask
            try:
                data = await self.read_object(account, region, *location)
            except Exception as exc:  # S3's error (NoSuchKey, NoSuchBucket, AccessDenied), reported on the task
                message = getattr(exc, "message", None) or str(exc)
                raise StartFailure(
                    f"ResourceInitializationError: failed to download env files: {file['value']}: "
                    f"{getattr(exc, 'code', type(exc).__name__)}: {message}"
                ) from None
            for name, value in tasks.parse_env_file(data.decode("utf-8", "replace")):
                merged.setdefault(name, value)
        for variable in definition.get("environment") or []:
            merged[variable["name"]] = variable.get("value", "")
        definition["environment"] = [{"name": name, "value": value} for name, value in merged.items()]

    async def _secrets(self, account: str, region: str, role: str, definition: dict[str, Any]) -> None:
        """A container's secrets read from Parameter Store (with the task execution role) into its environment."""
        try:
            values = await read_secrets(self.read_parameters, account, region, role, definition.get("secrets") or [])
        except SecretsFailed as exc:
            raise StartFailure(str(exc)) from None
        if not values:
            return
        merged = {v["name"]: v.get("value", "") for v in definition.get("environment") or []}
        merged.update(values)
        definition["environment"] = [{"name": name, "value": value} for name, value in merged.items()]

    async def _volumes(self, engine: Engine, doc: dict[str, Any]) -> None:
        """The task's volumes on the engine: host paths as they are, task-scoped bind mounts and Docker volumes as
        named volumes of the task (removed with it), shared Docker volumes by their name (kept)."""
        private = doc[PRIVATE]
        task_id = tasks.task_id_of(doc["taskArn"])
        sources: dict[str, str] = {}
        scoped: list[str] = []
        for volume in private.get("volumeDefinitions") or []:
            name = volume["name"]
            host_path = (volume.get("host") or {}).get("sourcePath")
            if host_path:
                sources[name] = host_path
                continue
            docker = volume.get("dockerVolumeConfiguration") or {}
            shared = docker.get("scope") == "shared"
            engine_name = name if shared else f"ecs-{task_id[:12]}-{name}"
            body: dict[str, Any] = {"Name": engine_name, "Labels": {**(docker.get("labels") or {}), _LABEL: task_id}}
            if docker.get("driver"):
                body["Driver"] = docker["driver"]
            if docker.get("driverOpts"):
                body["DriverOpts"] = docker["driverOpts"]
            if not shared or docker.get("autoprovision", True):
                try:
                    await engine.request("POST", "/volumes/create", body=body)
                except EngineError as exc:
                    if exc.status != 409:  # a shared volume that exists already
                        raise StartFailure(f"CannotCreateVolumeError: {name}: {exc}") from None
            sources[name] = engine_name
            if not shared:
                scoped.append(engine_name)
        private["volumes"] = sources
        private["task_volumes"] = scoped

    # --- health checks ------------------------------------------------------------------------------------------

    async def _check_health(
        self,
        engine: Engine,
        task_id: str,
        doc: dict[str, Any],
        definition: dict[str, Any],
        container_id: str,
        verdict: asyncio.Future[str],
    ) -> None:
        """A container's healthCheck, run in it through the engine (exec) every interval: HEALTHY after a check
        passes, UNHEALTHY after ``retries`` failures in a row (failures within startPeriod do not count)."""
        current = asyncio.current_task()
        if current is not None:
            current.gureum_health = True  # type: ignore[attr-defined]
        check = definition["healthCheck"]
        command = check["command"]
        argv = ["/bin/sh", "-c", " ".join(command[1:])] if command[0] == "CMD-SHELL" else list(command[1:])
        second = self.health_second
        started = self.clock.monotonic()
        failures = 0
        status = "UNKNOWN"
        while True:
            await asyncio.sleep(check["interval"] * second)
            try:
                code = await engine.exec(container_id, argv, check["timeout"] * second)
            except EngineError as exc:
                if exc.status in (404, 409):  # the container stopped: nothing more to check
                    if not verdict.done():
                        verdict.set_result("stopped before it was healthy")
                    return
                code = None
            if code == 0:
                failures, new = 0, "HEALTHY"
            elif self.clock.monotonic() - started < check["startPeriod"] * second:
                continue
            else:
                failures += 1
                new = "UNHEALTHY" if failures >= check["retries"] else status
            if not verdict.done() and new != "UNKNOWN":
                verdict.set_result(new if new == "HEALTHY" else "became UNHEALTHY")
            if new != status:
                status = new
                _container(doc, definition["name"])["healthStatus"] = status
                doc["healthStatus"] = tasks.task_health(doc)
                await self._save(task_id, doc)

    async def _verdict(
        self, verdict: asyncio.Future[str], exited: asyncio.Task[int], definition: dict[str, Any]
    ) -> str:
        """Wait for a dependency's first health verdict (or its exit, or the dependent's startTimeout)."""
        timeout = float(definition.get("startTimeout") or 180)
        waiting: set[asyncio.Future[Any]] = {verdict, exited}
        done, _ = await asyncio.wait(waiting, timeout=timeout, return_when=asyncio.FIRST_COMPLETED)
        if verdict in done:
            return verdict.result()
        if exited in done:
            return "exited before it was healthy"
        return f"was not HEALTHY within {int(timeout)} seconds"

    # --- what a container is given ------------------------------------------------------------------------------

    def _config(self, doc: dict[str, Any], definition: dict[str, Any], network_mode: str) -> dict[str, Any]:
        """The Engine API's container configuration for one container definition."""
        parts = doc["taskArn"].split(":")
        region = parts[3]
        task_id = tasks.task_id_of(doc["taskArn"])
        private = doc[PRIVATE]
        endpoint = self.endpoint
        environment = {
            "AWS_REGION": region,
            "AWS_DEFAULT_REGION": region,
            "AWS_ENDPOINT_URL": endpoint,
            "ECS_CONTAINER_METADATA_URI_V4": f"{endpoint}/_ecs/v4/{task_id}.{private['secret']}/{definition['name']}",
            "ECS_CONTAINER_METADATA_URI": f"{endpoint}/_ecs/v3/{task_id}.{private['secret']}/{definition['name']}",
            "ECS_AGENT_URI": f"{endpoint}/_ecs/agent/{task_id}.{private['secret']}",
        }
        if private.get("taskRoleArn"):
            environment["AWS_CONTAINER_CREDENTIALS_FULL_URI"] = f"{endpoint}/_ecs/credentials/{task_id}"
            environment["AWS_CONTAINER_AUTHORIZATION_TOKEN"] = private["secret"]
        for variable in definition.get("environment") or []:
            environment[variable["name"]] = variable.get("value", "")
        host_config: dict[str, Any] = {
            "NetworkMode": {"awsvpc": "host", "host": "host", "none": "none"}.get(network_mode, "bridge"),
        }
        exposed: dict[str, Any] = {}
        if host_config["NetworkMode"] == "bridge":
            bindings: dict[str, list[dict[str, str]]] = {}
            for mapping in definition.get("portMappings") or []:
                if "containerPort" not in mapping:
                    continue
                key = f"{mapping['containerPort']}/{mapping.get('protocol', 'tcp')}"
                exposed[key] = {}
                host_port = mapping.get("hostPort") or 0
                bindings[key] = [{"HostIp": "127.0.0.1", "HostPort": str(host_port) if host_port else ""}]
            host_config["PortBindings"] = bindings
        memory = definition.get("memory") or private.get("taskMemory")
        if memory:
            host_config["Memory"] = int(memory) * 1024 * 1024
            host_config["MemorySwap"] = host_config["Memory"]  # the hard limit, swap included (no swap beyond it)
        if definition.get("memoryReservation"):
            host_config["MemoryReservation"] = int(definition["memoryReservation"]) * 1024 * 1024
        cpu = int(definition.get("cpu") or 0) or int(private.get("taskCpu") or 0)
        if cpu:
            host_config["NanoCpus"] = cpu * 1_000_000_000 // 1024
        if definition.get("ulimits"):
            host_config["Ulimits"] = [
                {"Name": u["name"], "Soft": u["softLimit"], "Hard": u["hardLimit"]} for u in definition["ulimits"]
            ]
        for source, target in (("readonlyRootFilesystem", "ReadonlyRootfs"), ("privileged", "Privileged")):
            if definition.get(source) is not None:
                host_config[target] = bool(definition[source])
        binds = []
        for mount in definition.get("mountPoints") or []:
            source = private.get("volumes", {}).get(mount["sourceVolume"])
            if source:
                binds.append(f"{source}:{mount['containerPath']}{':ro' if mount.get('readOnly') else ''}")
        if binds:
            host_config["Binds"] = binds
        if definition.get("volumesFrom"):
            host_config["VolumesFrom"] = [
                f"ecs-{task_id[:12]}-{v['sourceContainer']}{':ro' if v.get('readOnly') else ''}"
                for v in definition["volumesFrom"]
            ]
        if definition.get("extraHosts"):
            host_config["ExtraHosts"] = [f"{h['hostname']}:{h['ipAddress']}" for h in definition["extraHosts"]]
        config: dict[str, Any] = {
            "Image": definition["image"],
            "Env": [f"{key}={value}" for key, value in environment.items()],
            "Labels": {
                _LABEL: task_id,
                "com.amazonaws.ecs.task-arn": doc["taskArn"],
                "com.amazonaws.ecs.container-name": definition["name"],
                "com.amazonaws.ecs.cluster": doc["clusterArn"],
                **(definition.get("dockerLabels") or {}),
            },
            "HostConfig": host_config,
            "StopTimeout": tasks.stop_timeout(definition),
        }
        if exposed:
            config["ExposedPorts"] = exposed
        if definition.get("command") is not None:
            config["Cmd"] = definition["command"]
        if definition.get("entryPoint") is not None:
            config["Entrypoint"] = definition["entryPoint"]
        for source, target in (("workingDirectory", "WorkingDir"), ("user", "User"), ("hostname", "Hostname")):
            if definition.get(source):
                config[target] = definition[source]
        return config

    @staticmethod
    async def _bindings(
        engine: Engine, container_id: str, definition: dict[str, Any], network_mode: str
    ) -> list[dict[str, Any]]:
        """The ports a container publishes (bridge: the engine's loopback ports; host/awsvpc: its own)."""
        out: list[dict[str, Any]] = []
        if network_mode in ("awsvpc", "host"):
            for mapping in definition.get("portMappings") or []:
                if "containerPort" in mapping:
                    port = mapping["containerPort"]
                    out.append(
                        {
                            "bindIP": "127.0.0.1",
                            "containerPort": port,
                            "hostPort": port,
                            "protocol": mapping.get("protocol", "tcp"),
                        }
                    )
            return out
        found = await engine.inspect_container(container_id) or {}
        ports = ((found.get("NetworkSettings") or {}).get("Ports")) or {}
        for key, bound in ports.items():
            port, _, protocol = key.partition("/")
            for binding in bound or []:
                out.append(
                    {
                        "bindIP": binding.get("HostIp") or "127.0.0.1",
                        "containerPort": int(port),
                        "hostPort": int(binding.get("HostPort") or 0),
                        "protocol": protocol or "tcp",
                    }
                )
        return out

    async def _ship_logs(self, engine: Engine, doc: dict[str, Any], definition: dict[str, Any], container: str) -> None:
        """An awslogs container's output to CloudWatch Logs (group awslogs-group, stream
        <awslogs-stream-prefix>/<container name>/<task id>) as it is printed, through the "logs" delivery target."""
        options = (definition.get("logConfiguration") or {}).get("options") or {}
        parts = doc["taskArn"].split(":")
        region = options.get("awslogs-region") or parts[3]
        group = options.get("awslogs-group")
        if not group:
            return
        prefix = options.get("awslogs-stream-prefix")
        task_id = tasks.task_id_of(doc["taskArn"])
        stream = f"{prefix}/{definition['name']}/{task_id}" if prefix else f"{definition['name']}/{task_id}"
        create = str(options.get("awslogs-create-group", "false")).lower() == "true"
        target = LogTarget(region, parts[4], group, stream, create, doc["taskArn"])
        output = (data async for _stream, data in engine.logs(container, follow=True))
        await ship(output, target, self.store, self.delivery, self.clock)


def _lost(waiter: asyncio.Task[int]) -> str | None:
    """The engine's error when waiting on a container failed (the engine died), else None."""
    if waiter.cancelled():
        return None
    error = waiter.exception()
    return str(error) if isinstance(error, EngineError) else None


def _container(doc: dict[str, Any], name: str) -> dict[str, Any]:
    for record in doc["containers"]:
        if record["name"] == name:
            return record  # type: ignore[no-any-return]
    raise KeyError(name)


def _ordered(definitions: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Containers in an order that starts each after those it depends on (definition order otherwise)."""
    by_name = {d["name"]: d for d in definitions}
    done: list[str] = []
    visiting: set[str] = set()

    def visit(name: str) -> None:
        if name in done:
            return
        if name in visiting:
            raise StartFailure(f"CannotStartContainerError: the containers' dependsOn form a cycle at {name}")
        visiting.add(name)
        for dependency in by_name[name].get("dependsOn") or []:
            visit(dependency["containerName"])
        visiting.discard(name)
        done.append(name)

    for definition in definitions:
        visit(definition["name"])
    return [by_name[name] for name in done]


async def _inspect(engine: Engine, container_id: str) -> dict[str, Any] | None:
    try:
        return await engine.inspect_container(container_id)
    except EngineError:
        return None
