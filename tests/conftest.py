"""Shared fixtures: a real gureum server per store kind, and boto3 clients pointed at it.

Every test that uses ``server`` (or ``endpoint``, ``aws``, ``sqs``, ``store``) runs once per store kind in
GUREUM_TEST_STORES (default: sqlite and postgresql; the PostgreSQL cluster is started by the tests).
"""

from __future__ import annotations

import os
import shutil
import tempfile
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.config import Config

from .server import Server

REGION = "us-east-1"
# the store kinds every server test runs on (GUREUM_TEST_BACKENDS is this variable's former name)
_KINDS = os.environ.get("GUREUM_TEST_STORES") or os.environ.get("GUREUM_TEST_BACKENDS") or "sqlite,postgresql"
STORE_KINDS = [kind.strip() for kind in _KINDS.split(",") if kind.strip()]


@pytest.fixture(scope="session")
def pg_cluster() -> Iterator[Any]:
    from .pg import PgCluster

    # not under pytest's private temp dir: the server runs as the postgres user and must reach its files
    base = Path(tempfile.mkdtemp(prefix="gureum-pg-"))
    cluster = PgCluster(base).start()
    yield cluster
    cluster.stop()
    shutil.rmtree(base, ignore_errors=True)


@pytest.fixture(scope="session", params=STORE_KINDS)
def store_kind(request: pytest.FixtureRequest) -> str:
    return str(request.param)


StoreFactory = Callable[[], dict[str, Any]]


@pytest.fixture(scope="session")
def store(store_kind: str, request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> StoreFactory:
    """store() → keyword arguments for Server(...) naming a fresh, empty store of this run's store kind.

    Pass the same arguments to a second Server to restart on (or share) the same state.
    """

    def make() -> dict[str, Any]:
        data_dir = tmp_path_factory.mktemp("gureum")
        if store_kind == "postgresql":
            cluster = request.getfixturevalue("pg_cluster")
            return {"data_dir": data_dir, "store_url": cluster.create_database()}
        return {"data_dir": data_dir}

    return make


@pytest.fixture(scope="session")
def server(store: StoreFactory) -> Iterator[Server]:
    srv = Server(**store()).start()
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
