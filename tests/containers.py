"""A container engine for the tests that need one: Podman's Docker-compatible service on a private socket.

Installs Debian's podman, runc, busybox-static, skopeo and catatonit (podman's --init, which apt leaves out without
recommends) when missing and we are root (CI machines), as tests/pg.py does for PostgreSQL. The engine's
configuration is this run's own (CONTAINERS_CONF, CONTAINERS_STORAGE_CONF, CONTAINERS_REGISTRIES_CONF,
REGISTRY_AUTH_FILE under a temp dir): runc with the cgroupfs manager (crun rejects this kernel's hybrid cgroup
layout), the vfs storage driver, file events and default ulimits within the host's. Test images are built locally
FROM scratch with busybox-static (no public registry is reachable), once a session.
"""

from __future__ import annotations

import json
import os
import resource
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from . import debian
from .conftest import make_client
from .server import Server


class EngineUnavailable(RuntimeError):
    """No engine here and none can be installed (not root, or no apt): the tests that need one are skipped."""


PACKAGES = ("podman", "runc", "busybox-static", "skopeo", "catatonit")
_CATATONIT = "/usr/libexec/podman/catatonit"  # the init process podman runs for --init (initProcessEnabled)


def _busybox() -> str | None:
    for path in ("/bin/busybox", "/usr/bin/busybox"):
        if os.path.exists(path) and b"statically linked" in _file_kind(path):
            return path
    return None


def _file_kind(path: str) -> bytes:
    """Whether a binary is static, from its ELF program headers (no `file` command needed): no PT_INTERP."""
    with open(path, "rb") as binary:
        head = binary.read(64)
        if head[:4] != b"\x7fELF" or head[4] != 2:  # 64-bit ELF only
            return b""
        phoff = int.from_bytes(head[32:40], "little")
        phentsize = int.from_bytes(head[54:56], "little")
        phnum = int.from_bytes(head[56:58], "little")
        binary.seek(phoff)
        table = binary.read(phentsize * phnum)
    for index in range(phnum):
        if int.from_bytes(table[index * phentsize : index * phentsize + 4], "little") == 3:  # PT_INTERP
            return b"dynamically linked"
    return b"statically linked"


def missing() -> list[str]:
    """The Debian packages this machine lacks for the container tests."""
    lack = [name for name in ("podman", "runc", "skopeo") if shutil.which(name) is None]
    if _busybox() is None:
        lack.append("busybox-static")
    if not os.path.exists(_CATATONIT):  # only recommended by podman's package, which apt installs without it
        lack.append("catatonit")
    return lack


def ensure_packages() -> None:
    lack = missing()
    if not lack:
        return
    if debian.ensure(lambda: not missing(), lack, "the container tests"):
        return
    raise EngineUnavailable(
        f"the container tests need {', '.join(lack)} (Debian: apt-get install {' '.join(PACKAGES)}); "
        "run them as root on Debian to have them installed"
    )


def _limit(kind: int, wanted: int) -> int:
    """``wanted`` or the host's hard limit, whichever is lower (rlimits above the host's are refused)."""
    _, hard = resource.getrlimit(kind)
    return wanted if hard == resource.RLIM_INFINITY else min(wanted, hard)


def write_config(base: Path) -> dict[str, str]:
    """The engine's configuration files under ``base``; returns the environment variables that select them."""
    base.mkdir(parents=True, exist_ok=True)
    nofile = _limit(resource.RLIMIT_NOFILE, 1024)
    nproc = _limit(resource.RLIMIT_NPROC, 1024)
    (base / "containers.conf").write_text(
        "[containers]\n"
        f'default_ulimits = ["nofile={nofile}:{nofile}", "nproc={nproc}:{nproc}"]\n'
        'cgroups = "enabled"\n'
        "[engine]\n"
        'runtime = "runc"\n'
        'cgroup_manager = "cgroupfs"\n'
        'events_logger = "file"\n'
        f'events_logfile_path = "{base}/events.log"\n'
        f'tmp_dir = "{base}/tmp"\n'
    )
    (base / "storage.conf").write_text(
        f'[storage]\ndriver = "vfs"\ngraphroot = "{base}/storage"\nrunroot = "{base}/run"\n'
    )
    # no public registry: unqualified names are never searched for
    (base / "registries.conf").write_text('unqualified-search-registries = []\nshort-name-mode = "disabled"\n')
    (base / "auth.json").write_text("{}")
    return {
        "CONTAINERS_CONF": str(base / "containers.conf"),
        "CONTAINERS_STORAGE_CONF": str(base / "storage.conf"),
        "CONTAINERS_REGISTRIES_CONF": str(base / "registries.conf"),
        "REGISTRY_AUTH_FILE": str(base / "auth.json"),
    }


