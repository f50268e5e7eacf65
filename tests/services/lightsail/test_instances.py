"""Lightsail instances on Podman's service, end to end through boto3: a Debian instance built from Debian's
packages answers SSH (paramiko) with its key pair's key and with GetInstanceAccessDetails' certificate, its host
key is the one reported; user data serves a page on port 80 at the instance's public address; public ports open
and close for real; a load balancer forwards to it while it passes the health check; the nginx blueprint serves its
site; a file survives stop/start and a reboot (a new init); a static IP moves the instance's address; a snapshot
(an engine commit) makes a second instance with the first one's disk; deleting removes it."""

from __future__ import annotations

import io
import socket
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from botocore.exceptions import ClientError

from tests.waiting import until

from .conftest import Engine, wait_state

pytestmark = pytest.mark.containers

USER_DATA = """#!/bin/bash
mkdir -p /var/www/html
echo "hello from $(hostname)" > /var/www/html/index.html
busybox httpd -p 80 -h /var/www/html
"""


@dataclass
class Box:
    client: Any
    name: str
    key: str  # the key pair's private key (PEM)


def _served(instance: dict[str, Any], port: int) -> int:
    """The port gureum serves the instance's ``port`` on (itself, unless gureum could not bind it here)."""
    for info in instance["networking"]["ports"]:
        for moved in info.get("commonName", "").removeprefix("served on ").split(", "):
            if moved.startswith(f"{port}->"):
                return int(moved.split("->")[1])
    return port


def _ssh(paramiko: Any, instance: dict[str, Any], key: str, command: str, cert: str | None = None) -> str:
    pkey = paramiko.RSAKey.from_private_key(io.StringIO(key))
    if cert is not None:
        pkey.load_certificate(cert)
    client = paramiko.SSHClient()
    client.set_missing_host_key_policy(paramiko.AutoAddPolicy())
    try:
        client.connect(
            instance["publicIpAddress"], _served(instance, 22), username=instance["username"], pkey=pkey,
            timeout=10, allow_agent=False, look_for_keys=False,
        )  # fmt: skip
        _, stdout, stderr = client.exec_command(command, timeout=30)
        out = stdout.read().decode()
        assert stdout.channel.recv_exit_status() == 0, stderr.read().decode()
        host_key = client.get_transport().get_remote_server_key()
        return out + f"\nHOSTKEY {host_key.get_name()} {host_key.get_base64()}"
    finally:
        client.close()


def _get(instance: dict[str, Any], port: int, timeout: float = 30) -> str:
    """The page at the instance's public address and port, retried while its server comes up."""
    url = f"http://{instance['publicIpAddress']}:{_served(instance, port)}/"
    deadline = time.monotonic() + timeout
    while True:
        try:
            with urllib.request.urlopen(url, timeout=5) as response:
                return str(response.read().decode())
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)


def _closed(instance: dict[str, Any], port: int) -> bool:
    """Nothing answers at the public address and port (refused, or the firewall closes the connection)."""
    try:
        with socket.create_connection((instance["publicIpAddress"], _served(instance, port)), timeout=3) as sock:
            sock.sendall(b"GET / HTTP/1.0\r\n\r\n")
            return sock.recv(16) == b""
    except OSError:
        return True


@pytest.fixture(scope="module")
def box(ls_engine: Engine) -> Iterator[Box]:
    client = ls_engine.client("lightsail")
    name = f"box-{int(time.time() * 1000) % 10**8}"
    key = client.create_key_pair(keyPairName=name)["privateKeyBase64"]
    ops = client.create_instances(
        instanceNames=[name], availabilityZone="us-east-1a", blueprintId="debian_12", bundleId="nano_3_0",
        userData=USER_DATA, keyPairName=name, tags=[{"key": "role", "value": "web"}],
    )["operations"]  # fmt: skip
    assert ops[0]["operationType"] == "CreateInstance" and ops[0]["status"] == "Started"
    assert client.get_instance(instanceName=name)["instance"]["state"]["name"] in ("pending", "running")
    wait_state(client, name, "running")
    # the operation ends a moment after the state turns running (its ports are opened first), as AWS's can
    assert until(lambda: client.get_operation(operationId=ops[0]["id"])["operation"]["isTerminal"], 60, 0.5)
    done = client.get_operation(operationId=ops[0]["id"])["operation"]
    assert done["status"] == "Succeeded" and done["isTerminal"]
    yield Box(client, name, key)
    try:
        client.delete_instance(instanceName=name)
    except ClientError:
        pass


