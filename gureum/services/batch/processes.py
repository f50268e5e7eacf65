"""The host process executor, opt-in (GUREUM_BATCH_PROCESS_EXECUTOR=1) and used only while no container engine is
reachable: a job attempt's command runs as a process on this machine — no image, no isolation, no limits — in a
directory of its own, with the environment AWS Batch gives a job, its output to CloudWatch Logs, the timeout and
TerminateJob (SIGTERM, then SIGKILL). It shows on the job: container.instanceType is "gureum-host-process" and
the log stream's first line says so. A process does not outlive gureum: after a restart its attempt fails as on a
terminated host and is retried per the strategy."""

from __future__ import annotations

import asyncio
import contextlib
import os
import shutil
import signal
import tempfile
from collections.abc import AsyncIterator
from typing import TYPE_CHECKING, Any

from . import jobs
from .jobs import PRIVATE

if TYPE_CHECKING:
    from .runner import Runner

INSTANCE_TYPE = "gureum-host-process"
NOTICE = b"[gureum] no container engine: this attempt runs as a host process (GUREUM_BATCH_PROCESS_EXECUTOR)\n"


async def run(runner: Runner, doc: dict[str, Any], adopt: bool, stop: asyncio.Event) -> dict[str, Any]:
    """One attempt as a host process: its outcome as the runner records it (exitCode, statusReason, timedOut)."""
    if adopt:
        return {"statusReason": "Host EC2 (instance i-0gureum0000000000) terminated."}
    command = list(doc["container"].get("command") or [])
    if not command:
        return {
            "statusReason": "CannotStartContainerError: the host process executor runs the job's command, and it has "
            "none (an image's own command needs a container engine)"
        }
    group, stream = runner.prepare(doc)
    doc["container"]["instanceType"] = INSTANCE_TYPE
    workdir = tempfile.mkdtemp(prefix="gureum-batch-")
    environment = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": workdir, **runner.environment(doc)}
    try:
        process = await asyncio.create_subprocess_exec(
            *command,
            env=environment,
            cwd=workdir,
            stdin=asyncio.subprocess.DEVNULL,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.STDOUT,
            start_new_session=True,
        )
    except OSError as exc:
        shutil.rmtree(workdir, ignore_errors=True)
        return {"statusReason": f"CannotStartContainerError: {command[0]}: {exc.strerror or exc}"}
    now = runner.clock.now()
    doc[PRIVATE]["attemptStartedAt"] = jobs.ms(now)
    doc["startedAt"] = jobs.ms(now)
    await runner.save(doc, "RUNNING")
    assert process.stdout is not None
    shipper = asyncio.ensure_future(
        runner.ship_output(_output(process.stdout), doc, group, stream) if group else _drain(process.stdout)
    )
    outcome: dict[str, Any] = {}
    try:
        seconds = (doc.get("timeout") or {}).get("attemptDurationSeconds")
        waiter = asyncio.ensure_future(process.wait())
        stopper = asyncio.ensure_future(stop.wait())
        done, _ = await asyncio.wait(
            {waiter, stopper}, timeout=seconds * runner.second if seconds else None, return_when=asyncio.FIRST_COMPLETED
        )
        stopper.cancel()
        if waiter not in done:
            if stop.is_set():
                outcome["terminated"] = True
            else:
                outcome["statusReason"], outcome["timedOut"] = "Job attempt duration exceeded timeout", True
            _signal(process.pid, signal.SIGTERM)
            try:
                await asyncio.wait_for(asyncio.shield(waiter), timeout=max(1.0, 30 * runner.second))
            except TimeoutError:
                _signal(process.pid, signal.SIGKILL)
                await waiter
        code = waiter.result()
        outcome["exitCode"] = 128 - code if code < 0 else code  # killed by a signal: 128 + its number, as engines say
    except asyncio.CancelledError:
        _signal(process.pid, signal.SIGKILL)  # gureum is stopping: a host process does not outlive it
        raise
    finally:
        try:
            await asyncio.wait_for(shipper, timeout=5)
        except (TimeoutError, asyncio.CancelledError):
            shipper.cancel()
        shutil.rmtree(workdir, ignore_errors=True)
    return outcome


def _signal(pid: int, number: int) -> None:
    """Signal the process's whole group (a shell's children too)."""
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pid, number)


async def _output(reader: asyncio.StreamReader) -> AsyncIterator[bytes]:
    yield NOTICE
    while True:
        chunk = await reader.read(65536)
        if not chunk:
            return
        yield chunk


async def _drain(reader: asyncio.StreamReader) -> None:
    while await reader.read(65536):
        pass
