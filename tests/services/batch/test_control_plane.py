"""Batch's control plane end to end through boto3: compute environments (CREATING → VALID, ENABLED/DISABLED, AWS's
update and delete rules), job queues (priority, computeEnvironmentOrder), scheduling policies, job definition
revisions (ACTIVE/INACTIVE) and ClientException for bad input — multi-node, EKS and GPU requirements refused
clearly. Needs no container engine."""

from __future__ import annotations

import time
from typing import Any

import pytest
from botocore.exceptions import ClientError

from .conftest import SUBNETS, environment, queue, wait_for


def _error(call: Any, **kwargs: Any) -> str:
    with pytest.raises(ClientError) as caught:
        call(**kwargs)
    assert caught.value.response["Error"]["Code"] == "ClientException", caught.value.response
    return str(caught.value.response["Error"]["Message"])


def test_compute_environment_lifecycle(batch: Any, name: str) -> None:
    arn = batch.create_compute_environment(
        computeEnvironmentName=name,
        type="MANAGED",
        computeResources={"type": "EC2", "maxvCpus": 8, "minvCpus": 0, "subnets": SUBNETS, "instanceRole": "r"},
        tags={"team": "a"},
    )["computeEnvironmentArn"]
    assert arn.endswith(f":compute-environment/{name}")
    doc = wait_for(
        lambda: batch.describe_compute_environments(computeEnvironments=[name])["computeEnvironments"][0],
        lambda d: d["status"] == "VALID",
    )
    assert doc["state"] == "ENABLED" and doc["type"] == "MANAGED"
    assert doc["computeResources"]["maxvCpus"] == 8 and doc["ecsClusterArn"].startswith("arn:aws:ecs:")
    assert batch.list_tags_for_resource(resourceArn=arn)["tags"] == {"team": "a"}
    assert "already exists" in _error(
        batch.create_compute_environment,
        computeEnvironmentName=name,
        type="UNMANAGED",
    )
    assert "updatePolicy" not in doc  # none set (Terraform's aws_batch_compute_environment reads it back as configured)
    jq = queue(batch, name, [arn])
    batch.update_compute_environment(computeEnvironment=name, computeResources={"maxvCpus": 16})
    batch.update_compute_environment(computeEnvironment=name, updatePolicy={"terminateJobsOnUpdate": True})
    described = batch.describe_compute_environments(computeEnvironments=[name])["computeEnvironments"][0]
    assert described["updatePolicy"] == {"terminateJobsOnUpdate": True, "jobExecutionTimeoutMinutes": 30}
    assert "minvCpus" in _error(
        batch.update_compute_environment, computeEnvironment=name, computeResources={"minvCpus": 32}
    )
    # an ENABLED environment can't go; nor one a queue still uses
    assert "DISABLED" in _error(batch.delete_compute_environment, computeEnvironment=arn)
    batch.update_compute_environment(computeEnvironment=arn, state="DISABLED")
    assert "JobQueue relationship" in _error(batch.delete_compute_environment, computeEnvironment=arn)
    assert "DISABLED" in _error(batch.delete_job_queue, jobQueue=jq)
    batch.update_job_queue(jobQueue=jq, state="DISABLED")
    batch.delete_job_queue(jobQueue=jq)
    batch.delete_compute_environment(computeEnvironment=arn)
    assert batch.describe_compute_environments(computeEnvironments=[arn])["computeEnvironments"] == []


def test_compute_environment_bad_input(batch: Any, name: str) -> None:
    assert "computeResources" in _error(batch.create_compute_environment, computeEnvironmentName=name, type="MANAGED")
    fargate = {"type": "FARGATE", "maxvCpus": 4, "subnets": SUBNETS, "minvCpus": 1}
    assert "not applicable for Fargate" in _error(
        batch.create_compute_environment, computeEnvironmentName=name, type="MANAGED", computeResources=fargate
    )
    assert "EKS" in _error(
        batch.create_compute_environment,
        computeEnvironmentName=name,
        type="MANAGED",
        computeResources={"type": "EC2", "maxvCpus": 4, "subnets": SUBNETS},
        eksConfiguration={"eksClusterArn": "arn:aws:eks:us-east-1:000000000000:cluster/x", "kubernetesNamespace": "n"},
    )
    assert "letters" in _error(batch.create_compute_environment, computeEnvironmentName="bad name!", type="UNMANAGED")


