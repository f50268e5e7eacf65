"""Fixtures of the CloudFormation tests: a client of the shared server and helpers to deploy a stack and wait for
it with boto3's own waiters (fast delays)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest


@pytest.fixture(scope="session")
def cfn(aws: Callable[..., Any]) -> Any:
    return aws("cloudformation")
