"""Bucket policies decide what another account may do with a bucket (each operation's S3 action on the bucket's or
the object's ARN, conditions, an explicit Deny winning), presigned URLs of another account's key included;
ExpectedBucketOwner and ExpectedSourceBucketOwner must name the owner; the policy operations are the owner's."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import requests

from ...expect import expect_error

OWNER, OTHER, THIRD = "111111111111", "222222222222", "333333333333"


def _policy(*statements: dict[str, Any]) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


def _allow(action: str | list[str], resource: str, principal: str = OTHER, **extra: Any) -> dict[str, Any]:
    return {
        "Effect": "Allow",
        "Principal": {"AWS": f"arn:aws:iam::{principal}:root"},
        "Action": action,
        "Resource": resource,
        **extra,
    }


def _denied(call: Callable[[], Any]) -> None:
    expect_error(call, "AccessDenied", "Access Denied", status=403)


def test_another_account_acts_as_far_as_the_bucket_policy_allows(aws: Callable[..., Any], name: str) -> None:
    owner, other, third = aws("s3", access_key=OWNER), aws("s3", access_key=OTHER), aws("s3", access_key=THIRD)
    owner.create_bucket(Bucket=name)
    owner.put_object(Bucket=name, Key="public/a.txt", Body=b"A")
    owner.put_object(Bucket=name, Key="secret/b.txt", Body=b"B")
    _denied(lambda: other.get_object(Bucket=name, Key="public/a.txt"))
    _denied(lambda: other.list_objects_v2(Bucket=name))
    _denied(lambda: other.put_object(Bucket=name, Key="x", Body=b"x"))
    expect_error(lambda: other.head_object(Bucket=name, Key="public/a.txt"), "403", status=403)

    owner.put_bucket_policy(
        Bucket=name,
        Policy=_policy(
            _allow(["s3:GetObject", "s3:PutObject"], f"arn:aws:s3:::{name}/*"),
            _allow("s3:ListBucket", f"arn:aws:s3:::{name}", Condition={"StringEquals": {"s3:prefix": "public/"}}),
            {"Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": f"arn:aws:s3:::{name}/secret/*"},
        ),
    )
    assert other.get_object(Bucket=name, Key="public/a.txt")["Body"].read() == b"A"
    assert other.head_object(Bucket=name, Key="public/a.txt")["ContentLength"] == 1
    listed = other.list_objects_v2(Bucket=name, Prefix="public/", FetchOwner=True)
    assert [o["Key"] for o in listed["Contents"]] == ["public/a.txt"]
    assert (
        listed["Contents"][0]["Owner"]["ID"]
        == owner.list_objects_v2(Bucket=name, FetchOwner=True)["Contents"][0]["Owner"]["ID"]
    )
    _denied(lambda: other.list_objects_v2(Bucket=name))  # the condition asks for the prefix
    other.put_object(Bucket=name, Key="public/from-other.txt", Body=b"C")
    assert owner.get_object(Bucket=name, Key="public/from-other.txt")["Body"].read() == b"C"
    # the explicit Deny wins over the Allow, for the owner's grants to others
    _denied(lambda: other.get_object(Bucket=name, Key="secret/b.txt"))
    _denied(lambda: other.put_object(Bucket=name, Key="secret/c.txt", Body=b"x"))
    # actions the policy does not grant, and accounts it does not name
    _denied(lambda: other.delete_object(Bucket=name, Key="public/a.txt"))
    _denied(lambda: other.get_object_tagging(Bucket=name, Key="public/a.txt"))
    _denied(lambda: third.get_object(Bucket=name, Key="public/a.txt"))
    # the bucket policy's own operations are the owner account's, whatever the policy says
    owner.put_bucket_policy(Bucket=name, Policy=_policy(_allow("s3:*", f"arn:aws:s3:::{name}")))
    _denied(lambda: other.get_bucket_policy(Bucket=name))
    _denied(lambda: other.delete_bucket_policy(Bucket=name))
    assert other.get_bucket_location(Bucket=name)["LocationConstraint"] is None
    _denied(lambda: other.get_object(Bucket=name, Key="public/a.txt"))  # s3:* on the bucket, not its objects


def test_copies_and_deletes_across_accounts(aws: Callable[..., Any], name: str) -> None:
    owner, other = aws("s3", access_key=OWNER), aws("s3", access_key=OTHER)
    owner.create_bucket(Bucket=name)
    other.create_bucket(Bucket=f"{name}-o")
    owner.put_object(Bucket=name, Key="k", Body=b"shared")
    copy = {"Bucket": f"{name}-o", "Key": "copied", "CopySource": {"Bucket": name, "Key": "k"}}
    _denied(lambda: other.copy_object(**copy))
    owner.put_bucket_policy(
        Bucket=name, Policy=_policy(_allow(["s3:GetObject", "s3:DeleteObject"], f"arn:aws:s3:::{name}/*"))
    )
    other.copy_object(**copy)
    assert other.get_object(Bucket=f"{name}-o", Key="copied")["Body"].read() == b"shared"
    # the copy source's owner as the request expects it
    _denied(lambda: other.copy_object(**copy, ExpectedSourceBucketOwner=OTHER))
    other.copy_object(**copy, ExpectedSourceBucketOwner=OWNER, ExpectedBucketOwner=OTHER)
    other.delete_objects(Bucket=name, Delete={"Objects": [{"Key": "k"}]})
    expect_error(lambda: owner.head_object(Bucket=name, Key="k"), "404")


def test_delete_objects_across_accounts_is_decided_per_key(aws: Callable[..., Any], name: str) -> None:
    """AWS answers each key of another account's DeleteObjects on its own: AccessDenied for the keys the bucket's
    policy refuses, the allowed ones deleted; ExpectedBucketOwner still refuses the whole request."""
    owner, other = aws("s3", access_key=OWNER), aws("s3", access_key=OTHER)
    owner.create_bucket(Bucket=name)
    for key in ("tmp/a", "tmp/b", "keep/c"):
        owner.put_object(Bucket=name, Key=key, Body=b"x")
    keys = {"Objects": [{"Key": "tmp/a"}, {"Key": "keep/c"}, {"Key": "tmp/b"}]}
    nothing = other.delete_objects(Bucket=name, Delete=keys)  # no policy: every key refused, none deleted
    assert "Deleted" not in nothing
    assert [(e["Key"], e["Code"], e["Message"]) for e in nothing["Errors"]] == [
        (k["Key"], "AccessDenied", "Access Denied") for k in keys["Objects"]
    ]
    owner.put_bucket_policy(Bucket=name, Policy=_policy(_allow("s3:DeleteObject", f"arn:aws:s3:::{name}/tmp/*")))
    out = other.delete_objects(Bucket=name, Delete=keys)
    assert [d["Key"] for d in out["Deleted"]] == ["tmp/a", "tmp/b"]
    assert [(e["Key"], e["Code"]) for e in out["Errors"]] == [("keep/c", "AccessDenied")]
    listed = owner.list_objects_v2(Bucket=name)["Contents"]
    assert [o["Key"] for o in listed] == ["keep/c"]
    version = other.delete_objects(Bucket=name, Delete={"Objects": [{"Key": "tmp/a", "VersionId": "null"}]})
    assert version["Errors"] == [{"Key": "tmp/a", "VersionId": "null", "Code": "AccessDenied",
                                  "Message": "Access Denied"}]  # fmt: skip
    _denied(lambda: other.delete_objects(Bucket=name, Delete=keys, ExpectedBucketOwner=OTHER))


def test_expected_bucket_owner(aws: Callable[..., Any], name: str) -> None:
    owner = aws("s3", access_key=OWNER)
    owner.create_bucket(Bucket=name)
    owner.put_object(Bucket=name, Key="k", Body=b"v", ExpectedBucketOwner=OWNER)
    assert owner.get_object(Bucket=name, Key="k", ExpectedBucketOwner=OWNER)["Body"].read() == b"v"
    _denied(lambda: owner.get_object(Bucket=name, Key="k", ExpectedBucketOwner=OTHER))
    _denied(lambda: owner.put_object(Bucket=name, Key="k", Body=b"w", ExpectedBucketOwner=OTHER))
    _denied(lambda: owner.list_objects_v2(Bucket=name, ExpectedBucketOwner=OTHER))
    _denied(lambda: owner.get_bucket_versioning(Bucket=name, ExpectedBucketOwner=OTHER))
    assert owner.get_object(Bucket=name, Key="k")["Body"].read() == b"v"


def test_presigned_urls_of_another_accounts_key(aws: Callable[..., Any], name: str) -> None:
    owner, other = aws("s3", access_key=OWNER), aws("s3", access_key=OTHER)
    owner.create_bucket(Bucket=name)
    owner.put_object(Bucket=name, Key="k", Body=b"presigned")
    get_url = other.generate_presigned_url("get_object", Params={"Bucket": name, "Key": "k"}, ExpiresIn=300)
    put_url = other.generate_presigned_url("put_object", Params={"Bucket": name, "Key": "up"}, ExpiresIn=300)
    v4 = aws("s3", access_key=OTHER, signature_version="s3v4")
    get_v4 = v4.generate_presigned_url("get_object", Params={"Bucket": name, "Key": "k"}, ExpiresIn=300)
    assert "X-Amz-Signature=" in get_v4 and "AWSAccessKeyId=" in get_url
    for url in (get_url, get_v4):
        denied = requests.get(url, timeout=10)
        assert denied.status_code == 403 and b"<Code>AccessDenied</Code>" in denied.content
    assert requests.put(put_url, data=b"x", timeout=10).status_code == 403
    # a policy for presigned (query-string) requests only
    owner.put_bucket_policy(
        Bucket=name,
        Policy=_policy(
            _allow(
                ["s3:GetObject", "s3:PutObject"],
                f"arn:aws:s3:::{name}/*",
                Condition={"StringEquals": {"s3:authType": "REST-QUERY-STRING"}},
            )
        ),
    )
    for url in (get_url, get_v4):
        allowed = requests.get(url, timeout=10)
        assert allowed.status_code == 200 and allowed.content == b"presigned"
    assert requests.put(put_url, data=b"uploaded", timeout=10).status_code == 200
    assert owner.get_object(Bucket=name, Key="up")["Body"].read() == b"uploaded"
    _denied(lambda: other.get_object(Bucket=name, Key="k"))  # a header-signed call is not a presigned one


def test_malformed_policies_are_refused(aws: Callable[..., Any], name: str) -> None:
    owner = aws("s3", access_key=OWNER)
    owner.create_bucket(Bucket=name)
    expect_error(lambda: owner.put_bucket_policy(Bucket=name, Policy="not json"), "MalformedPolicy", status=400)
    expect_error(
        lambda: owner.put_bucket_policy(Bucket=name, Policy=json.dumps({"Version": "2012-10-17"})),
        "MalformedPolicy",
        status=400,
    )
    expect_error(lambda: owner.get_bucket_policy(Bucket=name), "NoSuchBucketPolicy", status=404)


def test_restoring_another_accounts_object_needs_the_policy(aws: Callable[..., Any], name: str) -> None:
    owner, other = aws("s3", access_key=OWNER), aws("s3", access_key=OTHER)
    owner.create_bucket(Bucket=name)
    owner.put_object(Bucket=name, Key="cold", Body=b"C", StorageClass="GLACIER")
    _denied(lambda: other.restore_object(Bucket=name, Key="cold", RestoreRequest={"Days": 1}))
    owner.put_bucket_policy(Bucket=name, Policy=_policy(_allow("s3:RestoreObject", f"arn:aws:s3:::{name}/cold")))
    out = other.restore_object(Bucket=name, Key="cold", RestoreRequest={"Days": 1})
    assert out["ResponseMetadata"]["HTTPStatusCode"] == 202
    assert owner.head_object(Bucket=name, Key="cold")["Restore"].startswith('ongoing-request="false"')
