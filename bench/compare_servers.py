"""The servers bench/compare.py measures: gureum from this checkout, and each peer installed into its own
virtual environment under a cache dir outside the repository; starting them on free loopback ports, waiting
until they answer ListQueues, their resident memory (process tree, from /proc) and stopping them.

Also the client-bound ceiling: `python bench/compare_servers.py --ceiling-port P` serves a canned, valid
SendMessage answer to every request (uvicorn + a raw ASGI callable), so boto3 itself is the only cost.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import boto3
from botocore.config import Config

BENCH = Path(__file__).resolve().parent
REPO_ROOT = BENCH.parent
CACHE = Path(os.environ.get("GUREUM_BENCH_CACHE", Path.home() / ".cache" / "gureum-bench"))


@dataclass(frozen=True)
class Peer:
    name: str
    packages: tuple[str, ...]  # pip requirements; empty for gureum (this checkout)
    module: tuple[str, ...]  # `python -m ...` arguments, {port} and {data} filled in
    env: dict[str, str] = field(default_factory=dict)
    python: str = ""  # interpreter for the venv; "" = the one running this script
    smoke: str = ""  # an import that proves the install can start
    durable: bool = False
    ready_timeout: float = 60.0


def _python_at_least(minor: int) -> str:
    """A CPython 3.<minor>+ interpreter on this machine (PATH, then pyenv), or ""."""
    if sys.version_info >= (3, minor):
        return sys.executable
    for m in range(14, minor - 1, -1):
        if found := shutil.which(f"python3.{m}"):
            return found
    pyenv = Path.home() / ".pyenv" / "versions"
    for candidate in sorted(pyenv.glob("3.*"), reverse=True) if pyenv.is_dir() else []:
        parts = candidate.name.split(".")
        if (
            len(parts) >= 2
            and parts[1].isdigit()
            and int(parts[1]) >= minor
            and (candidate / "bin" / "python").exists()
        ):
            return str(candidate / "bin" / "python")
    return ""


GUREUM = Peer(
    "gureum",
    (),
    ("gureum", "start", "--port", "{port}", "--data-dir", "{data}", "--log-level", "warning"),
    durable=True,
    ready_timeout=30,
)
PEERS = [
    Peer("moto", ("moto[server]",), ("moto.server", "-H", "127.0.0.1", "-p", "{port}"), smoke="moto.server"),
    Peer(
        "ministack",
        ("ministack",),
        ("ministack",),
        {"GATEWAY_PORT": "{port}", "BIND_HOST": "127.0.0.1", "LOG_LEVEL": "WARNING"},
        smoke="ministack.app",
    ),
    # localstack-core's current release uses Python 3.12 syntax (PEP 695) but declares >=3.10, and its open
    # dependency ranges now resolve to releases it cannot import (cbor2 6 dropped `cbor2._decoder`, pyOpenSSL 25
    # dropped `X509.add_extensions`); Twisted (its default gateway) needs service_identity. Pins are the oldest fix.
    Peer(
        "localstack",
        ("localstack-core[runtime]", "cbor2<5.8", "pyOpenSSL<25", "cryptography<45", "service_identity"),
        ("localstack.runtime.main",),
        {
            "GATEWAY_LISTEN": "127.0.0.1:{port}",
            "LOCALSTACK_VOLUME_DIR": "{data}/volume",
            "FILESYSTEM_ROOT": "{data}/fs",
            "DNS_ADDRESS": "0",
            "LS_LOG": "warn",
            "DISABLE_EVENTS": "1",
            "SKIP_SSL_CERT_DOWNLOAD": "1",
        },  # fmt: skip
        python="3.12",
        smoke="localstack.aws.components",
        ready_timeout=120,
    ),
]


def log(line: str) -> None:
    sys.stderr.write(f"[compare] {line}\n")
    sys.stderr.flush()


def venv_python(peer: Peer) -> Path:
    return CACHE / peer.name / "bin" / "python"


def install(peer: Peer) -> str:
    """Create/refresh the peer's venv; return "" when it can run, else why not. One progress line per step."""
    if not peer.packages:
        compile_checkout()
        return ""
    venv = CACHE / peer.name
    stamp = venv / ".gureum-bench-installed"
    wanted = "\n".join(peer.packages)
    if stamp.exists() and stamp.read_text() == wanted and venv_python(peer).exists():
        log(f"{peer.name}: using {venv} ({installed_version(peer)})")
        return smoke_test(peer)
    base = sys.executable
    if peer.python:
        base = _python_at_least(int(peer.python.split(".")[1]))
        if not base:
            return f"needs Python >= {peer.python}; none found on PATH or in pyenv"
    if not venv_python(peer).exists():
        log(f"{peer.name}: creating virtual environment {venv} ({Path(base).name})")
        subprocess.run([base, "-m", "venv", str(venv)], check=True)
    log(f"{peer.name}: pip install {' '.join(peer.packages)} …")
    start = time.monotonic()
    proc = subprocess.run(
        [str(venv_python(peer)), "-m", "pip", "install", "--disable-pip-version-check", *peer.packages],
        capture_output=True,
        text=True,
    )
    lines = proc.stdout.splitlines()
    collected = sum(line.startswith("Collecting ") for line in lines)
    installed = next((line for line in lines if line.startswith("Successfully installed")), "")
    if proc.returncode != 0:
        tail = (proc.stderr.strip().splitlines() or ["?"])[-1]
        log(f"{peer.name}: pip failed: {tail}")
        return f"pip install failed: {tail}"
    count = len(installed.split()) - 2 if installed else 0
    log(
        f"{peer.name}: pip done in {time.monotonic() - start:.0f} s ({collected} requirements resolved, {count} "
        f"packages installed) → {installed_version(peer)}"
    )
    stamp.write_text(wanted)
    return smoke_test(peer)


