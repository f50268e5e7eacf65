"""Batch jobs running as containers on Podman's service, end to end through boto3: a job runs SUBMITTED → RUNNABLE
→ STARTING → RUNNING → SUCCEEDED with AWS's environment and its output in /aws/batch/job, every transition a "Batch
Job State Change" event on an SQS queue through a rule; retries that succeed on attempt 2; evaluateOnExit EXIT;
the attempt timeout; CancelJob and TerminateJob; vCPU gating against maxvCpus; a pipeline of an array fan-out, an
N_TO_N stage, a SEQUENTIAL array and a reduce job sharing a host volume; fair-share ordering; a restart mid-job."""

from __future__ import annotations

import base64
import json
import tempfile
import time
from pathlib import Path
from typing import Any

import boto3
import pytest

from ...awscli import aws as cli
from .conftest import Engine, environment, printed, queue, wait_for

pytestmark = pytest.mark.containers


def _definition(batch: Any, name: str, image: str, command: list[str], vcpus: str = "0.25", **more: Any) -> str:
    container = {
        "image": image,
        "command": command,
        "resourceRequirements": [
            {"type": "VCPU", "value": vcpus},
            {"type": "MEMORY", "value": "512" if vcpus == "0.25" else "2048"},
        ],
        **more.pop("container", {}),
    }
    return str(
        batch.register_job_definition(
            jobDefinitionName=name,
            type="container",
            platformCapabilities=["FARGATE"],
            containerProperties=container,
            **more,
        )["jobDefinitionArn"]
    )


def _job(batch: Any, job_id: str) -> dict[str, Any]:
    return dict(batch.describe_jobs(jobs=[job_id])["jobs"][0])


def _until(batch: Any, job_id: str, *statuses: str, timeout: float = 90) -> dict[str, Any]:
    return dict(wait_for(lambda: _job(batch, job_id), lambda d: d["status"] in statuses, timeout))


def _events_queue(engine: Engine, name: str) -> tuple[Any, str]:
    sqs, events = engine.client("sqs"), engine.client("events")
    url = sqs.create_queue(QueueName=name)["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    events.put_rule(
        Name=name,
        EventPattern=json.dumps({"source": ["aws.batch"], "detail": {"jobName": [name]}}),
    )
    events.put_targets(Rule=name, Targets=[{"Id": "q", "Arn": arn}])
    return sqs, str(url)


@pytest.fixture(scope="session")
def fifo(engine: Engine) -> str:
    """A FIFO queue on a Fargate environment of 4 vCPUs, shared by the tests of this module."""
    batch = engine.client("batch")
    return queue(batch, "jobs-fifo", [environment(batch, "jobs-fargate", max_vcpus=4)])


def test_run_to_completion(engine: Engine, fifo: str, name: str) -> None:
    batch, logs = engine.client("batch"), engine.client("logs")
    sqs, url = _events_queue(engine, name)
    definition = _definition(
        batch,
        name,
        engine.image,
        [
            "sh",
            "-c",
            "echo job=$AWS_BATCH_JOB_ID q=$AWS_BATCH_JQ_NAME ce=$AWS_BATCH_CE_NAME "
            "try=$AWS_BATCH_JOB_ATTEMPT $0; echo endpoint=$AWS_ENDPOINT_URL",
            "Ref::word",
        ],
        parameters={"word": "default"},
    )
    job_id = batch.submit_job(jobName=name, jobQueue=fifo, jobDefinition=definition, parameters={"word": "hi"})["jobId"]
    doc = _until(batch, job_id, "SUCCEEDED", "FAILED")
    assert doc["status"] == "SUCCEEDED", doc
    assert doc["container"]["exitCode"] == 0 and doc["startedAt"] <= doc["stoppedAt"]
    assert len(doc["attempts"]) == 1 and doc["attempts"][0]["container"]["exitCode"] == 0
    stream = doc["container"]["logStreamName"]
    assert stream.startswith(f"{name}/default/") and doc["attempts"][0]["container"]["logStreamName"] == stream
    messages = wait_for(lambda: printed(logs, stream), lambda m: len(m) == 2)
    assert messages[0] == f"job={job_id} q=jobs-fifo ce=jobs-fargate try=1 hi"
    assert messages[1] == f"endpoint={engine.server.endpoint}"
    seen: list[str] = []

    def receive() -> list[str]:
        for message in sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, WaitTimeSeconds=1).get("Messages", []):
            event = json.loads(message["Body"])
            assert event["detail-type"] == "Batch Job State Change" and event["resources"] == [doc["jobArn"]]
            seen.append(event["detail"]["status"])
        return seen

    wait_for(receive, lambda s: len(s) >= 4, timeout=30)
    time.sleep(0.5)
    receive()  # (a standard queue keeps no order; none more may come: no event for the submission itself)
    assert sorted(seen) == sorted(["RUNNABLE", "STARTING", "RUNNING", "SUCCEEDED"]), seen


