"""A throwaway PostgreSQL cluster for tests: initdb + pg_ctl on a temp dir and a free port.

Installs Debian's postgresql package when no server binaries are found and we are root (CI machines).
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import subprocess
import uuid
from pathlib import Path

from . import debian
from .server import free_port


def _bin_dir() -> Path | None:
    found = shutil.which("initdb")
    if found:
        return Path(os.path.realpath(found)).parent
    candidates = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), reverse=True)
    return Path(candidates[0]).parent if candidates else None


def ensure_binaries() -> Path:
    bin_dir = _bin_dir()
    if bin_dir is not None:
        return bin_dir
    if debian.ensure(lambda: _bin_dir() is not None, ["postgresql"], "the PostgreSQL tests"):
        found = _bin_dir()
        assert found is not None
        return found
    raise RuntimeError(
        "PostgreSQL server binaries (initdb, pg_ctl) are needed for the PostgreSQL tests: install them "
        "(Debian: apt-get install postgresql), or set GUREUM_TEST_STORES=sqlite."
    )


class PgCluster:
    def __init__(self, base: Path, *, durable: bool = False) -> None:
        """``durable=False`` (tests) turns fsync off; benchmarks keep PostgreSQL's durable defaults."""
        self.base = base
        self.durable = durable
        self.data = base / "pgdata"
        self.sockets = base / "sockets"
        self.port = free_port()
        self.bin = ensure_binaries()
        self.run_as: list[str] = []
        if os.geteuid() == 0:  # initdb refuses to run as root
            user = "postgres"
            try:
                pwd.getpwnam(user)
            except KeyError:
                subprocess.run(["useradd", "--system", "--no-create-home", user], check=True)
            self.run_as = ["runuser", "-u", user, "--"]

    def _run(self, *args: str) -> None:
        proc = subprocess.run([*self.run_as, *args], capture_output=True, text=True)
        if proc.returncode != 0:
            raise RuntimeError(f"{' '.join(args)} failed:\n{proc.stdout}\n{proc.stderr}")

    def start(self) -> PgCluster:
        self.base.mkdir(parents=True, exist_ok=True)
        self.sockets.mkdir(exist_ok=True)
        if self.run_as:
            shutil.chown(self.base, "postgres")
            shutil.chown(self.sockets, "postgres")
            os.chmod(self.base, 0o755)
        self._run(
            str(self.bin / "initdb"), "-D", str(self.data), "-U", "gureum", "--auth=trust", "--no-sync", "-E", "UTF8"
        )
        options = f"-p {self.port} -k {self.sockets} -c listen_addresses=127.0.0.1 -c max_connections=400"
        if not self.durable:
            options += " -c fsync=off -c full_page_writes=off"
        self._run(
            str(self.bin / "pg_ctl"),
            "-D",
            str(self.data),
            "-o",
            options,
            "-l",
            str(self.base / "server.log"),
            "-w",
            "start",
        )
        return self

    def url(self, database: str = "postgres") -> str:
        return f"postgresql://gureum@127.0.0.1:{self.port}/{database}"

    def create_database(self, prefix: str = "g") -> str:
        import psycopg

        name = f"{prefix}_{uuid.uuid4().hex[:10]}"
        with psycopg.connect(self.url(), autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        return self.url(name)

    def stop(self) -> None:
        if self.data.exists():
            subprocess.run(
                [*self.run_as, str(self.bin / "pg_ctl"), "-D", str(self.data), "-m", "immediate", "stop"],
                capture_output=True,
            )