def test_ssh_with_the_key_pair(box: Box, ssh_lib: Any) -> None:
    instance = box.client.get_instance(instanceName=box.name)["instance"]
    assert instance["blueprintId"] == "debian_12" and instance["username"] == "admin"
    assert instance["sshKeyName"] == box.name and instance["tags"] == [{"key": "role", "value": "web"}]
    assert instance["state"] == {"code": 16, "name": "running"}
    assert instance["publicIpAddress"].startswith("127.") and instance["privateIpAddress"]
    assert {(p["fromPort"], p["protocol"]) for p in instance["networking"]["ports"]} == {(22, "tcp"), (80, "tcp")}
    out = _ssh(ssh_lib, instance, box.key, "id -un; grep '^ID=' /etc/os-release; sudo -n id -u; hostname")
    lines = out.splitlines()
    assert lines[0] == "admin" and lines[1] == "ID=debian" and lines[2] == "0" and lines[3] == box.name
    access = box.client.get_instance_access_details(instanceName=box.name)["accessDetails"]
    assert access["ipAddress"] == instance["publicIpAddress"] and access["username"] == "admin"
    host = access["hostKeys"][0]
    assert f"HOSTKEY {host['algorithm']} {host['publicKey']}" in out
    # the temporary key and certificate AWS hands out log in too
    assert _ssh(ssh_lib, instance, access["privateKey"], "id -un", cert=access["certKey"]).startswith("admin")


def test_user_data_serves_port_80_and_ports_open_and_close(box: Box, ssh_lib: Any) -> None:
    instance = box.client.get_instance(instanceName=box.name)["instance"]
    assert _get(instance, 80).strip() == f"hello from {box.name}"
    _ssh(ssh_lib, instance, box.key, "sudo -n busybox httpd -p 8080 -h /var/www/html")
    assert _closed(instance, 8080)
    op = box.client.open_instance_public_ports(
        instanceName=box.name, portInfo={"fromPort": 8080, "toPort": 8080, "protocol": "tcp"}
    )["operation"]
    assert op["operationType"] == "OpenInstancePublicPorts"
    instance = box.client.get_instance(instanceName=box.name)["instance"]
    assert 8080 in [p["fromPort"] for p in instance["networking"]["ports"]]
    states = box.client.get_instance_port_states(instanceName=box.name)["portStates"]
    assert {(s["fromPort"], s["state"]) for s in states} == {(22, "open"), (80, "open"), (8080, "open")}
    assert _get(instance, 8080).startswith("hello from")
    box.client.close_instance_public_ports(
        instanceName=box.name, portInfo={"fromPort": 8080, "toPort": 8080, "protocol": "tcp"}
    )
    assert _closed(instance, 8080)
    # a port open only to another network is closed to this machine
    box.client.put_instance_public_ports(
        instanceName=box.name,
        portInfos=[
            {"fromPort": 22, "toPort": 22, "protocol": "tcp"},
            {"fromPort": 80, "toPort": 80, "protocol": "tcp", "cidrs": ["192.0.2.0/24"]},
        ],
    )
    assert _closed(instance, 80)
    box.client.open_instance_public_ports(
        instanceName=box.name, portInfo={"fromPort": 80, "toPort": 80, "protocol": "tcp"}
    )
    assert "hello from" in _get(instance, 80)
    with pytest.raises(ClientError) as exc:
        box.client.open_instance_public_ports(
            instanceName=box.name, portInfo={"fromPort": 53, "toPort": 53, "protocol": "udp"}
        )
    assert exc.value.response["Error"]["Code"] == "InvalidInputException"


def _health(client: Any, balancer: str, state: str, timeout: float = 30) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while True:
        found = client.get_load_balancer(loadBalancerName=balancer)["loadBalancer"]
        if [h["instanceHealth"] for h in found["instanceHealthSummary"]] == [state]:
            return dict(found)
        assert time.monotonic() < deadline, found
        time.sleep(0.2)


def test_load_balancer_over_the_instance(box: Box) -> None:
    balancer = box.name + "-lb"
    box.client.create_load_balancer(loadBalancerName=balancer, instancePort=80, healthCheckPath="/index.html")
    box.client.attach_instances_to_load_balancer(loadBalancerName=balancer, instanceNames=[box.name])
    found = _health(box.client, balancer, "healthy")
    assert found["state"] == "active"
    address, _, port = found["dnsName"].partition(":")
    lb = {"publicIpAddress": address, "networking": {"ports": []}}
    assert _get(lb, int(port or 80)).strip() == f"hello from {box.name}"
    box.client.update_load_balancer_attribute(
        loadBalancerName=balancer, attributeName="HealthCheckPath", attributeValue="/missing"
    )
    impaired = _health(box.client, balancer, "unhealthy")
    assert impaired["state"] == "active_impaired"
    assert impaired["instanceHealthSummary"][0]["instanceHealthReason"] == "Instance.FailedHealthChecks"
    assert _closed(lb, int(port or 80))
    box.client.detach_instances_from_load_balancer(loadBalancerName=balancer, instanceNames=[box.name])
    assert box.client.get_load_balancer(loadBalancerName=balancer)["loadBalancer"]["instanceHealthSummary"] == []
    box.client.delete_load_balancer(loadBalancerName=balancer)


