"""Machine tools the language tests need (a JDK, Go, Ruby), installed with apt when missing and the tests run as root
on Debian, as tests/containers.py does for Podman; CI is a fresh machine."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Callable


def ensure(present: Callable[[], bool], packages: list[str]) -> bool:
    """Whether ``present()`` holds, after installing ``packages`` with apt-get when it did not (root on Debian)."""
    if present():
        return True
    if os.geteuid() != 0 or shutil.which("apt-get") is None:
        return False
    print(f"installing {' '.join(packages)} with apt for the Lambda language tests ...", file=sys.stderr, flush=True)
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    try:
        subprocess.run(["apt-get", "update", "-q"], check=True, env=env, capture_output=True, timeout=600)
        subprocess.run(["apt-get", "install", "-y", "-q", "--no-install-recommends", *packages], check=True, env=env,
                       capture_output=True, timeout=1200)  # fmt: skip
    except (subprocess.SubprocessError, OSError) as problem:
        print(f"apt-get could not install {packages}: {problem}", file=sys.stderr, flush=True)
        return False
    return present()
