"""Lightsail container services on Podman's service, end to end through boto3: a service of two nodes deploys two
containers sharing each node's network (a web server pulled from gureum's ECR and a sidecar), activates once its
public endpoint passes the health check and answers at the service's loopback URL; its logs come from the engine; a
deployment whose image cannot be pulled fails and leaves the previous one serving; an image registered with
RegisterContainerImage deploys by its ":service.label.N" name; scaling redeploys on as many nodes; disabling
stops it; deleting removes it."""

from __future__ import annotations

import base64
import time
import urllib.request
from typing import Any

import pytest
from botocore.exceptions import ClientError

from .conftest import Engine

pytestmark = pytest.mark.containers


def _wait(client: Any, name: str, check: Any, timeout: float = 120) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while True:
        service = client.get_container_services(serviceName=name)["containerServices"][0]
        if check(service):
            return dict(service)
        assert time.monotonic() < deadline, service
        time.sleep(0.2)


def _fetch(url: str) -> str | None:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return str(response.read().decode())
    except OSError:
        return None


def _push_to_ecr(engine: Engine, repository: str) -> str:
    """The session's busybox image pushed to the server's ECR (and gone from the engine): its URI."""
    ecr = engine.client("ecr")
    ecr.create_repository(repositoryName=repository)
    data = ecr.get_authorization_token()["authorizationData"][0]
    password = base64.b64decode(data["authorizationToken"]).decode().partition(":")[2]
    registry = engine.server.endpoint.removeprefix("http://")
    engine.podman.run("login", "--tls-verify=false", "-u", "AWS", "--password-stdin", registry, input=password.encode())
    uri = f"{registry}/{repository}:1"
    engine.podman.run("tag", engine.podman.busybox_image(), uri)
    engine.podman.run("push", "--tls-verify=false", uri)
    engine.podman.run("rmi", uri)  # the deployment pulls it from gureum's ECR
    return uri


def test_container_service_deployments(ls_engine: Engine, name: str) -> None:
    client = ls_engine.client("lightsail")
    image = ls_engine.podman.busybox_image()
    pushed = _push_to_ecr(ls_engine, f"ls/{name}")
    powers = {p["name"]: p for p in client.get_container_service_powers()["powers"]}
    assert powers["nano"]["isActive"] and powers["nano"]["ramSizeInGb"] == 0.5
    service = client.create_container_service(serviceName=name, power="nano", scale=2)["containerService"]
    assert service["state"] == "READY" and service["url"].startswith("http://127.0.0.1:")
    url = service["url"]
    assert _fetch(url + "hello.txt") is None  # nothing deployed yet

    web = {
        "image": pushed,
        "command": ["httpd", "-f", "-p", "8080", "-h", "/"],
        "ports": {"8080": "HTTP"},
    }
    side = {
        "image": image,
        "command": ["sh", "-c", "echo side $GREETING; sleep 600"],
        "environment": {"GREETING": "hi"},
    }
    endpoint = {"containerName": "web", "containerPort": 8080, "healthCheck": {"path": "/hello.txt"}}
    deployed = client.create_container_service_deployment(
        serviceName=name, containers={"web": web, "side": side}, publicEndpoint=endpoint
    )["containerService"]
    assert deployed["state"] == "DEPLOYING" and deployed["nextDeployment"]["state"] == "ACTIVATING"
    running = _wait(client, name, lambda s: s["state"] == "RUNNING")
    assert running["currentDeployment"]["version"] == 1 and running["currentDeployment"]["state"] == "ACTIVE"
    assert _fetch(url + "hello.txt") == f"hello from {image}\n"
    events = client.get_container_log(serviceName=name, containerName="side")["logEvents"]
    assert [e["message"] for e in events] == ["side hi", "side hi"]  # one per node
    assert not client.get_container_log(serviceName=name, containerName="side", filterPattern="nothing")["logEvents"]

    # an image that cannot be pulled: the deployment fails, version 1 keeps serving
    client.create_container_service_deployment(
        serviceName=name,
        containers={"web": {**web, "image": "localhost:1/no/such:1"}},
        publicEndpoint=endpoint,
    )
    failed = _wait(client, name, lambda s: "nextDeployment" not in s and s["state"] == "RUNNING")
    assert failed["currentDeployment"]["version"] == 1 and "Deployment 2 failed" in failed["stateDetail"]["message"]
    versions = {
        d["version"]: d["state"] for d in client.get_container_service_deployments(serviceName=name)["deployments"]
    }
    assert versions == {1: "ACTIVE", 2: "FAILED"}
    assert _fetch(url + "hello.txt") == f"hello from {image}\n"

    digest = ls_engine.podman.run("image", "inspect", "--format", "{{.Id}}", image).stdout.strip()
    registered = client.register_container_image(serviceName=name, label="web", digest=f"sha256:{digest}")
    ref = registered["containerImage"]["image"]
    assert ref == f":{name}.web.1"
    assert [i["image"] for i in client.get_container_images(serviceName=name)["containerImages"]] == [ref]
    client.create_container_service_deployment(
        serviceName=name, containers={"web": {**web, "image": ref}}, publicEndpoint=endpoint
    )
    third = _wait(client, name, lambda s: s["currentDeployment"]["version"] == 3 and s["state"] == "RUNNING")
    assert third["currentDeployment"]["containers"]["web"]["image"] == ref
    assert _fetch(url + "hello.txt") == f"hello from {image}\n"

    def nodes() -> int:
        label = f"label=gureum.lightsail.container-service=cs/000000000000/us-east-1/{name}"
        found = ls_engine.podman.run("ps", "-q", "--filter", label)
        return len(found.stdout.split())

    assert nodes() == 2
    updated = client.update_container_service(serviceName=name, scale=1)["containerService"]
    assert updated["state"] == "UPDATING" and updated["scale"] == 1
    _wait(client, name, lambda s: s["state"] == "RUNNING")
    assert nodes() == 1 and _fetch(url + "hello.txt") == f"hello from {image}\n"

    client.update_container_service(serviceName=name, isDisabled=True)
    assert client.get_container_services(serviceName=name)["containerServices"][0]["state"] == "DISABLED"
    assert _fetch(url + "hello.txt") is None
    client.delete_container_service(serviceName=name)
    with pytest.raises(ClientError) as exc:
        client.get_container_services(serviceName=name)
    assert exc.value.response["Error"]["Code"] == "NotFoundException"
    labelled = ls_engine.podman.run("ps", "-a", "-q", "--filter", "label=gureum.lightsail.container-service").stdout
    assert not labelled.split()


def test_container_service_bad_input(ls_engine: Engine, name: str) -> None:
    client = ls_engine.client("lightsail")
    with pytest.raises(ClientError) as exc:
        client.create_container_service_deployment(serviceName=name, containers={"a": {"image": "x"}})
    assert exc.value.response["Error"]["Code"] == "NotFoundException"
    client.create_container_service(serviceName=name, power="micro", scale=1)
    with pytest.raises(ClientError) as exc:
        client.create_container_service_deployment(
            serviceName=name,
            containers={"a": {"image": "x", "ports": {"53": "UDP"}}},
            publicEndpoint={"containerName": "a", "containerPort": 53},
        )
    assert exc.value.response["Error"]["Code"] == "InvalidInputException"
    with pytest.raises(ClientError) as exc:
        client.create_container_service_registry_login()
    assert exc.value.response["Error"]["Code"] == "InvalidInputException"
    client.delete_container_service(serviceName=name)
