"""Shared fixtures: one real gureum server per test run, and boto3 clients pointed at it."""

from __future__ import annotations

import uuid
from typing import Any, Callable, Iterator

import boto3
import pytest
from botocore.config import Config

from .server import Server

REGION = "us-east-1"


@pytest.fixture(scope="session")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    srv = Server(tmp_path_factory.mktemp("gureum-data")).start()
    yield srv
    srv.stop()


@pytest.fixture(scope="session")
def endpoint(server: Server) -> str:
    return server.endpoint


def make_client(endpoint: str, service: str, region: str = REGION, access_key: str = "test", **config: Any) -> Any:
    return boto3.client(
        service,
        endpoint_url=endpoint,
        region_name=region,
        aws_access_key_id=access_key,
        aws_secret_access_key="test",
        config=Config(retries={"max_attempts": 1}, **config),
    )


@pytest.fixture(scope="session")
def aws(endpoint: str) -> Callable[..., Any]:
    """aws("sqs") → a boto3 client for the test server (extra kwargs: region, access_key, botocore Config options)."""
    return lambda service, **kw: make_client(endpoint, service, **kw)


@pytest.fixture(scope="session")
def sqs(aws: Callable[..., Any]) -> Any:
    return aws("sqs")


@pytest.fixture
def name() -> str:
    """A unique resource name for one test."""
    return f"t-{uuid.uuid4().hex[:12]}"