def test_job_role_credentials(engine: Engine, fifo: str, name: str) -> None:
    """A job with a jobRoleArn finds its role's credentials at AWS_CONTAINER_CREDENTIALS_FULL_URI (with the
    authorization token), as SDKs in the container look for them."""
    batch, logs = engine.client("batch"), engine.client("logs")
    role = f"arn:aws:iam::000000000000:role/{name}"
    script = (
        'wget -qO- --header "Authorization: $AWS_CONTAINER_AUTHORIZATION_TOKEN" "$AWS_CONTAINER_CREDENTIALS_FULL_URI"'
    )
    definition = _definition(batch, name, engine.image, ["sh", "-c", script], container={"jobRoleArn": role})
    job_id = batch.submit_job(jobName=name, jobQueue=fifo, jobDefinition=definition)["jobId"]
    doc = _until(batch, job_id, "SUCCEEDED", "FAILED")
    stream = doc["container"]["logStreamName"]
    lines = wait_for(lambda: printed(logs, stream), bool)
    assert doc["status"] == "SUCCEEDED", lines
    issued = json.loads("".join(lines))
    assert issued["RoleArn"] == role and issued["AccessKeyId"] and issued["Token"]
    session = boto3.client(  # the credentials work against gureum: STS says whose they are
        "sts",
        endpoint_url=engine.server.endpoint,
        region_name="us-east-1",
        aws_access_key_id=issued["AccessKeyId"],
        aws_secret_access_key=issued["SecretAccessKey"],
        aws_session_token=issued["Token"],
    )
    assert session.get_caller_identity()["Arn"].startswith(f"arn:aws:sts::000000000000:assumed-role/{name}/")


def test_cli_job_from_ecr(engine: Engine, fifo: str, name: str) -> None:
    """The aws-cli registers and submits a job whose image is pushed to gureum's ECR (the engine pulls it from
    there with ECR's credentials) and follows it to SUCCEEDED."""
    ecr = engine.client("ecr")
    ecr.create_repository(repositoryName=f"batch-test/{name}")
    data = ecr.get_authorization_token()["authorizationData"][0]
    password = base64.b64decode(data["authorizationToken"]).decode().partition(":")[2]
    registry = engine.server.endpoint.removeprefix("http://")
    engine.podman.run("login", "--tls-verify=false", "-u", "AWS", "--password-stdin", registry, input=password.encode())
    image = f"{registry}/batch-test/{name}:1"
    engine.podman.run("tag", engine.image, image)
    engine.podman.run("push", "--tls-verify=false", image)
    engine.podman.run("rmi", image)  # the engine must pull it from gureum's ECR
    container = {
        "image": image,
        "command": ["cat", "/hello.txt"],
        "resourceRequirements": [{"type": "VCPU", "value": "0.25"}, {"type": "MEMORY", "value": "512"}],
    }
    definition = cli(
        engine.server.endpoint,
        "batch",
        "register-job-definition",
        "--job-definition-name",
        name,
        "--type",
        "container",
        "--platform-capabilities",
        "FARGATE",
        "--container-properties",
        json.dumps(container),
    )["jobDefinitionArn"]
    job_id = cli(
        engine.server.endpoint,
        "batch",
        "submit-job",
        "--job-name",
        name,
        "--job-queue",
        fifo,
        "--job-definition",
        definition,
    )["jobId"]
    doc = wait_for(
        lambda: cli(engine.server.endpoint, "batch", "describe-jobs", "--jobs", job_id)["jobs"][0],
        lambda d: d["status"] in ("SUCCEEDED", "FAILED"),
    )
    assert doc["status"] == "SUCCEEDED", doc
    listed = cli(engine.server.endpoint, "batch", "list-jobs", "--job-queue", fifo, "--job-status", "SUCCEEDED")[
        "jobSummaryList"
    ]
    assert job_id in [j["jobId"] for j in listed]


