"""Buckets: create (LocationConstraint rules, names shared by all accounts), head, list, location, delete only
when empty, and the stored configuration subresources."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from botocore.exceptions import ClientError


def _error(call: Callable[[], Any]) -> dict[str, Any]:
    with pytest.raises(ClientError) as caught:
        call()
    response: dict[str, Any] = caught.value.response
    return response


def test_create_head_list_delete(s3: Any, name: str) -> None:
    created = s3.create_bucket(Bucket=name)
    assert created["Location"] == f"/{name}"
    assert s3.head_bucket(Bucket=name)["BucketRegion"] == "us-east-1"
    listed = s3.list_buckets()
    assert name in [b["Name"] for b in listed["Buckets"]]
    assert len(listed["Owner"]["ID"]) == 64
    assert s3.get_bucket_location(Bucket=name)["LocationConstraint"] is None
    s3.delete_bucket(Bucket=name)
    assert _error(lambda: s3.head_bucket(Bucket=name))["Error"]["Code"] == "404"
    missing = _error(lambda: s3.delete_bucket(Bucket=name))
    assert missing["Error"] == {
        "Code": "NoSuchBucket",
        "Message": "The specified bucket does not exist",
        "BucketName": name,
    }
    assert missing["ResponseMetadata"]["HTTPHeaders"]["x-amz-request-id"]


def test_location_constraint(aws: Callable[..., Any], name: str) -> None:
    west = aws("s3", region="eu-west-1")
    west.create_bucket(Bucket=name, CreateBucketConfiguration={"LocationConstraint": "eu-west-1"})
    assert west.get_bucket_location(Bucket=name)["LocationConstraint"] == "eu-west-1"
    assert west.head_bucket(Bucket=name)["BucketRegion"] == "eu-west-1"
    other = f"{name}-x"
    unspecified = _error(lambda: _create_bare(west, other))
    assert unspecified["Error"]["Code"] == "IllegalLocationConstraintException"
    wrong = _error(
        lambda: west.create_bucket(Bucket=other, CreateBucketConfiguration={"LocationConstraint": "ap-south-1"})
    )
    assert wrong["Error"]["Code"] == "IllegalLocationConstraintException"
    assert "ap-south-1" in wrong["Error"]["Message"]
    owned = _error(
        lambda: west.create_bucket(Bucket=name, CreateBucketConfiguration={"LocationConstraint": "eu-west-1"})
    )
    assert owned["Error"]["Code"] == "BucketAlreadyOwnedByYou"
    assert owned["ResponseMetadata"]["HTTPStatusCode"] == 409


def _create_bare(client: Any, bucket: str) -> Any:
    """CreateBucket without a configuration, which botocore would otherwise fill in from the client's Region."""

    def strip(params: dict[str, Any], **_: Any) -> None:
        params["body"] = b""

    client.meta.events.register("before-call.s3.CreateBucket", strip)
    try:
        return client.create_bucket(Bucket=bucket)
    finally:
        client.meta.events.unregister("before-call.s3.CreateBucket", strip)


def test_bucket_names_are_global(aws: Callable[..., Any], name: str) -> None:
    mine = aws("s3", access_key="111111111111")
    theirs = aws("s3", access_key="222222222222")
    mine.create_bucket(Bucket=name)
    mine.create_bucket(Bucket=name)  # us-east-1 answers a repeat by its owner with success
    taken = _error(lambda: theirs.create_bucket(Bucket=name))
    assert taken["Error"]["Code"] == "BucketAlreadyExists"
    assert taken["ResponseMetadata"]["HTTPStatusCode"] == 409
    assert name not in [b["Name"] for b in theirs.list_buckets()["Buckets"]]
    assert _error(lambda: theirs.head_bucket(Bucket=name))["Error"]["Code"] == "403"
    assert _error(lambda: theirs.put_object(Bucket=name, Key="k", Body=b"x"))["Error"]["Code"] == "AccessDenied"


@pytest.mark.parametrize(
    "bad", ["ab", "Upper", "a..b", "-lead", "192.168.1.1", "xn--punycode", "x" * 64, "under_score"]
)
def test_invalid_bucket_names(s3: Any, bad: str) -> None:
    assert _error(lambda: s3.create_bucket(Bucket=bad))["Error"]["Code"] == "InvalidBucketName"


