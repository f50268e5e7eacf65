"""Container secrets from Systems Manager Parameter Store: a SecureString by name and a String by ARN reach the
container as environment variables when the task starts (read as the task execution role); a parameter that is not
there stops the task before it starts, with ECS's reason; secrets need an execution role, as on AWS."""

from __future__ import annotations

import json

import pytest
from botocore.exceptions import ClientError

from .conftest import Engine
from .test_tasks import _wait

pytestmark = pytest.mark.containers
TRUST = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Principal": {"Service": "ecs-tasks.amazonaws.com"}, "Action": "sts:AssumeRole"}],
}


def test_secrets_from_parameter_store(engine: Engine, name: str) -> None:
    ecs, ssm = engine.client("ecs"), engine.client("ssm")
    ecs.create_cluster(clusterName=name)
    role = engine.client("iam").create_role(RoleName=name, AssumeRolePolicyDocument=json.dumps(TRUST))["Role"]["Arn"]
    ssm.put_parameter(Name=f"/{name}/db/password", Value="s3cr3t value", Type="SecureString")
    ssm.put_parameter(Name=f"/{name}/db/user", Value="app", Type="String")
    arn = ssm.get_parameter(Name=f"/{name}/db/user")["Parameter"]["ARN"]

    def definition(password: str, with_role: bool = True) -> str:
        container = {
            "name": "m",
            "image": engine.image,
            "memory": 64,
            "command": ["sh", "-c", 'test "$DB_PASSWORD" = "s3cr3t value" && test "$DB_USER" = app'],
            "secrets": [{"name": "DB_PASSWORD", "valueFrom": password}, {"name": "DB_USER", "valueFrom": arn}],
        }
        more = {"executionRoleArn": role} if with_role else {}
        return str(
            ecs.register_task_definition(family=name, containerDefinitions=[container], **more)["taskDefinition"][
                "taskDefinitionArn"
            ]
        )

    task = ecs.run_task(cluster=name, taskDefinition=definition(f"/{name}/db/password"))["tasks"][0]["taskArn"]
    stopped = _wait(ecs, name, task, "STOPPED")
    assert stopped["containers"][0]["exitCode"] == 0, stopped

    task = ecs.run_task(cluster=name, taskDefinition=definition(f"/{name}/db/missing"))["tasks"][0]["taskArn"]
    failed = _wait(ecs, name, task, "STOPPED")
    assert failed["stopCode"] == "TaskFailedToStart"
    assert failed["stoppedReason"].startswith("ResourceInitializationError: unable to pull secrets or registry auth")
    assert failed["stoppedReason"].endswith(f"invalid parameters: /{name}/db/missing")

    with pytest.raises(ClientError) as error:
        definition(f"/{name}/db/password", with_role=False)
    assert error.value.response["Error"]["Message"] == (
        "When you are specifying container secrets, you must also specify a value for 'executionRoleArn'."
    )
