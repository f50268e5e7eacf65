"""S3 under IAM enforcement, end to end through boto3: identity policies decide a user's calls with S3's own actions
(ListBucket for a listing, GetObjectVersion for a versioned read, PutObject plus GetObject on the source for a copy,
DeleteObject per key of a DeleteObjects, each key answered on its own), S3 condition keys (s3:prefix), bucket
policies join the same-account union and decide across accounts (S3 ARNs name no account: the bucket's owner is),
and the bucket policy operations stay the owner's."""

from __future__ import annotations

import json
from typing import Any

import pytest
from botocore.exceptions import ClientError

from ..server import Server
from .test_requests import ACCT, OTHER, Client, denied, new_user


def _policy(*statements: dict[str, Any]) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


def _bucket(root: Client, name: str) -> Any:
    s3 = root("s3")
    s3.create_bucket(Bucket=name)
    s3.put_object(Bucket=name, Key="public/a.txt", Body=b"a")
    s3.put_object(Bucket=name, Key="private/b.txt", Body=b"b")
    return s3


def test_identity_policies_decide_with_s3_actions(enforced: Server, root: Client, name: str) -> None:
    _bucket(root, name)
    nobody = new_user(enforced, root("iam"), f"{name}-none")
    with pytest.raises(ClientError) as error:
        nobody("s3").get_object(Bucket=name, Key="public/a.txt")
    code, message = denied(error)
    assert code == "AccessDenied" and error.value.response["ResponseMetadata"]["HTTPStatusCode"] == 403
    assert f"not authorized to perform: s3:GetObject on resource: arn:aws:s3:::{name}/public/a.txt" in message
    assert "because no identity-based policy allows the s3:GetObject action" in message

    reader = new_user(
        enforced,
        root("iam"),
        f"{name}-reader",
        _policy(
            {"Effect": "Allow", "Action": "s3:GetObject", "Resource": f"arn:aws:s3:::{name}/*"},
            {
                "Effect": "Allow",
                "Action": "s3:ListBucket",
                "Resource": f"arn:aws:s3:::{name}",
                "Condition": {"StringLike": {"s3:prefix": "public/*"}},
            },
        ),
    )
    s3 = reader("s3")
    assert s3.get_object(Bucket=name, Key="private/b.txt")["Body"].read() == b"b"
    assert [o["Key"] for o in s3.list_objects_v2(Bucket=name, Prefix="public/")["Contents"]] == ["public/a.txt"]
    with pytest.raises(ClientError) as error:
        s3.list_objects_v2(Bucket=name, Prefix="private/")  # the condition key holds only for public/
    assert "s3:ListBucket" in denied(error)[1]
    with pytest.raises(ClientError) as error:
        s3.put_object(Bucket=name, Key="public/c.txt", Body=b"c")
    assert "s3:PutObject" in denied(error)[1]
    with pytest.raises(ClientError) as error:
        s3.copy_object(Bucket=name, Key="public/copy.txt", CopySource=f"{name}/public/a.txt")
    assert "s3:PutObject" in denied(error)[1]


