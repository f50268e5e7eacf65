"""Fixtures of the ECR tests: a client of the shared server (the ``podman`` engine fixture comes from
tests/services/conftest.py)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest


@pytest.fixture(scope="session")
def ecr(aws: Callable[..., Any]) -> Any:
    return aws("ecr")
