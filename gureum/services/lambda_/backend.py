"""The node's Lambda engine: unpacked code, warm execution environments per function version, concurrency,
idle expiry, and one invocation from request to REPORT line.

State in the store (functions, code, logs) is shared by every node; environments and their processes are this
node's own, so concurrency limits count per node.
"""

from __future__ import annotations

import asyncio
import hashlib
import io
import logging
import os
import shutil
import tempfile
import time
import zipfile
from dataclasses import dataclass
from pathlib import Path

from ...aws.auth import DEFAULT_ACCOUNT, issue_access_key, issued_secret
from ...ids import unique_id
from ...runtime import Runtime
from . import store
from .environment import Environment, Outcome
from .errors import ServiceError, too_many_requests
from .functions import Function, role_account
from .limits import CONCURRENT_EXECUTIONS, IDLE_SECONDS, INIT_TIMEOUT, MAX_ENVIRONMENTS
from .runtime_api import NextEvent
from .runtimes import launch

log = logging.getLogger("gureum.lambda")


@dataclass(slots=True)
class Invocation:
    """What Invoke and the delivery targets hand the backend."""

    payload: bytes
    request_id: str
    invoked_arn: str
    client_context: str | None = None


def unpack(zip_bytes: bytes | list[bytes], target: Path) -> None:
    """Unzip into ``target`` atomically (a sibling temp folder renamed into place), keeping exec bits; several
    zips (layers) are unpacked in order, later ones overwriting earlier files, as AWS merges them into /opt."""
    if target.exists():
        return
    target.parent.mkdir(parents=True, exist_ok=True)
    scratch = Path(tempfile.mkdtemp(prefix=".unpack-", dir=target.parent))
    for one in zip_bytes if isinstance(zip_bytes, list) else [zip_bytes]:
        with zipfile.ZipFile(io.BytesIO(one)) as archive:
            for info in archive.infolist():
                path = archive.extract(info, scratch)
                mode = (info.external_attr >> 16) & 0o777
                if mode and not info.is_dir():
                    os.chmod(path, mode | 0o400)
    try:
        scratch.rename(target)
    except OSError:  # another task unpacked the same code first
        shutil.rmtree(scratch, ignore_errors=True)


