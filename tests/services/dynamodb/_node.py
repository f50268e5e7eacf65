"""The JavaScript SDK v3 for the DynamoDB tests: js/package.json and its lock, installed with ``npm ci`` once per
lock into a cache directory (GUREUM_TEST_NODE_CACHE, default ~/.cache/gureum/test-node), and a runner of the
scripts beside them with that node_modules on NODE_PATH."""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest

HERE = Path(__file__).parent / "js"


def node_modules() -> Path:
    """The installed node_modules of js/package-lock.json (installed now if this lock was never installed)."""
    lock = (HERE / "package-lock.json").read_bytes()
    root = Path(os.environ.get("GUREUM_TEST_NODE_CACHE", Path.home() / ".cache" / "gureum" / "test-node"))
    target = root / hashlib.sha256(lock).hexdigest()[:16]
    if (target / "node_modules" / "@aws-sdk" / "lib-dynamodb").is_dir():
        return target / "node_modules"
    if shutil.which("node") is None or shutil.which("npm") is None:
        pytest.fail("the JavaScript SDK tests need node and npm on PATH")
    root.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(dir=root))
    shutil.copy(HERE / "package.json", work)
    shutil.copy(HERE / "package-lock.json", work)
    done = subprocess.run(
        ["npm", "ci", "--no-audit", "--no-fund", "--ignore-scripts"],
        cwd=work, capture_output=True, text=True, timeout=600, check=False,
    )  # fmt: skip
    if done.returncode != 0:
        shutil.rmtree(work, ignore_errors=True)
        pytest.fail(f"npm ci of tests/services/dynamodb/js failed: {done.stderr[-2000:]}")
    try:
        work.rename(target)  # another run that installed it meanwhile wins
    except OSError:
        shutil.rmtree(work, ignore_errors=True)
    return target / "node_modules"


def run(script: str, *args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    """Run js/<script> with node to its end, the SDK on NODE_PATH; stdout and stderr captured as text."""
    env = {**os.environ, "NODE_PATH": str(node_modules())}
    return subprocess.run(
        ["node", str(HERE / script), *args], env=env, capture_output=True, text=True, timeout=timeout, check=False
    )
