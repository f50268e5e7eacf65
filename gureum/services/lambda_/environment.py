"""One execution environment: a process of the function's runtime, its Runtime API server, its log output.

Isolation: a separate process in its own session (process group), working directory = the unpacked code
(LAMBDA_TASK_ROOT), a private TMPDIR removed with the environment, its memory held at MemorySize by real use (a
memory cgroup where writable, else an RSS watchdog: beyond it the environment is killed, reported as AWS's
Runtime.OutOfMemory), no core dumps, killed with gureum (PR_SET_PDEATHSIG; and its Runtime API socket closes), and
only the environment AWS documents (the parent's variables do not leak in).  The file system is restricted with
Landlock where the kernel has it (sandbox.py: read-only system, runtime and code; writable only the environment's
own folder; as root also a user of its own, its own mount and PID namespaces with /tmp, /proc and /dev/shm private,
pids and memory cgroups).  Not isolated: the network is the host's.
"""

from __future__ import annotations

import asyncio
import base64
import ctypes
import ctypes.util
import datetime as dt
import json
import os
import re
import resource
import shutil
import signal
import sys
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from ...clock import Clock
from ...ids import unique_id
from .cgroups import PIDS_MAX, Cgroups
from .extensions import LAUNCHER, Extensions
from .functions import Function, runtime_version_arn
from .languages import override_note
from .limits import INIT_TIMEOUT, MAX_RESPONSE_PAYLOAD, STREAM_MAX_BYTES
from .memory import ADDRESS_SPACE_BACKSTOP_MB, BUSY_INTERVAL, IDLE_INTERVAL, peak_kb, tree_rss_kb
from .runtime_api import NextEvent, RuntimeApiServer
from .runtimes import BOOTSTRAP_DIR, Launch
from .sandbox import Sandbox
from .streaming import ResponseStream, StreamTooLarge

_PR_SET_PDEATHSIG = 1
_LONGEST_LINE = 256 * 1024  # a line longer than this goes out in pieces (a runaway logger without newlines)
_TRANSCRIPT_CHARS = 64 * 1024  # the end of an invocation's log kept for LogType Tail (which sends the last 4 KB)
try:
    _LIBC: ctypes.CDLL | None = (
        ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True) if sys.platform == "linux" else None
    )
except OSError:
    _LIBC = None


@dataclass(slots=True)
class Outcome:
    """How one invocation ended: ``kind`` is ok, error (the function's), timeout or crash (the environment's)."""

    kind: str
    body: bytes
    duration_ms: float
    init_ms: float | None
    log: str
    error_type: str | None = None


class LogSink(Protocol):
    """Where an environment's log lines go as they are printed (function_logs.LogStream: CloudWatch Logs)."""

    def add(self, message: str) -> None: ...


@dataclass(slots=True)
class _Invocation:
    event: NextEvent
    done: asyncio.Future[tuple[str, bytes, str | None]]
    cold: bool = False  # the environment's first invocation: its log starts with the init phase's
    delivered: asyncio.Event = field(default_factory=asyncio.Event)
    delivered_at: float = 0.0
    started: bool = False  # its START line is out
    stream: ResponseStream | None = None  # the caller takes a streamed response as it is written


def _stamp(now: dt.datetime) -> str:
    return now.strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


def log_stream_name(version: str, now: dt.datetime) -> str:
    """AWS's stream name for an environment: 2024/01/02/[$LATEST]<32 hex digits>."""
    return f"{now:%Y/%m/%d}/[{version}]{uuid.uuid4().hex}"


def _nproc_limit() -> int | None:
    """RLIMIT_NPROC for a non-root gureum: it counts every process of the user, so the user's processes now plus
    AWS's 1,024 per environment (root ignores RLIMIT_NPROC: there a pids cgroup bounds the environment)."""
    if os.geteuid() == 0:
        return None
    uid, count = os.getuid(), 0
    try:
        for entry in os.scandir("/proc"):
            if entry.name.isdigit():
                try:
                    if entry.stat().st_uid == uid:
                        count += 1
                except OSError:
                    continue
    except OSError:
        return None
    soft, hard = resource.getrlimit(resource.RLIMIT_NPROC)
    wanted = count + PIDS_MAX
    return wanted if hard == resource.RLIM_INFINITY else min(wanted, hard)