def test_linux_parameters_and_limits(engine: Engine, fifo: str, name: str) -> None:
    """linuxParameters (tmpfs with its size, shared memory, an init process) and the job's memory reach the
    container."""
    batch = engine.client("batch")
    script = (
        "grep -q ' /scratch tmpfs .*size=16384k' /proc/mounts && grep -q ' /dev/shm .*size=65536k' /proc/mounts"
        ' && test "$(cat /sys/fs/cgroup/memory/memory.limit_in_bytes 2>/dev/null ||'
        ' cat /sys/fs/cgroup/memory.max)" = 536870912'
    )
    definition = _definition(
        batch,
        name,
        engine.image,
        ["sh", "-c", script],
        container={
            "linuxParameters": {
                "initProcessEnabled": True,
                "sharedMemorySize": 64,
                "tmpfs": [{"containerPath": "/scratch", "size": 16, "mountOptions": ["rw"]}],
            }
        },
    )
    job_id = batch.submit_job(jobName=name, jobQueue=fifo, jobDefinition=definition)["jobId"]
    doc = _until(batch, job_id, "SUCCEEDED", "FAILED")
    assert doc["status"] == "SUCCEEDED", doc


def test_retry_succeeds_on_attempt_two(engine: Engine, fifo: str, name: str) -> None:
    batch = engine.client("batch")
    definition = _definition(
        batch,
        name,
        engine.image,
        ["sh", "-c", 'test "$AWS_BATCH_JOB_ATTEMPT" = 2 || exit 3'],
        retryStrategy={"attempts": 3},
    )
    job_id = batch.submit_job(jobName=name, jobQueue=fifo, jobDefinition=definition)["jobId"]
    doc = _until(batch, job_id, "SUCCEEDED", "FAILED")
    assert doc["status"] == "SUCCEEDED", doc
    assert [a["container"]["exitCode"] for a in doc["attempts"]] == [3, 0]
    assert doc["attempts"][0]["statusReason"] == "Essential container in task exited"
    assert doc["attempts"][0]["container"]["logStreamName"] != doc["attempts"][1]["container"]["logStreamName"]


def test_evaluate_on_exit(engine: Engine, fifo: str, name: str) -> None:
    """The first matching condition decides: exit codes 4* EXIT at once; any other failure is retried."""
    batch = engine.client("batch")
    definition = _definition(
        batch,
        name,
        engine.image,
        ["sh", "-c", 'exit "$0"', "Ref::code"],
        retryStrategy={
            "attempts": 3,
            "evaluateOnExit": [{"onExitCode": "4*", "action": "exit"}, {"onReason": "*", "action": "RETRY"}],
        },
    )
    fatal = batch.submit_job(jobName=name, jobQueue=fifo, jobDefinition=definition, parameters={"code": "42"})
    other = batch.submit_job(jobName=name, jobQueue=fifo, jobDefinition=definition, parameters={"code": "7"})
    doc = _until(batch, fatal["jobId"], "SUCCEEDED", "FAILED")
    assert doc["status"] == "FAILED" and [a["container"]["exitCode"] for a in doc["attempts"]] == [42]
    doc = _until(batch, other["jobId"], "SUCCEEDED", "FAILED")
    assert doc["status"] == "FAILED" and [a["container"]["exitCode"] for a in doc["attempts"]] == [7, 7, 7]


def test_timeout_is_not_retried(engine: Engine, fifo: str, name: str) -> None:
    batch = engine.client("batch")
    definition = _definition(
        batch,
        name,
        engine.image,
        ["sleep", "300"],
        retryStrategy={"attempts": 2},
        timeout={"attemptDurationSeconds": 60},
    )
    job_id = batch.submit_job(jobName=name, jobQueue=fifo, jobDefinition=definition)["jobId"]
    doc = _until(batch, job_id, "SUCCEEDED", "FAILED")  # 60 of the job's seconds are 3 real ones here
    assert doc["status"] == "FAILED" and doc["statusReason"] == "Job attempt duration exceeded timeout"
    assert len(doc["attempts"]) == 1 and doc["attempts"][0]["container"]["exitCode"] != 0


def test_cancel_and_terminate(engine: Engine, fifo: str, name: str) -> None:
    batch = engine.client("batch")
    sleeper = _definition(batch, name, engine.image, ["sleep", "300"])
    running = batch.submit_job(jobName=name, jobQueue=fifo, jobDefinition=sleeper)["jobId"]
    waiting = batch.submit_job(jobName=name, jobQueue=fifo, jobDefinition=sleeper, dependsOn=[{"jobId": running}])[
        "jobId"
    ]
    _until(batch, running, "RUNNING")
    assert _job(batch, waiting)["status"] == "PENDING"
    batch.cancel_job(jobId=running, reason="too late")  # RUNNING: left alone, as on AWS
    batch.cancel_job(jobId=waiting, reason="no longer needed")
    doc = _until(batch, waiting, "FAILED")
    assert doc["statusReason"] == "no longer needed" and doc["isCancelled"] is True
    time.sleep(0.5)
    assert _job(batch, running)["status"] == "RUNNING"
    batch.terminate_job(jobId=running, reason="stop it")
    doc = _until(batch, running, "FAILED", timeout=30)
    assert doc["statusReason"] == "stop it" and doc["isTerminated"] is True
    assert doc["attempts"][0]["container"]["exitCode"] != 0
    listed = batch.list_jobs(jobQueue=fifo, filters=[{"name": "JOB_NAME", "values": [name]}])["jobSummaryList"]
    assert sorted(j["jobId"] for j in listed) == sorted([running, waiting])
    assert {j["status"] for j in listed} == {"FAILED"}