class LambdaBackend:
    def __init__(self, runtime: Runtime) -> None:
        self.runtime = runtime
        data_dir = runtime.config.data_dir
        self._temporary = data_dir is None
        self.root = Path(tempfile.mkdtemp(prefix="gureum-lambda-")) if data_dir is None else Path(data_dir) / "lambda"
        self.root.mkdir(parents=True, exist_ok=True)
        self.idle: dict[str, list[Environment]] = {}  # qualified ARN → warm environments, most recent last
        self.busy: dict[str, int] = {}  # unqualified ARN → environments serving or starting
        self.total = 0
        self.running: set[Environment] = set()  # every live environment, idle or busy (stopped at shutdown)
        self.activated: dict[str, asyncio.Event] = {}  # ARN → set once $LATEST's code is ready on this node
        host = runtime.config.host if runtime.config.host not in ("0.0.0.0", "::", "") else "127.0.0.1"
        self.endpoint = f"http://{f'[{host}]' if ':' in host else host}:{runtime.config.port}"  # what AWS_ENDPOINT_URL points at

    # --- code --------------------------------------------------------------------------------------

    def code_dir(self, account: str, sha: str) -> Path:
        return self.root / "code" / account / sha.replace("/", "_").replace("+", "-").rstrip("=")

    async def ensure_code(self, fn: Function) -> Path:
        """The function's unpacked code, fetched from the store and unpacked on first use on this node."""
        target = self.code_dir(fn.account, fn.code_sha)
        if target.exists():
            return target
        zip_bytes = await self.runtime.store.read(lambda tx: store.get_code(tx, fn.account, fn.code_sha))
        if zip_bytes is None:
            raise ServiceError(f"The code of {fn.qualified_arn} is missing from the store.", code="ServiceException", status=500, sender_fault=False)
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
        zips = await self.runtime.store.read(lambda tx: [store.get_code(tx, fn.account, sha) for sha in shas])
        if any(z is None for z in zips):
            raise ServiceError(f"A layer of {fn.qualified_arn} is missing from the store.", code="ServiceException", status=500, sender_fault=False)
        await asyncio.to_thread(unpack, [z for z in zips if z is not None], target)
        return target

    # --- environments ------------------------------------------------------------------------------

    def _credentials(self, account: str) -> tuple[str, str]:
        """Keys acting in the role's account: an issued (STS-style) key, which strict SigV4 mode also accepts.

        gureum.aws.auth does not count an issued key for the default account as issued, so there the function
        gets the first static key strict mode knows (which acts in the default account anyway)."""
        if account == DEFAULT_ACCOUNT and self.runtime.config.credentials:
            return self.runtime.config.credentials[0]
        key = issue_access_key(account)
        return key, issued_secret(self.runtime.deployment_secret, key)

    def _base_env(self, fn: Function, task_root: Path, opt: Path | None) -> dict[str, str]:
        """The environment AWS documents (https://docs.aws.amazon.com/lambda/latest/dg/configuration-envvars.html#configuration-envvars-runtime)."""
        key, secret = self._credentials(role_account(fn.role))
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
            "AWS_LAMBDA_INITIALIZATION_TYPE": "on-demand",
            "AWS_LAMBDA_LOG_GROUP_NAME": fn.log_group,
            "AWS_ACCESS_KEY_ID": key,
            "AWS_SECRET_ACCESS_KEY": secret,
            "AWS_SESSION_TOKEN": f"gureum-lambda-{unique_id()}",
            "AWS_ENDPOINT_URL": self.endpoint,
            "LAMBDA_TASK_ROOT": str(task_root),
            "LAMBDA_RUNTIME_DIR": runtime_dir,
            "TZ": ":UTC",
            "LANG": "en_US.UTF-8",
            "PATH": os.pathsep.join(["/usr/local/bin", "/usr/bin", "/bin", str(task_root / "bin"), str(opt / "bin") if opt else "/opt/bin"]),
            "LD_LIBRARY_PATH": os.pathsep.join([str(task_root), str(task_root / "lib"), runtime_dir, str(opt / "lib") if opt else "/opt/lib"]),
        }

    async def _acquire(self, fn: Function) -> tuple[Environment, bool]:
        """A warm environment of this exact version and revision, or a new one (raises a throttle)."""
        if fn.reserved_concurrency is not None and self.busy.get(fn.arn, 0) >= fn.reserved_concurrency:
            raise too_many_requests("ReservedFunctionConcurrentInvocationLimitExceeded")
        key = fn.qualified_arn
        pool = self.idle.get(key) or []
        while pool:
            warm = pool.pop()
            if warm.alive and warm.fn.revision_id == fn.revision_id:
                self.busy[fn.arn] = self.busy.get(fn.arn, 0) + 1
                return warm, False
            self.runtime.spawn(self._retire(warm), f"lambda-retire-{warm.id}")
        if self.total >= min(MAX_ENVIRONMENTS, CONCURRENT_EXECUTIONS):
            # make room by stopping the longest-idle environment of another function, else throttle
            victim = min((e for envs in self.idle.values() for e in envs), key=lambda e: e.last_used, default=None)
            if victim is None:
                raise too_many_requests("ConcurrentInvocationLimitExceeded")
            self.idle[victim.fn.qualified_arn].remove(victim)
            await self._retire(victim)
        self.busy[fn.arn] = self.busy.get(fn.arn, 0) + 1
        self.total += 1
        env: Environment | None = None
        try:
            task_root = await self.ensure_code(fn)
            opt = await self.ensure_layers(fn)
            work_dir = Path(tempfile.mkdtemp(prefix="env-", dir=self._work_root()))
            env = Environment(fn, task_root, work_dir, launch(fn.runtime, task_root, fn.memory, self.root, opt), self._base_env(fn, task_root, opt))
            self.running.add(env)
            await env.start()
        except BaseException:
            self.busy[fn.arn] -= 1
            if env is not None and env in self.running:
                await self._retire(env)
            else:
                self.total -= 1
            raise
        return env, True

    def _work_root(self) -> Path:
        path = self.root / "environments"
        path.mkdir(parents=True, exist_ok=True)
        return path

    def _release(self, env: Environment, keep: bool) -> None:
        self.busy[env.fn.arn] = max(0, self.busy.get(env.fn.arn, 1) - 1)
        if keep and env.alive:
            env.last_used = time.monotonic()
            self.idle.setdefault(env.fn.qualified_arn, []).append(env)
        else:
            self.runtime.spawn(self._retire(env), f"lambda-retire-{env.id}")

    async def _retire(self, env: Environment) -> None:
        if env in self.running:
            self.running.discard(env)
            self.total -= 1
        await env.stop()

    async def retire_function(self, arn: str) -> None:
        """Stop the idle environments of every version of a function (deleted or changed)."""
        for key in [k for k in self.idle if k == arn or k.startswith(arn + ":")]:
            for env in self.idle.pop(key):
                await self._retire(env)

    async def sweep(self) -> None:
        """Stop environments idle longer than IDLE_SECONDS (a background task of the lifespan)."""
        while True:
            await asyncio.sleep(min(30.0, max(0.5, IDLE_SECONDS / 4)))
            cutoff = time.monotonic() - IDLE_SECONDS
            for key, envs in list(self.idle.items()):
                for env in [e for e in envs if e.last_used < cutoff or not e.alive]:
                    envs.remove(env)
                    await self._retire(env)

    async def stop_all(self) -> None:
        envs = list(self.running)
        self.idle.clear()
        await asyncio.gather(*(self._retire(env) for env in envs), return_exceptions=True)
        if self._temporary:
            shutil.rmtree(self.root, ignore_errors=True)

    # --- invoking ----------------------------------------------------------------------------------

    async def invoke(self, fn: Function, inv: Invocation) -> Outcome:
        """Run one invocation in a warm or new environment; store its log; throttles raise TooManyRequestsException."""
        env, _cold = await self._acquire(fn)
        deadline_ms = int((time.time() + fn.timeout) * 1000)
        trace = f"Root=1-{int(time.time()):08x}-{unique_id()[:24].ljust(24, '0')};Parent={unique_id()[:16]};Sampled=0"
        event = NextEvent(inv.request_id, inv.payload, deadline_ms, inv.invoked_arn, trace, inv.client_context)
        outcome: Outcome | None = None
        try:
            outcome = await env.invoke(event, float(fn.timeout), max(INIT_TIMEOUT, float(fn.timeout)))
        finally:
            self._release(env, keep=outcome is not None and outcome.kind in ("ok", "error") and env.alive)
        now_ms = int(self.runtime.clock.now() * 1000)
        text = outcome.log
        await self.runtime.store.write(lambda tx: store.add_log(tx, fn.account, fn.region, fn.log_group, env.log_stream, inv.request_id, text, now_ms))
        return outcome
