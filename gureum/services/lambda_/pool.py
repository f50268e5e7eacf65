"""This node's execution environments: unpacked code and layers, warm environments per function version,
concurrency, idle expiry, provisioned environments, and running one invocation in one of them (each environment's
log lines streamed to CloudWatch Logs as they are printed: function_logs.py).

Functions, code and logs live in the store, shared by every node; environments and their processes are this node's
own, so concurrency limits count per node.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

from ... import tracing
from ...aws.authorize import Credentials, role_credentials
from ...runtime import Runtime
from . import store
from .environment import Environment, Outcome
from .errors import RecursiveInvocationException, ServiceException, too_many_requests
from .function_logs import LogStream
from .functions import Function
from .limits import CONCURRENT_EXECUTIONS, IDLE_SECONDS, INIT_TIMEOUT, MAX_ENVIRONMENTS, RECURSION_LIMIT
from .packages import unpack
from .runtime_api import NextEvent
from .runtimes import ensure_runtime, launch
from .sandbox import new_user, unprivileged_user_available
from .streaming import ResponseStream

log = logging.getLogger("gureum.lambda")

CREDENTIAL_SECONDS = 43_200  # an environment's role session (AWS's Lambda credentials last up to 12 hours)


@dataclass(slots=True)
class Invocation:
    """What the pool needs of one invocation."""

    payload: bytes
    request_id: str
    invoked_arn: str
    client_context: str | None = None
    stream: ResponseStream | None = None  # a streamed response goes here as the runtime writes it


class EnvironmentPool:
    """This node's execution environments: warm and busy ones per version, provisioned ones per configuration."""

    def __init__(self, runtime: Runtime) -> None:
        self.runtime = runtime
        self.clock = runtime.clock
        data_dir = runtime.config.data_dir
        self._temporary = data_dir is None
        self.root = Path(tempfile.mkdtemp(prefix="gureum-lambda-")) if data_dir is None else Path(data_dir) / "lambda"
        self.root.mkdir(parents=True, exist_ok=True)
        self.idle: dict[str, list[Environment]] = {}  # qualified ARN → warm environments, most recent last
        self.busy: dict[str, int] = {}  # unqualified ARN → environments serving or starting
        self.total = 0
        self.users: set[int] = set()  # the uids of live environments (gureum as root)
        self.running: set[Environment] = set()  # every live environment, idle or busy (stopped at shutdown)
        # provisioned concurrency: configuration key (version or alias ARN) → (version served, count wanted), its live
        # environments, and the idle ones by version ARN (used before on-demand ones; never idle-expired)
        self.provisioned_wanted: dict[str, tuple[Function, int]] = {}
        self.provisioned: dict[str, set[Environment]] = {}
        self.provisioned_idle: dict[str, list[Environment]] = {}
        # one replenishment at a time per configuration: two at once (a new configuration's, and the one a retired
        # environment of the version it replaced starts) would each start the missing environments
        self.replenishing: dict[str, asyncio.Lock] = {}
        self.log_streams: dict[str, LogStream] = {}  # environment id → its log stream (closed when it stops)
        self.retiring: set[asyncio.Task[None]] = set()  # environments being stopped in the background
        self.installing: dict[str, asyncio.Future[None]] = {}  # runtime → its interpreter being fetched
        host = runtime.config.host if runtime.config.host not in ("0.0.0.0", "::", "") else "127.0.0.1"
        # what AWS_ENDPOINT_URL points at
        self.endpoint = f"http://{f'[{host}]' if ':' in host else host}:{runtime.config.port}"

    # --- code --------------------------------------------------------------------------------------

    def code_dir(self, account: str, sha: str) -> Path:
        return self.root / "code" / account / sha.replace("/", "_").replace("+", "-").rstrip("=")

    async def ensure_runtime(self, runtime: str) -> None:
        """The runtime's interpreter on this node, fetched on first use (one fetch per runtime at a time)."""
        task = self.installing.get(runtime)
        if task is None or task.done():
            task = asyncio.ensure_future(ensure_runtime(runtime))
            self.installing[runtime] = task
        await asyncio.shield(task)

    async def ensure_code(self, fn: Function) -> Path:
        """The function's unpacked code, fetched from the store and unpacked on first use on this node."""
        target = self.code_dir(fn.account, fn.code_sha)
        if target.exists():
            return target
        zip_bytes = await self.runtime.store.read(lambda tx: store.get_code(tx, fn.account, fn.code_sha))
        if zip_bytes is None:
            raise ServiceException(f"The code of {fn.qualified_arn} is missing from the store.")
        await asyncio.to_thread(unpack, zip_bytes, target)
        return target

    async def ensure_layers(self, fn: Function) -> Path | None:
        """The function's layers merged into one folder (AWS's /opt), shared by functions with the same layers."""
        if not fn.layers:
            return None
        shas = [layer["sha"] for layer in fn.layers]
        target = self.root / "opt" / fn.account / hashlib.sha256("\n".join(shas).encode()).hexdigest()[:32]
        if target.exists():
            return target
        # a layer's code is kept in its own account, which may be another than the function's (a shared layer)
        owners = [layer["Arn"].split(":")[4] for layer in fn.layers]
        zips = await self.runtime.store.read(
            lambda tx: [store.get_code(tx, owner, sha) for owner, sha in zip(owners, shas)]
        )
        if any(z is None for z in zips):
            raise ServiceException(f"A layer of {fn.qualified_arn} is missing from the store.")
        await asyncio.to_thread(unpack, [z for z in zips if z is not None], target)
        return target

    # --- environments ------------------------------------------------------------------------------

    def _credentials(self, fn: Function) -> Credentials:
        """The execution role's credentials, as AWS gives a function: a session of its role named after the function
        (arn:aws:sts::<account>:assumed-role/<role name>/<function name>), so that what the code calls is authorised
        as the role under IAM enforcement. Each environment gets its own, valid as long as Lambda's (12 hours)."""
        return role_credentials(self.runtime, fn.role, fn.name, CREDENTIAL_SECONDS)

    def _base_env(
        self, fn: Function, task_root: Path, opt: Path | None, init_type: str = "on-demand"
    ) -> dict[str, str]:
        """The environment AWS documents
        (https://docs.aws.amazon.com/lambda/latest/dg/configuration-envvars.html#configuration-envvars-runtime)."""
        credentials = self._credentials(fn)
        runtime_dir = str(Path(__file__).parent / "bootstrap")
        return {
            **fn.environment,
            "_HANDLER": fn.handler,
            "AWS_REGION": fn.region,
            "AWS_DEFAULT_REGION": fn.region,
            "AWS_EXECUTION_ENV": f"AWS_Lambda_{fn.runtime}",
            "AWS_LAMBDA_FUNCTION_NAME": fn.name,
            "AWS_LAMBDA_FUNCTION_VERSION": fn.version,
            "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": str(fn.memory),
            "AWS_LAMBDA_INITIALIZATION_TYPE": init_type,
            "AWS_LAMBDA_LOG_GROUP_NAME": fn.log_group,
            "AWS_ACCESS_KEY_ID": credentials.access_key,
            "AWS_SECRET_ACCESS_KEY": credentials.secret,
            "AWS_SESSION_TOKEN": credentials.token,
            "AWS_ENDPOINT_URL": self.endpoint,
            "LAMBDA_TASK_ROOT": str(task_root),
            "LAMBDA_RUNTIME_DIR": runtime_dir,
            "TZ": ":UTC",
            "LANG": "en_US.UTF-8",
            "PATH": os.pathsep.join(
                ["/usr/local/bin", "/usr/bin", "/bin", str(task_root / "bin"), str(opt / "bin") if opt else "/opt/bin"]
            ),
            "LD_LIBRARY_PATH": os.pathsep.join(
                [str(task_root), str(task_root / "lib"), runtime_dir, str(opt / "lib") if opt else "/opt/lib"]
            ),
            **_xray_environment(self.runtime),
        }

    async def _acquire(self, fn: Function) -> tuple[Environment, bool]:
        """A provisioned or warm environment of this exact version and generation (its code and configuration; a new
        RevisionId from a state or policy change keeps it), or a new one (raises a throttle)."""
        if fn.reserved_concurrency is not None and self.busy.get(fn.arn, 0) >= fn.reserved_concurrency:
            raise too_many_requests("ReservedFunctionConcurrentInvocationLimitExceeded")
        key = fn.qualified_arn
        for pool in (self.provisioned_idle.get(key) or [], self.idle.get(key) or []):
            while pool:
                warm = pool.pop()
                if warm.alive and warm.fn.generation == fn.generation and await warm.ready():
                    self.busy[fn.arn] = self.busy.get(fn.arn, 0) + 1
                    return warm, False
                self._retire_later(warm)
        await self._make_room()
        self.busy[fn.arn] = self.busy.get(fn.arn, 0) + 1
        try:
            env = await self._new_environment(fn)
        except BaseException:
            self.busy[fn.arn] -= 1
            raise
        return env, True

    async def _make_room(self) -> None:
        """Before starting an environment: stop the longest-idle on-demand one when the node is full, else throttle
        (provisioned environments are never stopped to make room)."""
        if self.total < min(MAX_ENVIRONMENTS, CONCURRENT_EXECUTIONS):
            return
        victim = min((e for envs in self.idle.values() for e in envs), key=lambda e: e.last_used, default=None)
        if victim is None:
            raise too_many_requests("ConcurrentInvocationLimitExceeded")
        self.idle[victim.fn.qualified_arn].remove(victim)
        await self._retire(victim)

    async def _new_environment(self, fn: Function, provisioned_for: str | None = None) -> Environment:
        """Start an environment's process (counted in ``total`` from now on)."""
        self.total += 1
        env: Environment | None = None
        user: int | None = None
        try:
            await self.ensure_runtime(fn.runtime)
            task_root = await self.ensure_code(fn)
            opt = await self.ensure_layers(fn)
            work_dir = Path(tempfile.mkdtemp(prefix="env-", dir=self._work_root()))
            user = new_user(self.users) if unprivileged_user_available() else None
            if user is not None:
                self.users.add(user)
            init_type = "on-demand" if provisioned_for is None else "provisioned-concurrency"
            env = Environment(
                fn,
                task_root,
                work_dir,
                launch(fn.runtime, task_root, fn.memory, self.root, opt),
                self._base_env(fn, task_root, opt, init_type),
                self.clock,
                data_dir=self.root if self._temporary else self.root.parent,
                user=user,
            )
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
                self.users.discard(user or 0)
                if env is not None:
                    self.log_streams.pop(env.id, None)
            raise
        return env

    def _work_root(self) -> Path:
        path = self.root / "environments"
        path.mkdir(parents=True, exist_ok=True)
        return path

    def _release(self, env: Environment, keep: bool) -> None:
        self.busy[env.fn.arn] = max(0, self.busy.get(env.fn.arn, 1) - 1)
        if keep and env.alive:
            env.last_used = self.clock.monotonic()
            pool = self.idle if env.provisioned_for is None else self.provisioned_idle
            pool.setdefault(env.fn.qualified_arn, []).append(env)
        else:
            self._retire_later(env)

    def _retire_later(self, env: Environment) -> None:
        task = self.runtime.spawn(self._retire(env), f"lambda-retire-{env.id}")
        self.retiring.add(task)
        task.add_done_callback(self.retiring.discard)

    async def _retire(self, env: Environment) -> None:
        if env in self.running:
            self.running.discard(env)
            self.total -= 1
            key = env.provisioned_for
            if key is not None and env in self.provisioned.get(key, set()):
                self.provisioned[key].discard(env)
                if len(self.provisioned[key]) < self.provisioned_wanted.get(key, (None, 0))[1]:
                    # a provisioned environment died (crash, timeout): start its replacement
                    self.runtime.spawn(self._replenish(key), f"lambda-provision-{env.id}")
        await env.stop()
        if env.user is not None:
            self.users.discard(env.user)
        logs = self.log_streams.pop(env.id, None)
        if logs is not None:
            await logs.close()

    async def retire_function(self, arn: str) -> None:
        """Stop the idle on-demand environments of every version of a function (deleted or changed)."""
        for key in [k for k in self.idle if k == arn or k.startswith(arn + ":")]:
            for env in self.idle.pop(key):
                await self._retire(env)

    async def sweep(self) -> None:
        """Stop on-demand environments idle longer than IDLE_SECONDS (a background task of the lifespan)."""
        while True:
            await asyncio.sleep(min(30.0, max(0.5, IDLE_SECONDS / 4)))
            cutoff = self.clock.monotonic() - IDLE_SECONDS
            for envs in list(self.idle.values()):
                for env in [e for e in envs if e.last_used < cutoff or not e.alive]:
                    envs.remove(env)
                    await self._retire(env)

    async def stop_all(self) -> None:
        """At shutdown: stop every environment and write the log lines they printed."""
        envs = list(self.running)
        self.idle.clear()
        self.provisioned_idle.clear()
        self.provisioned_wanted.clear()
        await asyncio.gather(*(self._retire(env) for env in envs), *list(self.retiring), return_exceptions=True)
        await asyncio.gather(*(logs.close() for logs in list(self.log_streams.values())), return_exceptions=True)
        if self._temporary:
            shutil.rmtree(self.root, ignore_errors=True)

    async def reset(self) -> None:
        """After a reset of the store: no provisioned configuration is left, and no idle environment either."""
        for key in list(self.provisioned_wanted):
            await self.unprovision(key)
        envs = [env for pool in self.idle.values() for env in pool]
        self.idle.clear()
        for env in envs:
            await self._retire(env)

    # --- provisioned concurrency -------------------------------------------------------------------

    async def provision(self, key: str, fn: Function, count: int) -> tuple[int, str | None]:
        """Keep ``count`` initialised environments of ``fn`` warm for the configuration ``key`` (a version's or an
        alias's ARN); never idle-expired. Returns (environments ready, failure reason or None)."""
        previous = self.provisioned_wanted.get(key)
        self.provisioned_wanted[key] = (fn, count)
        if previous is not None and previous[0].qualified_arn != fn.qualified_arn:
            await self._drop_provisioned(key, keep=0)  # the alias now points at another version
        await self._drop_provisioned(key, keep=count)
        return await self._replenish(key)

    def provisioned_version(self, key: str) -> str | None:
        """The qualified ARN of the version the configuration ``key`` keeps environments of, if it is wanted here."""
        wanted = self.provisioned_wanted.get(key)
        return None if wanted is None else wanted[0].qualified_arn

    async def unprovision(self, key: str) -> None:
        self.provisioned_wanted.pop(key, None)
        await self._drop_provisioned(key, keep=0)

    async def _drop_provisioned(self, key: str, keep: int) -> None:
        envs = self.provisioned.get(key, set())
        for env in sorted(envs, key=lambda e: e.last_used)[: max(0, len(envs) - keep)]:
            pool = self.provisioned_idle.get(env.fn.qualified_arn) or []
            if env in pool:
                pool.remove(env)
                await self._retire(env)
            else:  # serving an invocation: it becomes an on-demand environment when released
                envs.discard(env)
                env.provisioned_for = None

    async def _replenish(self, key: str) -> tuple[int, str | None]:
        async with self.replenishing.setdefault(key, asyncio.Lock()):
            wanted = self.provisioned_wanted.get(key)
            if wanted is None:
                return 0, None
            fn, count = wanted
            envs = self.provisioned.setdefault(key, set())
            missing = count - len(envs)
            reason: str | None = None
            if missing > 0:
                results = await asyncio.gather(
                    *(self._warm_one(key, fn) for _ in range(missing)), return_exceptions=True
                )
                failures = [r for r in results if isinstance(r, BaseException)]
                if failures:
                    reason = str(failures[0]) or type(failures[0]).__name__
            return len(self.provisioned.get(key, ())), reason

    async def _warm_one(self, key: str, fn: Function) -> None:
        if self.total >= min(MAX_ENVIRONMENTS, CONCURRENT_EXECUTIONS):
            await self._make_room()
        env = await self._new_environment(fn, provisioned_for=key)
        await env.initialise(INIT_TIMEOUT)
        failed = not env.alive
        current = self.provisioned_wanted.get(key)
        if failed or current is None or current[0].qualified_arn != fn.qualified_arn:
            await self._retire(env)  # failed, or the configuration changed or went while it started
            if failed:
                raise RuntimeError("FUNCTION_ERROR_INIT_FAILURE")
            return
        self.provisioned.setdefault(key, set()).add(env)
        self.provisioned_idle.setdefault(fn.qualified_arn, []).append(env)

    # --- invoking ----------------------------------------------------------------------------------

    async def invoke(self, fn: Function, inv: Invocation) -> Outcome:
        """Run one invocation in a provisioned, warm or new environment (its log lines go to CloudWatch Logs as they
        are printed); throttles raise TooManyRequestsException, and an invocation that recursive loop detection
        stops (chain_of_events) RecursiveInvocationException."""
        caller = tracing.current()
        chain = chain_of_events(fn, caller)
        env, _cold = await self._acquire(fn)
        now = self.clock.now()
        deadline_ms = int((now + fn.timeout) * 1000)
        span = _function_span(self.runtime, fn, inv.invoked_arn)  # the function's segment, under the caller's trace
        if span is not None:
            header = span.header  # _X_AMZN_TRACE_ID: the SDK's subsegments and calls hang under it
        elif caller is not None:  # not sampled: the trace goes on, marked so
            header = tracing.TraceHeader(caller.root, caller.parent, "0")
        else:
            header = tracing.TraceHeader(tracing.new_trace_id(now), tracing.new_segment_id(), "0")
        trace = tracing.with_lineage(header, chain).format()  # the function's SDK calls carry it on (Lineage)
        event = NextEvent(inv.request_id, inv.payload, deadline_ms, inv.invoked_arn, trace, inv.client_context)
        outcome: Outcome | None = None
        try:
            outcome = await env.invoke(event, float(fn.timeout), max(INIT_TIMEOUT, float(fn.timeout)), inv.stream)
        finally:
            self._release(env, keep=outcome is not None and outcome.kind in ("ok", "error") and env.alive)
            if span is not None:
                kind = outcome.kind if outcome is not None else "crash"
                span.end(status=200 if kind == "ok" else 500, error=kind == "error", fault=kind not in ("ok", "error"))
        return outcome


