"""Fixtures of the ECS tests: a client of the shared server."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest


@pytest.fixture(scope="session")
def ecs(aws: Callable[..., Any]) -> Any:
    return aws("ecs")