def test_delete_only_when_empty(s3: Any, bucket: str) -> None:
    s3.put_object(Bucket=bucket, Key="k", Body=b"x")
    refused = _error(lambda: s3.delete_bucket(Bucket=bucket))
    assert refused["Error"]["Code"] == "BucketNotEmpty"
    assert refused["ResponseMetadata"]["HTTPStatusCode"] == 409
    s3.delete_object(Bucket=bucket, Key="k")
    s3.create_multipart_upload(Bucket=bucket, Key="pending")  # unfinished uploads go with the bucket
    s3.delete_bucket(Bucket=bucket)


def test_list_buckets_pages(aws: Callable[..., Any], name: str) -> None:
    client = aws("s3", access_key="333333333333")
    names = [f"{name}-{i}" for i in range(5)]
    for bucket in names:
        client.create_bucket(Bucket=bucket)
    seen: list[str] = []
    token = None
    while True:
        page = client.list_buckets(MaxBuckets=2, Prefix=name, **({"ContinuationToken": token} if token else {}))
        seen += [b["Name"] for b in page["Buckets"]]
        token = page.get("ContinuationToken")
        if not token:
            break
    assert seen == sorted(names)


def test_configuration_subresources(s3: Any, bucket: str) -> None:
    assert _error(lambda: s3.get_bucket_tagging(Bucket=bucket))["Error"]["Code"] == "NoSuchTagSet"
    s3.put_bucket_tagging(Bucket=bucket, Tagging={"TagSet": [{"Key": "team", "Value": "data"}]})
    assert s3.get_bucket_tagging(Bucket=bucket)["TagSet"] == [{"Key": "team", "Value": "data"}]
    s3.delete_bucket_tagging(Bucket=bucket)
    assert _error(lambda: s3.get_bucket_tagging(Bucket=bucket))["Error"]["Code"] == "NoSuchTagSet"

    policy = {
        "Version": "2012-10-17",
        "Statement": [
            {"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": f"arn:aws:s3:::{bucket}/*"}
        ],
    }
    s3.put_bucket_policy(Bucket=bucket, Policy=json.dumps(policy))
    assert json.loads(s3.get_bucket_policy(Bucket=bucket)["Policy"]) == policy
    s3.delete_bucket_policy(Bucket=bucket)
    assert _error(lambda: s3.get_bucket_policy(Bucket=bucket))["Error"]["Code"] == "NoSuchBucketPolicy"

    rules = [{"AllowedMethods": ["GET"], "AllowedOrigins": ["*"], "MaxAgeSeconds": 30}]
    s3.put_bucket_cors(Bucket=bucket, CORSConfiguration={"CORSRules": rules})
    assert s3.get_bucket_cors(Bucket=bucket)["CORSRules"] == rules

    encryption = s3.get_bucket_encryption(Bucket=bucket)["ServerSideEncryptionConfiguration"]
    assert encryption["Rules"][0]["ApplyServerSideEncryptionByDefault"]["SSEAlgorithm"] == "AES256"
    controls = s3.get_bucket_ownership_controls(Bucket=bucket)["OwnershipControls"]
    assert controls["Rules"] == [{"ObjectOwnership": "BucketOwnerEnforced"}]


def test_acl_is_bucket_owner_enforced(s3: Any, bucket: str) -> None:
    acl = s3.get_bucket_acl(Bucket=bucket)
    assert acl["Grants"] == [{"Grantee": {**acl["Owner"], "Type": "CanonicalUser"}, "Permission": "FULL_CONTROL"}]
    s3.put_bucket_acl(Bucket=bucket, ACL="private")
    refused = _error(lambda: s3.put_bucket_acl(Bucket=bucket, ACL="public-read"))
    assert refused["Error"]["Code"] == "AccessControlListNotSupported"
    # every canned ACL is one S3 takes on a bucket (log-delivery-write is for buckets: Terraform's logging
    # buckets ask for it); each is answered as bucket-owner-enforced, not refused as invalid input
    s3.put_bucket_acl(Bucket=bucket, ACL="bucket-owner-full-control")
    logging = _error(lambda: s3.put_bucket_acl(Bucket=bucket, ACL="log-delivery-write"))
    assert logging["Error"]["Code"] == "AccessControlListNotSupported"


def test_versioning_status(s3: Any, bucket: str) -> None:
    assert "Status" not in s3.get_bucket_versioning(Bucket=bucket)
    s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Enabled"})
    assert s3.get_bucket_versioning(Bucket=bucket)["Status"] == "Enabled"
    s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Suspended"})
    assert s3.get_bucket_versioning(Bucket=bucket)["Status"] == "Suspended"
