"""Fixtures of the S3 tests: a client of the shared server, and a fresh bucket per test."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest


@pytest.fixture(scope="session")
def s3(aws: Callable[..., Any]) -> Any:
    return aws("s3")


@pytest.fixture
def bucket(s3: Any, name: str) -> str:
    """A new, empty bucket in us-east-1."""
    s3.create_bucket(Bucket=name)
    return name
