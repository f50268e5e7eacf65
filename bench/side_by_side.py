"""What the per-service side-by-side benches (dynamodb_compare, kinesis, s3, firehose, ses, cognito) share: a boto3
client for a bench server, starting gureum, a pip peer or an npm one on a free port (`Server`, `start`), npm peers
installed into the bench cache, pre-built JSON-protocol requests and server capacity over keep-alive connections of
them (load.py's way), a loop over compare_servers' peers, and the Markdown table with gureum's ratio to the best peer.
"""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import boto3
from botocore.config import Config

sys.path.insert(0, str(Path(__file__).resolve().parent))
from compare_servers import (  # noqa: E402
    CACHE,
    GUREUM,
    PEERS,
    REPO_ROOT,
    Peer,
    Running,
    free_port,
    install,
    installed_version,
    log,
    venv_python,
)
from load import Conn  # noqa: E402

PIP_PEERS = {p.name: p for p in PEERS if p.name in ("moto", "ministack")}  # `start` runs these (and gureum)


def boto_client(endpoint: str, service: str, read_timeout: float = 60, **config: Any) -> Any:
    """A boto3 client of a bench server: test credentials, us-east-1, no retries; `config` adds to botocore's."""
    settings = Config(region_name="us-east-1", retries={"max_attempts": 1}, read_timeout=read_timeout, **config)
    return boto3.client(service, endpoint_url=endpoint, aws_access_key_id="test", aws_secret_access_key="test",
                        config=settings)  # fmt: skip


def json_request(host: str, target: str, doc: Any, version: str, scope: str | None = None) -> bytes:
    """A pre-built AWS JSON-protocol POST of `doc` to X-Amz-Target `target` (application/x-amz-json-`version`); with
    a credential `scope` (the service's signing name) a signed-looking Authorization the servers accept unchecked."""
    body = json.dumps(doc).encode()
    signed = ""
    if scope:
        signed = (
            f"X-Amz-Date: 20250101T000000Z\r\nAuthorization: AWS4-HMAC-SHA256 Credential=test/20250101/us-east-1/"
            f"{scope}/aws4_request, SignedHeaders=host;x-amz-date;x-amz-target, Signature={'0' * 64}\r\n"
        )
    head = (
        f"POST / HTTP/1.1\r\nHost: {host}\r\nContent-Type: application/x-amz-json-{version}\r\n"
        f"X-Amz-Target: {target}\r\n{signed}Content-Length: {len(body)}\r\n\r\n"
    )
    return head.encode() + body


class Server:
    """One started server (a process group); `client()` speaks `service` to it."""

    def __init__(
        self, name: str, cmd: list[str], env: dict[str, str], port: int, tmp: Path, service: str, read_timeout: float
    ) -> None:
        self.name, self.port, self.tmp = name, port, tmp
        self.service, self.read_timeout = service, read_timeout
        self.endpoint = f"http://127.0.0.1:{port}"
        self.log_path = tmp / "server.log"
        self._log = open(self.log_path, "wb")
        self.proc = subprocess.Popen(cmd, env=env, cwd=tmp, stdout=self._log, stderr=subprocess.STDOUT,
                                     start_new_session=True)  # fmt: skip

    def client(self, service: str | None = None) -> Any:
        return boto_client(self.endpoint, service or self.service, self.read_timeout)

    def wait_ready(self, probe: str, timeout: float = 90.0, client: Any = None, pause: float = 0.05) -> None:
        """Until the port listens and `probe` (a method of `client`, by default this server's) answers."""
        deadline = time.monotonic() + timeout
        call = getattr(client if client is not None else self.client(), probe)
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"{self.name} exited: {self.log_path.read_text(errors='replace')[-600:]}")
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
                call()
                return
            except Exception:
                time.sleep(pause)
        operation = "".join(word.title() for word in probe.split("_"))
        raise RuntimeError(f"{self.name} did not answer {operation} within {timeout:.0f} s")

    def stop(self) -> None:
        if self.proc.poll() is None:
            try:
                os.killpg(self.proc.pid, signal.SIGTERM)
                self.proc.wait(timeout=15)
            except (ProcessLookupError, subprocess.TimeoutExpired):
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait()
        self._log.close()
        shutil.rmtree(self.tmp, ignore_errors=True)


def start(
    name: str,
    service: str,
    read_timeout: float = 60,
    gureum_env: dict[str, str] | None = None,
    npm: dict[str, Callable[[int], list[str]]] | None = None,
) -> Server:
    """gureum (this checkout), a PIP_PEERS peer from its venv, or an `npm` peer (its command for a port) on a free
    port; KeyError for any other name."""
    port = free_port()
    tmp = Path(tempfile.mkdtemp(prefix=f"gureum-{service}-{name}-"))
    fill = {"port": str(port), "data": str(tmp / "data")}
    env = {**os.environ}
    env.pop("PYTHONPATH", None)
    if name == "gureum":
        env["PYTHONPATH"] = str(REPO_ROOT)
        env.update(gureum_env or {})
        cmd = [sys.executable, "-m", *(a.format(**fill) for a in GUREUM.module)]
    elif npm and name in npm:
        env["NODE_NO_WARNINGS"] = "1"
        cmd = npm[name](port)
    else:
        peer: Peer = PIP_PEERS[name]
        env.update({k: v.format(**fill) for k, v in peer.env.items()})
        cmd = [str(venv_python(peer)), "-m", *(a.format(**fill) for a in peer.module)]
    return Server(name, cmd, env, port, tmp, service, read_timeout)


