"""Fixtures of the ECS tests: a client of the shared server; for tests marked ``containers``, a server whose engine
is the session's Podman service (tests/containers.py) and an image of busybox pushed to that server's ECR."""

from __future__ import annotations

import base64
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from ...conftest import StoreFactory, make_client
from ...containers import Engine, Podman
from ...server import Server


@pytest.fixture(scope="session")
def ecs(aws: Callable[..., Any]) -> Any:
    return aws("ecs")


@pytest.fixture(scope="session")
def engine_store(store: StoreFactory) -> dict[str, Any]:
    return store()


@pytest.fixture(scope="session")
def engine(engine_store: dict[str, Any], podman: Podman) -> Iterator[Engine]:
    env = {
        "GUREUM_CONTAINER_HOST": podman.host,
        "GUREUM_ECS_SCHEDULER_SECONDS": "0.2",
        "GUREUM_ECS_HEALTH_SECONDS": "0.1",  # a health check's 5-second interval is half a second
    }
    srv = Server(**engine_store, env=env).start()
    ecr = make_client(srv.endpoint, "ecr")
    ecr.create_repository(repositoryName="ecs-test/busybox")
    data = ecr.get_authorization_token()["authorizationData"][0]
    password = base64.b64decode(data["authorizationToken"]).decode().partition(":")[2]
    registry = srv.endpoint.removeprefix("http://")
    podman.run("login", "--tls-verify=false", "-u", "AWS", "--password-stdin", registry, input=password.encode())
    image = f"{registry}/ecs-test/busybox:1"
    podman.run("tag", podman.busybox_image(), image)
    podman.run("push", "--tls-verify=false", image)
    podman.run("rmi", image)  # the engine pulls it from gureum's ECR
    yield Engine(srv, podman, image)
    srv.stop()
