"""ECS tasks on Podman's service, end to end: RunTask of an image pushed to gureum's ECR runs to STOPPED with the
container's exit code, its output in CloudWatch Logs (awslogs) and every lifecycle step as an "ECS Task State
Change" event; StopTask stops a running task (UserInitiated); an image that cannot be pulled gives a STOPPED task
with CannotPullContainerError; a container reaches gureum (AWS_ENDPOINT_URL), the task metadata endpoint and the
task role's credentials; a task survives a gureum restart (adopted) — and RunTask without an engine says what to
install."""

from __future__ import annotations

import json
import shutil
import tempfile
import time
from pathlib import Path
from typing import Any

import boto3
import httpx
import pytest
from botocore.exceptions import ClientError

from ...conftest import StoreFactory, make_client
from ...containers import Podman
from ...server import Server
from .conftest import Engine

pytestmark = pytest.mark.containers
NETWORK = {"awsvpcConfiguration": {"subnets": ["subnet-12345678"], "assignPublicIp": "DISABLED"}}


def _register(ecs: Any, family: str, command: list[str], **more: Any) -> str:
    container = {
        "name": "main",
        "image": more.pop("image"),
        "command": command,
        "essential": True,
        **more.pop("container", {}),
    }
    return str(
        ecs.register_task_definition(
            family=family,
            requiresCompatibilities=["FARGATE"],
            networkMode="awsvpc",
            cpu="256",
            memory="512",
            containerDefinitions=[container, *more.pop("others", [])],
            **more,
        )["taskDefinition"]["taskDefinitionArn"]
    )


def _wait(ecs: Any, cluster: str, arn: str, status: str, timeout: float = 120) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while True:
        task = ecs.describe_tasks(cluster=cluster, tasks=[arn])["tasks"][0]
        if task["lastStatus"] == status or time.monotonic() > deadline:
            assert task["lastStatus"] == status, task
            return dict(task)
        time.sleep(0.1)


def _events_queue(engine: Engine, name: str) -> tuple[Any, str]:
    sqs, events = engine.client("sqs"), engine.client("events")
    url = sqs.create_queue(QueueName=name)["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    events.put_rule(
        Name=name,
        EventPattern=json.dumps({"source": ["aws.ecs"], "detail": {"group": [f"family:{name}"]}}),
    )
    events.put_targets(Rule=name, Targets=[{"Id": "q", "Arn": arn}])
    return sqs, str(url)


def test_run_to_completion(engine: Engine, name: str) -> None:
    ecs, logs = engine.client("ecs"), engine.client("logs")
    ecs.create_cluster(clusterName=name)
    sqs, url = _events_queue(engine, name)
    logging = {
        "logDriver": "awslogs",
        "options": {
            "awslogs-group": f"/ecs/{name}",
            "awslogs-region": "us-east-1",
            "awslogs-stream-prefix": "app",
            "awslogs-create-group": "true",
        },
    }
    definition = _register(
        ecs,
        name,
        ["sh", "-c", "echo hello from the task; echo oops >&2; exit 3"],
        image=engine.image,
        container={"logConfiguration": logging},
    )
    started = time.monotonic()
    run = ecs.run_task(cluster=name, taskDefinition=definition, launchType="FARGATE", networkConfiguration=NETWORK)
    assert run["failures"] == []
    task = run["tasks"][0]
    assert task["lastStatus"] == "PROVISIONING" and task["desiredStatus"] == "RUNNING"
    assert task["launchType"] == "FARGATE" and task["group"] == f"family:{name}"
    arn = task["taskArn"]
    assert ecs.list_tasks(cluster=name)["taskArns"] in ([arn], [])  # it may have stopped already
    stopped = _wait(ecs, name, arn, "STOPPED")
    elapsed = time.monotonic() - started
    assert stopped["stopCode"] == "EssentialContainerExited"
    assert stopped["stoppedReason"] == "Essential container in task exited"
    assert stopped["containers"][0]["exitCode"] == 3
    assert stopped["containers"][0]["lastStatus"] == "STOPPED"
    assert stopped["desiredStatus"] == "STOPPED" or stopped["desiredStatus"] == "RUNNING"
    for key in ("pullStartedAt", "pullStoppedAt", "startedAt", "stoppingAt", "stoppedAt", "executionStoppedAt"):
        assert key in stopped, key
    assert ecs.list_tasks(cluster=name, desiredStatus="STOPPED")["taskArns"] in ([arn], [])

    stream = f"app/main/{arn.rsplit('/', 1)[1]}"
    deadline = time.monotonic() + 10
    messages: list[str] = []
    while time.monotonic() < deadline:
        try:
            got = logs.get_log_events(logGroupName=f"/ecs/{name}", logStreamName=stream, startFromHead=True)
            messages = [e["message"] for e in got["events"]]
        except ClientError:
            messages = []
        if len(messages) >= 2:
            break
        time.sleep(0.2)
    assert sorted(messages) == ["hello from the task", "oops"]

    statuses: list[str] = []
    deadline = time.monotonic() + 30
    while "STOPPED" not in statuses and time.monotonic() < deadline:
        for message in sqs.receive_message(QueueUrl=url, WaitTimeSeconds=1, MaxNumberOfMessages=10).get("Messages", []):
            body = json.loads(message["Body"])
            assert body["detail-type"] == "ECS Task State Change" and body["detail"]["taskArn"] == arn
            statuses.append(body["detail"]["lastStatus"])
    order = [
        "PROVISIONING",
        "PENDING",
        "ACTIVATING",
        "RUNNING",
        "DEACTIVATING",
        "STOPPING",
        "DEPROVISIONING",
        "STOPPED",
    ]
    assert sorted(set(statuses), key=order.index) == order
    print(f"RunTask → STOPPED in {elapsed:.2f} s")


