"""ECS clusters over boto3: create (idempotent, "default"), describe with include and failures, list with paging,
settings, capacity providers, tags, delete (INACTIVE) — and ECS's errors."""

from __future__ import annotations

from typing import Any

import pytest
from botocore.exceptions import ClientError


def _code(info: pytest.ExceptionInfo[ClientError]) -> str:
    return str(info.value.response["Error"]["Code"])


def test_lifecycle_of_a_cluster(ecs: Any, name: str) -> None:
    created = ecs.create_cluster(
        clusterName=name,
        tags=[{"key": "team", "value": "a"}],
        settings=[{"name": "containerInsights", "value": "enabled"}],
        capacityProviders=["FARGATE", "FARGATE_SPOT"],
        defaultCapacityProviderStrategy=[{"capacityProvider": "FARGATE", "weight": 1, "base": 1}],
    )["cluster"]
    arn = created["clusterArn"]
    assert arn.endswith(f":cluster/{name}") and arn.startswith("arn:aws:ecs:us-east-1:")
    assert created["status"] == "ACTIVE"
    assert created["runningTasksCount"] == 0 and created["activeServicesCount"] == 0
    assert created["settings"] == [{"name": "containerInsights", "value": "enabled"}]
    assert created["capacityProviders"] == ["FARGATE", "FARGATE_SPOT"]
    assert created["defaultCapacityProviderStrategy"] == [{"capacityProvider": "FARGATE", "weight": 1, "base": 1}]
    again = ecs.create_cluster(clusterName=name)["cluster"]
    assert again["clusterArn"] == arn and again["settings"] == created["settings"]

    plain = ecs.describe_clusters(clusters=[name])["clusters"][0]
    assert "tags" not in plain
    full = ecs.describe_clusters(clusters=[arn], include=["TAGS", "SETTINGS"])
    assert full["clusters"][0]["tags"] == [{"key": "team", "value": "a"}]
    assert full["clusters"][0]["settings"] == [{"name": "containerInsights", "value": "enabled"}]
    missing = ecs.describe_clusters(clusters=[f"{name}-none"])
    assert missing["clusters"] == []
    assert missing["failures"] == [{"arn": arn.replace(name, f"{name}-none"), "reason": "MISSING"}]
    assert arn in _all_arns(ecs)

    updated = ecs.update_cluster_settings(cluster=name, settings=[{"name": "containerInsights", "value": "disabled"}])
    assert updated["cluster"]["settings"] == [{"name": "containerInsights", "value": "disabled"}]
    put = ecs.put_cluster_capacity_providers(
        cluster=name, capacityProviders=["FARGATE_SPOT"], defaultCapacityProviderStrategy=[]
    )
    assert put["cluster"]["capacityProviders"] == ["FARGATE_SPOT"]

    ecs.tag_resource(resourceArn=arn, tags=[{"key": "env", "value": "test"}])
    ecs.untag_resource(resourceArn=arn, tagKeys=["team"])
    assert ecs.list_tags_for_resource(resourceArn=arn)["tags"] == [{"key": "env", "value": "test"}]

    deleted = ecs.delete_cluster(cluster=name)["cluster"]
    assert deleted["status"] == "INACTIVE"
    assert ecs.describe_clusters(clusters=[name])["clusters"][0]["status"] == "INACTIVE"
    assert arn not in _all_arns(ecs)
    with pytest.raises(ClientError) as gone:
        ecs.delete_cluster(cluster=name)
    assert _code(gone) == "ClusterNotFoundException"
    with pytest.raises(ClientError) as untaggable:
        ecs.tag_resource(resourceArn=arn, tags=[{"key": "a", "value": "b"}])
    assert _code(untaggable) == "ClusterNotFoundException"
    # the name can be used again
    assert ecs.create_cluster(clusterName=name)["cluster"]["status"] == "ACTIVE"
    ecs.delete_cluster(cluster=arn)


def _all_arns(ecs: Any) -> list[str]:
    arns: list[str] = []
    kwargs: dict[str, Any] = {"maxResults": 2}
    while True:
        page = ecs.list_clusters(**kwargs)
        assert len(page["clusterArns"]) <= 2
        arns += page["clusterArns"]
        if "nextToken" not in page:
            return arns
        kwargs["nextToken"] = page["nextToken"]


def test_default_cluster(ecs: Any) -> None:
    created = ecs.create_cluster()["cluster"]
    assert created["clusterName"] == "default"
    assert ecs.describe_clusters()["clusters"][0]["clusterArn"] == created["clusterArn"]