def test_job_queues_and_policies(batch: Any, name: str) -> None:
    ec2 = environment(batch, f"{name}-ec2", kind="EC2")
    spot = environment(batch, f"{name}-spot", kind="SPOT")
    fargate = environment(batch, f"{name}-fg", kind="FARGATE_SPOT")
    assert "mix Fargate" in _error(
        batch.create_job_queue,
        jobQueueName=name,
        priority=1,
        computeEnvironmentOrder=[{"order": 1, "computeEnvironment": ec2}, {"order": 2, "computeEnvironment": fargate}],
    )
    assert "does not exist" in _error(
        batch.create_job_queue,
        jobQueueName=name,
        priority=1,
        computeEnvironmentOrder=[{"order": 1, "computeEnvironment": f"{name}-nope"}],
    )
    policy = batch.create_scheduling_policy(
        name=name,
        fairsharePolicy={
            "shareDecaySeconds": 60,
            "computeReservation": 10,
            "shareDistribution": [{"shareIdentifier": "a", "weightFactor": 0.5}, {"shareIdentifier": "b*"}],
        },
    )["arn"]
    arn = queue(batch, name, [spot, ec2], priority=10, schedulingPolicyArn=policy)
    doc = batch.describe_job_queues(jobQueues=[name])["jobQueues"][0]
    assert doc["jobQueueArn"] == arn and doc["priority"] == 10 and doc["status"] == "VALID"
    assert [o["computeEnvironment"] for o in doc["computeEnvironmentOrder"]] == [spot, ec2]
    assert doc["schedulingPolicyArn"] == policy
    batch.update_job_queue(jobQueue=arn, priority=20, computeEnvironmentOrder=[{"order": 1, "computeEnvironment": ec2}])
    doc = batch.describe_job_queues(jobQueues=[arn])["jobQueues"][0]
    assert doc["priority"] == 20 and len(doc["computeEnvironmentOrder"]) == 1
    described = batch.describe_scheduling_policies(arns=[policy])["schedulingPolicies"][0]
    assert described["fairsharePolicy"]["shareDistribution"][0] == {"shareIdentifier": "a", "weightFactor": 0.5}
    assert policy in [p["arn"] for p in batch.list_scheduling_policies()["schedulingPolicies"]]
    assert "in use" in _error(batch.delete_scheduling_policy, arn=policy)
    fifo = queue(batch, f"{name}-fifo", [ec2])
    assert "scheduling policy" in _error(batch.update_job_queue, jobQueue=fifo, schedulingPolicyArn=policy)


