"""Fixtures of the ECR tests: clients of the shared server, and (for tests marked ``containers``) Podman's service on
a private socket with this run's own configuration (tests/containers.py), started once a session."""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from ...containers import Podman


@pytest.fixture(scope="session")
def ecr(aws: Callable[..., Any]) -> Any:
    return aws("ecr")


@pytest.fixture(scope="session")
def podman() -> Iterator[Podman]:
    base = Path(tempfile.mkdtemp(prefix="gureum-podman-"))
    engine = Podman(base).start()
    yield engine
    engine.stop()
    shutil.rmtree(base, ignore_errors=True)
