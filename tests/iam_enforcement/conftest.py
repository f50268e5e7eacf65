"""The enforcing server of each IAM enforcement test module (two accounts' roots configured) and clients of it."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from ..conftest import StoreFactory
from ..server import Server
from .test_requests import ACCT, OTHER, Client, client


@pytest.fixture(scope="module")
def enforced(store: StoreFactory) -> Iterator[Server]:
    server = Server(
        **store(), extra_args=["--enforce-iam", "--credentials", f"{ACCT}:root-one,{OTHER}:root-two"]
    ).start()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def root(enforced: Server) -> Client:
    return lambda service: client(enforced, service, ACCT, "root-one")


@pytest.fixture(scope="module")
def other_root(enforced: Server) -> Client:
    return lambda service: client(enforced, service, OTHER, "root-two")
