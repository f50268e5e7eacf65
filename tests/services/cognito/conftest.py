"""Fixtures of the Cognito tests: clients of the shared server."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest


@pytest.fixture(scope="session")
def idp(aws: Callable[..., Any]) -> Any:
    return aws("cognito-idp")


@pytest.fixture(scope="session")
def identity(aws: Callable[..., Any]) -> Any:
    return aws("cognito-identity")
