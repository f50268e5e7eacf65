"""An older botocore in a virtual environment of its own, made once and kept between runs (PyPI is needed the
first time; without it the tests that need it skip and say so)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

# January 2023: the models of aws-cli 2.9.19 (Debian 12's aws-cli v2) and of SDKs built then, whose Lambda
# URIs end in a slash ("/2015-03-31/functions/") and whose SQS client speaks the query protocol
OLD_BOTOCORE = "1.29.50"
_OFFLINE = ("No matching distribution", "Could not find a version", "NewConnectionError", "Network is unreachable",
            "Temporary failure in name resolution", "Max retries exceeded", "ConnectTimeout")  # fmt: skip


def _cache_dir() -> Path:
    return Path(os.environ.get("GUREUM_TEST_CACHE") or Path.home() / ".cache" / "gureum-tests")


@pytest.fixture(scope="session")
def old_botocore_python() -> Path:
    """The interpreter of a virtual environment holding botocore OLD_BOTOCORE (and nothing of gureum's)."""
    venv = _cache_dir() / f"botocore-{OLD_BOTOCORE}"
    python = venv / "bin" / "python"
    if (venv / ".complete").exists() and python.exists():
        return python
    venv.parent.mkdir(parents=True, exist_ok=True)
    building = Path(tempfile.mkdtemp(prefix=f".botocore-{OLD_BOTOCORE}-", dir=venv.parent))
    try:
        subprocess.run([sys.executable, "-m", "venv", str(building)], check=True, capture_output=True, timeout=300)
        pip = subprocess.run(
            [str(building / "bin" / "python"), "-m", "pip", "install", "-q", "--disable-pip-version-check",
             f"botocore=={OLD_BOTOCORE}"],
            capture_output=True, text=True, timeout=600,
        )  # fmt: skip
        if pip.returncode != 0:
            tail = (pip.stderr or pip.stdout).strip().splitlines()[-3:]
            if any(sign in pip.stderr + pip.stdout for sign in _OFFLINE):
                pytest.skip(f"PyPI unreachable, cannot install botocore=={OLD_BOTOCORE}: {' | '.join(tail)}")
            raise RuntimeError(f"pip install botocore=={OLD_BOTOCORE} failed:\n{pip.stderr}")
        # built aside and renamed when complete: a moved venv still runs through its bin/python (only the
        # shebangs of its scripts, unused here, name the old place)
        (building / ".complete").write_text(OLD_BOTOCORE)
        if venv.exists():
            shutil.rmtree(venv)
        building.rename(venv)
    finally:
        if building.exists():
            shutil.rmtree(building, ignore_errors=True)
    return python


@pytest.fixture(scope="session")
def old_client(old_botocore_python: Path, endpoint: str) -> Callable[..., Any]:
    """old_client(script) runs ``script`` with OLD_BOTOCORE: it gets ``client(service)`` (a botocore client for
    the test server) and ``out`` (a dict printed as JSON at the end, returned here)."""

    def run(script: str) -> Any:
        prelude = (
            "import json, botocore, botocore.session\n"
            "from botocore.config import Config\n"
            f"assert botocore.__version__ == {OLD_BOTOCORE!r}, botocore.__version__\n"
            "session = botocore.session.get_session()\n"
            "def client(service):\n"
            f"    return session.create_client(service, endpoint_url={endpoint!r}, region_name='us-east-1',\n"
            "        aws_access_key_id='test', aws_secret_access_key='test',\n"
            "        config=Config(retries={'max_attempts': 1}))\n"
            "out = {}\n"
        )
        epilogue = "\nprint(json.dumps(out, default=str))\n"
        env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "PYTHON"))}
        proc = subprocess.run(
            [str(old_botocore_python), "-c", prelude + script + epilogue],
            capture_output=True,
            text=True,
            timeout=120,
            env=env,
        )
        assert proc.returncode == 0, proc.stderr
        return json.loads(proc.stdout.strip().splitlines()[-1])

    return run