def test_stop_task_and_what_a_container_sees(engine: Engine, name: str) -> None:
    ecs, iam = engine.client("ecs"), engine.client("iam")
    ecs.create_cluster(clusterName=name)
    role = iam.create_role(
        RoleName=name,
        AssumeRolePolicyDocument=json.dumps(
            {
                "Version": "2012-10-17",
                "Statement": [
                    {"Effect": "Allow", "Principal": {"Service": "ecs-tasks.amazonaws.com"}, "Action": "sts:AssumeRole"}
                ],
            }
        ),
    )["Role"]["Arn"]
    script = (  # a scratch image has no /tmp: each answer on a line of its own, named
        'echo "region=$AWS_REGION"; '
        'echo "meta=$(wget -q -O - "$ECS_CONTAINER_METADATA_URI_V4/task")"; '
        'echo "creds=$(wget -q -O - --header "Authorization: $AWS_CONTAINER_AUTHORIZATION_TOKEN" '
        '"$AWS_CONTAINER_CREDENTIALS_FULL_URI")"; '
        'echo "health=$(wget -q -O - "$AWS_ENDPOINT_URL/_gureum/health")"; exec sleep 300'
    )
    logging = {
        "logDriver": "awslogs",
        "options": {"awslogs-group": f"/ecs/{name}", "awslogs-stream-prefix": "s", "awslogs-create-group": "true"},
    }
    definition = _register(
        ecs,
        name,
        ["sh", "-c", script],
        image=engine.image,
        taskRoleArn=role,
        container={"stopTimeout": 2, "logConfiguration": logging},
    )
    arn = ecs.run_task(
        cluster=name, taskDefinition=definition, launchType="FARGATE", networkConfiguration=NETWORK, startedBy="tester"
    )["tasks"][0]["taskArn"]
    running = _wait(ecs, name, arn, "RUNNING")
    assert running["containers"][0]["lastStatus"] == "RUNNING"
    assert ecs.list_tasks(cluster=name, startedBy="tester")["taskArns"] == [arn]
    assert ecs.describe_clusters(clusters=[name])["clusters"][0]["runningTasksCount"] == 1
    with pytest.raises(ClientError) as busy:
        ecs.delete_cluster(cluster=name)
    assert busy.value.response["Error"]["Code"] == "ClusterContainsTasksException"

    logs = engine.client("logs")
    stream = f"s/main/{arn.rsplit('/', 1)[1]}"
    seen: dict[str, str] = {}
    deadline = time.monotonic() + 30
    wanted = {"region", "meta", "creds", "health"}  # the script's four lines (an error line of wget's is a fifth)
    while not wanted <= seen.keys() and time.monotonic() < deadline:
        try:
            got = logs.get_log_events(logGroupName=f"/ecs/{name}", logStreamName=stream, startFromHead=True)
            seen = dict(e["message"].partition("=")[::2] for e in got["events"])
        except ClientError:
            pass
        time.sleep(0.2)
    assert wanted <= seen.keys() and seen.get("region") == "us-east-1", seen
    metadata = json.loads(seen["meta"])
    assert metadata["TaskARN"] == arn and metadata["Family"] == name
    assert metadata["Containers"][0]["Name"] == "main"
    credentials = json.loads(seen["creds"])
    assert credentials["RoleArn"] == role and credentials["AccessKeyId"].startswith("ASIA")
    assert json.loads(seen["health"])["status"] == "running"  # gureum reached at AWS_ENDPOINT_URL
    # the credentials act as the role's session
    sts = boto3.client(
        "sts",
        endpoint_url=engine.server.endpoint,
        region_name="us-east-1",
        aws_access_key_id=credentials["AccessKeyId"],
        aws_secret_access_key=credentials["SecretAccessKey"],
        aws_session_token=credentials["Token"],
    )
    identity = sts.get_caller_identity()
    assert identity["Arn"].startswith(f"arn:aws:sts::{role.split(':')[4]}:assumed-role/{name}/")

    stopped_at = time.monotonic()
    ecs.stop_task(cluster=name, task=arn, reason="enough")
    stopped = _wait(ecs, name, arn, "STOPPED", timeout=60)
    assert stopped["stopCode"] == "UserInitiated" and stopped["stoppedReason"] == "enough"
    assert stopped["desiredStatus"] == "STOPPED"
    assert stopped["containers"][0]["exitCode"] in (137, 143)
    assert time.monotonic() - stopped_at < 25  # stopTimeout 2 s, not the default 30 (room for a loaded machine)
    ecs.delete_cluster(cluster=name)


