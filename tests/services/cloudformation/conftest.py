"""Fixtures of the CloudFormation tests: a client of the shared server, and the AWS SAM CLI (aws-sam-cli from PyPI)
in a virtual environment of its own, made once and kept between runs (PyPI is needed the first time; without it
the test that needs it skips and says so)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

SAM_CLI = "1.170.0"
_OFFLINE = (
    "No matching distribution",
    "Could not find a version",
    "NewConnectionError",
    "Network is unreachable",
    "Temporary failure in name resolution",
    "Max retries exceeded",
    "ConnectTimeout",
)


@pytest.fixture(scope="session")
def cfn(aws: Callable[..., Any]) -> Any:
    return aws("cloudformation")


@pytest.fixture(scope="session")
def sam_cli() -> list[str]:
    """The `sam` command (`python -m samcli` of a virtual environment holding aws-sam-cli SAM_CLI, nothing of
    gureum's)."""
    cache = Path(os.environ.get("GUREUM_TEST_CACHE") or Path.home() / ".cache" / "gureum-tests")
    venv = cache / f"aws-sam-cli-{SAM_CLI}"
    python = venv / "bin" / "python"
    if (venv / ".complete").exists() and python.exists():
        return [str(python), "-m", "samcli"]
    cache.mkdir(parents=True, exist_ok=True)
    building = Path(tempfile.mkdtemp(prefix=f".aws-sam-cli-{SAM_CLI}-", dir=cache))
    try:
        subprocess.run([sys.executable, "-m", "venv", str(building)], check=True, capture_output=True, timeout=300)
        pip = subprocess.run(
            [
                str(building / "bin" / "python"),
                "-m",
                "pip",
                "install",
                "-q",
                "--disable-pip-version-check",
                f"aws-sam-cli=={SAM_CLI}",
            ],
            capture_output=True,
            text=True,
            timeout=1200,
        )
        if pip.returncode != 0:
            tail = (pip.stderr or pip.stdout).strip().splitlines()[-3:]
            if any(sign in pip.stderr + pip.stdout for sign in _OFFLINE):
                pytest.skip(f"PyPI unreachable, cannot install aws-sam-cli=={SAM_CLI}: {' | '.join(tail)}")
            raise RuntimeError(f"pip install aws-sam-cli=={SAM_CLI} failed:\n{pip.stderr}")
        # built aside and renamed when complete: a moved venv still runs through its bin/python (only its
        # scripts' shebangs name the old place: sam is run as python -m samcli)
        (building / ".complete").write_text(SAM_CLI)
        if venv.exists():
            shutil.rmtree(venv)
        building.rename(venv)
    finally:
        if building.exists():
            shutil.rmtree(building, ignore_errors=True)
    return [str(python), "-m", "samcli"]
