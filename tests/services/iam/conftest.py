from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest


@pytest.fixture(scope="session")
def iam(aws: Callable[..., Any]) -> Any:
    return aws("iam")


@pytest.fixture(scope="session")
def raw_iam(aws: Callable[..., Any]) -> Any:
    """An IAM client that lets bad values through to the server (botocore checks ranges itself)."""
    return aws("iam", parameter_validation=False)