class Environment:
    """Serves one invocation at a time; ``alive`` until it crashes, times out or is stopped."""

    def __init__(
        self,
        fn: Function,
        task_root: Path,
        work_dir: Path,
        launch: Launch,
        base_env: dict[str, str],
        clock: Clock,
        *,
        data_dir: Path | None = None,
        user: int | None = None,
    ) -> None:
        self.fn = fn
        self.data_dir = data_dir  # gureum's data directory, hidden from the environment (as root)
        self.user = user  # the uid (and gid) it runs as, when gureum is root: None, gureum's own user
        self.clock = clock
        self.task_root = task_root
        self.work_dir = work_dir
        self.launch = launch
        self.log_stream = log_stream_name(fn.version, clock.utcnow())
        self.base_env = base_env
        self.id = unique_id()
        self.server = RuntimeApiServer(self)
        self.proc: asyncio.subprocess.Process | None = None
        self.alive = True
        self.last_used = self.clock.monotonic()
        self.init_ms: float | None = None  # set on the first GET /next; reported once, on the first invocation
        self.provisioned_for: str | None = None  # the provisioned concurrency configuration it serves, if any
        self._initialised = asyncio.Event()
        self._init_reported = False
        self._spawned_at = 0.0
        self._queue: asyncio.Queue[_Invocation] = asyncio.Queue()
        self._current: _Invocation | None = None
        self._init_error: tuple[bytes, str | None] | None = None
        self._exited = asyncio.Event()
        self._partial = bytearray()  # the start of a line not yet ended by a newline
        self._transcript: list[str] = []  # the current invocation's log lines so far (for LogType Tail)
        self._transcript_chars = 0
        self.log_sink: LogSink | None = None  # set before start: where lines go as they are printed
        self._read_fd = -1
        self.kept = False  # the runtime runs in a PID namespace, kept by the process gureum started
        self.cgroups: Cgroups | None = None  # its own pids and memory cgroups, removed with it
        self.override = override_note(fn.runtime)  # the explicit version override serving it, named in START
        self.watchdog = True  # no memory cgroup holds it: the RSS watchdog kills it beyond MemorySize
        self.out_of_memory = False  # the watchdog killed it
        self._peak_kb = 0  # the largest resident memory of its processes seen
        self._memory_task: asyncio.Task[None] | None = None
        self._extension_task: asyncio.Task[None] | None = None
        self._ext_fd = -1  # the extensions' output (a pipe of their own), read as it comes
        self._ext_partial = bytearray()
        self._settling: asyncio.Task[None] | None = None  # extensions finishing their work on the last invocation
        self._report: dict[str, Any] | None = None  # the last platform.report, held until its extensions finished
        self.shutdown_reason = "spindown"  # told to extensions at SHUTDOWN: spindown, timeout or failure
        self.extensions = Extensions(
            clock,
            len(launch.extensions),
            {"functionName": fn.name, "functionVersion": fn.version, "handler": fn.handler, "accountId": fn.account},
        )
        self.extensions.on_init_error = self._extension_failed
        self.telemetry = self.extensions.telemetry

    # --- lifecycle ---------------------------------------------------------------------------------

    async def start(self) -> None:
        port = await self.server.start()
        tmp = self.work_dir / "tmp"
        tmp.mkdir(parents=True, exist_ok=True)
        env = {
            **self.base_env,
            **self.launch.env,
            "AWS_LAMBDA_RUNTIME_API": f"127.0.0.1:{port}",
            "AWS_LAMBDA_LOG_STREAM_NAME": self.log_stream,
            "TMPDIR": str(tmp),
        }
        # MemorySize by real use: a memory cgroup where one is writable, else the RSS watchdog (memory.py) with only
        # a far backstop on address space
        limit: int | None = (self.launch.address_space_mb + ADDRESS_SPACE_BACKSTOP_MB) * 1024 * 1024
        # EphemeralStorage: no file the function writes may exceed /tmp's size (a per-file limit; the sum of its
        # files is not enforced without a file system of its own)
        file_limit = self.fn.ephemeral_storage * 1024 * 1024

        sandbox = Sandbox.for_environment(
            self.launch.argv, env, self.task_root, self.work_dir, BOOTSTRAP_DIR,
            hidden=self.data_dir, user=self.user, memory_mb=self.fn.memory,
            extra=tuple(Path(p).parent for p in [*self.launch.extensions[:1], *self._wrapper()]),
        )  # fmt: skip
        nproc = _nproc_limit()
        if sandbox is not None:
            env = sandbox.environment(env)
            self.kept = sandbox.pid_namespace
            self.cgroups = sandbox.cgroups
            if sandbox.cgroups is not None and sandbox.cgroups.memory is not None:
                limit = None  # the memory cgroup holds it at MemorySize, as on AWS: beyond it, the kernel kills it
                self.watchdog = False
            if sandbox.user is not None:  # its own private folder, the only one it may write
                os.chmod(self.work_dir, 0o755)
                os.chown(tmp, sandbox.user, sandbox.user)
                os.chmod(tmp, 0o700)
                nproc = PIDS_MAX  # its user's processes are its own

        def limits() -> None:  # in the child, before exec
            if sandbox is not None:
                sandbox.apply()
            if limit is not None:
                resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
            resource.setrlimit(resource.RLIMIT_FSIZE, (file_limit, file_limit))
            resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
            if nproc is not None:
                resource.setrlimit(resource.RLIMIT_NPROC, (nproc, nproc))
            if _LIBC is not None:
                _LIBC.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)  # die with gureum, even after kill -9

        read_fd, write_fd = os.pipe()
        os.set_blocking(read_fd, False)
        self._read_fd = read_fd
        self._spawned_at = self.clock.monotonic()
        self._emit(self._init_start())
        self.telemetry.emit("platform.initStart", {"initializationType": self._init_type(), "phase": "init",
                            "runtimeVersion": self.fn.runtime, "runtimeVersionArn": runtime_version_arn(
                                self.fn.region, self.fn.runtime), "functionName": self.fn.name,
                            "functionVersion": self.fn.version})  # fmt: skip
        ext_write = -1
        try:
            argv = [*self._wrapper(), *self.launch.argv]  # AWS_LAMBDA_EXEC_WRAPPER starts the runtime, if set
            if self.launch.extensions:  # its extensions first (their output on a pipe of its own), then the runtime
                self._ext_fd, ext_write = os.pipe()
                os.set_blocking(self._ext_fd, False)
                ready = str(self.work_dir / ".extensions-ready")
                argv = ["/bin/sh", "-c", LAUNCHER, "gureum-extensions", ready, *self.launch.extensions, "--", *argv]
            self.proc = await asyncio.create_subprocess_exec(
                *argv, cwd=str(self.task_root), env=env,
                stdin=ext_write if ext_write >= 0 else asyncio.subprocess.DEVNULL,
                stdout=write_fd, stderr=write_fd, preexec_fn=limits, start_new_session=True,
            )  # fmt: skip
        except OSError as exc:
            os.close(write_fd)
            os.close(read_fd)
            self._read_fd = -1
            if ext_write >= 0:
                os.close(ext_write)
                os.close(self._ext_fd)
                self._ext_fd = -1
            # AWS's answer when the runtime cannot start: no (executable) bootstrap, a missing interpreter
            message = f"Couldn't find valid bootstrap(s): [{self.launch.argv[0]}]: {exc.strerror or exc}"
            self._emit(f"Error: {message}\n")
            self._emit("Runtime.InvalidEntrypoint\n")
            self._init_error = (
                json.dumps({"errorType": "Runtime.InvalidEntrypoint", "errorMessage": message}).encode(),
                "Runtime.InvalidEntrypoint",
            )
            self._exited.set()
            self.alive = False
            return
        finally:
            if not self._exited.is_set():
                os.close(write_fd)
                if ext_write >= 0:
                    os.close(ext_write)
        asyncio.get_running_loop().add_reader(read_fd, self._read_output)
        if self._ext_fd >= 0:
            asyncio.get_running_loop().add_reader(self._ext_fd, self._read_extension_output)
        asyncio.get_running_loop().create_task(self._watch(), name=f"lambda-env-{self.id}")
        self._memory_task = asyncio.get_running_loop().create_task(self._watch_memory(), name=f"lambda-mem-{self.id}")
        if self.launch.extensions:
            self._extension_task = asyncio.get_running_loop().create_task(
                self._extensions_registered(), name=f"lambda-ext-{self.id}"
            )

    def _wrapper(self) -> list[str]:
        """The wrapper script a managed runtime starts through (AWS_LAMBDA_EXEC_WRAPPER: an internal extension)."""
        wrapper = self.base_env.get("AWS_LAMBDA_EXEC_WRAPPER")
        if not wrapper or self.fn.runtime.startswith("provided"):
            return []
        if wrapper.startswith("/var/task/"):  # AWS's paths: the code, the layers
            wrapper = str(self.task_root / wrapper.removeprefix("/var/task/"))
        elif wrapper.startswith("/opt/") and self.launch.opt:
            wrapper = str(Path(self.launch.opt) / wrapper.removeprefix("/opt/"))
        return [wrapper]

    async def _extensions_registered(self) -> None:
        """Let the runtime start once every external extension registered; one that does not within the init
        timeout fails the environment's init (Extension.Crash: it exited, or hung before registering)."""
        try:
            await asyncio.wait_for(self.extensions.all_registered.wait(), INIT_TIMEOUT)
        except TimeoutError:
            names = ", ".join(Path(p).name for p in self.launch.extensions)
            self._extension_failed("Extension.Crash", f"An extension did not register within {INIT_TIMEOUT:.0f} s "
                                   f"(it exited or hung): extensions {names}")  # fmt: skip
        (self.work_dir / ".extensions-ready").touch()

    def _extension_failed(self, error_type: str, message: str) -> None:
        self._emit(f"EXTENSION\tName: gureum\tState: Failed\tError: {error_type}: {message}\n")
        self.post_init_error(json.dumps({"errorType": error_type, "errorMessage": message}).encode(), error_type)
        if self.proc is not None and self.proc.returncode is None:
            try:
                os.killpg(self.proc.pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass

    async def _watch_memory(self) -> None:
        """Sample the environment's resident memory (its peak is Max Memory Used); with no memory cgroup, kill it
        once it exceeds MemorySize, as the kernel would in AWS's."""
        assert self.proc is not None
        limit_kb = self.fn.memory * 1024
        while not self._exited.is_set():
            rss = tree_rss_kb(self.proc.pid, kept=self.kept)
            self._peak_kb = max(self._peak_kb, rss)
            if self.watchdog and rss > limit_kb and self.proc.returncode is None:
                self.out_of_memory = True
                try:
                    os.killpg(self.proc.pid, signal.SIGKILL)
                except (ProcessLookupError, PermissionError):
                    pass
                return
            busy = self._current is not None or not self._initialised.is_set()
            try:
                await asyncio.wait_for(self._exited.wait(), BUSY_INTERVAL if busy else IDLE_INTERVAL)
            except TimeoutError:
                pass

    async def _watch(self) -> None:
        assert self.proc is not None
        await self.proc.wait()
        self._read_output()
        self._read_extension_output()
        if self.launch.extensions and not self.extensions.all_registered.is_set() and self._init_error is None:
            message = "An extension exited before it registered with the Extensions API"
            self._emit(f"Error: {message}\nExtension.Crash\n")
            self._init_error = (json.dumps({"errorType": "Extension.Crash", "errorMessage": message}).encode(),
                                "Extension.Crash")  # fmt: skip
            if self._current is not None and not self._current.done.done():
                self._current.done.set_result(("init_error", *self._init_error))
        self._exited.set()
        self.alive = False

    def _read_output(self) -> None:
        """Take what the process printed (called as soon as the pipe has data): each whole line is logged now, with
        this moment as its timestamp; an unfinished line waits for its end."""
        while self._read_fd >= 0:
            try:
                chunk = os.read(self._read_fd, 65536)
            except BlockingIOError:
                return
            except OSError:
                chunk = b""
            if not chunk:
                asyncio.get_running_loop().remove_reader(self._read_fd)
                os.close(self._read_fd)
                self._read_fd = -1
                return
            self._partial += chunk
            *lines, rest = self._partial.split(b"\n")
            for line in lines:
                text = line.decode("utf-8", "replace")
                self._emit(text + "\n")
                self.telemetry.emit("function", text, "function")
            self._partial = bytearray(rest)
            while len(self._partial) > _LONGEST_LINE:
                self._emit(self._partial[:_LONGEST_LINE].decode("utf-8", "replace") + "\n")
                del self._partial[:_LONGEST_LINE]

    def _read_extension_output(self) -> None:
        """What the extensions printed: logged with the function's lines, the extension stream for telemetry."""
        while self._ext_fd >= 0:
            try:
                chunk = os.read(self._ext_fd, 65536)
            except BlockingIOError:
                return
            except OSError:
                chunk = b""
            if not chunk:
                asyncio.get_running_loop().remove_reader(self._ext_fd)
                os.close(self._ext_fd)
                self._ext_fd = -1
                return
            self._ext_partial += chunk
            *lines, rest = self._ext_partial.split(b"\n")
            self._ext_partial = bytearray(rest[-_LONGEST_LINE:])
            for line in lines:
                text = line.decode("utf-8", "replace")
                self._emit(text + "\n")
                self.telemetry.emit("extension", text, "extension")

    def _drain_output(self) -> None:
        """Everything printed so far, an unfinished last line included (before START, END, or the end)."""
        self._read_extension_output()
        self._read_output()
        if self._partial:
            self._emit(self._partial.decode("utf-8", "replace") + "\n")
            self._partial.clear()

    def _emit(self, message: str) -> None:
        """One log line: to CloudWatch Logs now, and into the current invocation's transcript."""
        self._transcript.append(message)
        self._transcript_chars += len(message)
        while self._transcript_chars > _TRANSCRIPT_CHARS and len(self._transcript) > 1:
            self._transcript_chars -= len(self._transcript.pop(0))
        if self.log_sink is not None:
            self.log_sink.add(message)

    def _start_line(self, inv: _Invocation) -> None:
        """START, once per invocation; a warm invocation's transcript starts there, a cold one's at INIT_START."""
        if inv.started:
            return
        inv.started = True
        self._drain_output()
        if not inv.cold:
            self._transcript.clear()
            self._transcript_chars = 0
        note = f"\t{self.override}" if self.override else ""
        self._emit(f"START RequestId: {inv.event.request_id} Version: {self.fn.version}{note}\n")
        self.telemetry.emit("platform.start", {"requestId": inv.event.request_id, "version": self.fn.version})

    async def stop(self) -> None:
        self.alive = False
        self._drain_output()  # what it printed before it was stopped is kept
        if self.proc is not None and self.proc.returncode is None and self.extensions.registered:
            await self.extensions.shutdown(self.shutdown_reason)  # SHUTDOWN, and its 2 s grace
            self._drain_output()
        if self._settling is not None:
            self._settling.cancel()
        if self.proc is not None and self.proc.returncode is None:
            try:
                os.killpg(self.proc.pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass
            try:
                await asyncio.wait_for(self._exited.wait(), 5)
            except TimeoutError:
                pass
        await self.server.close()
        self._drain_output()
        if self._ext_fd >= 0:  # extensions it started that are gone too: nothing more comes
            asyncio.get_running_loop().remove_reader(self._ext_fd)
            os.close(self._ext_fd)
            self._ext_fd = -1
        await self.extensions.close()
        for _ in range(100):  # the kernel takes a moment to reap what was killed
            if self.cgroups is None or self.cgroups.remove():
                break
            await asyncio.sleep(0.02)
        if self._current is not None and not self._current.done.done():
            self._current.done.set_result(("crash", b"", None))
        shutil.rmtree(self.work_dir, ignore_errors=True)

    def max_memory_mb(self) -> int:
        """Max Memory Used: the peak resident memory of its processes (the watchdog's samples, and the runtime
        process's own VmHWM), in MB."""
        if self.proc is None:
            return 0
        peak = max(self._peak_kb, tree_rss_kb(self.proc.pid, kept=self.kept), peak_kb(self._runtime_pid()))
        return max(1, peak // 1024) if peak else 0

    def _runtime_pid(self) -> int:
        """The runtime's process: in a PID namespace (``kept``), the process gureum started → the namespace's init →
        the runtime."""
        assert self.proc is not None
        pid = self.proc.pid
        try:
            for _ in range(2 if self.kept else 0):
                with open(f"/proc/{pid}/task/{pid}/children") as children:
                    pid = int((children.read().split() or [str(pid)])[0])
        except (OSError, ValueError):
            pass
        return pid

    # --- RuntimeHandler (called by the Runtime API server) -------------------------------------------

    async def next_event(self) -> NextEvent:
        if self.init_ms is None:
            self.init_ms = (self.clock.monotonic() - self._spawned_at) * 1000
            self._initialised.set()
            phase = {"initializationType": self._init_type(), "phase": "init"}
            self.telemetry.emit("platform.initRuntimeDone", {**phase, "status": "success"})
            self.telemetry.emit(
                "platform.initReport", {**phase, "status": "success", "metrics": {"durationMs": round(self.init_ms, 3)}}
            )
            self.telemetry.init_done = True
        inv = await self._queue.get()
        self._current = inv
        self._start_line(inv)
        inv.delivered_at = self.clock.monotonic()
        inv.delivered.set()
        event = inv.event
        self.extensions.invoke(event.request_id, event.deadline_ms, event.function_arn, event.trace_id)
        return event

    def _init_type(self) -> str:
        return "provisioned-concurrency" if self.provisioned_for is not None else "on-demand"

    def _finish(self, request_id: str, kind: str, body: bytes, error_type: str | None) -> int:
        inv = self._current
        if inv is None or inv.event.request_id != request_id or inv.done.done():
            return 400
        if self.watchdog and self._beyond_memory():
            return 202  # killed: the invocation ends as the crash it is (Runtime.OutOfMemory), not with this answer
        inv.done.set_result((kind, body, error_type))
        return 202

    def _beyond_memory(self) -> bool:
        """Whether the environment went beyond MemorySize while the watchdog looked away (an allocation between two
        samples): the runtime's own peak (VmHWM) says so at the end of an invocation; if so it is killed now, as the
        kernel would have killed it on AWS."""
        if self.proc is None or self.proc.returncode is not None:
            return False
        if max(peak_kb(self._runtime_pid()), tree_rss_kb(self.proc.pid, kept=self.kept)) <= self.fn.memory * 1024:
            return False
        self.out_of_memory = True
        try:
            os.killpg(self.proc.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
        return True

    def post_response(self, request_id: str, body: bytes) -> int:
        if len(body) > MAX_RESPONSE_PAYLOAD:
            message = f"Response payload size exceeded maximum allowed payload size ({MAX_RESPONSE_PAYLOAD} bytes)."
            self._finish(
                request_id,
                "error",
                json.dumps({"errorMessage": message, "errorType": "Function.ResponseSizeTooLarge"}).encode(),
                "Function.ResponseSizeTooLarge",
            )
            return 413
        return self._finish(request_id, "ok", body, None)

    def post_error(self, request_id: str, body: bytes, error_type: str | None) -> int:
        return self._finish(request_id, "error", body, error_type)

    async def extension_call(
        self, method: str, path: str, headers: dict[str, str], body: bytes
    ) -> tuple[int, dict[str, str], bytes]:
        return await self.extensions.call(method, path, headers, body)

    async def post_response_stream(
        self, request_id: str, content_type: str | None, chunks: AsyncIterator[bytes], trailers: dict[str, str]
    ) -> int:
        """A streamed response: to the caller chunk by chunk when it streams (InvokeWithResponseStream, a
        RESPONSE_STREAM URL), else collected up to the 6 MB of a buffered answer; an error in the trailers (or a
        stream past 20 MB) ends the invocation as a function error after what was already sent."""
        inv = self._current
        if inv is None or inv.event.request_id != request_id or inv.done.done():
            return 400
        sink = inv.stream
        collected = bytearray()
        too_large: str | None = None
        if sink is not None:
            sink.open(content_type)
        async for chunk in chunks:
            if too_large is not None or inv.done.done():
                continue  # read to the end, dropped
            if sink is None:
                collected += chunk
                if len(collected) > MAX_RESPONSE_PAYLOAD:
                    too_large = (
                        f"Response payload size exceeded maximum allowed payload size ({MAX_RESPONSE_PAYLOAD} bytes)."
                    )
                continue
            try:
                await sink.write(chunk)
            except StreamTooLarge:
                too_large = f"Response payload size exceeded maximum allowed payload size ({STREAM_MAX_BYTES} bytes)."
        if too_large is not None:
            doc = json.dumps({"errorMessage": too_large, "errorType": "Function.ResponseSizeTooLarge"}).encode()
            return self._finish(request_id, "error", doc, "Function.ResponseSizeTooLarge")
        error_type = trailers.get("lambda-runtime-function-error-type")
        if error_type:
            try:
                body = base64.b64decode(trailers.get("lambda-runtime-function-error-body", ""), validate=True)
            except ValueError:
                body = b""
            body = body or json.dumps({"errorMessage": error_type, "errorType": error_type}).encode()
            return self._finish(request_id, "error", body, error_type)
        return self._finish(request_id, "ok", bytes(collected), None)

    def post_init_error(self, body: bytes, error_type: str | None) -> int:
        """The runtime could not initialise: this invocation fails with its error and the environment is replaced."""
        self._init_error = (body, error_type)
        self.alive = False
        if self._current is not None and not self._current.done.done():
            self._current.done.set_result(("init_error", body, error_type))
        return 202

    async def initialise(self, timeout: float) -> None:
        """Provisioned concurrency: wait until the runtime has initialised and asks for its first event (its init
        phase logged as it runs), so the first invocation is a warm one; no longer ``alive`` when the runtime failed
        to initialise or did not within ``timeout`` seconds."""
        exited: asyncio.Future[Any] = asyncio.ensure_future(self._exited.wait())
        ready: asyncio.Future[Any] = asyncio.ensure_future(self._initialised.wait())
        try:
            await asyncio.wait({exited, ready}, timeout=timeout, return_when=asyncio.FIRST_COMPLETED)
        finally:
            exited.cancel()
            ready.cancel()
        if not self._initialised.is_set() or self._init_error is not None:
            self.alive = False
        self._drain_output()
        self._init_reported = True

    def _init_start(self) -> str:
        fn = self.fn
        runtime = re.sub(r"^(nodejs|python|java|ruby|dotnet)", r"\1:", fn.runtime).replace(".x", "")
        arn = runtime_version_arn(fn.region, fn.runtime)
        return f"INIT_START Runtime Version: {runtime}.gureum\tRuntime Version ARN: {arn}\n"

    # --- invoking ----------------------------------------------------------------------------------

    async def invoke(
        self, event: NextEvent, timeout: float, init_timeout: float, stream: ResponseStream | None = None
    ) -> Outcome:
        """Run one invocation to its end (a response the runtime streams goes to ``stream`` as it is written); after
        a timeout or crash the caller must stop this environment."""
        if self._settling is not None:  # its extensions' work on the previous invocation
            await asyncio.shield(self._settling)
        cold = not self._init_reported
        inv = _Invocation(event, asyncio.get_running_loop().create_future(), cold, stream=stream)
        started = self.clock.monotonic()
        if self._init_error is None:
            self._queue.put_nowait(inv)
            kind, body, error_type = await self._await(inv, timeout, init_timeout)
        else:
            kind, body, error_type = "init_error", *self._init_error
        ended = self.clock.monotonic()
        self._start_line(inv)  # not delivered (an init failure or timeout): START all the same, as AWS logs it
        self._drain_output()
        self._current = None
        self.last_used = self.clock.monotonic()
        duration = (ended - (inv.delivered_at or started)) * 1000
        init_ms = None
        if cold:
            self._init_reported = True
            init_ms = self.init_ms if self.init_ms is not None else (ended - self._spawned_at) * 1000
        rid = event.request_id
        if kind == "timeout":
            self._emit(f"{_stamp(self.clock.utcnow())} {rid} Task timed out after {timeout:.2f} seconds\n")
            body = json.dumps(
                {
                    "errorType": "Sandbox.Timedout",
                    "errorMessage": f"RequestId: {rid} Error: Task timed out after {timeout:.2f} seconds",
                }
            ).encode()
            error_type = "Sandbox.Timedout"
        elif kind == "crash":
            reason = self._exit_reason()
            # killed by the kernel for going beyond its memory: AWS's Runtime.OutOfMemory, else Runtime.ExitError
            oom = self.out_of_memory or (self.cgroups is not None and self.cgroups.oom_killed())
            error_type = "Runtime.OutOfMemory" if oom else None
            error_type = error_type or "Runtime.ExitError"
            self._emit(f"RequestId: {rid} Error: Runtime exited with error: {reason}\n")
            self._emit(f"{error_type}\n")
            message = f"RequestId: {rid} Error: Runtime exited with error: {reason}"
            body = json.dumps({"errorType": error_type, "errorMessage": message}).encode()
        report = self._end_lines(rid, duration, init_ms, kind, len(body))
        if kind in ("timeout", "crash"):
            self.shutdown_reason = "timeout" if kind == "timeout" else "failure"
        elif self._extensions_take_invoke():
            left = event.deadline_ms / 1000 - self.clock.now()
            self._settling = asyncio.get_running_loop().create_task(self._settle(rid, left))
        return Outcome(
            "ok" if kind == "ok" else "timeout" if kind == "timeout" else "crash" if kind == "crash" else "error",
            body,
            duration,
            init_ms,
            report,
            error_type,
        )

    async def _await(self, inv: _Invocation, timeout: float, init_timeout: float) -> tuple[str, bytes, str | None]:
        exited: asyncio.Future[Any] = asyncio.ensure_future(self._exited.wait())
        done: asyncio.Future[Any] = inv.done
        try:
            delivered: asyncio.Future[Any] = asyncio.ensure_future(inv.delivered.wait())
            await asyncio.wait({delivered, exited, done}, timeout=init_timeout, return_when=asyncio.FIRST_COMPLETED)
            delivered.cancel()
            if inv.done.done():
                return inv.done.result()
            if self._init_error is not None:
                return ("init_error", *self._init_error)
            if not inv.delivered.is_set():
                return ("crash", b"", None) if self._exited.is_set() else ("timeout", b"", None)
            await asyncio.wait(
                {exited, done},
                timeout=max(0.0, inv.delivered_at + timeout - self.clock.monotonic()),
                return_when=asyncio.FIRST_COMPLETED,
            )
            if inv.done.done():
                return inv.done.result()
            return ("crash", b"", None) if self._exited.is_set() else ("timeout", b"", None)
        finally:
            exited.cancel()

    def _exit_reason(self) -> str:
        code = self.proc.returncode if self.proc is not None else None
        if code is None:
            return "exit status 127"
        if code < 0:
            # as AWS words it (Go's os/exec: "signal: killed", "signal: segmentation fault", "signal: aborted")
            return f"signal: {(signal.strsignal(-code) or signal.Signals(-code).name).lower()}"
        return f"exit status {code}"

    async def ready(self) -> bool:
        """Whether it can take an invocation, once its extensions are done with the last one."""
        if self._settling is not None:
            await asyncio.shield(self._settling)
        return self.alive

    def _extensions_take_invoke(self) -> bool:
        return any("INVOKE" in e.events for e in self.extensions.registered.values())

    async def _settle(self, rid: str, left: float) -> None:
        """Wait for the extensions to finish with the invocation (each asks for its next event); one still busy at
        the invocation's deadline has hung: the environment is killed and says so. Then platform.report, its
        duration (and billed duration) the invoke phase's, with the extensions' time after the runtime's answer
        (AWS's PostRuntimeExtensionsDuration) in it as ``postRuntimeExtensionsDurationMs``."""
        began = self.clock.monotonic()
        late = await self.extensions.settled(max(left, 0.0))
        report, self._report = self._report, None
        if report is not None:
            extra = (self.clock.monotonic() - began) * 1000
            metrics = report["metrics"]
            metrics["postRuntimeExtensionsDurationMs"] = round(extra, 3)
            metrics["durationMs"] = round(metrics["durationMs"] + extra, 3)
            metrics["billedDurationMs"] = max(1, int(-(-metrics["durationMs"] // 1)))
            self.telemetry.emit("platform.report", report)
        if late and self.alive:
            self._emit(f"RequestId: {rid} Error: extension(s) {', '.join(late)} did not finish within the "
                       "invocation's timeout\nExtension.Timeout\n")  # fmt: skip
            self.alive = False
            self.shutdown_reason = "timeout"
            if self.proc is not None and self.proc.returncode is None:
                try:
                    os.killpg(self.proc.pid, signal.SIGKILL)
                except (ProcessLookupError, PermissionError):
                    pass

    def _end_lines(self, rid: str, duration: float, init_ms: float | None, kind: str = "ok", produced: int = 0) -> str:
        """END and REPORT; the invocation's log as CloudWatch shows it ([INIT_START …], START, output, END,
        REPORT), for LogType Tail."""
        fn = self.fn
        billed = max(1, int(-(-duration // 1)))
        report = (
            f"REPORT RequestId: {rid}\tDuration: {duration:.2f} ms\tBilled Duration: {billed} ms\t"
            f"Memory Size: {fn.memory} MB\tMax Memory Used: {self.max_memory_mb()} MB\t"
        )
        if init_ms is not None:
            report += f"Init Duration: {init_ms:.2f} ms\t"
        self._emit(f"END RequestId: {rid}\n")
        self._emit(report + "\n")
        status = {"ok": "success", "error": "error", "timeout": "timeout"}.get(kind, "failure")
        self.telemetry.emit("platform.runtimeDone", {"requestId": rid, "status": status,
                            "metrics": {"durationMs": round(duration, 3), "producedBytes": produced}})  # fmt: skip
        metrics: dict[str, float] = {"durationMs": round(duration, 3), "billedDurationMs": billed,
                                     "memorySizeMB": fn.memory, "maxMemoryUsedMB": self.max_memory_mb()}  # fmt: skip
        if init_ms is not None:
            metrics["initDurationMs"] = round(init_ms, 3)
        self._report = {"requestId": rid, "status": status, "metrics": metrics}
        if not self._extensions_take_invoke():  # else once they finished: the invoke phase includes their work
            self.telemetry.emit("platform.report", self._report)
        return "".join(self._transcript)
