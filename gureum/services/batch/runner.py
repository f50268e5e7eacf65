"""One job attempt on the container engine (gureum.containers: Docker or Podman's service, the Engine API): the
image (local, else pulled — gureum's ECR with its credentials through the ImageRegistry port), the container with
the environment AWS Batch gives a job (AWS_BATCH_JOB_ID, AWS_BATCH_JQ_NAME, AWS_BATCH_CE_NAME,
AWS_BATCH_JOB_ATTEMPT, AWS_BATCH_JOB_ARRAY_INDEX, the job role's credentials, AWS_ENDPOINT_URL back to gureum),
STARTING → RUNNING, output to CloudWatch Logs (/aws/batch/job, stream <jobDefinitionName>/default/<taskId>), the
attempt's end: its exit code, the timeout ("Job attempt duration exceeded timeout"), TerminateJob, and the retry
strategy's decision (RUNNABLE again, or SUCCEEDED / FAILED). After a restart, attempts whose containers still run
are adopted; the others fail as on a terminated host and are retried per the strategy."""

from __future__ import annotations

import asyncio
import logging
import secrets
import uuid
from collections.abc import AsyncIterator, Callable
from typing import Any

from ...clock import Clock
from ...containers import Containers, Engine, EngineError
from ...containers.logs import LogTarget, ship
from ...containers.secrets import ReadParameters, SecretsFailed, read_secrets
from ...store.base import Store, Tx
from . import definitions, jobs, processes, store
from .jobs import PRIVATE
from .scheduler import Scheduler

log = logging.getLogger("gureum")

_LABEL = "gureum.batch.job"
_STARTS = 8  # containers created and started at once (the engine serialises much of it anyway)


class AttemptFailed(Exception):
    """The attempt could not start: its statusReason ("CannotPullContainerError: …")."""


