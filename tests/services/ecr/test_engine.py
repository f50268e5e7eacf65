"""The container engine gureum uses shows in /_gureum/health: Podman's service on the socket named by
GUREUM_CONTAINER_HOST, or no engine with an error that names what to install."""

from __future__ import annotations

import pytest

from ...conftest import StoreFactory
from ...containers import Podman
from ...server import Server


@pytest.mark.containers
def test_health_names_the_engine_in_use(store: StoreFactory, podman: Podman) -> None:
    srv = Server(**store(), env={"GUREUM_CONTAINER_HOST": podman.host}).start()
    try:
        containers = srv.health()["containers"]
    finally:
        srv.stop()
    assert containers["engine"] == "podman"
    assert containers["host"] == podman.host
    assert containers["version"].split(".")[0].isdigit()
    assert containers["apiVersion"]


def test_health_without_an_engine_says_what_to_install(store: StoreFactory, tmp_path: object) -> None:
    srv = Server(**store(), env={"GUREUM_CONTAINER_HOST": "unix:///nonexistent/gureum-test/engine.sock"}).start()
    try:
        containers = srv.health()["containers"]
    finally:
        srv.stop()
    assert containers["engine"] is None
    assert "install Docker or Podman" in containers["error"]
    assert "apt-get install podman runc" in containers["error"]
