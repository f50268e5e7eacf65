"""Bucket configurations S3 keeps but gureum does not act on: analytics, inventory, metrics and intelligent-tiering
configurations by Id (1,000 of each kind, List paged by 100 with continuation tokens), replication (versioning
required), Object Lock calls on buckets without Object Lock, and ListDirectoryBuckets (none)."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest

from ...expect import expect_error

MALFORMED = "The XML you provided was not well-formed or did not validate against our published schema"
NO_CONFIG = "The specified configuration does not exist."
NO_LOCK = "Bucket is missing Object Lock Configuration"


def _analytics(config_id: str) -> dict[str, Any]:
    return {"Id": config_id, "Filter": {"Prefix": "logs/"}, "StorageClassAnalysis": {}}


def _inventory(config_id: str, destination: str = "arn:aws:s3:::somewhere") -> dict[str, Any]:
    return {
        "Id": config_id,
        "IsEnabled": True,
        "IncludedObjectVersions": "Current",
        "Schedule": {"Frequency": "Weekly"},
        "Destination": {"S3BucketDestination": {"Bucket": destination, "Format": "CSV", "Prefix": "inv"}},
        "OptionalFields": ["Size", "ETag"],
    }


def _metrics(config_id: str) -> dict[str, Any]:
    return {"Id": config_id, "Filter": {"Tag": {"Key": "team", "Value": "data"}}}


def _tiering(config_id: str, days: int = 90) -> dict[str, Any]:
    return {"Id": config_id, "Status": "Enabled", "Tierings": [{"Days": days, "AccessTier": "ARCHIVE_ACCESS"}]}


# kind → (the client's method suffix, the configuration member, an example configuration)
KINDS = {
    "analytics": ("analytics", "AnalyticsConfiguration", _analytics),
    "inventory": ("inventory", "InventoryConfiguration", _inventory),
    "metrics": ("metrics", "MetricsConfiguration", _metrics),
    "intelligent_tiering": ("intelligent_tiering", "IntelligentTieringConfiguration", _tiering),
}


class Kind:
    """The four operations of one configuration kind, on one client."""

    def __init__(self, s3: Any, kind: str) -> None:
        suffix, self.member, self.example = KINDS[kind]
        self.put_ = getattr(s3, f"put_bucket_{suffix}_configuration")
        self.get_ = getattr(s3, f"get_bucket_{suffix}_configuration")
        self.delete_ = getattr(s3, f"delete_bucket_{suffix}_configuration")
        self.list_ = getattr(s3, f"list_bucket_{suffix}_configurations")

    def put(self, bucket: str, config_id: str, config: dict[str, Any] | None = None) -> Any:
        return self.put_(Bucket=bucket, Id=config_id, **{self.member: config or self.example(config_id)})

    def get(self, bucket: str, config_id: str) -> dict[str, Any]:
        found: dict[str, Any] = self.get_(Bucket=bucket, Id=config_id)[self.member]
        return found

    def listed(self, bucket: str, token: str | None = None) -> dict[str, Any]:
        page: dict[str, Any] = self.list_(Bucket=bucket, **({"ContinuationToken": token} if token else {}))
        return page


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_configurations_are_kept_by_id(s3: Any, bucket: str, kind: str) -> None:
    ops = Kind(s3, kind)
    empty = ops.listed(bucket)
    assert empty["IsTruncated"] is False
    assert f"{ops.member}List" not in empty and "NextContinuationToken" not in empty
    expect_error(lambda: ops.get(bucket, "first"), "NoSuchConfiguration", NO_CONFIG, status=404)

    ops.put(bucket, "second")
    ops.put(bucket, "first")
    assert ops.get(bucket, "first") == ops.example("first")
    listed = ops.listed(bucket)
    assert [c["Id"] for c in listed[f"{ops.member}List"]] == ["first", "second"]
    assert listed[f"{ops.member}List"][1] == ops.example("second")

    changed = ops.example("first")
    if kind == "intelligent_tiering":
        changed = _tiering("first", days=200)
    elif kind == "inventory":
        changed["IsEnabled"] = False
    else:
        changed["Filter"] = {"Prefix": "other/"}
    ops.put(bucket, "first", changed)  # a put replaces the whole configuration
    assert ops.get(bucket, "first") == changed

    ops.delete_(Bucket=bucket, Id="first")
    expect_error(lambda: ops.get(bucket, "first"), "NoSuchConfiguration", NO_CONFIG, status=404)
    expect_error(lambda: ops.delete_(Bucket=bucket, Id="first"), "NoSuchConfiguration", NO_CONFIG, status=404)
    assert [c["Id"] for c in ops.listed(bucket)[f"{ops.member}List"]] == ["second"]
    expect_error(lambda: ops.listed("no-such-bucket-" + bucket), "NoSuchBucket", status=404)


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_configuration_ids_are_checked(s3: Any, bucket: str, kind: str) -> None:
    ops = Kind(s3, kind)
    for bad in ("has space", "x" * 65, "slash/id"):
        error = expect_error(ops.put, "InvalidArgument", status=400, bucket=bucket, config_id=bad)
        assert error["ArgumentName"] == "id"
    ops.put(bucket, "a-Z_0.9" + "x" * 57)  # 64 characters of the allowed ones
    mismatch = lambda: ops.put(bucket, "one", ops.example("two"))  # noqa: E731
    if kind == "inventory":
        expect_error(mismatch, "IdMismatch", "Document ID does not match the specified configuration ID.", status=400)
    else:
        expect_error(mismatch, "MalformedXML", MALFORMED, status=400)
    assert [c["Id"] for c in ops.listed(bucket)[f"{ops.member}List"]] == ["a-Z_0.9" + "x" * 57]


def test_inventory_and_tiering_documents_are_checked(s3: Any, bucket: str) -> None:
    inventory = Kind(s3, "inventory")
    expect_error(
        lambda: inventory.put(bucket, "inv", _inventory("inv", destination="somewhere")),
        "InvalidS3DestinationBucket",
        "Invalid bucket ARN.",
        status=400,
    )
    tiering = Kind(s3, "intelligent_tiering")
    for days in (89, 731):
        too_soon_or_late = _tiering("t", days)
        expect_error(tiering.put, "InvalidArgument", None, 400, bucket=bucket, config_id="t", config=too_soon_or_late)
    deep = {"Id": "t", "Status": "Enabled", "Tierings": [{"Days": 179, "AccessTier": "DEEP_ARCHIVE_ACCESS"}]}
    expect_error(lambda: tiering.put(bucket, "t", deep), "InvalidArgument", status=400)
    deep["Tierings"][0]["Days"] = 180
    tiering.put(bucket, "t", deep)
    assert tiering.get(bucket, "t") == deep
    expect_error(lambda: inventory.get(bucket, "inv"), "NoSuchConfiguration", NO_CONFIG)


def test_lists_are_paged_by_100_and_each_kind_holds_1000(s3: Any, bucket: str) -> None:
    metrics = Kind(s3, "metrics")
    ids = [f"m{n:04d}" for n in range(1000)]
    for config_id in ids:
        metrics.put(bucket, config_id)
    expect_error(
        lambda: metrics.put(bucket, "one-more"),
        "TooManyConfigurations",
        "You are attempting to create a new configuration but have already reached the 1,000-configuration limit.",
        status=400,
    )
    metrics.put(bucket, ids[5], {"Id": ids[5]})  # replacing one is no new configuration
    Kind(s3, "analytics").put(bucket, "one-more")  # the limit is per kind

    seen: list[str] = []
    token: str | None = None
    pages = 0
    while True:
        page = metrics.listed(bucket, token)
        pages += 1
        items = page["MetricsConfigurationList"]
        seen.extend(item["Id"] for item in items)
        if token:
            assert page["ContinuationToken"] == token
        if not page["IsTruncated"]:
            assert "NextContinuationToken" not in page
            break
        assert len(items) == 100
        token = page["NextContinuationToken"]
    assert pages == 10 and seen == ids
    expect_error(lambda: metrics.listed(bucket, "not-a-token"), "InvalidArgument", status=400)

    metrics.delete_(Bucket=bucket, Id=ids[0])
    metrics.put(bucket, "one-more")  # room again


def _rule(destination: str, **extra: Any) -> dict[str, Any]:
    return {"Status": "Enabled", "Prefix": "", "Destination": {"Bucket": f"arn:aws:s3:::{destination}"}, **extra}


def _replication(*rules: dict[str, Any]) -> dict[str, Any]:
    return {"Role": "arn:aws:iam::000000000000:role/replication", "Rules": list(rules)}


def test_replication_is_stored_on_versioned_buckets(s3: Any, bucket: str, name: str) -> None:
    destination = f"{name}-dest"
    s3.create_bucket(Bucket=destination)
    not_found = ("ReplicationConfigurationNotFoundError", "The replication configuration was not found")
    expect_error(lambda: s3.get_bucket_replication(Bucket=bucket), *not_found, status=404)
    expect_error(
        lambda: s3.put_bucket_replication(Bucket=bucket, ReplicationConfiguration=_replication(_rule(destination))),
        "InvalidRequest",
        "Versioning must be 'Enabled' on the bucket to apply a replication configuration",
        status=400,
    )
    s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Enabled"})
    expect_error(
        lambda: s3.put_bucket_replication(Bucket=bucket, ReplicationConfiguration=_replication(_rule(destination))),
        "InvalidRequest",
        "Destination bucket must have versioning enabled.",
        status=400,
    )
    s3.put_bucket_versioning(Bucket=destination, VersioningConfiguration={"Status": "Enabled"})
    v2 = {
        "ID": "filtered",
        "Priority": 2,
        "Status": "Enabled",
        "Filter": {"Prefix": "logs/"},
        "DeleteMarkerReplication": {"Status": "Disabled"},
        "Destination": {"Bucket": f"arn:aws:s3:::{destination}", "StorageClass": "STANDARD_IA"},
    }
    s3.put_bucket_replication(Bucket=bucket, ReplicationConfiguration=_replication(_rule(destination), v2))
    shown = s3.get_bucket_replication(Bucket=bucket)["ReplicationConfiguration"]
    assert shown["Role"] == "arn:aws:iam::000000000000:role/replication"
    first, second = shown["Rules"]
    assert first["ID"]  # S3 names a rule sent without an ID
    assert {k: v for k, v in first.items() if k != "ID"} == _rule(destination)
    assert second == v2
    assert s3.get_bucket_replication(Bucket=bucket)["ReplicationConfiguration"]["Rules"][0]["ID"] == first["ID"]

    expect_error(
        lambda: s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Suspended"}),
        "InvalidBucketState",
        "A replication configuration is present on this bucket, so you cannot change the versioning state. To change "
        "the versioning state, first delete the replication configuration.",
        status=409,
    )
    no_marker = {k: v for k, v in v2.items() if k != "DeleteMarkerReplication"}
    expect_error(
        lambda: s3.put_bucket_replication(Bucket=bucket, ReplicationConfiguration=_replication(no_marker)),
        "InvalidRequest",
        status=400,
    )
    duplicate = _replication(_rule(destination, ID="same"), _rule(destination, ID="same"))
    expect_error(s3.put_bucket_replication, "InvalidArgument", Bucket=bucket, ReplicationConfiguration=duplicate)
    assert s3.get_bucket_replication(Bucket=bucket)["ReplicationConfiguration"] == shown  # refused puts change nothing

    s3.delete_bucket_replication(Bucket=bucket)
    expect_error(lambda: s3.get_bucket_replication(Bucket=bucket), *not_found, status=404)
    s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Suspended"})


def test_object_lock_calls_on_buckets_without_object_lock(s3: Any, bucket: str, name: str) -> None:
    s3.put_object(Bucket=bucket, Key="k", Body=b"x")
    calls: list[Callable[[], Any]] = [
        lambda: s3.get_object_retention(Bucket=bucket, Key="k"),
        lambda: s3.put_object_retention(
            Bucket=bucket, Key="k", Retention={"Mode": "GOVERNANCE", "RetainUntilDate": "2030-01-01T00:00:00Z"}
        ),
        lambda: s3.get_object_legal_hold(Bucket=bucket, Key="k"),
        lambda: s3.put_object_legal_hold(Bucket=bucket, Key="k", LegalHold={"Status": "ON"}),
        lambda: s3.get_object_legal_hold(Bucket=bucket, Key="no-such-key"),
        lambda: s3.put_object(Bucket=bucket, Key="held", Body=b"x", ObjectLockLegalHoldStatus="ON"),
    ]
    for call in calls:
        expect_error(call, "InvalidRequest", NO_LOCK, status=400)
    expect_error(lambda: s3.get_object_retention(Bucket=f"{name}-none", Key="k"), "NoSuchBucket", status=404)
    expect_error(
        lambda: s3.get_object_lock_configuration(Bucket=bucket),
        "ObjectLockConfigurationNotFoundError",
        "Object Lock configuration does not exist for this bucket",
        status=404,
    )
    lock = {"ObjectLockEnabled": "Enabled", "Rule": {"DefaultRetention": {"Mode": "GOVERNANCE", "Days": 1}}}
    expect_error(
        lambda: s3.put_object_lock_configuration(Bucket=bucket, ObjectLockConfiguration=lock),
        "InvalidBucketState",
        "Versioning must be 'Enabled' on the bucket to apply a Object Lock configuration",
        status=409,
    )
    s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Enabled"})
    error = expect_error(
        lambda: s3.put_object_lock_configuration(Bucket=bucket, ObjectLockConfiguration=lock),
        "InvalidRequest",
        status=400,
    )
    assert "gureum does not support S3 Object Lock" in error["Message"]
    expect_error(lambda: s3.get_object_lock_configuration(Bucket=bucket), "ObjectLockConfigurationNotFoundError")
    assert s3.get_object(Bucket=bucket, Key="k")["Body"].read() == b"x"


def test_list_directory_buckets_is_empty(s3: Any, bucket: str) -> None:
    listed = s3.list_directory_buckets()
    assert listed["Buckets"] == []
    assert "ContinuationToken" not in listed
    assert s3.list_directory_buckets(MaxDirectoryBuckets=5)["Buckets"] == []
    assert bucket in [b["Name"] for b in s3.list_buckets()["Buckets"]]  # ordinary buckets are still listed


OTHER = "222222222222"


def test_bucket_policy_grants_these_actions_by_their_iam_names(aws: Callable[..., Any], name: str) -> None:
    owner, other = aws("s3", access_key="111111111111"), aws("s3", access_key=OTHER)
    owner.create_bucket(Bucket=name)
    metrics = Kind(owner, "metrics")
    metrics.put(name, "m")
    theirs = Kind(other, "metrics")
    expect_error(lambda: theirs.get(name, "m"), "AccessDenied", status=403)
    statement = {
        "Effect": "Allow",
        "Principal": {"AWS": f"arn:aws:iam::{OTHER}:root"},
        "Action": ["s3:GetMetricsConfiguration", "s3:GetReplicationConfiguration"],
        "Resource": f"arn:aws:s3:::{name}",
    }
    owner.put_bucket_policy(Bucket=name, Policy=json.dumps({"Version": "2012-10-17", "Statement": [statement]}))
    assert theirs.get(name, "m") == _metrics("m")
    assert [c["Id"] for c in theirs.listed(name)["MetricsConfigurationList"]] == ["m"]
    expect_error(lambda: theirs.put(name, "n"), "AccessDenied", status=403)  # s3:PutMetricsConfiguration
    expect_error(lambda: theirs.delete_(Bucket=name, Id="m"), "AccessDenied", status=403)
    expect_error(lambda: other.get_bucket_replication(Bucket=name), "ReplicationConfigurationNotFoundError")
    expect_error(lambda: other.get_bucket_analytics_configuration(Bucket=name, Id="m"), "AccessDenied")