class Runner:
    """This node's running attempts (the scheduler's leader node runs them all)."""

    def __init__(
        self,
        store_: Store,
        clock: Clock,
        containers: Containers,
        scheduler: Scheduler,
        spawn: Callable[..., Any],
        endpoint: str,
        pull_auth: Callable[[str, str, str], dict[str, str] | None],
        second: float = 1.0,
        processes: bool = False,
        read_parameters: ReadParameters | None = None,
    ) -> None:
        self.read_parameters = read_parameters  # Parameter Store's values (secrets), read as the execution role
        self.processes = processes  # no engine: jobs' commands run as host processes (opt-in; processes.py)
        self.store = store_
        self.clock = clock
        self.containers = containers
        self.scheduler = scheduler
        self.spawn = spawn
        self.endpoint = endpoint  # gureum's URL as a container on the host network reaches it
        self.pull_auth = pull_auth
        self.second = second  # the length of a timeout's second (GUREUM_BATCH_SECOND; tests shorten it)
        self._stops: dict[str, asyncio.Event] = {}
        self._secrets: dict[str, dict[str, str]] = {}  # a starting attempt's secrets by job id (never stored)
        self._starts = asyncio.Semaphore(_STARTS)
        self._images: set[str] = set()
        scheduler.start_attempt = self.start
        scheduler.running = lambda: set(self._stops)
        scheduler.stop_attempt = self.stop

    def start(self, job_id: str, adopt: bool) -> None:
        if job_id in self._stops:
            return
        self._stops[job_id] = asyncio.Event()
        self.spawn(self._attempt(job_id, adopt), f"batch-job-{job_id}")

    def stop(self, job_id: str) -> None:
        event = self._stops.get(job_id)
        if event is not None:
            event.set()

    # --- one attempt -------------------------------------------------------------------------------------------

    async def save(self, doc: dict[str, Any], status: str | None) -> None:
        old = doc["status"]
        if status is not None:
            doc["status"] = status

        def write(tx: Tx) -> None:
            current = store.job(tx, doc["jobId"])
            if current is not None:
                doc["tags"] = current.get("tags") or {}
            self.scheduler.save(tx, doc, old)

        await self.store.write(write)

    async def _attempt(self, job_id: str, adopt: bool) -> None:
        stop = self._stops[job_id]
        try:
            doc = await self.store.read(lambda tx: store.job(tx, job_id))
            if doc is None or doc["status"] not in ("STARTING", "RUNNING"):
                return
            await self._run(doc, adopt, stop)
        except Exception:
            log.exception("Batch job %s attempt failed", job_id)
        finally:
            self._stops.pop(job_id, None)
            self._secrets.pop(job_id, None)
            self.scheduler.wake()

    async def _run(self, doc: dict[str, Any], adopt: bool, stop: asyncio.Event) -> None:
        private = doc[PRIVATE]
        engine: Engine | None = None
        waiter: asyncio.Task[int] | None = None
        shipper: asyncio.Task[None] | None = None
        outcome: dict[str, Any] = {}
        if not adopt:
            container = doc["container"]
            parts = doc["jobArn"].split(":")
            try:
                self._secrets[doc["jobId"]] = await read_secrets(
                    self.read_parameters, parts[4], parts[3], container.get("executionRoleArn") or "",
                    container.get("secrets") or [],
                )  # fmt: skip
            except SecretsFailed as exc:
                await self.finish(doc, {"statusReason": str(exc)})
                return
        if self.processes and not (await self.containers.status()).get("engine"):
            await self.finish(doc, await processes.run(self, doc, adopt, stop))
            return
        try:
            engine = await self.containers.require()
            if adopt:
                waiter, shipper = await self._adopt(engine, doc)
            else:
                waiter, shipper = await self._start(engine, doc, stop)
            outcome = await self._wait(engine, doc, waiter, stop)
        except AttemptFailed as exc:
            outcome = {"statusReason": str(exc), "lost": adopt}
        except EngineError as exc:
            outcome = {"statusReason": f"CannotStartContainerError: {exc}"}
        except asyncio.CancelledError:
            raise  # gureum is stopping: the container keeps running and is adopted at the next start
        except Exception as exc:  # reported on the job, never a job left running silently
            log.exception("Batch job %s failed", doc["jobId"])
            outcome = {"statusReason": f"InternalError: {exc}"}
        if shipper is not None:
            try:
                await asyncio.wait_for(shipper, timeout=5)
            except (TimeoutError, EngineError, asyncio.CancelledError):
                shipper.cancel()
        if engine is not None and private.get("container"):
            try:
                await engine.remove_container(private["container"])
            except EngineError:
                log.warning("Batch job %s: container could not be removed", doc["jobId"])
        await self.finish(doc, outcome)

    async def _image(self, engine: Engine, doc: dict[str, Any]) -> None:
        image = doc["container"]["image"]
        if image in self._images or await engine.inspect_image(image) is not None:
            self._images.add(image)
            return
        parts = doc["jobArn"].split(":")
        try:
            await engine.pull(image, self.pull_auth(parts[4], parts[3], image))
        except EngineError as exc:
            raise AttemptFailed(f"CannotPullContainerError: pull image {image}: {exc}") from None
        self._images.add(image)

    async def _start(
        self, engine: Engine, doc: dict[str, Any], stop: asyncio.Event
    ) -> tuple[asyncio.Task[int], asyncio.Task[None] | None]:
        private = doc[PRIVATE]
        group, stream = self.prepare(doc)
        async with self._starts:
            await self._image(engine, doc)
            name = self._name(doc)
            try:
                try:
                    private["container"] = await engine.create_container(name, self._config(doc))
                except EngineError as exc:
                    if exc.status != 409 and "already in use" not in str(exc):  # Docker: 409; Podman: 500
                        raise
                    await engine.remove_container(name)  # left by an attempt interrupted before it was recorded
                    private["container"] = await engine.create_container(name, self._config(doc))
            except EngineError as exc:
                raise AttemptFailed(f"CannotCreateContainerError: {exc}") from None
            if stop.is_set():
                raise AttemptFailed(private.get("stop", {}).get("reason") or "Terminated")
            await self.save(doc, None)  # the container and the credentials' secret, before the job can ask
            try:
                await engine.start_container(private["container"])
            except EngineError as exc:
                raise AttemptFailed(f"CannotStartContainerError: {exc}") from None
        now = self.clock.now()
        private["attemptStartedAt"] = jobs.ms(now)
        doc["startedAt"] = jobs.ms(now)
        waiter = asyncio.ensure_future(engine.wait_container(private["container"]))
        shipper = asyncio.ensure_future(self._ship_logs(engine, doc, group, stream)) if group else None
        await self.save(doc, "RUNNING")
        return waiter, shipper

    def prepare(self, doc: dict[str, Any]) -> tuple[str | None, str]:
        """A new attempt's task id, task ARN, credentials' secret and log stream: (log group or None, stream)."""
        private = doc[PRIVATE]
        parts = doc["jobArn"].split(":")
        task_id = uuid.uuid4().hex
        private["taskId"] = task_id
        private.setdefault("secret", secrets.token_urlsafe(24))
        container = doc["container"]
        container["taskArn"] = f"arn:aws:ecs:{parts[3]}:{parts[4]}:task/AWSBatch-{private.get('ceName', '')}/{task_id}"
        group, stream = self._log_target(doc, task_id)
        if group:
            container["logStreamName"] = stream
        for key in ("exitCode", "reason"):
            container.pop(key, None)
        return group, stream

    async def _adopt(self, engine: Engine, doc: dict[str, Any]) -> tuple[asyncio.Task[int], asyncio.Task[None] | None]:
        """An attempt of before a restart: watch its container if it is still there, else fail the attempt as AWS
        does when the instance running it goes away."""
        container_id = doc[PRIVATE].get("container")
        found = await engine.inspect_container(container_id) if container_id else None
        if found is None or (found.get("State") or {}).get("Status") == "created":  # gone, or never started
            # (one created before gureum stopped and recorded it goes too)
            try:
                await engine.remove_container(container_id or self._name(doc))
            except EngineError:
                log.warning("Batch job %s: container could not be removed", doc["jobId"])
            raise AttemptFailed("Host EC2 (instance i-0gureum0000000000) terminated.")
        if doc["status"] == "STARTING":
            await self.save(doc, "RUNNING")
        return asyncio.ensure_future(engine.wait_container(container_id or "")), None

    async def _wait(
        self, engine: Engine, doc: dict[str, Any], waiter: asyncio.Task[int], stop: asyncio.Event
    ) -> dict[str, Any]:
        """Until the container exits, TerminateJob stops it, or the attempt's timeout passes."""
        private = doc[PRIVATE]
        seconds = (doc.get("timeout") or {}).get("attemptDurationSeconds")
        remaining = None
        if seconds:
            elapsed = (jobs.ms(self.clock.now()) - int(private.get("attemptStartedAt") or 0)) / 1000
            remaining = max(0.0, seconds * self.second - elapsed)
        stopper = asyncio.ensure_future(stop.wait())
        try:
            done, _ = await asyncio.wait({waiter, stopper}, timeout=remaining, return_when=asyncio.FIRST_COMPLETED)
        finally:
            stopper.cancel()
        outcome: dict[str, Any] = {}
        if waiter not in done:
            if stop.is_set():
                outcome["terminated"] = True
            else:
                outcome["statusReason"], outcome["timedOut"] = "Job attempt duration exceeded timeout", True
            try:  # SIGTERM, then SIGKILL after 30 seconds (of the job's clock)
                await engine.stop_container(private["container"], max(1, int(30 * self.second)))
            except EngineError as exc:
                if exc.status not in (304, 404):
                    raise
            try:
                await asyncio.wait_for(waiter, timeout=60)
            except (TimeoutError, EngineError):
                waiter.cancel()
        elif waiter.exception() is not None:
            raise AttemptFailed(f"The container engine stopped answering: {waiter.exception()}")
        found = await engine.inspect_container(private["container"]) or {}
        state = found.get("State") or {}
        if waiter.done() and not waiter.cancelled() and waiter.exception() is None:
            outcome["exitCode"] = waiter.result()
        elif "ExitCode" in state:
            outcome["exitCode"] = int(state["ExitCode"])
        if state.get("OOMKilled"):
            outcome["reason"] = "OutOfMemoryError: Container killed due to memory usage"
        return outcome

    async def finish(self, doc: dict[str, Any], outcome: dict[str, Any]) -> None:
        """Record the attempt and decide: SUCCEEDED, RUNNABLE again (retry), or FAILED."""
        now = self.clock.now()
        stop = await self.store.read(lambda tx: (store.job(tx, doc["jobId"]) or {}).get(PRIVATE, {}).get("stop"))
        container = doc["container"]
        code = outcome.get("exitCode")
        status_reason = outcome.get("statusReason") or "Essential container in task exited"
        if stop and stop["kind"] == "terminate":
            status_reason = stop["reason"]
            doc["isTerminated"] = True
        attempt_container: dict[str, Any] = {"networkInterfaces": []}
        if container.get("taskArn"):
            attempt_container["taskArn"] = container["taskArn"]
        if container.get("logStreamName"):
            attempt_container["logStreamName"] = container["logStreamName"]
        if code is not None:
            attempt_container["exitCode"] = container["exitCode"] = code
        if outcome.get("reason"):
            attempt_container["reason"] = container["reason"] = outcome["reason"]
        started = doc[PRIVATE].get("attemptStartedAt")
        attempt: dict[str, Any] = {"container": attempt_container, "stoppedAt": jobs.ms(now)}
        attempt["statusReason"] = status_reason
        if started:
            attempt["startedAt"] = started
        doc["attempts"].append(attempt)
        doc[PRIVATE].pop("container", None)
        doc[PRIVATE].pop("attemptStartedAt", None)
        doc["statusReason"] = status_reason
        if code == 0 and not outcome.get("timedOut") and not doc.get("isTerminated"):
            doc["stoppedAt"] = jobs.ms(now)
            await self.save(doc, "SUCCEEDED")
            return
        retry = doc.get("retryStrategy") or {}
        retryable = not outcome.get("timedOut") and not doc.get("isTerminated")
        action = definitions.retry_action(retry, code, outcome.get("reason", ""), status_reason)
        if retryable and len(doc["attempts"]) < int(retry.get("attempts", 1)) and action == "RETRY":
            await self.save(doc, "RUNNABLE")
            return
        doc["stoppedAt"] = jobs.ms(now)
        await self.save(doc, "FAILED")

    @staticmethod
    def _name(doc: dict[str, Any]) -> str:
        """The engine's name of the job's current attempt's container."""
        return f"batch-{doc['jobId'].replace(':', '-')}-{len(doc['attempts']) + 1}"

    # --- what a container is given -----------------------------------------------------------------------------

    def _log_target(self, doc: dict[str, Any], task_id: str) -> tuple[str | None, str]:
        """(log group, stream) of the attempt: /aws/batch/job and <jobDefinitionName>/default/<taskId>, or the
        awslogs options of the job's logConfiguration; no group for another log driver."""
        logging_config = doc["container"].get("logConfiguration") or {}
        driver = logging_config.get("logDriver", "awslogs")
        if driver != "awslogs":
            return None, ""
        options = logging_config.get("options") or {}
        group = options.get("awslogs-group") or "/aws/batch/job"
        prefix = options.get("awslogs-stream-prefix") or doc[PRIVATE]["definitionName"]
        return group, f"{prefix}/default/{task_id}"

    def environment(self, doc: dict[str, Any]) -> dict[str, str]:
        """The variables AWS Batch gives a job (and the job's own)."""
        container = doc["container"]
        private = doc[PRIVATE]
        region = doc["jobArn"].split(":")[3]
        environment = {
            "AWS_REGION": region,
            "AWS_DEFAULT_REGION": region,
            "AWS_ENDPOINT_URL": self.endpoint,
            "AWS_BATCH_JOB_ID": doc["jobId"],
            "AWS_BATCH_JQ_NAME": doc["jobQueue"].rsplit("/", 1)[-1],
            "AWS_BATCH_CE_NAME": private.get("ceName", ""),
            "AWS_BATCH_JOB_ATTEMPT": str(len(doc["attempts"]) + 1),
        }
        if "index" in (doc.get("arrayProperties") or {}):
            environment["AWS_BATCH_JOB_ARRAY_INDEX"] = str(doc["arrayProperties"]["index"])
        if container.get("jobRoleArn"):
            environment["AWS_CONTAINER_CREDENTIALS_FULL_URI"] = f"{self.endpoint}/_batch/credentials/{doc['jobId']}"
            environment["AWS_CONTAINER_AUTHORIZATION_TOKEN"] = private["secret"]
        for variable in container.get("environment") or []:
            if variable.get("name"):
                environment[variable["name"]] = variable.get("value", "")
        environment.update(self._secrets.get(doc["jobId"], {}))  # the definition's secrets, read at the start
        return environment

    def _config(self, doc: dict[str, Any], /) -> dict[str, Any]:
        container = doc["container"]
        private = doc[PRIVATE]
        environment = self.environment(doc)
        host: dict[str, Any] = {"NetworkMode": "host"}
        if private.get("memory"):
            host["Memory"] = int(private["memory"]) * 1024 * 1024
            host["MemorySwap"] = host["Memory"]
        if private.get("vcpus"):
            host["NanoCpus"] = int(float(private["vcpus"]) * 1_000_000_000)
        if container.get("ulimits"):
            host["Ulimits"] = [
                {"Name": u["name"], "Soft": u["softLimit"], "Hard": u["hardLimit"]} for u in container["ulimits"]
            ]
        for source, target in (("readonlyRootFilesystem", "ReadonlyRootfs"), ("privileged", "Privileged")):
            if container.get(source) is not None:
                host[target] = bool(container[source])
        volumes = {v["name"]: (v.get("host") or {}).get("sourcePath") for v in container.get("volumes") or []}
        binds = []
        for mount in container.get("mountPoints") or []:
            path = volumes.get(mount.get("sourceVolume", ""))
            if path:
                binds.append(f"{path}:{mount['containerPath']}{':ro' if mount.get('readOnly') else ''}")
        if binds:
            host["Binds"] = binds
        linux = container.get("linuxParameters") or {}
        if linux.get("initProcessEnabled"):
            host["Init"] = True
        if linux.get("sharedMemorySize"):
            host["ShmSize"] = int(linux["sharedMemorySize"]) * 1024 * 1024
        if linux.get("devices"):
            host["Devices"] = [
                {
                    "PathOnHost": d["hostPath"],
                    "PathInContainer": d.get("containerPath") or d["hostPath"],
                    "CgroupPermissions": "".join(
                        p[0].lower() for p in d.get("permissions") or ["READ", "WRITE", "MKNOD"]
                    ),
                }
                for d in linux["devices"]
            ]
        if linux.get("maxSwap") is not None and "Memory" in host:
            host["MemorySwap"] = host["Memory"] + int(linux["maxSwap"]) * 1024 * 1024
        if linux.get("swappiness") is not None:
            host["MemorySwappiness"] = int(linux["swappiness"])
        if linux.get("tmpfs"):
            host["Tmpfs"] = {
                t["containerPath"]: ",".join([f"size={int(t['size'])}m", *(t.get("mountOptions") or [])])
                for t in linux["tmpfs"]
            }
        config: dict[str, Any] = {
            "Image": container["image"],
            "Env": [f"{key}={value}" for key, value in environment.items()],
            "Labels": {_LABEL: doc["jobId"], "com.amazonaws.batch.job-id": doc["jobId"]},
            "HostConfig": host,
        }
        if container.get("command"):
            config["Cmd"] = container["command"]
        if container.get("user"):
            config["User"] = container["user"]
        return config

    async def _ship_logs(self, engine: Engine, doc: dict[str, Any], group: str, stream: str) -> None:
        """The container's output to CloudWatch Logs as it is printed."""
        output = (data async for _stream, data in engine.logs(doc[PRIVATE]["container"], follow=True))
        await self.ship_output(output, doc, group, stream)

    async def ship_output(self, output: AsyncIterator[bytes], doc: dict[str, Any], group: str, stream: str) -> None:
        """Printed output to CloudWatch Logs line by line as it comes, through the "logs" delivery target."""
        options = (doc["container"].get("logConfiguration") or {}).get("options") or {}
        parts = doc["jobArn"].split(":")
        region = options.get("awslogs-region") or parts[3]
        create = group == "/aws/batch/job" or str(options.get("awslogs-create-group", "false")).lower() == "true"
        target = LogTarget(region, parts[4], group, stream, create, doc["jobArn"])
        await ship(output, target, self.store, self.scheduler.delivery, self.clock)