def npm_binary(name: str) -> Path:
    """Where install_npm puts package `name`'s command."""
    return CACHE / name / "node_modules" / ".bin" / name


def install_npm(name: str, spec: str) -> str:
    """npm package `name` (as `spec`, e.g. name@version) into the bench cache; "" when it can run, else why not."""
    if npm_binary(name).exists():
        return ""
    if shutil.which("npm") is None:
        return "npm not found"
    where = CACHE / name
    where.mkdir(parents=True, exist_ok=True)
    log(f"{name}: npm install {spec} …")
    proc = subprocess.run(["npm", "install", "--prefix", str(where), "--no-audit", "--no-fund", spec],
                          capture_output=True, text=True)  # fmt: skip
    if proc.returncode != 0 or not npm_binary(name).exists():
        return "npm install failed: " + (proc.stderr or proc.stdout)[-300:].strip()
    return ""


def install_named(name: str, npm: dict[str, str] | None = None) -> str:
    """gureum, a PIP_PEERS peer or an `npm` one (name → package spec) installed: "" when it can run, else why not."""
    if npm and name in npm:
        return install_npm(name, npm[name])
    return install(GUREUM if name == "gureum" else PIP_PEERS[name])


def measure_each(
    names: str, npm: dict[str, str], start_one: Callable[[str], Server], probe: str, measure: Callable[[Server], None]
) -> dict[str, str]:
    """Each server named (comma-separated) installed (install_named), started, ready once `probe` answers, measured
    and stopped; returns those skipped or failed, with why (a failing peer is reported, not fatal)."""
    skipped: dict[str, str] = {}
    for name in names.split(","):
        why = install_named(name, npm)
        if why:
            skipped[name] = why
            log(f"{name}: skipped ({why})")
            continue
        server = start_one(name)
        try:
            server.wait_ready(probe)
            log(f"{name}: measuring")
            measure(server)
        except Exception as error:
            skipped[name] = f"{type(error).__name__}: {str(error)[:200]}"
            log(f"{name}: failed ({skipped[name]})")
        finally:
            server.stop()
    return skipped


async def capacity(
    endpoint: str, connections: int, seconds: float, requests_for: Callable[[str, int], list[bytes]], label: str
) -> float:
    """Answers per second over `connections` keep-alive connections, each cycling for `seconds` through the requests
    `requests_for(host, worker)` builds; answers other than 200 are counted and logged (the first one in full)."""
    counts, errors = [0] * connections, [0]

    async def one(worker: int) -> None:
        conn = Conn(endpoint)
        requests = requests_for(conn.parts.netloc, worker)
        deadline, i = time.perf_counter() + seconds, 0
        try:
            while time.perf_counter() < deadline:
                status, body = await conn.call(requests[i % len(requests)])
                if status == 200:
                    counts[worker] += 1
                else:
                    errors[0] += 1
                    if errors[0] == 1:
                        log(f"{label}: {status} {body[:300]!r}")
                i += 1
        finally:
            conn.close()

    began = time.perf_counter()
    await asyncio.gather(*(one(w) for w in range(connections)))
    if errors[0]:
        log(f"{label}: {errors[0]} answers were not 200")
    return sum(counts) / (time.perf_counter() - began)


def run_peers(names: str, measure: Callable[[Running], dict[str, float]]) -> tuple[dict[str, dict[str, float]],
                                                                                     dict[str, str]]:  # fmt: skip
    """Each of compare_servers' servers named (comma-separated) installed, started, measured and stopped: (results,
    versions). A peer that cannot install or fails is logged and left out."""
    known = {p.name: p for p in [GUREUM, *PEERS]}
    results: dict[str, dict[str, float]] = {}
    versions: dict[str, str] = {}
    for name in names.split(","):
        peer = known[name]
        why = install(peer)
        if why:
            log(f"{name}: not measured: {why}")
            continue
        versions[name] = installed_version(peer) if peer.packages else "this checkout"
        server = Running(peer)
        try:
            server.wait_ready()
            results[name] = measure(server)
            log(f"{name}: " + ", ".join(f"{k} {v:.0f}/s" for k, v in results[name].items()))
        except Exception as error:  # a peer that cannot do the service: said, not dropped silently
            log(f"{name}: failed: {error}")
        finally:
            server.stop()
    return results, versions


def ratio_table(
    results: dict[str, dict[str, float]], workloads: tuple[str, ...], unit: str, digits: int = 1, number: str = ".0f"
) -> list[str]:
    """A Markdown table: a row per workload, a column per server (`unit` after its name) and gureum ÷ best peer."""
    names = list(results)
    lines = ["| workload | " + " | ".join(f"{n}{unit}" for n in names) + " | gureum ÷ best peer |",
             "|---" * (len(names) + 2) + "|"]  # fmt: skip
    for workload in workloads:
        peers = [results[n][workload] for n in names if n != "gureum" and results[n].get(workload)]
        ratio = f"{results['gureum'][workload] / max(peers):.{digits}f}×" if "gureum" in results and peers else "–"
        cells = " | ".join(f"{results[n].get(workload, 0):{number}}" for n in names)
        lines.append(f"| {workload} | {cells} | {ratio} |")
    return lines
