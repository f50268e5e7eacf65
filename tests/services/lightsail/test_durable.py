"""Lightsail instances are durable: an instance whose container dies under it reports stopped with the reason (an
operation record), never a hung call; after gureum restarts, an instance recorded as running runs again (its
container restarted if the engine stopped it meanwhile) with its disk, its address and its ports, and a container
service's deployment serves again at the same URL."""

from __future__ import annotations

import time
import urllib.request
from typing import Any

import pytest

from .conftest import Engine, wait_state
from .test_instances import _ssh

pytestmark = pytest.mark.containers


def _container(engine: Engine, name: str) -> str:
    found = engine.podman.run("ps", "-a", "-q", "--filter", f"label=gureum.lightsail.instance={name}").stdout.split()
    assert len(found) == 1, found
    return found[0]


def test_dead_container_and_restart(ls_engine: Engine, name: str, ssh_lib: Any) -> None:
    client = ls_engine.client("lightsail")
    key = client.download_default_key_pair()["privateKeyBase64"]
    dies, kept = f"{name}-dies", f"{name}-kept"
    client.create_instances(
        instanceNames=[dies, kept], availabilityZone="us-east-1b", blueprintId="debian_12", bundleId="nano_3_0"
    )
    wait_state(client, dies, "running")
    instance = wait_state(client, kept, "running")
    assert instance["sshKeyName"] == "LightsailDefaultKeyPair"
    _ssh(ssh_lib, instance, key, "echo durable > /home/admin/d.txt")

    ls_engine.podman.run("kill", _container(ls_engine, dies))
    started = time.monotonic()
    assert client.get_instance_state(instanceName=dies)["state"]["name"] == "stopped"
    assert time.monotonic() - started < 10
    failed = [o for o in client.get_operations_for_resource(resourceName=dies)["operations"] if o["status"] == "Failed"]
    assert failed and "stopped by itself" in failed[0]["errorDetails"], failed

    # a container service with a deployment, served again after the restart at the same URL
    image = ls_engine.podman.busybox_image()
    client.create_container_service(
        serviceName=name, power="nano", scale=1,
        deployment={
            "containers": {"web": {"image": image, "command": ["httpd", "-f", "-p", "8080", "-h", "/"],
                                   "ports": {"8080": "HTTP"}}},
            "publicEndpoint": {"containerName": "web", "containerPort": 8080, "healthCheck": {"path": "/hello.txt"}},
        },
    )  # fmt: skip
    url = _service_running(client, name)

    ls_engine.server.kill()  # no shutdown: gureum's listeners go, the containers stay
    ls_engine.podman.run("stop", "-t", "1", _container(ls_engine, kept))  # and the engine stops one meanwhile
    ls_engine.server.start()
    again = wait_state(client, kept, "running", 120)
    assert again["publicIpAddress"] == instance["publicIpAddress"]
    deadline = time.monotonic() + 60
    while True:  # the reconcile reopens the ports once the instance answers on port 22
        try:
            out = _ssh(ssh_lib, again, key, "cat /home/admin/d.txt")
            break
        except Exception:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.3)
    assert out.startswith("durable")
    assert client.get_instance(instanceName=dies)["instance"]["state"]["name"] == "stopped"
    assert _service_running(client, name) == url
    deadline = time.monotonic() + 60
    while (page := _fetch(url + "hello.txt")) is None and time.monotonic() < deadline:
        time.sleep(0.3)
    assert page == f"hello from {image}\n"
    for gone in (dies, kept):
        client.delete_instance(instanceName=gone)
    client.delete_container_service(serviceName=name)


def _service_running(client: Any, name: str) -> str:
    deadline = time.monotonic() + 120
    while True:
        service = client.get_container_services(serviceName=name)["containerServices"][0]
        if service["state"] == "RUNNING":
            return str(service["url"])
        assert time.monotonic() < deadline, service
        time.sleep(0.2)


def _fetch(url: str) -> str | None:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return str(response.read().decode())
    except OSError:
        return None
