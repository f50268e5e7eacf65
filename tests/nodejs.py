"""Node.js packages for the JavaScript SDK tests: a test folder's js/package.json and its lock, installed with
``npm ci`` once per lock into a cache directory (GUREUM_TEST_NODE_CACHE, default ~/.cache/gureum/test-node), and
runners of the scripts beside them with that node_modules on NODE_PATH. Node and npm are the machine's (the
README's setup); a missing one fails the test rather than skipping it."""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest


def node_modules(js: Path) -> Path:
    """The installed node_modules of ``js``/package-lock.json (installed now if this lock never was)."""
    lock = (js / "package-lock.json").read_bytes()
    root = Path(os.environ.get("GUREUM_TEST_NODE_CACHE", Path.home() / ".cache" / "gureum" / "test-node"))
    target = root / hashlib.sha256(lock).hexdigest()[:16]
    if target.is_dir():  # renamed into place only once complete
        return target / "node_modules"
    if shutil.which("node") is None or shutil.which("npm") is None:
        pytest.fail("the JavaScript SDK tests need node and npm on PATH")
    root.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(dir=root))
    shutil.copy(js / "package.json", work)
    shutil.copy(js / "package-lock.json", work)
    done = subprocess.run(
        ["npm", "ci", "--no-audit", "--no-fund", "--ignore-scripts"],
        cwd=work, capture_output=True, text=True, timeout=600, check=False,
    )  # fmt: skip
    if done.returncode != 0:
        shutil.rmtree(work, ignore_errors=True)
        pytest.fail(f"npm ci of {js} failed: {done.stderr[-2000:]}")
    try:
        work.rename(target)  # another run that installed it meanwhile wins
    except OSError:
        shutil.rmtree(work, ignore_errors=True)
    return target / "node_modules"


def _env(js: Path) -> dict[str, str]:
    return {**os.environ, "NODE_PATH": str(node_modules(js))}


def run(js: Path, script: str, *args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    """Run ``js``/<script> with node to its end; stdout and stderr captured as text."""
    return subprocess.run(
        ["node", str(js / script), *args], env=_env(js), capture_output=True, text=True, timeout=timeout, check=False
    )


def start(js: Path, script: str, *args: str) -> subprocess.Popen[str]:
    """Run ``js``/<script> with node in the background; stdout and stderr piped as text."""
    return subprocess.Popen(
        ["node", str(js / script), *args], env=_env(js), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