def _xray_environment(runtime: Runtime) -> dict[str, str]:
    """Where the X-Ray SDK in a function sends its segments (the xray service's daemon endpoint), as Lambda sets it."""
    rec = tracing.recorder(runtime)
    if rec is None or rec.daemon_address is None:
        return {}
    host, _, port = rec.daemon_address.rpartition(":")
    return {"AWS_XRAY_DAEMON_ADDRESS": rec.daemon_address, "_AWS_XRAY_DAEMON_ADDRESS": host,
            "_AWS_XRAY_DAEMON_PORT": port, "AWS_XRAY_CONTEXT_MISSING": "LOG_ERROR"}  # fmt: skip


def chain_of_events(fn: Function, caller: tracing.TraceHeader | None) -> dict[str, int]:
    """Recursive loop detection: the caller's Lineage (how many times each function was invoked in this chain of
    events: a message the function sent back to its own queue, a topic it published to again) with this invocation
    counted. Past RECURSION_LIMIT invocations of the function, unless its RecursiveLoop is Allow, Lambda stops it:
    RecursiveInvocationException, which the event's source handles as a failed invocation (an SQS message goes
    back to its queue and on to its dead-letter queue; an asynchronous event to its DLQ or on-failure destination)."""
    counts = tracing.lineage(caller)
    key = tracing.lineage_key(fn.arn)
    counts[key] = counts.pop(key, 0) + 1  # last: the entries kept are the latest functions of the chain
    if counts[key] > RECURSION_LIMIT and fn.recursive_loop != "Allow":
        log.warning("Lambda stopped %s: invoked %d times in one chain of events (recursive loop)", fn.arn, counts[key])
        raise RecursiveInvocationException(
            "Lambda has detected your function being invoked in a recursive loop with other AWS resources and "
            "stopped your function's invocation."
        )
    return counts


def _function_span(runtime: Runtime, fn: Function, invoked_arn: str) -> tracing.Span | None:
    """A segment of the function (AWS::Lambda::Function) under the current trace, when tracing is on and the
    invocation is sampled: the caller decided so, or left it open (no header, Sampled=?) to an Active function."""
    rec = tracing.recorder(runtime)
    caller = tracing.current()
    undecided = caller is None or caller.sampled in (None, "?")
    if rec is None or (undecided and fn.tracing != "Active"):
        return None
    parts = invoked_arn.split(":")
    region, account, name = (parts[3], parts[4], parts[6]) if len(parts) >= 7 else ("", "", invoked_arn)
    return rec.begin(
        caller,
        name=name,
        origin="AWS::Lambda::Function",
        operation="Invoke",
        account=account,
        region=region,
        resource_arn=invoked_arn,
    )