def test_vcpus_gate_jobs(engine: Engine, name: str) -> None:
    """A 1-vCPU environment runs 1-vCPU jobs one at a time; a 2-vCPU job can never fit and says so."""
    batch = engine.client("batch")
    small = queue(batch, name, [environment(batch, name, max_vcpus=1)])
    definition = _definition(batch, name, engine.image, ["sleep", "0.5"], vcpus="1")
    ids = [batch.submit_job(jobName=name, jobQueue=small, jobDefinition=definition)["jobId"] for _ in range(3)]
    too_big = batch.submit_job(
        jobName=name,
        jobQueue=small,
        jobDefinition=definition,
        containerOverrides={
            "resourceRequirements": [{"type": "VCPU", "value": "2"}, {"type": "MEMORY", "value": "4096"}]
        },
    )["jobId"]
    docs = [_until(batch, i, "SUCCEEDED", "FAILED") for i in ids]
    spans = sorted((d["startedAt"], d["stoppedAt"]) for d in docs)
    assert all(d["status"] == "SUCCEEDED" for d in docs)
    assert all(spans[i][1] <= spans[i + 1][0] for i in range(len(spans) - 1)), spans
    doc = _job(batch, too_big)
    assert doc["status"] == "RUNNABLE" and doc["statusReason"].startswith(
        "MISCONFIGURATION:COMPUTE_ENVIRONMENT_MAX_RESOURCE"
    )
    batch.terminate_job(jobId=too_big, reason="cleanup")
    _until(batch, too_big, "FAILED")


def test_pipeline(engine: Engine, fifo: str, name: str) -> None:
    """Fan-out (an array), N_TO_N (each child reads its peer's output), a SEQUENTIAL array, and a reduce job, all
    sharing a host volume; a failed dependency fails its dependents."""
    batch = engine.client("batch")
    shared = Path(tempfile.mkdtemp(prefix="gureum-batch-"))
    shared.chmod(0o777)
    volume = {
        "volumes": [{"name": "data", "host": {"sourcePath": str(shared)}}],
        "mountPoints": [{"sourceVolume": "data", "containerPath": "/data"}],
    }

    def stage(suffix: str, script: str) -> str:
        return _definition(batch, f"{name}-{suffix}", engine.image, ["sh", "-c", script], container=volume)

    fan = stage("fan", "echo $((AWS_BATCH_JOB_ARRAY_INDEX * 10)) > /data/a-$AWS_BATCH_JOB_ARRAY_INDEX")
    pair = stage("pair", "i=$AWS_BATCH_JOB_ARRAY_INDEX; echo $(( $(cat /data/a-$i) + 1 )) > /data/b-$i")
    seq = stage("seq", "echo $AWS_BATCH_JOB_ARRAY_INDEX >> /data/order")
    reduce = stage("reduce", "cat /data/b-0 /data/b-1 /data/b-2 | tr '\\n' ' ' > /data/result")
    first = batch.submit_job(jobName=name, jobQueue=fifo, jobDefinition=fan, arrayProperties={"size": 3})["jobId"]
    second = batch.submit_job(
        jobName=name,
        jobQueue=fifo,
        jobDefinition=pair,
        arrayProperties={"size": 3},
        dependsOn=[{"jobId": first, "type": "N_TO_N"}],
    )["jobId"]
    third = batch.submit_job(
        jobName=name,
        jobQueue=fifo,
        jobDefinition=seq,
        arrayProperties={"size": 3},
        dependsOn=[{"jobId": second}, {"type": "SEQUENTIAL"}],
    )["jobId"]
    last = batch.submit_job(jobName=name, jobQueue=fifo, jobDefinition=reduce, dependsOn=[{"jobId": third}])["jobId"]
    doc = _until(batch, last, "SUCCEEDED", "FAILED", timeout=120)
    assert doc["status"] == "SUCCEEDED", doc
    assert (shared / "result").read_text().split() == ["1", "11", "21"]
    assert (shared / "order").read_text().split() == ["0", "1", "2"]
    parent = _job(batch, second)
    assert parent["status"] == "SUCCEEDED" and parent["arrayProperties"]["size"] == 3
    assert parent["arrayProperties"]["statusSummary"]["SUCCEEDED"] == 3
    children = {
        c["jobId"]: c
        for c in batch.describe_jobs(jobs=[f"{first}:{i}" for i in range(3)] + [f"{second}:{i}" for i in range(3)])[
            "jobs"
        ]
    }
    for i in range(3):
        assert children[f"{second}:{i}"]["startedAt"] >= children[f"{first}:{i}"]["stoppedAt"]
        assert children[f"{first}:{i}"]["arrayProperties"]["index"] == i
    listed = batch.list_jobs(arrayJobId=first, jobStatus="SUCCEEDED")["jobSummaryList"]
    assert sorted(j["jobId"] for j in listed) == [f"{first}:{i}" for i in range(3)]
    # a failure fails what depends on it
    broken = stage("broken", "exit 1")
    failing = batch.submit_job(jobName=name, jobQueue=fifo, jobDefinition=broken)["jobId"]
    dependent = batch.submit_job(
        jobName=name, jobQueue=fifo, jobDefinition=fan, dependsOn=[{"jobId": failing}], arrayProperties={"size": 2}
    )["jobId"]
    doc = _until(batch, dependent, "SUCCEEDED", "FAILED")
    assert doc["status"] == "FAILED"
    assert _job(batch, f"{dependent}:0")["statusReason"] == "Dependent Job failed"