def test_job_definitions(batch: Any, name: str) -> None:
    container = {
        "image": "busybox",
        "command": ["echo", "Ref::word"],
        "resourceRequirements": [{"type": "VCPU", "value": "1"}, {"type": "MEMORY", "value": "64"}],
    }
    first = batch.register_job_definition(
        jobDefinitionName=name,
        type="container",
        parameters={"word": "hi"},
        containerProperties=container,
        retryStrategy={"attempts": 3, "evaluateOnExit": [{"onExitCode": "4*", "action": "exit"}]},
        timeout={"attemptDurationSeconds": 120},
    )
    second = batch.register_job_definition(jobDefinitionName=name, type="container", containerProperties=container)
    assert (first["revision"], second["revision"]) == (1, 2)
    assert second["jobDefinitionArn"].endswith(f":job-definition/{name}:2")
    found = batch.describe_job_definitions(jobDefinitionName=name)["jobDefinitions"]
    assert [d["revision"] for d in found] == [1, 2] and {d["status"] for d in found} == {"ACTIVE"}
    assert found[0]["retryStrategy"]["evaluateOnExit"][0]["action"] == "EXIT"
    assert found[0]["parameters"] == {"word": "hi"} and found[0]["timeout"] == {"attemptDurationSeconds": 120}
    batch.deregister_job_definition(jobDefinition=f"{name}:1")
    inactive = batch.describe_job_definitions(jobDefinitions=[first["jobDefinitionArn"]])["jobDefinitions"][0]
    assert inactive["status"] == "INACTIVE"
    assert [
        d["revision"] for d in batch.describe_job_definitions(jobDefinitionName=name, status="ACTIVE")["jobDefinitions"]
    ] == [2]
    gpu = {**container, "resourceRequirements": [{"type": "GPU", "value": "1"}]}
    assert "GPU" in _error(
        batch.register_job_definition, jobDefinitionName=name, type="container", containerProperties=gpu
    )
    assert "Multi-node" in _error(
        batch.register_job_definition,
        jobDefinitionName=name,
        type="multinode",
        nodeProperties={"numNodes": 2, "mainNode": 0, "nodeRangeProperties": [{"targetNodes": "0:"}]},
    )
    assert "EKS" in _error(
        batch.register_job_definition,
        jobDefinitionName=name,
        type="container",
        eksProperties={"podProperties": {"containers": [{"image": "busybox"}]}},
    )
    assert "at least 60" in _error(
        batch.register_job_definition,
        jobDefinitionName=name,
        type="container",
        containerProperties=container,
        timeout={"attemptDurationSeconds": 5},
    )
    assert "between 1 and 10" in _error(
        batch.register_job_definition,
        jobDefinitionName=name,
        type="container",
        containerProperties=container,
        retryStrategy={"attempts": 11},
    )
    assert "Fargate" in _error(
        batch.register_job_definition,
        jobDefinitionName=name,
        type="container",
        platformCapabilities=["FARGATE"],
        containerProperties={**container, "resourceRequirements": [{"type": "VCPU", "value": "3"}]},
    )
    fargate_def = batch.register_job_definition(
        jobDefinitionName=f"{name}-fg", type="container", platformCapabilities=["FARGATE"],
        containerProperties={**container, "resourceRequirements": [{"type": "VCPU", "value": "0.25"},
                                                                  {"type": "MEMORY", "value": "512"}]},
    )  # fmt: skip
    shown = batch.describe_job_definitions(jobDefinitions=[fargate_def["jobDefinitionArn"]])["jobDefinitions"][0]
    assert shown["containerProperties"]["fargatePlatformConfiguration"] == {"platformVersion": "LATEST"}
    assert "networkConfiguration" not in shown["containerProperties"]  # as given (Terraform reads it as configured)
    secret = {**container, "secrets": [{"name": "PASSWORD", "valueFrom": "/app/password"}]}
    assert "executionRoleArn" in _error(
        batch.register_job_definition, jobDefinitionName=name, type="container", containerProperties=secret
    )
    manager = "arn:aws:secretsmanager:us-east-1:000000000000:secret:db-AbCdEf"
    secret = {**secret, "executionRoleArn": "arn:aws:iam::000000000000:role/x"}
    secret["secrets"] = [{"name": "PASSWORD", "valueFrom": manager}]
    assert "Secrets Manager" in _error(
        batch.register_job_definition, jobDefinitionName=name, type="container", containerProperties=secret
    )


def test_submit_bad_input_and_no_engine(batch: Any, name: str) -> None:
    """SubmitJob's ClientExceptions; on a server without a container engine a job waits RUNNABLE saying why."""
    jq = queue(batch, name, [environment(batch, name)])
    container = {
        "image": "busybox",
        "command": ["echo", "Ref::word"],
        "resourceRequirements": [{"type": "VCPU", "value": "1"}, {"type": "MEMORY", "value": "64"}],
    }
    definition = batch.register_job_definition(jobDefinitionName=name, type="container", containerProperties=container)[
        "jobDefinitionArn"
    ]
    assert "does not exist" in _error(batch.submit_job, jobName=name, jobQueue=f"{name}-x", jobDefinition=definition)
    assert "does not exist" in _error(batch.submit_job, jobName=name, jobQueue=jq, jobDefinition=f"{name}-x")
    assert "Ref::word" in _error(batch.submit_job, jobName=name, jobQueue=jq, jobDefinition=definition)
    params = {"word": "hello"}
    assert "between 2 and 10000" in _error(
        batch.submit_job,
        jobName=name,
        jobQueue=jq,
        jobDefinition=definition,
        parameters=params,
        arrayProperties={"size": 1},
    )
    assert "does not exist" in _error(
        batch.submit_job,
        jobName=name,
        jobQueue=jq,
        jobDefinition=definition,
        parameters=params,
        dependsOn=[{"jobId": "00000000-0000-0000-0000-000000000000"}],
    )
    assert "shareIdentifier" in _error(
        batch.submit_job, jobName=name, jobQueue=jq, jobDefinition=definition, parameters=params, shareIdentifier="a"
    )
    job = batch.submit_job(jobName=name, jobQueue=jq, jobDefinition=definition, parameters=params)
    doc = wait_for(
        lambda: batch.describe_jobs(jobs=[job["jobId"]])["jobs"][0],
        lambda d: d["status"] == "RUNNABLE" and "statusReason" in d,
    )
    assert "container engine" in doc["statusReason"]
    assert doc["container"]["command"] == ["echo", "hello"]
    listed = batch.list_jobs(jobQueue=jq, jobStatus="RUNNABLE")["jobSummaryList"]
    assert [j["jobId"] for j in listed] == [job["jobId"]]
    batch.cancel_job(jobId=job["jobId"], reason="not needed")
    doc = wait_for(lambda: batch.describe_jobs(jobs=[job["jobId"]])["jobs"][0], lambda d: d["status"] == "FAILED")
    assert doc["statusReason"] == "not needed" and doc["isCancelled"] is True


