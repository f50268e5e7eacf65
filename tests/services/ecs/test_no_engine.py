"""Without a container engine the control plane still works, and RunTask says what to install."""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError

from ...conftest import StoreFactory, make_client
from ...server import Server


def test_run_task_without_an_engine_says_what_to_install(store: StoreFactory, name: str) -> None:
    srv = Server(**store(), env={"GUREUM_CONTAINER_HOST": "unix:///nonexistent/gureum-test/engine.sock"}).start()
    try:
        ecs = make_client(srv.endpoint, "ecs")
        ecs.create_cluster(clusterName=name)
        definition = ecs.register_task_definition(
            family=name, containerDefinitions=[{"name": "m", "image": "busybox", "memory": 64}]
        )["taskDefinition"]["taskDefinitionArn"]
        with pytest.raises(ClientError) as info:
            ecs.run_task(cluster=name, taskDefinition=definition)
        assert info.value.response["Error"]["Code"] == "ClientException"
        assert "apt-get install podman runc" in str(info.value)
        assert ecs.list_tasks(cluster=name)["taskArns"] == []
    finally:
        srv.stop()