def test_bad_input(ecs: Any, name: str) -> None:
    with pytest.raises(ClientError) as bad_name:
        ecs.create_cluster(clusterName="no spaces allowed")
    assert _code(bad_name) == "InvalidParameterException"
    with pytest.raises(ClientError) as bad_provider:
        ecs.create_cluster(clusterName=name, capacityProviders=["MY_ASG"])
    assert _code(bad_provider) == "InvalidParameterException"
    with pytest.raises(ClientError) as not_associated:
        ecs.create_cluster(
            clusterName=name,
            capacityProviders=["FARGATE"],
            defaultCapacityProviderStrategy=[{"capacityProvider": "FARGATE_SPOT", "weight": 1}],
        )
    assert _code(not_associated) == "InvalidParameterException"
    with pytest.raises(ClientError) as bad_setting:
        ecs.create_cluster(clusterName=name, settings=[{"name": "containerInsights", "value": "sometimes"}])
    assert _code(bad_setting) == "InvalidParameterException"
    with pytest.raises(ClientError) as not_found:
        ecs.update_cluster_settings(cluster=name, settings=[{"name": "containerInsights", "value": "enabled"}])
    assert _code(not_found) == "ClusterNotFoundException"
    assert str(not_found.value).endswith("Cluster not found.")


def test_capacity_providers(ecs: Any) -> None:
    found = ecs.describe_capacity_providers()
    assert sorted(p["name"] for p in found["capacityProviders"]) == ["FARGATE", "FARGATE_SPOT"]
    one = ecs.describe_capacity_providers(capacityProviders=["FARGATE", "nope"])
    assert [p["name"] for p in one["capacityProviders"]] == ["FARGATE"]
    assert one["failures"] == [{"arn": "nope", "reason": "MISSING"}]


def test_ec2_capacity_providers(ecs: Any, name: str) -> None:
    group = f"arn:aws:autoscaling:us-east-1:000000000000:autoScalingGroup:1:autoScalingGroupName/{name}"
    created = ecs.create_capacity_provider(
        name=name,
        autoScalingGroupProvider={"autoScalingGroupArn": group, "managedScaling": {"status": "ENABLED"}},
        tags=[{"key": "k", "value": "v"}],
    )["capacityProvider"]
    assert created["capacityProviderArn"].endswith(f":capacity-provider/{name}")
    assert created["status"] == "ACTIVE"
    assert created["autoScalingGroupProvider"]["managedScaling"]["status"] == "ENABLED"
    with pytest.raises(ClientError) as reserved:
        ecs.create_capacity_provider(name="fargate-mine", autoScalingGroupProvider={"autoScalingGroupArn": group})
    assert _code(reserved) == "InvalidParameterException"
    described = ecs.describe_capacity_providers(capacityProviders=[name], include=["TAGS"])["capacityProviders"]
    assert described[0]["tags"] == [{"key": "k", "value": "v"}]
    updated = ecs.update_capacity_provider(
        name=name, autoScalingGroupProvider={"managedScaling": {"targetCapacity": 80}}
    )["capacityProvider"]
    assert updated["autoScalingGroupProvider"]["managedScaling"]["targetCapacity"] == 80

    cluster = ecs.create_cluster(
        clusterName=name,
        capacityProviders=[name, "FARGATE"],
        defaultCapacityProviderStrategy=[{"capacityProvider": name, "weight": 1}],
    )["cluster"]
    assert cluster["capacityProviders"] == [name, "FARGATE"]
    with pytest.raises(ClientError) as in_use:
        ecs.delete_capacity_provider(capacityProvider=name)
    assert _code(in_use) == "ResourceInUseException"

    # the cluster's container instance: this machine, its real resources
    arns = ecs.list_container_instances(cluster=name)["containerInstanceArns"]
    assert len(arns) == 1 and f":container-instance/{name}/" in arns[0]
    instance = ecs.describe_container_instances(cluster=name, containerInstances=arns)["containerInstances"][0]
    registered = {r["name"]: r for r in instance["registeredResources"]}
    assert registered["CPU"]["integerValue"] >= 1024 and registered["MEMORY"]["integerValue"] > 256
    assert instance["status"] == "ACTIVE" and instance["runningTasksCount"] == 0

    ecs.delete_cluster(cluster=name)
    gone = ecs.delete_capacity_provider(capacityProvider=name)["capacityProvider"]
    assert gone["status"] == "INACTIVE"
    assert ecs.describe_capacity_providers(capacityProviders=[name])["failures"] == [{"arn": name, "reason": "MISSING"}]