def test_list_jobs_paging_filters_snapshot_and_tags(batch: Any, name: str) -> None:
    """Jobs waiting RUNNABLE (no engine here): ListJobs pages and filters, GetJobQueueSnapshot shows the front of
    the queue oldest first, and jobs and queues take tags."""
    jq = queue(batch, name, [environment(batch, name)])
    container = {
        "image": "busybox",
        "command": ["true"],
        "resourceRequirements": [{"type": "VCPU", "value": "1"}, {"type": "MEMORY", "value": "64"}],
    }
    definition = batch.register_job_definition(jobDefinitionName=name, type="container", containerProperties=container)[
        "jobDefinitionArn"
    ]
    ids = []
    for i in range(3):
        ids.append(batch.submit_job(jobName=f"{name}-{i}", jobQueue=jq, jobDefinition=definition)["jobId"])
        time.sleep(0.01)
    wait_for(lambda: [d["status"] for d in batch.describe_jobs(jobs=ids)["jobs"]], lambda s: set(s) == {"RUNNABLE"})
    first = batch.list_jobs(jobQueue=jq, jobStatus="RUNNABLE", maxResults=2)
    assert len(first["jobSummaryList"]) == 2 and first["nextToken"]
    rest = batch.list_jobs(jobQueue=jq, jobStatus="RUNNABLE", maxResults=2, nextToken=first["nextToken"])
    assert "nextToken" not in rest
    assert sorted(j["jobId"] for j in first["jobSummaryList"] + rest["jobSummaryList"]) == sorted(ids)
    newest = batch.describe_jobs(jobs=[ids[2]])["jobs"][0]["createdAt"]
    after = batch.list_jobs(jobQueue=jq, filters=[{"name": "AFTER_CREATED_AT", "values": [str(newest - 1)]}])
    assert [j["jobId"] for j in after["jobSummaryList"]] == [ids[2]]
    named = batch.list_jobs(jobQueue=jq, filters=[{"name": "JOB_NAME", "values": [f"{name}-*"]}])
    assert len(named["jobSummaryList"]) == 3
    by_definition = batch.list_jobs(jobQueue=jq, filters=[{"name": "JOB_DEFINITION", "values": [name]}])
    assert len(by_definition["jobSummaryList"]) == 3
    snapshot = batch.get_job_queue_snapshot(jobQueue=jq)["frontOfQueue"]["jobs"]
    assert [j["jobArn"].rsplit("/", 1)[1] for j in snapshot] == ids
    job_arn = batch.describe_jobs(jobs=[ids[0]])["jobs"][0]["jobArn"]
    batch.tag_resource(resourceArn=job_arn, tags={"a": "1", "b": "2"})
    batch.untag_resource(resourceArn=job_arn, tagKeys=["a"])
    assert batch.list_tags_for_resource(resourceArn=job_arn)["tags"] == {"b": "2"}
    assert batch.describe_jobs(jobs=[ids[0]])["jobs"][0]["tags"] == {"b": "2"}
    batch.tag_resource(resourceArn=jq, tags={"team": "x"})
    assert batch.describe_job_queues(jobQueues=[jq])["jobQueues"][0]["tags"] == {"team": "x"}
    for job_id in ids:
        batch.terminate_job(jobId=job_id, reason="done")
