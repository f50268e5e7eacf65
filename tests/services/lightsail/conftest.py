"""Fixtures of the Lightsail tests: a client of the shared server; for tests marked ``containers``, a server whose
engine is the session's Podman service (tests/containers.py) — the Debian blueprint image is built there once a
session, by the first instance created — and paramiko."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from ...conftest import StoreFactory
from ...containers import Engine, Podman
from ...server import Server


@pytest.fixture(scope="session")
def lightsail(aws: Callable[..., Any]) -> Any:
    return aws("lightsail")


@pytest.fixture(scope="session")
def ls_engine_store(store: StoreFactory) -> dict[str, Any]:
    return store()


@pytest.fixture(scope="session")
def ls_engine(ls_engine_store: dict[str, Any], podman: Podman) -> Iterator[Engine]:
    env = {"GUREUM_CONTAINER_HOST": podman.host, "GUREUM_LIGHTSAIL_HEALTH_SECONDS": "0.3"}
    srv = Server(**ls_engine_store, env=env).start()
    yield Engine(srv, podman)
    srv.stop()


def wait_state(client: Any, name: str, state: str, timeout: float = 300) -> dict[str, Any]:
    """The instance once it is ``state`` (the first one a session waits for the blueprint's build)."""
    deadline = time.monotonic() + timeout
    while True:
        instance = client.get_instance(instanceName=name)["instance"]
        if instance["state"]["name"] == state or time.monotonic() > deadline:
            if instance["state"]["name"] != state:
                ops = client.get_operations_for_resource(resourceName=name)["operations"]
                raise AssertionError(f"{name} is {instance['state']}, not {state}: {ops}")
            return dict(instance)
        time.sleep(0.2)


def paramiko_module() -> Any:
    """paramiko (the test extra's), installed with pip when this environment lacks it."""
    try:
        import paramiko
    except ImportError:
        subprocess.run([sys.executable, "-m", "pip", "install", "-q", "paramiko"], check=True)
        import paramiko
    return paramiko


@pytest.fixture(scope="session")
def ssh_lib() -> Any:
    os.environ.setdefault("PARAMIKO_NO_CRYPTO_WARNINGS", "1")
    return paramiko_module()