def test_fair_share_alternates_between_shares(engine: Engine, name: str) -> None:
    """With one vCPU, jobs of shares a and b (submitted a, a, a, b, b, b) start alternately: the share that used
    less of the environment goes next."""
    batch = engine.client("batch")
    policy = batch.create_scheduling_policy(
        name=name,
        fairsharePolicy={
            "shareDecaySeconds": 600,
            "shareDistribution": [{"shareIdentifier": "a", "weightFactor": 1}, {"shareIdentifier": "b"}],
        },
    )["arn"]
    fair = queue(batch, name, [environment(batch, name, max_vcpus=1)], schedulingPolicyArn=policy)
    batch.update_job_queue(jobQueue=fair, state="DISABLED")  # all six wait until the queue opens
    definition = _definition(batch, name, engine.image, ["true"], vcpus="1")
    ids = {}
    for share in "aaabbb":
        job = batch.submit_job(jobName=name, jobQueue=fair, jobDefinition=definition, shareIdentifier=share)
        ids[job["jobId"]] = share
    wait_for(lambda: [_job(batch, i)["status"] for i in ids], lambda s: set(s) == {"RUNNABLE"})
    batch.update_job_queue(jobQueue=fair, state="ENABLED")
    docs = [_until(batch, i, "SUCCEEDED", "FAILED") for i in ids]
    order = [ids[d["jobId"]] for d in sorted(docs, key=lambda d: d["startedAt"])]
    assert order == ["a", "b", "a", "b", "a", "b"], order


def test_restart_mid_job(engine: Engine, fifo: str, name: str) -> None:
    """gureum killed while jobs run: a job whose container kept running is adopted and finishes; one whose
    container went fails its attempt as on a terminated host and is retried."""
    batch = engine.client("batch")
    kept_definition = _definition(batch, name, engine.image, ["sh", "-c", "sleep 3; exit 0"])
    lost_definition = _definition(
        batch,
        f"{name}-lost",
        engine.image,
        ["sh", "-c", 'test "$AWS_BATCH_JOB_ATTEMPT" = 2 || sleep 300'],
        retryStrategy={"attempts": 2, "evaluateOnExit": [{"onStatusReason": "Host EC2*", "action": "RETRY"}]},
    )
    kept = batch.submit_job(jobName=name, jobQueue=fifo, jobDefinition=kept_definition)["jobId"]
    lost = batch.submit_job(jobName=name, jobQueue=fifo, jobDefinition=lost_definition)["jobId"]
    _until(batch, kept, "RUNNING")
    _until(batch, lost, "RUNNING")
    engine.server.kill()  # no shutdown: the containers keep running
    engine.podman.run("rm", "--force", f"batch-{lost}-1")
    engine.server.start()
    doc = _until(batch, kept, "SUCCEEDED", "FAILED")
    assert doc["status"] == "SUCCEEDED" and len(doc["attempts"]) == 1
    doc = _until(batch, lost, "SUCCEEDED", "FAILED")
    assert doc["status"] == "SUCCEEDED", doc
    assert doc["attempts"][0]["statusReason"].startswith("Host EC2") and len(doc["attempts"]) == 2