def test_nginx_blueprint_serves_its_default_site(box: Box) -> None:
    name = box.name + "-nginx"
    box.client.create_instances(
        instanceNames=[name], availabilityZone="us-east-1a", blueprintId="nginx", bundleId="nano_3_0"
    )
    instance = wait_state(box.client, name, "running")
    assert instance["blueprintId"] == "nginx" and instance["blueprintName"] == "Nginx"
    assert "Welcome to nginx!" in _get(instance, 80)
    box.client.delete_instance(instanceName=name)


def test_stop_start_keeps_the_disk(box: Box, ssh_lib: Any) -> None:
    instance = box.client.get_instance(instanceName=box.name)["instance"]
    _ssh(ssh_lib, instance, box.key, "echo kept > /home/admin/keep.txt")
    op = box.client.stop_instance(instanceName=box.name)["operations"][0]
    assert op["operationType"] == "StopInstance"
    stopped = wait_state(box.client, box.name, "stopped", 60)
    assert stopped["state"]["code"] == 80 and _closed(instance, 22)
    with pytest.raises(ClientError) as exc:
        box.client.get_instance_access_details(instanceName=box.name)
    assert exc.value.response["Error"]["Code"] == "InvalidInputException"
    box.client.start_instance(instanceName=box.name)
    instance = wait_state(box.client, box.name, "running", 120)
    assert _ssh(ssh_lib, instance, box.key, "cat /home/admin/keep.txt").startswith("kept")
    booted = _ssh(ssh_lib, instance, box.key, "cat /proc/1/stat").split()[21]  # init's start time
    op = box.client.reboot_instance(instanceName=box.name)["operations"][0]
    assert op["operationType"] == "RebootInstance"
    deadline = time.monotonic() + 60
    while box.client.get_operation(operationId=op["id"])["operation"]["status"] != "Succeeded":
        assert time.monotonic() < deadline
        time.sleep(0.2)
    instance = wait_state(box.client, box.name, "running", 60)
    out = _ssh(ssh_lib, instance, box.key, "cat /home/admin/keep.txt; cat /proc/1/stat").splitlines()
    assert out[0] == "kept" and out[1].split()[21] != booted


def test_static_ip_moves_the_address(box: Box, ssh_lib: Any) -> None:
    ip_name = box.name + "-ip"
    box.client.allocate_static_ip(staticIpName=ip_name)
    address = box.client.get_static_ip(staticIpName=ip_name)["staticIp"]["ipAddress"]
    box.client.attach_static_ip(staticIpName=ip_name, instanceName=box.name)
    instance = box.client.get_instance(instanceName=box.name)["instance"]
    assert instance["publicIpAddress"] == address and instance["isStaticIp"]
    assert box.client.get_static_ip(staticIpName=ip_name)["staticIp"]["attachedTo"] == box.name
    assert _ssh(ssh_lib, instance, box.key, "id -un").startswith("admin")
    box.client.release_static_ip(staticIpName=ip_name)
    moved = box.client.get_instance(instanceName=box.name)["instance"]
    assert moved["publicIpAddress"] != address and not moved["isStaticIp"]
    assert _closed(instance, 22)
    assert _ssh(ssh_lib, moved, box.key, "id -un").startswith("admin")


def test_snapshot_makes_a_second_instance(box: Box, ssh_lib: Any) -> None:
    instance = box.client.get_instance(instanceName=box.name)["instance"]
    _ssh(ssh_lib, instance, box.key, "echo from-snapshot > /home/admin/snap.txt")
    snap = box.name + "-snap"
    box.client.create_instance_snapshot(instanceSnapshotName=snap, instanceName=box.name)
    deadline = time.monotonic() + 120
    while (found := box.client.get_instance_snapshot(instanceSnapshotName=snap)["instanceSnapshot"])["state"] != (
        "available"
    ):
        ops = box.client.get_operations_for_resource(resourceName=snap)["operations"]
        assert found["state"] == "pending" and time.monotonic() < deadline, (found, ops)
        time.sleep(0.2)
    assert found["fromInstanceName"] == box.name and found["fromBlueprintId"] == "debian_12"
    copy = box.name + "-copy"
    box.client.create_instances_from_snapshot(
        instanceNames=[copy], availabilityZone="us-east-1a", instanceSnapshotName=snap, bundleId="nano_3_0",
        keyPairName=box.name,
    )  # fmt: skip
    second = wait_state(box.client, copy, "running", 120)
    assert second["publicIpAddress"] != instance["publicIpAddress"]
    assert _ssh(ssh_lib, second, box.key, "cat /home/admin/snap.txt; hostname").splitlines()[:2] == [
        "from-snapshot",
        copy,
    ]
    box.client.delete_instance(instanceName=copy)
    box.client.delete_instance_snapshot(instanceSnapshotName=snap)
    with pytest.raises(ClientError) as exc:
        box.client.get_instance(instanceName=copy)
    assert exc.value.response["Error"]["Code"] == "NotFoundException"
    assert _closed(second, 22)