def test_image_that_cannot_be_pulled(engine: Engine, name: str) -> None:
    ecs = engine.client("ecs")
    ecs.create_cluster(clusterName=name)
    missing = engine.image.replace("ecs-test/busybox:1", "ecs-test/none:1")
    definition = _register(ecs, name, ["true"], image=missing)
    arn = ecs.run_task(cluster=name, taskDefinition=definition, launchType="FARGATE", networkConfiguration=NETWORK)[
        "tasks"
    ][0]["taskArn"]
    stopped = _wait(ecs, name, arn, "STOPPED")
    assert stopped["stopCode"] == "TaskFailedToStart"
    assert stopped["stoppedReason"].startswith("CannotPullContainerError:")
    assert "exitCode" not in stopped["containers"][0]
    with pytest.raises(ClientError) as bad:
        ecs.run_task(cluster=name, taskDefinition=definition, launchType="FARGATE")
    assert bad.value.response["Error"]["Code"] == "InvalidParameterException"
    assert "Network Configuration must be provided" in str(bad.value)
    with pytest.raises(ClientError) as no_cluster:
        ecs.run_task(cluster=f"{name}-none", taskDefinition=definition, networkConfiguration=NETWORK)
    assert no_cluster.value.response["Error"]["Code"] == "ClusterNotFoundException"
    # a task role that does not trust ecs-tasks.amazonaws.com (or does not exist)
    iam = engine.client("iam")
    lambda_only = iam.create_role(
        RoleName=name,
        AssumeRolePolicyDocument=json.dumps(
            {
                "Version": "2012-10-17",
                "Statement": [
                    {"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}
                ],
            }
        ),
    )["Role"]["Arn"]
    for role in (lambda_only, lambda_only + "-missing"):
        with pytest.raises(ClientError) as untrusted:
            ecs.run_task(
                cluster=name,
                taskDefinition=definition,
                launchType="FARGATE",
                networkConfiguration=NETWORK,
                overrides={"taskRoleArn": role},
            )
        assert untrusted.value.response["Error"]["Code"] == "ClientException"
        assert f"ECS was unable to assume the role '{role}'" in str(untrusted.value)


def test_restart_adopts_running_tasks(engine: Engine, engine_store: dict[str, Any], name: str) -> None:
    ecs = engine.client("ecs")
    ecs.create_cluster(clusterName=name)
    definition = _register(ecs, name, ["sleep", "300"], image=engine.image, container={"stopTimeout": 1})
    kept, lost = ecs.run_task(
        cluster=name, taskDefinition=definition, launchType="FARGATE", networkConfiguration=NETWORK, count=2
    )["tasks"]
    for task in (kept, lost):
        _wait(ecs, name, task["taskArn"], "RUNNING")
    engine.server.kill()  # no shutdown: the containers keep running
    # one task's container dies while gureum is down
    lost_id = lost["taskArn"].rsplit("/", 1)[1]
    engine.podman.run("rm", "--force", f"ecs-{lost_id[:12]}-main")
    engine.server.start()
    gone = _wait(ecs, name, lost["taskArn"], "STOPPED")
    assert gone["stopCode"] == "TaskFailedToStart"
    assert "while gureum was not running" in gone["stoppedReason"]
    assert ecs.describe_tasks(cluster=name, tasks=[kept["taskArn"]])["tasks"][0]["lastStatus"] == "RUNNING"
    ecs.stop_task(cluster=name, task=kept["taskArn"])
    stopped = _wait(ecs, name, kept["taskArn"], "STOPPED", timeout=60)
    assert stopped["stopCode"] == "UserInitiated"


def test_start_task_on_the_container_instance(engine: Engine, name: str) -> None:
    """StartTask places an EC2 task on the cluster's container instance (this machine); bridge networking
    publishes its port on a loopback port reported in networkBindings."""
    ecs = engine.client("ecs")
    ecs.create_cluster(clusterName=name)
    definition = ecs.register_task_definition(
        family=name,
        networkMode="bridge",
        containerDefinitions=[
            {
                "name": "web",
                "image": engine.image,
                "memory": 64,
                "command": ["httpd", "-f", "-p", "8080", "-h", "/"],
                "portMappings": [{"containerPort": 8080, "hostPort": 0}],
                "stopTimeout": 1,
            }
        ],
    )["taskDefinition"]["taskDefinitionArn"]
    instance = ecs.list_container_instances(cluster=name)["containerInstanceArns"][0]
    sqs, events = engine.client("sqs"), engine.client("events")
    url = sqs.create_queue(QueueName=name)["QueueUrl"]
    queue = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    events.put_rule(
        Name=name,
        EventPattern=json.dumps({"detail-type": ["ECS Container Instance State Change"], "resources": [instance]}),
    )
    events.put_targets(Rule=name, Targets=[{"Id": "q", "Arn": queue}])
    with pytest.raises(ClientError) as unknown:
        ecs.start_task(cluster=name, taskDefinition=definition, containerInstances=["0" * 32])
    assert unknown.value.response["Error"]["Code"] == "ClientException"
    task = ecs.start_task(cluster=name, taskDefinition=definition, containerInstances=[instance])["tasks"][0]
    assert task["launchType"] == "EC2" and task["containerInstanceArn"] == instance
    running = _wait(ecs, name, task["taskArn"], "RUNNING")
    binding = running["containers"][0]["networkBindings"][0]
    assert binding["containerPort"] == 8080 and binding["hostPort"] > 0 and binding["bindIP"] == "127.0.0.1"
    served = _until_served(f"http://127.0.0.1:{binding['hostPort']}/hello.txt")
    assert served.startswith("hello from")
    described = ecs.describe_container_instances(cluster=name, containerInstances=[instance])["containerInstances"][0]
    assert described["runningTasksCount"] == 1
    remaining = {r["name"]: r["integerValue"] for r in described["remainingResources"]}
    registered = {r["name"]: r["integerValue"] for r in described["registeredResources"]}
    assert registered["MEMORY"] - remaining["MEMORY"] == 64
    ecs.stop_task(cluster=name, task=task["taskArn"])
    _wait(ecs, name, task["taskArn"], "STOPPED")
    counts: list[int] = []
    deadline = time.monotonic() + 30
    while len(counts) < 2 and time.monotonic() < deadline:
        for message in sqs.receive_message(QueueUrl=url, WaitTimeSeconds=1, MaxNumberOfMessages=10).get("Messages", []):
            detail = json.loads(message["Body"])["detail"]
            assert detail["containerInstanceArn"] == instance
            counts.append(detail["runningTasksCount"])
    assert sorted(counts) == [0, 1]  # the task started on the instance (1 running), then stopped (0)


def _until_served(url: str) -> str:
    deadline = time.monotonic() + 10
    while True:
        try:
            return httpx.get(url, timeout=2).text
        except httpx.HTTPError:
            assert time.monotonic() < deadline, f"nothing served at {url}"
            time.sleep(0.2)


def test_memory_limit_is_the_engines(engine: Engine, name: str) -> None:
    """A container's memory is a hard engine limit: one that allocates past 16 MiB is killed (137)."""
    ecs = engine.client("ecs")
    ecs.create_cluster(clusterName=name)
    definition = ecs.register_task_definition(
        family=name,
        containerDefinitions=[
            {
                "name": "m",
                "image": engine.image,
                "memory": 16,
                "command": ["sh", "-c", "head -c 100m /dev/zero | tail > /dev/null"],
            }
        ],
    )["taskDefinition"]["taskDefinitionArn"]
    arn = ecs.run_task(cluster=name, taskDefinition=definition)["tasks"][0]["taskArn"]
    stopped = _wait(ecs, name, arn, "STOPPED")
    assert stopped["containers"][0]["exitCode"] == 137
    assert stopped["stopCode"] == "EssentialContainerExited"


def test_environment_files_from_s3(engine: Engine, name: str) -> None:
    """environmentFiles are read from S3 into the container's environment (its own variables win); a file that
    is not there stops the task before it starts, with the reason."""
    ecs, s3 = engine.client("ecs"), engine.client("s3")
    ecs.create_cluster(clusterName=name)
    s3.create_bucket(Bucket=name)
    s3.put_object(Bucket=name, Key="app.env", Body=b"# settings\nFROM_FILE=hello world\nOVERRIDDEN=from-file\n\n")

    def definition(files: list[str]) -> str:
        return str(
            ecs.register_task_definition(
                family=name,
                containerDefinitions=[
                    {
                        "name": "m",
                        "image": engine.image,
                        "memory": 64,
                        "command": ["sh", "-c", 'test "$FROM_FILE" = "hello world" && test "$OVERRIDDEN" = explicit'],
                        "environment": [{"name": "OVERRIDDEN", "value": "explicit"}],
                        "environmentFiles": [{"value": f"arn:aws:s3:::{name}/{f}", "type": "s3"} for f in files],
                    }
                ],
            )["taskDefinition"]["taskDefinitionArn"]
        )

    arn = ecs.run_task(cluster=name, taskDefinition=definition(["app.env"]))["tasks"][0]["taskArn"]
    stopped = _wait(ecs, name, arn, "STOPPED")
    assert stopped["containers"][0]["exitCode"] == 0, stopped
    arn = ecs.run_task(cluster=name, taskDefinition=definition(["missing.env"]))["tasks"][0]["taskArn"]
    failed = _wait(ecs, name, arn, "STOPPED")
    assert failed["stopCode"] == "TaskFailedToStart"
    assert failed["stoppedReason"].startswith("ResourceInitializationError: failed to download env files")
    assert "NoSuchKey" in failed["stoppedReason"]


def test_volumes(engine: Engine, name: str, tmp_path: Path) -> None:
    """A task-scoped volume shared by two containers (one mounts it read-only), and a host path (EC2): what one
    container writes the other reads; the task's volume goes with it."""
    ecs = engine.client("ecs")
    ecs.create_cluster(clusterName=name)
    host_dir = tmp_path / "host"
    host_dir.mkdir()
    definition = ecs.register_task_definition(
        family=name,
        networkMode="host",
        volumes=[{"name": "shared"}, {"name": "hostdir", "host": {"sourcePath": str(host_dir)}}],
        containerDefinitions=[
            {
                "name": "writer",
                "image": engine.image,
                "memory": 64,
                "essential": False,
                "command": ["sh", "-c", "echo hi > /data/f && echo from-task > /host/out"],
                "mountPoints": [
                    {"sourceVolume": "shared", "containerPath": "/data"},
                    {"sourceVolume": "hostdir", "containerPath": "/host"},
                ],
            },
            {
                "name": "reader",
                "image": engine.image,
                "memory": 64,
                "command": ["sh", "-c", 'test "$(cat /data/f)" = hi && ! touch /data/g 2>/dev/null'],
                "mountPoints": [{"sourceVolume": "shared", "containerPath": "/data", "readOnly": True}],
                "dependsOn": [{"containerName": "writer", "condition": "SUCCESS"}],
            },
        ],
    )["taskDefinition"]["taskDefinitionArn"]
    with pytest.raises(ClientError) as unknown_volume:
        ecs.register_task_definition(
            family=name,
            containerDefinitions=[
                {
                    "name": "x",
                    "image": engine.image,
                    "memory": 64,
                    "mountPoints": [{"sourceVolume": "none", "containerPath": "/x"}],
                }
            ],
        )
    assert "has no volume named 'none'" in str(unknown_volume.value)
    arn = ecs.run_task(cluster=name, taskDefinition=definition)["tasks"][0]["taskArn"]
    stopped = _wait(ecs, name, arn, "STOPPED")
    codes = {c["name"]: c.get("exitCode") for c in stopped["containers"]}
    assert codes == {"writer": 0, "reader": 0}, stopped.get("stoppedReason")
    assert (host_dir / "out").read_text() == "from-task\n"
    volumes = engine.podman.run("volume", "ls", "--format", "{{.Name}}").stdout.split()
    assert not [v for v in volumes if v.startswith(f"ecs-{arn.rsplit('/', 1)[1][:12]}")]


def test_an_engine_that_dies_stops_its_tasks_with_the_reason(store: StoreFactory, podman: Podman, name: str) -> None:
    """Its own Podman service (the session's, ``podman``, stays up): killed while a task runs, the task goes STOPPED
    with the reason — no call hangs, nothing is left RUNNING."""
    base = Path(tempfile.mkdtemp(prefix="gureum-podman-dies-"))
    podman = Podman(base).start()
    srv = Server(**store(), env={"GUREUM_CONTAINER_HOST": podman.host}).start()
    try:
        ecs = make_client(srv.endpoint, "ecs")
        ecs.create_cluster(clusterName=name)
        image = podman.busybox_image()  # a local image: used as it is when no registry has it
        definition = ecs.register_task_definition(
            family=name,
            containerDefinitions=[{"name": "m", "image": image, "memory": 64, "command": ["sleep", "300"]}],
        )["taskDefinition"]["taskDefinitionArn"]
        arn = ecs.run_task(cluster=name, taskDefinition=definition)["tasks"][0]["taskArn"]
        _wait(ecs, name, arn, "RUNNING")
        assert podman.proc is not None
        podman.proc.kill()  # the service dies (its containers, run by conmon, do not)
        stopped = _wait(ecs, name, arn, "STOPPED", timeout=60)
        assert stopped["stopCode"] == "TerminationNotice"
        assert stopped["stoppedReason"].startswith("The container engine stopped answering")
        with pytest.raises(ClientError) as refused:
            ecs.run_task(cluster=name, taskDefinition=definition)
        assert "no container engine is reachable" in str(refused.value)
    finally:
        srv.stop()
        podman.stop()
        shutil.rmtree(base, ignore_errors=True)


def test_two_nodes_on_one_engine(store_kind: str, engine: Engine, engine_store: dict[str, Any], name: str) -> None:
    """PostgreSQL: a second node on the same database and the same machine's engine leaves the engine's tasks to
    the node that runs them (RunTask there says so), and its StopTask reaches that node."""
    if store_kind != "postgresql":
        pytest.skip("several nodes share a PostgreSQL store; an SQLite store belongs to one process")
    other = Server(
        data_dir=None, store_url=engine_store["store_url"], env={"GUREUM_CONTAINER_HOST": engine.podman.host}
    ).start()
    try:
        ecs_a, ecs_b = engine.client("ecs"), make_client(other.endpoint, "ecs")
        ecs_a.create_cluster(clusterName=name)
        definition = ecs_a.register_task_definition(
            family=name,
            containerDefinitions=[
                {"name": "m", "image": engine.image, "memory": 64, "command": ["sleep", "300"], "stopTimeout": 1}
            ],
        )["taskDefinition"]["taskDefinitionArn"]
        with pytest.raises(ClientError) as elsewhere:
            ecs_b.run_task(cluster=name, taskDefinition=definition)
        assert "Another gureum node on this machine runs the tasks" in str(elsewhere.value)
        arn = ecs_a.run_task(cluster=name, taskDefinition=definition)["tasks"][0]["taskArn"]
        _wait(ecs_b, name, arn, "RUNNING")
        ecs_b.stop_task(cluster=name, task=arn, reason="from the other node")
        stopped = _wait(ecs_a, name, arn, "STOPPED", timeout=60)
        assert stopped["stoppedReason"] == "from the other node"
    finally:
        other.stop()