def test_versions_copies_and_batch_deletes_need_their_own_actions(enforced: Server, root: Client, name: str) -> None:
    s3 = _bucket(root, name)
    s3.put_bucket_versioning(Bucket=name, VersioningConfiguration={"Status": "Enabled"})
    version = s3.put_object(Bucket=name, Key="public/a.txt", Body=b"a2")["VersionId"]
    s3.create_bucket(Bucket=f"{name}-src")
    s3.put_object(Bucket=f"{name}-src", Key="x", Body=b"x")
    user = new_user(
        enforced,
        root("iam"),
        f"{name}-writer",
        _policy(
            {"Effect": "Allow", "Action": ["s3:GetObject", "s3:PutObject"], "Resource": f"arn:aws:s3:::{name}/*"},
            {"Effect": "Allow", "Action": "s3:DeleteObject", "Resource": f"arn:aws:s3:::{name}/public/*"},
        ),
    )
    mine = user("s3")
    assert mine.get_object(Bucket=name, Key="public/a.txt")["Body"].read() == b"a2"
    with pytest.raises(ClientError) as error:
        mine.get_object(Bucket=name, Key="public/a.txt", VersionId=version)
    assert "s3:GetObjectVersion" in denied(error)[1]
    mine.copy_object(Bucket=name, Key="public/copy.txt", CopySource=f"{name}/public/a.txt")
    with pytest.raises(ClientError) as error:  # the source is another bucket the user may not read
        mine.copy_object(Bucket=name, Key="public/copy2.txt", CopySource=f"{name}-src/x")
    assert f"s3:GetObject on resource: arn:aws:s3:::{name}-src/x" in denied(error)[1]
    # each key of a DeleteObjects is decided on its own, as AWS answers it: the one outside public/ is AccessDenied
    out = mine.delete_objects(Bucket=name, Delete={"Objects": [{"Key": "public/copy.txt"}, {"Key": "private/b.txt"}]})
    assert [d["Key"] for d in out["Deleted"]] == ["public/copy.txt"]
    assert out["Errors"] == [{"Key": "private/b.txt", "Code": "AccessDenied", "Message": "Access Denied"}]
    assert s3.head_object(Bucket=name, Key="private/b.txt")  # kept
    with pytest.raises(ClientError):
        s3.head_object(Bucket=name, Key="public/copy.txt")
    versioned = mine.delete_objects(Bucket=name, Delete={"Objects": [{"Key": "public/a.txt", "VersionId": version}]})
    assert [e["Code"] for e in versioned["Errors"]] == ["AccessDenied"]  # s3:DeleteObjectVersion is not granted
    assert s3.get_object(Bucket=name, Key="public/a.txt", VersionId=version)["Body"].read() == b"a2"


def test_bucket_policies_in_the_account_and_across_accounts(
    enforced: Server, root: Client, other_root: Client, name: str
) -> None:
    s3 = _bucket(root, name)
    granted = new_user(enforced, root("iam"), f"{name}-granted")
    user_arn = f"arn:aws:iam::{ACCT}:user/{name}-granted"
    with pytest.raises(ClientError):  # no policy yet (and the bucket's facts cached): refused
        granted("s3").get_object(Bucket=name, Key="public/a.txt")
    s3.put_bucket_policy(
        Bucket=name,
        Policy=_policy(
            {
                "Effect": "Allow",
                "Principal": {"AWS": user_arn},
                "Action": "s3:GetObject",
                "Resource": f"arn:aws:s3:::{name}/*",
            },
            {"Effect": "Allow", "Principal": {"AWS": OTHER}, "Action": "s3:*", "Resource": f"arn:aws:s3:::{name}/*"},
            {"Effect": "Allow", "Principal": {"AWS": OTHER}, "Action": "s3:*", "Resource": f"arn:aws:s3:::{name}"},
            {
                "Effect": "Deny",
                "Principal": "*",
                "Action": "s3:GetObject",
                "Resource": f"arn:aws:s3:::{name}/private/*",
            },
        ),
    )
    # the bucket policy alone lets a user of the account in (no identity policy)
    assert granted("s3").get_object(Bucket=name, Key="public/a.txt")["Body"].read() == b"a"
    for who in (granted("s3"), root("s3")):  # an explicit deny in the bucket policy wins, even for the root
        with pytest.raises(ClientError) as error:
            who.get_object(Bucket=name, Key="private/b.txt")
        assert "with an explicit deny in a resource-based policy" in denied(error)[1]
    other = other_root("s3")
    assert other.get_object(Bucket=name, Key="public/a.txt")["Body"].read() == b"a"
    other.put_object(Bucket=name, Key="public/from-other.txt", Body=b"o")
    with pytest.raises(ClientError) as error:  # s3:* in the policy does not give another account the policy
        other.get_bucket_policy(Bucket=name)
    assert "because no resource-based policy allows the s3:GetBucketPolicy action" in denied(error)[1]
    stranger = new_user(enforced, other_root("iam"), f"{name}-stranger")
    with pytest.raises(ClientError) as error:  # across accounts the caller's own account must allow it too
        stranger("s3").get_object(Bucket=name, Key="public/a.txt")
    assert "because no identity-based policy allows the s3:GetObject action" in denied(error)[1]