def compile_checkout() -> None:
    """gureum runs from this checkout: write its bytecode first, as `pip install .` does for an installed copy (and
    pip did for every peer), so a start-up measured with PYTHONDONTWRITEBYTECODE set does not compile every module."""
    subprocess.run(
        [sys.executable, "-m", "compileall", "-q", str(REPO_ROOT / "gureum")], check=True, stdout=subprocess.DEVNULL
    )


def installed_version(peer: Peer) -> str:
    dist = peer.packages[0].split("[")[0]
    out = subprocess.run(
        [str(venv_python(peer)), "-c", f"import importlib.metadata as m; print(m.version({dist!r}))"],
        capture_output=True,
        text=True,
    )
    return f"{dist} {out.stdout.strip() or '?'}"


def smoke_test(peer: Peer) -> str:
    if not peer.smoke:
        return ""
    proc = subprocess.run(
        [str(venv_python(peer)), "-c", f"import {peer.smoke}"], capture_output=True, text=True, timeout=120
    )
    if proc.returncode:
        reason = (proc.stderr.strip().splitlines() or ["?"])[-1]
        log(f"{peer.name}: cannot run here: {reason}")
        return f"import {peer.smoke} failed: {reason}"
    return ""


def gureum_version() -> str:
    out = subprocess.run(["git", "-C", str(REPO_ROOT), "rev-parse", "--short", "HEAD"], capture_output=True, text=True)
    return f"gureum {out.stdout.strip() or '?'} (this checkout)"


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def rss_bytes(pid: int) -> int:
    """Resident memory of `pid` and all its descendants (/proc, Linux)."""
    children: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
            children.setdefault(int(fields[1]), []).append(int(stat.parent.name))
        except (OSError, IndexError, ValueError):
            continue
    total, todo = 0, [pid]
    while todo:
        current = todo.pop()
        todo.extend(children.get(current, []))
        try:
            for line in Path(f"/proc/{current}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1]) * 1024
        except OSError:
            pass
    return total


class Running:
    """A started server: its endpoint, process and log; `stop()` ends its whole process group."""

    def __init__(self, peer: Peer, ceiling: bool = False) -> None:
        self.peer = peer
        self.port = free_port()
        self.endpoint = f"http://127.0.0.1:{self.port}"
        self.tmp = Path(tempfile.mkdtemp(prefix=f"gureum-compare-{peer.name}-"))
        data = self.tmp / "data"
        fill = {"port": str(self.port), "data": str(data)}
        env = {**os.environ, **{k: v.format(**fill) for k, v in peer.env.items()}}
        if ceiling:
            env.pop("PYTHONPATH", None)
            cmd = [str(venv_python(peer)), str(BENCH / "compare_servers.py"), "--ceiling-port", str(self.port)]
        elif peer is GUREUM:
            env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO_ROOT), os.environ.get("PYTHONPATH")]))
            cmd = [sys.executable, "-m", *(a.format(**fill) for a in peer.module)]
        else:
            env.pop("PYTHONPATH", None)
            cmd = [str(venv_python(peer)), "-m", *(a.format(**fill) for a in peer.module)]
        # built before the process starts, so the client's own set-up is not counted as the server's start-up
        config = Config(region_name="us-east-1", retries={"max_attempts": 1}, connect_timeout=1, read_timeout=5)
        self._probe = boto3.client(
            "sqs", endpoint_url=self.endpoint, aws_access_key_id="test", aws_secret_access_key="test", config=config
        )
        self.log_path = self.tmp / "server.log"
        self._log = open(self.log_path, "wb")
        self.started = time.perf_counter()
        self.proc = subprocess.Popen(
            cmd, env=env, cwd=self.tmp, stdout=self._log, stderr=subprocess.STDOUT, start_new_session=True
        )
        self.startup_s = 0.0

    def wait_ready(self) -> float:
        """Poll ListQueues until it succeeds; return seconds from process start to that first answer."""
        client = self._probe
        deadline = self.started + self.peer.ready_timeout
        listening = False
        while time.perf_counter() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"{self.peer.name} exited with {self.proc.returncode}: {self.tail()}")
            if not listening:  # a refused connection costs botocore ~0.1 s: wait for the port cheaply first
                try:
                    socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
                    listening = True
                except OSError:
                    time.sleep(0.002)
                    continue
            try:
                client.list_queues()
                self.startup_s = time.perf_counter() - self.started
                return self.startup_s
            except Exception:  # not listening yet, or still booting
                time.sleep(0.005)
        raise RuntimeError(
            f"{self.peer.name} did not answer ListQueues within {self.peer.ready_timeout:.0f} s: {self.tail()}"
        )

    def rss(self) -> int:
        return rss_bytes(self.proc.pid)

    def tail(self) -> str:
        try:
            return self.log_path.read_bytes().decode(errors="replace")[-600:].strip()
        except OSError:
            return ""

    def stop(self) -> None:
        if self.proc.poll() is None:
            try:
                os.killpg(self.proc.pid, signal.SIGTERM)
            except ProcessLookupError:
                pass
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait()
        self._log.close()
        shutil.rmtree(self.tmp, ignore_errors=True)


def _ceiling_app() -> Any:
    """Every request gets SendMessage's answer for bench BODY (boto3 checks MD5OfMessageBody)."""
    from sqs_throughput import BODY

    digest = hashlib.md5(BODY.encode()).hexdigest()
    body = f'{{"MD5OfMessageBody":"{digest}","MessageId":"00000000-0000-4000-8000-000000000000"}}'.encode()
    headers = [
        (b"content-type", b"application/x-amz-json-1.0"),
        (b"content-length", str(len(body)).encode()),
        (b"x-amzn-requestid", b"ceiling"),
    ]

    async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            return
        more = True
        while more:
            more = (await receive()).get("more_body", False)
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        await send({"type": "http.response.body", "body": body})

    return app


if __name__ == "__main__":
    import argparse

    import uvicorn

    parser = argparse.ArgumentParser(description="the client-bound ceiling server")
    parser.add_argument("--ceiling-port", type=int, required=True)
    args = parser.parse_args()
    sys.path.insert(0, str(BENCH))
    uvicorn.run(_ceiling_app(), host="127.0.0.1", port=args.ceiling_port, log_level="warning", access_log=False)