class Podman:
    """`podman system service` on a private socket for one test session, and the podman CLI on the same storage."""

    def __init__(self, base: Path) -> None:
        self.base = base
        self.socket = base / "podman.sock"
        self.env: dict[str, str] = {}
        self.proc: subprocess.Popen[bytes] | None = None
        self._images: dict[str, str] = {}

    @property
    def host(self) -> str:
        """The engine's address as DOCKER_HOST spells it."""
        return f"unix://{self.socket}"

    def start(self, timeout: float = 30.0) -> Podman:
        ensure_packages()
        self.env = {**os.environ, **write_config(self.base)}
        log = open(self.base / "service.log", "ab")
        self.proc = subprocess.Popen(
            ["podman", "system", "service", "--time=0", self.host],
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"podman system service exited:\n{(self.base / 'service.log').read_text()[-3000:]}")
            if self._ping():
                return self
            time.sleep(0.1)
        raise RuntimeError(f"podman's service did not answer within {timeout}s")

    def _ping(self) -> bool:
        try:
            with socket.socket(socket.AF_UNIX) as sock:
                sock.settimeout(2)
                sock.connect(str(self.socket))
                sock.sendall(b"GET /_ping HTTP/1.1\r\nHost: d\r\nConnection: close\r\n\r\n")
                return sock.recv(64).startswith(b"HTTP/1.1 200")
        except OSError:
            return False

    def run(self, *args: str, input: bytes | None = None, check: bool = True) -> subprocess.CompletedProcess[str]:
        """The podman CLI on this session's storage and configuration."""
        proc = subprocess.run(
            ["podman", *args],
            env=self.env,
            capture_output=True,
            text=input is None,
            input=input,
        )
        if check and proc.returncode != 0:
            raise RuntimeError(f"podman {' '.join(args)} failed ({proc.returncode}):\n{proc.stdout}\n{proc.stderr}")
        return proc  # type: ignore[return-value]

    def run_tool(self, tool: str, *args: str) -> subprocess.CompletedProcess[str]:
        """Another containers tool (skopeo) on this session's storage and configuration."""
        proc = subprocess.run([tool, *args], env=self.env, capture_output=True, text=True)
        if proc.returncode != 0:
            raise RuntimeError(f"{tool} {' '.join(args)} failed ({proc.returncode}):\n{proc.stdout}\n{proc.stderr}")
        return proc

    def busybox_image(self, tag: str = "localhost/gureum-test/busybox:1") -> str:
        """A small image built FROM scratch with busybox-static in two layers (built once a session): its tag."""
        if tag in self._images:
            return tag
        context = self.base / f"build-{len(self._images)}"
        context.mkdir()
        busybox = _busybox()
        assert busybox is not None
        shutil.copy(busybox, context / "busybox")
        (context / "hello.txt").write_text(f"hello from {tag}\n")
        (context / "Containerfile").write_text(
            "FROM scratch\n"
            "COPY busybox /bin/busybox\n"
            "COPY hello.txt /hello.txt\n"
            'ENTRYPOINT ["/bin/busybox"]\n'
            'CMD ["cat", "/hello.txt"]\n'
        )
        self.run("build", "--quiet", "--format", "docker", "-t", tag, str(context))
        self._images[tag] = tag
        return tag

    def repo_digests(self, ref: str, *options: str) -> list[str]:
        """The image's RepoDigests: "<repository>@<manifest digest>" for each registry it was pushed to or pulled
        from (``options``: global podman options, e.g. another --root)."""
        return list(json.loads(self.run(*options, "image", "inspect", ref).stdout)[0]["RepoDigests"])

    def stop(self) -> None:
        """Remove every container of this session's storage (a failed test may leave some running), then stop the
        service."""
        if self.env:
            subprocess.run(["podman", "rm", "--all", "--force", "--time", "0"], env=self.env, capture_output=True)
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


@pytest.fixture(scope="session")
def podman() -> Iterator[Podman]:
    """Podman's service for the session (made on first use by a test that needs an engine; tests/services/conftest.py
    offers it to every service's tests)."""
    try:
        ensure_packages()
    except EngineUnavailable as exc:  # only where nothing can be installed; CI (root, Debian) installs it
        pytest.skip(str(exc))
    base = Path(tempfile.mkdtemp(prefix="gureum-podman-"))
    engine = Podman(base).start()
    yield engine
    engine.stop()
    shutil.rmtree(base, ignore_errors=True)


@dataclass
class Engine:
    """A gureum server whose service runs containers on Podman (its container tests' session fixture), and the
    image those tests run."""

    server: Server
    podman: Podman
    image: str = ""

    def client(self, service: str) -> Any:
        return make_client(self.server.endpoint, service)
