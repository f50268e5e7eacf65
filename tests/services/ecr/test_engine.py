"""The container engine gureum uses shows in /_gureum/health: Podman's service on the socket named by
GUREUM_CONTAINER_HOST, or no engine with an error that names what to install; and gureum's Engine API client
pulls from gureum's own ECR and runs what it pulled."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import pytest

from gureum.containers.engine import Engine, EngineError

from ...conftest import StoreFactory
from ...containers import Podman
from ...server import Server
from ._images import token


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


@pytest.mark.containers
def test_engine_pulls_from_gureums_ecr_and_runs(podman: Podman, ecr: Any, endpoint: str, name: str) -> None:
    """gureum's engine client (the Engine API, no CLI) pulls an image pushed to gureum's ECR with the ECR token,
    runs it on the host network where it reaches gureum, and reads its exit code and output."""
    ecr.create_repository(repositoryName=name)
    registry = endpoint.removeprefix("http://")
    password = token(ecr)
    podman.run("login", "--tls-verify=false", "-u", "AWS", "--password-stdin", registry, input=password.encode())
    target = f"{registry}/{name}:v1"
    podman.run("tag", podman.busybox_image(), target)
    podman.run("push", "--tls-verify=false", target)
    podman.run("rmi", target)

    async def flow() -> tuple[int, str, str]:
        engine = Engine(podman.host)
        try:
            with pytest.raises(EngineError):
                await engine.pull(target, {"username": "AWS", "password": "wrong", "serveraddress": registry})
            await engine.pull(target, {"username": "AWS", "password": password, "serveraddress": registry})
            assert (await engine.inspect_image(target)) is not None
            container = await engine.create_container(
                f"gureum-test-{name}",
                {
                    "Image": target,
                    "Cmd": ["sh", "-c", f"wget -q -O - {endpoint}/_gureum/health; echo; echo oops >&2; exit 3"],
                    "Labels": {"gureum.test": name},
                    "HostConfig": {"NetworkMode": "host"},
                },
            )
            await engine.start_container(container)
            code = await engine.wait_container(container)
            out, err = b"", b""
            async for stream, data in engine.logs(container):
                if stream == 1:
                    out += data
                else:
                    err += data
            listed = await engine.list_containers({"gureum.test": name})
            assert [c["Id"] for c in listed] == [container]
            await engine.remove_container(container)
            assert await engine.inspect_container(container) is None
            return code, out.decode(), err.decode()
        finally:
            await engine.close()

    code, out, err = asyncio.run(flow())
    assert code == 3
    assert json.loads(out.strip())["status"] == "running"
    assert err.strip() == "oops"
    podman.run("rmi", target)
    ecr.delete_repository(repositoryName=name, force=True)
