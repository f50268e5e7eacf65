"""Machine tools the tests need (PostgreSQL, Podman, chromium, ffmpeg, a JDK, Go, Ruby), installed with apt when
missing and the tests run as root on Debian: CI is a fresh machine. One apt at a time across the processes of a
run (pytest-xdist workers, parallel sessions): installs take a file lock, and what another process installed
meanwhile is not installed again."""

from __future__ import annotations

import fcntl
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

_LOCK = Path(tempfile.gettempdir()) / "gureum-tests-apt.lock"


def ensure(present: Callable[[], bool], packages: list[str], why: str) -> bool:
    """Whether ``present()`` holds, after installing ``packages`` with apt-get when it did not (root on Debian).
    ``why`` says which tests need them, in the progress line."""
    if present():
        return True
    if os.geteuid() != 0 or shutil.which("apt-get") is None:
        return False
    with open(_LOCK, "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # another worker may be installing the same packages now
        if present():
            return True
        print(f"installing {' '.join(packages)} with apt for {why} ...", file=sys.stderr, flush=True)
        env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
        try:
            subprocess.run(["apt-get", "update", "-q"], check=True, env=env, capture_output=True, timeout=600)
            subprocess.run(["apt-get", "install", "-y", "-q", "--no-install-recommends", *packages], check=True,
                           env=env, capture_output=True, timeout=1200)  # fmt: skip
        except (subprocess.SubprocessError, OSError) as problem:
            print(f"apt-get could not install {packages}: {problem}", file=sys.stderr, flush=True)
            return False
    return present()
