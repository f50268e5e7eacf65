"""Container-image functions (PackageType Image): the image comes from gureum's ECR and runs on the container engine
(gureum.containers), speaking the same Runtime API as a zip function's process.

CreateFunction resolves ImageUri's tag to its digest by pulling it into the engine (ResolvedImageUri, CodeSha256);
an environment is one container on the host network (so AWS_LAMBDA_RUNTIME_API, on loopback, reaches this node's
Runtime API server), with ImageConfig's EntryPoint, Command and WorkingDirectory over the image's own, MemorySize
as the engine's hard memory limit (no swap beyond it), a read-only root file system and /tmp of EphemeralStorage,
as AWS's image contract has it. Its output goes to CloudWatch Logs as a zip function's does; timeouts, warm reuse,
idle expiry and provisioned concurrency are the pool's (pool.py).
"""

from __future__ import annotations

import asyncio
import json
import os
import re
import signal
import socket
import tempfile
import uuid
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from ...containers import Engine, EngineError, engine_state
from ...ports import ImageRegistry
from ...runtime import Runtime
from ...store.base import Tx
from . import store, versions
from .cgroups import Cgroups
from .environment import Environment
from .errors import invalid
from .function_logs import LogStream
from .functions import Function, check_name, check_settings
from .pool import EnvironmentPool
from .runtimes import Launch

# <registry>/<repository>(:<tag>|@sha256:<hex>); the registry an ECR one (amazonaws.com or the .localhost form gureum
# serves) or gureum's own loopback host:port
_IMAGE_URI = re.compile(
    r"^(?P<host>[^/]+)/(?P<repo>[a-z0-9]+(?:[._/-][a-z0-9]+)*)(?::(?P<tag>[\w][\w.-]{0,127})|@(?P<digest>sha256:[0-9a-f]{64}))$"
)
_ECR_HOST = re.compile(
    r"^(?P<account>\d{12})\.dkr\.ecr\.(?P<region>[a-z0-9-]+)\.(?:amazonaws\.com|localhost)(?::\d+)?$"
)
_LOOPBACK = re.compile(r"^(?:localhost|127\.\d+\.\d+\.\d+)(?::\d+)?$")
PARAMETERS_WITH_IMAGE = (
    "Please don't provide Handler or Runtime or Layer when the intended function PackageType is Image."
)
_LABEL = "gureum.lambda.environment"
_OWNER = "gureum.lambda.owner"  # <host name>:<pid> of the gureum that started it


def owner() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def _orphaned(labels: dict[str, str]) -> bool:
    """A container a gureum on this machine started and that gureum is gone (killed: it could not remove it)."""
    host, _, pid = str(labels.get(_OWNER) or "").rpartition(":")
    if host != socket.gethostname() or not pid.isdigit() or int(pid) == os.getpid():
        return False
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    return False


@dataclass(frozen=True, slots=True)
class ImageRef:
    """A parsed ImageUri: the host as given, the repository, a tag or a digest."""

    host: str
    repository: str
    tag: str | None
    digest: str | None


def parse_image_uri(uri: str, account: str, region: str) -> ImageRef:
    """ImageUri as Lambda takes it: an ECR image of the function's own account and Region (or gureum's registry
    named by its loopback address); InvalidParameterValueException otherwise."""
    match = _IMAGE_URI.match(uri or "")
    host = match.group("host") if match else ""
    ecr = _ECR_HOST.match(host)
    if match is None or (ecr is None and _LOOPBACK.match(host) is None):
        raise invalid(f"Source image {uri} is not valid. Provide a valid source image.")
    if ecr is not None and (ecr.group("account"), ecr.group("region")) != (account, region):
        raise invalid(
            f"Source image {uri} is not valid: gureum runs images from the function's own account and Region's ECR "
            f"({account}.dkr.ecr.{region}.amazonaws.com)."
        )
    return ImageRef(host, match.group("repo"), match.group("tag"), match.group("digest"))


def check_create(name: str, settings: dict[str, Any], account: str, region: str) -> ImageRef:
    """CreateFunction's checks of an Image function's members; its parsed ImageUri."""
    check_name(name)
    if settings.get("Runtime") or settings.get("Handler") or settings.get("Layers"):
        raise invalid(PARAMETERS_WITH_IMAGE)
    code = settings.get("Code") or {}
    if any(code.get(member) for member in ("ZipFile", "S3Bucket", "S3Key", "S3ObjectVersion")):
        raise invalid("Please don't provide ZipFile or S3 code when the intended function PackageType is Image.")
    if not code.get("ImageUri"):
        raise invalid("Please provide a source for function code: ImageUri is required for PackageType Image.")
    check_settings(settings)
    return parse_image_uri(code["ImageUri"], account, region)


