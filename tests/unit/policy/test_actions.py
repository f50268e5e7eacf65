"""The IAM action tables (gureum/policy/actions/*.json): every operation a table names is one of its service's
operations in botocore's model, and what S3's table asks of a call (actions that depend on the input, items,
copy sources)."""

from __future__ import annotations

import botocore.session
import pytest

from gureum.policy import actions


@pytest.mark.parametrize("service", actions.services())
def test_every_operation_a_table_names_exists(service: str) -> None:
    table = actions.table(service)
    assert table is not None
    model = botocore.session.get_session().get_service_model(service)
    unknown = sorted(set(table.operations) - set(model.operation_names))
    assert unknown == [], f"{service}.json names operations its model does not have: {unknown}"


def _needs(operation: str, **params: object) -> list[tuple[str, str]]:
    found = actions.required("s3", operation, params, "us-east-1", "111111111111")
    assert found is not None
    return [(need.action, need.resource) for need in found.needs]


def test_s3_actions_follow_the_input() -> None:
    assert _needs("GetObject", Bucket="b", Key="k") == [("s3:GetObject", "arn:aws:s3:::b/k")]
    assert _needs("GetObject", Bucket="b", Key="k", VersionId="v1") == [("s3:GetObjectVersion", "arn:aws:s3:::b/k")]
    assert _needs("HeadBucket", Bucket="b") == [("s3:ListBucket", "arn:aws:s3:::b")]
    assert _needs("ListBuckets") == [("s3:ListAllMyBuckets", "*")]
    assert _needs("CopyObject", Bucket="b", Key="k", CopySource="/src/a%20b?versionId=3") == [
        ("s3:PutObject", "arn:aws:s3:::b/k"),
        ("s3:GetObjectVersion", "arn:aws:s3:::src/a b"),
    ]
    assert _needs("DeleteObjects", Bucket="b", Delete={"Objects": [{"Key": "x"}, {"Key": "y", "VersionId": "2"}]}) == [
        ("s3:DeleteObject", "arn:aws:s3:::b/x"),
        ("s3:DeleteObjectVersion", "arn:aws:s3:::b/y"),
    ]
    found = actions.required("s3", "PutBucketPolicy", {"Bucket": "b"}, "us-east-1", "1")
    assert found is not None and "PutBucketPolicy" in found.owner_only
    listing = actions.required("s3", "ListObjectsV2", {"Bucket": "b", "Prefix": "p/"}, "us-east-1", "1")
    assert listing is not None and listing.keys == {"s3:prefix": "p/"}
