"""Concurrent changes to one role, one managed policy and one user all stay: tags, description, permissions
boundary, attachments, policy versions and access keys at once, each a read-modify-write of an entity's row (on
PostgreSQL several writer connections, and nodes, run them side by side)."""

from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor
from typing import Any

N = 10
DOC = json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}]})
TRUST = json.dumps(
    {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"},
                                             "Action": "sts:AssumeRole"}]}
)  # fmt: skip


def run_all(jobs: list[Any]) -> list[Any]:
    with ThreadPoolExecutor(12) as pool:
        return [future.result() for future in [pool.submit(job) for job in jobs]]


def test_concurrent_changes_to_one_role_policy_and_user_all_stay(aws: Any, name: str) -> None:
    iam = aws("iam")
    clients = [aws("iam") for _ in range(4)]
    iam.create_role(RoleName=name, AssumeRolePolicyDocument=TRUST)
    iam.create_user(UserName=name)
    policy = iam.create_policy(PolicyName=name, PolicyDocument=DOC)["Policy"]["Arn"]
    others = [iam.create_policy(PolicyName=f"{name}-{i}", PolicyDocument=DOC)["Policy"]["Arn"] for i in range(8)]

    def c(i: int) -> Any:
        return clients[i % 4]

    jobs: list[Any] = []
    for i in range(N):
        jobs.append(lambda i=i: c(i).tag_role(RoleName=name, Tags=[{"Key": f"r{i}", "Value": str(i)}]))
        jobs.append(lambda i=i: c(i).tag_policy(PolicyArn=policy, Tags=[{"Key": f"p{i}", "Value": str(i)}]))
        jobs.append(lambda i=i: c(i).tag_user(UserName=name, Tags=[{"Key": f"u{i}", "Value": str(i)}]))
    jobs += [lambda i=i: c(i).attach_role_policy(RoleName=name, PolicyArn=others[i]) for i in range(8)]
    jobs += [lambda i=i: c(i).create_policy_version(PolicyArn=policy, PolicyDocument=DOC) for i in range(4)]
    jobs += [lambda i=i: c(i).create_access_key(UserName=name) for i in range(2)]
    jobs.append(lambda: c(1).update_role(RoleName=name, Description="described"))
    jobs.append(lambda: c(2).put_role_permissions_boundary(RoleName=name, PermissionsBoundary=others[0]))
    jobs.append(lambda: c(3).put_user_permissions_boundary(UserName=name, PermissionsBoundary=others[1]))
    run_all(jobs)

    role = iam.get_role(RoleName=name)["Role"]
    assert {t["Key"]: t["Value"] for t in role.get("Tags", [])} == {f"r{i}": str(i) for i in range(N)}
    assert role.get("Description") == "described"
    assert role.get("PermissionsBoundary", {}).get("PermissionsBoundaryArn") == others[0]
    attached = iam.list_attached_role_policies(RoleName=name)["AttachedPolicies"]
    assert sorted(p["PolicyArn"] for p in attached) == sorted(others)
    tags = iam.list_policy_tags(PolicyArn=policy)["Tags"]
    assert {t["Key"]: t["Value"] for t in tags} == {f"p{i}": str(i) for i in range(N)}
    versions = iam.list_policy_versions(PolicyArn=policy)["Versions"]
    assert sorted(v["VersionId"] for v in versions) == ["v1", "v2", "v3", "v4", "v5"]
    user = iam.get_user(UserName=name)["User"]
    assert {t["Key"]: t["Value"] for t in user.get("Tags", [])} == {f"u{i}": str(i) for i in range(N)}
    assert user.get("PermissionsBoundary", {}).get("PermissionsBoundaryArn") == others[1]
    assert len(iam.list_access_keys(UserName=name)["AccessKeyMetadata"]) == 2