@dataclass(frozen=True, slots=True)
class _ContainerMemory(Cgroups):
    """The engine holds the container's memory: whether it killed the container for going beyond it."""

    state: dict[str, bool] = field(default_factory=dict)

    def oom_killed(self) -> bool:
        return bool(self.state.get("oom"))

    def remove(self) -> bool:
        return True


class ImageEnvironment(Environment):
    """One execution environment of an Image function: a container on the engine."""

    def __init__(self, fn: Function, work_dir: Path, env: dict[str, str], pool: ImagePool) -> None:
        super().__init__(fn, Path("/var/task"), work_dir, Launch([], {}, fn.memory), env, pool.clock)
        self.engine = pool.engine()
        self.local = pool.local_reference(fn)
        self.container: str | None = None
        self.exit_code: int | None = None
        self.memory = _ContainerMemory((), None)
        self.cgroups = self.memory
        self._tasks: list[asyncio.Task[None]] = []
        self._pool = pool
        self._pid = 0  # the container's process, as the host sees it
        self._peak_kb = 0

    def _config(self, port: int) -> dict[str, Any]:
        image = dict(self.fn.image or {})
        overrides = dict(image.get("config") or {})
        env = {
            **self.base_env,
            "AWS_LAMBDA_RUNTIME_API": f"127.0.0.1:{port}",
            "AWS_LAMBDA_LOG_STREAM_NAME": self.log_stream,
        }
        memory = self.fn.memory * 1024 * 1024
        config: dict[str, Any] = {
            "Image": self.local,
            "Env": [f"{key}={value}" for key, value in env.items()],
            "Labels": {_LABEL: self.id, _OWNER: owner(), "gureum.lambda.function": self.fn.qualified_arn},
            "HostConfig": {
                "NetworkMode": "host",
                "Memory": memory,
                "MemorySwap": memory,  # the hard limit, swap included
                "ReadonlyRootfs": True,
                "Tmpfs": {"/tmp": f"rw,size={self.fn.ephemeral_storage}m"},
            },
        }
        if overrides.get("EntryPoint"):
            config["Entrypoint"] = list(overrides["EntryPoint"])
        if overrides.get("Command"):
            config["Cmd"] = list(overrides["Command"])
        if overrides.get("WorkingDirectory"):
            config["WorkingDir"] = overrides["WorkingDirectory"]
        return config

    async def start(self) -> None:
        port = await self.server.start()
        self._spawned_at = self.clock.monotonic()
        try:
            await self._pool.ensure_image(self.fn)
            name = f"lambda-{self.fn.name[:40]}-{uuid.uuid4().hex[:12]}"
            self.container = await self.engine.create_container(name, self._config(port))
            attached = asyncio.Event()
            self._tasks.append(
                asyncio.get_running_loop().create_task(
                    self._follow_output(self.container, attached), name=f"lambda-image-output-{self.id}"
                )
            )
            await asyncio.wait_for(attached.wait(), 10)
            await self.engine.start_container(self.container)
        except (EngineError, OSError, TimeoutError) as exc:
            message = f"The container of {self.fn.qualified_arn} could not start: {exc}"
            self._emit(f"Error: {message}\n")
            self._emit("Runtime.InvalidEntrypoint\n")
            self._init_error = (
                json.dumps({"errorType": "Runtime.InvalidEntrypoint", "errorMessage": message}).encode(),
                "Runtime.InvalidEntrypoint",
            )
            self._exited.set()
            self.alive = False
            return
        loop = asyncio.get_running_loop()
        self._tasks.append(loop.create_task(self._wait(self.container), name=f"lambda-image-{self.id}"))

    async def _follow_output(self, container: str, attached: asyncio.Event) -> None:
        """The container's output as it is written, line by line, as a zip function's process output is logged."""
        try:
            async for _stream, data in self.engine.attach(container, attached):
                self._partial += data
                *lines, rest = self._partial.split(b"\n")
                for line in lines:
                    self._emit(line.decode("utf-8", "replace") + "\n")
                self._partial = bytearray(rest)
        except EngineError:
            pass

    async def _wait(self, container: str) -> None:
        try:
            self.exit_code = await self.engine.wait_container(container)
            found = await self.engine.inspect_container(container)
            if found is not None and (found.get("State") or {}).get("OOMKilled"):
                self.memory.state["oom"] = True
        except EngineError:
            self.exit_code = None
        output = self._tasks[0] if self._tasks else None
        if output is not None:  # what it printed last is logged before its end is
            await asyncio.wait({output}, timeout=1.0)
        self._exited.set()
        self.alive = False

    def _read_output(self) -> None:
        """The output comes from the engine's attach stream (_follow_output), not from a pipe."""

    def _exit_reason(self) -> str:
        code = self.exit_code
        if code is None:
            return "exit status 127"
        if 128 < code < 128 + 65:  # killed by a signal, as the engine reports it: 128 + the signal's number
            number = code - 128
            try:
                return f"signal: {(signal.strsignal(number) or signal.Signals(number).name).lower()}"
            except ValueError:
                return f"signal: {number}"
        return f"exit status {code}"

    def _sample(self) -> None:
        """The peak resident memory of the container's process (VmHWM), as the host sees it."""
        if not self._pid:
            return
        try:
            with open(f"/proc/{self._pid}/status") as status:
                for line in status:
                    if line.startswith("VmHWM:"):
                        self._peak_kb = max(self._peak_kb, int(line.split()[1]))
        except (OSError, ValueError):
            pass

    async def _sample_memory(self) -> None:
        """Sampled while the container lives (often while it serves an invocation): a killed process's peak is the
        last sample's."""
        while not self._exited.is_set():
            self._sample()
            try:
                await asyncio.wait_for(self._exited.wait(), 0.2 if self._current is not None else 2.0)
            except TimeoutError:
                pass

    def max_memory_mb(self) -> int:
        """Max Memory Used: the peak resident memory of the container's process."""
        self._sample()
        return max(1, self._peak_kb // 1024) if self._peak_kb else 0

    async def stop(self) -> None:
        self.alive = False
        if self.container is not None:
            try:
                await self.engine.remove_container(self.container, force=True)
            except EngineError:
                pass
            try:
                await asyncio.wait_for(self._exited.wait(), 5)
            except TimeoutError:
                pass
        for task in self._tasks:
            task.cancel()
        await self.server.close()
        if self._partial:
            self._emit(self._partial.decode("utf-8", "replace") + "\n")
            self._partial.clear()
        if self._current is not None and not self._current.done.done():
            self._current.done.set_result(("crash", b"", None))

    async def next_event(self) -> Any:
        if not self._pid and self.container is not None:
            found = await self.engine.inspect_container(self.container)
            self._pid = int(((found or {}).get("State") or {}).get("Pid") or 0)
            self._tasks.append(asyncio.get_running_loop().create_task(self._sample_memory()))
        return await super().next_event()


class ImagePool(EnvironmentPool):
    """The environment pool, with Image functions' environments run as containers on the engine."""

    def __init__(self, runtime: Runtime) -> None:
        super().__init__(runtime)
        self._pulling: dict[str, asyncio.Future[None]] = {}
        self._swept = False  # orphaned environment containers removed (on first use)

    def engine(self) -> Engine:
        return engine_state(self.runtime).engine()

    @property
    def registry_host(self) -> str:
        """gureum's registry as the engine reaches it: this node's loopback address and port."""
        return self.endpoint.removeprefix("http://")

    def local_reference(self, fn: Function) -> str:
        """The image as the engine pulls it from gureum's registry: by its resolved digest."""
        image = fn.image or {}
        return f"{self.registry_host}/{image['repository']}@{image['digest']}"

    async def pull(self, account: str, region: str, reference: str) -> None:
        """Pull ``reference`` from gureum's registry with the function account's credentials."""
        registry = self.runtime.optional_port(ImageRegistry)
        if registry is None:
            raise EngineError("ECR is not running in this gureum: images come from its registry.")
        engine = await engine_state(self.runtime).require()
        await engine.pull(reference, registry.pull_auth(account, region, reference))

    async def _sweep(self, engine: Engine) -> None:
        """Once per run: remove the environment containers a gureum on this machine left when it was killed."""
        if self._swept:
            return
        self._swept = True
        for found in await engine.list_containers({}):  # every container; ours by their labels
            labels = found.get("Labels") or {}
            if _LABEL in labels and _orphaned(labels):
                await engine.remove_container(str(found["Id"]), force=True)

    async def ensure_image(self, fn: Function) -> None:
        """The function's image in the engine, pulled on first use on this node (one pull per image at a time)."""
        reference = self.local_reference(fn)
        engine = self.engine()
        await self._sweep(engine)
        if await engine.inspect_image(reference) is not None:
            return
        task = self._pulling.get(reference)
        if task is None or task.done():
            task = asyncio.ensure_future(self.pull(fn.account, fn.region, reference))
            self._pulling[reference] = task
        await asyncio.shield(task)

    async def ensure_runtime(self, runtime: str) -> None:
        if runtime:  # an Image function has no runtime of Lambda's
            await super().ensure_runtime(runtime)

    async def ensure_code(self, fn: Function) -> Path:
        if fn.image is None:
            return await super().ensure_code(fn)
        await self.ensure_image(fn)
        return Path("/var/task")

    async def ensure_layers(self, fn: Function) -> Path | None:
        return None if fn.image is not None else await super().ensure_layers(fn)

    async def _new_environment(self, fn: Function, provisioned_for: str | None = None) -> Environment:
        if fn.image is None:
            return await super()._new_environment(fn, provisioned_for)
        self.total += 1
        env: Environment | None = None
        try:
            work_dir = Path(tempfile.mkdtemp(prefix="env-", dir=self._work_root()))
            init_type = "on-demand" if provisioned_for is None else "provisioned-concurrency"
            variables = self._base_env(fn, Path("/var/task"), None, init_type)
            for name in ("PATH", "LD_LIBRARY_PATH", "AWS_EXECUTION_ENV"):  # the image's own PATH applies
                variables.pop(name, None)
            command = list(((fn.image or {}).get("config") or {}).get("Command") or [])
            variables.update(
                {"LAMBDA_TASK_ROOT": "/var/task", "LAMBDA_RUNTIME_DIR": "/var/runtime", "_HANDLER": command[0]}
                if command
                else {"LAMBDA_TASK_ROOT": "/var/task", "LAMBDA_RUNTIME_DIR": "/var/runtime"}
            )
            if not command:
                variables.pop("_HANDLER", None)
            env = ImageEnvironment(fn, work_dir, variables, self)
            env.provisioned_for = provisioned_for
            logs = LogStream(self.runtime, fn, env.log_stream)
            self.log_streams[env.id] = logs
            env.log_sink = logs
            self.running.add(env)
            await env.start()
        except BaseException:
            if env is not None and env in self.running:
                await self._retire(env)
            else:
                self.total -= 1
                if env is not None:
                    self.log_streams.pop(env.id, None)
            raise
        return env


def code_location(fn: Function) -> dict[str, Any]:
    """GetFunction's Code of an Image function."""
    image = fn.image or {}
    return {"RepositoryType": "ECR", "ImageUri": image.get("uri"), "ResolvedImageUri": image.get("resolved")}


def update_code(
    tx: Tx,
    account: str,
    region: str,
    name: str,
    resolved: dict[str, Any],
    revision_id: str | None,
    dry_run: bool,
    now: float,
) -> Function:
    """UpdateFunctionCode of an Image function: its new image (ImageConfig kept); a dry run changes nothing."""
    current = versions._updatable(tx, account, region, name, revision_id)
    image = {**resolved, "config": dict((current.image or {}).get("config") or {})}
    sha = str(resolved["digest"]).removeprefix("sha256:")
    if dry_run:
        return current.revised(now, code_sha=sha, image=image)
    fn = current.revised(now, code_sha=sha, image=image, **versions._IN_PROGRESS)
    store.update_function(tx, fn)
    return fn


def image_config(given: dict[str, Any] | None) -> dict[str, Any]:
    """ImageConfig as kept: the EntryPoint, Command and WorkingDirectory given (empty ones dropped)."""
    members = ("EntryPoint", "Command", "WorkingDirectory")
    return {key: value for key, value in (given or {}).items() if key in members and value}


def set_config(tx: Tx, account: str, region: str, name: str, config: dict[str, Any], revision_id: str | None) -> None:
    """UpdateFunctionConfiguration's ImageConfig, written just before the rest of the update (which gives the new
    generation and RevisionId: environments started with the old configuration are replaced)."""
    current = versions._updatable(tx, account, region, name, revision_id)
    store.update_function(tx, replace(current, image={**(current.image or {}), "config": config}))
