"""Without a container engine, Lightsail's records still work, and creating an instance or deploying a container
service says what to install (OperationFailureException), leaving nothing half-made."""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError

from ...conftest import StoreFactory, make_client
from ...server import Server


def test_instances_and_deployments_without_an_engine(store: StoreFactory, name: str) -> None:
    srv = Server(**store(), env={"GUREUM_CONTAINER_HOST": "unix:///nonexistent/gureum-test/engine.sock"}).start()
    try:
        client = make_client(srv.endpoint, "lightsail")
        client.create_key_pair(keyPairName=name)
        with pytest.raises(ClientError) as info:
            client.create_instances(
                instanceNames=[name], availabilityZone="us-east-1a", blueprintId="debian_12", bundleId="nano_3_0",
                keyPairName=name,
            )  # fmt: skip
        assert info.value.response["Error"]["Code"] == "OperationFailureException"
        assert "apt-get install podman runc" in str(info.value)
        assert client.get_instances()["instances"] == []
        client.create_container_service(serviceName=name, power="nano", scale=1)
        with pytest.raises(ClientError) as info:
            client.create_container_service_deployment(serviceName=name, containers={"a": {"image": "busybox"}})
        assert info.value.response["Error"]["Code"] == "OperationFailureException"
        service = client.get_container_services(serviceName=name)["containerServices"][0]
        assert service["state"] == "READY" and "nextDeployment" not in service
    finally:
        srv.stop()
