"""Start and stop real gureum server processes for tests (free loopback port, own data dir)."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class PortTaken(RuntimeError):
    """The port was taken by another process before the server could bind it."""


class Server:
    """One ``gureum start`` subprocess."""

    def __init__(
        self,
        data_dir: Path | None,
        port: int | None = None,
        extra_args: list[str] | None = None,
        env: dict[str, str] | None = None,
        store_url: str | None = None,
    ) -> None:
        self.data_dir = data_dir
        self.store_url = store_url
        self.fixed_port = port is not None
        self.port = port or free_port()
        self.extra_args = extra_args or []
        self.env = env or {}
        self.proc: subprocess.Popen[bytes] | None = None
        self.log_path = (data_dir or Path("/tmp")) / f"gureum-{self.port}.log"
        if data_dir is None and store_url:
            self.log_path = Path("/tmp") / f"gureum-{self.port}.log"

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, timeout: float = 30.0) -> Server:
        """Start and wait until this process answers its health check. Another worker may take the free port between
        free_port() and the bind: then (port not fixed by the caller) the server starts again on another port."""
        for _ in range(3):
            try:
                return self._start(timeout)
            except PortTaken:
                if self.fixed_port:
                    raise
                self.port = free_port()
                self.log_path = self.log_path.with_name(f"gureum-{self.port}.log")
        return self._start(timeout)

    def _start(self, timeout: float) -> Server:
        args = [sys.executable, "-m", "gureum", "start", "--port", str(self.port), "--log-level", "warning"]
        args += ["--data-dir", str(self.data_dir)] if self.data_dir else ["--in-memory"]
        if self.store_url:
            args += ["--store", self.store_url]
        args += self.extra_args
        env = {**os.environ, "PYTHONPATH": str(ROOT), **self.env}
        if self.data_dir:
            self.data_dir.mkdir(parents=True, exist_ok=True)
        log = open(self.log_path, "ab")
        self.proc = subprocess.Popen(args, cwd=str(ROOT), env=env, stdout=log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                text = self.log_path.read_text()[-4000:]
                if f"port {self.port} is in use" in text:
                    raise PortTaken(text)
                raise RuntimeError(f"gureum exited with {self.proc.returncode}; log:\n{text}")
            try:
                with urllib.request.urlopen(f"{self.endpoint}/_gureum/health", timeout=1) as resp:
                    if resp.status == 200 and json.loads(resp.read()).get("pid") == self.proc.pid:
                        return self
                    time.sleep(0.05)  # another process on the port: this one is about to exit
            except OSError:
                time.sleep(0.05)
        raise RuntimeError(f"gureum did not answer within {timeout}s; log:\n{self.log_path.read_text()[-4000:]}")

    def health(self) -> dict:
        with urllib.request.urlopen(f"{self.endpoint}/_gureum/health", timeout=5) as resp:
            return json.loads(resp.read())

    def kill(self) -> None:
        """SIGKILL: no shutdown hooks, no flush."""
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait(10)

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                self.kill()
