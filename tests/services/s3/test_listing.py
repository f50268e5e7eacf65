"""Listings: ListObjects v1 and v2 (prefix, delimiter and common prefixes, markers, start-after, continuation,
max-keys, encoding-type=url) and ListObjectVersions."""

from __future__ import annotations

import urllib.request
from typing import Any

KEYS = [
    "a.txt",
    "photos/2024/jan/1.jpg",
    "photos/2024/jan/2.jpg",
    "photos/2024/feb/1.jpg",
    "photos/2025/mar/1.jpg",
    "photos/readme",
    "videos/clip.mp4",
    "zeta",
    "ünicode key",
]


def _fill(s3: Any, bucket: str) -> None:
    for key in KEYS:
        s3.put_object(Bucket=bucket, Key=key, Body=key.encode())


def test_order_is_utf8_bytes(s3: Any, bucket: str) -> None:
    _fill(s3, bucket)
    keys = [o["Key"] for o in s3.list_objects_v2(Bucket=bucket)["Contents"]]
    assert keys == sorted(KEYS, key=lambda k: k.encode())


def test_prefix_and_delimiter(s3: Any, bucket: str) -> None:
    _fill(s3, bucket)
    top = s3.list_objects_v2(Bucket=bucket, Delimiter="/")
    assert [o["Key"] for o in top["Contents"]] == ["a.txt", "zeta", "ünicode key"]
    assert [p["Prefix"] for p in top["CommonPrefixes"]] == ["photos/", "videos/"]
    assert top["KeyCount"] == 5
    years = s3.list_objects_v2(Bucket=bucket, Prefix="photos/", Delimiter="/")
    assert [p["Prefix"] for p in years["CommonPrefixes"]] == ["photos/2024/", "photos/2025/"]
    assert [o["Key"] for o in years["Contents"]] == ["photos/readme"]
    months = s3.list_objects(Bucket=bucket, Prefix="photos/2024/", Delimiter="/")
    assert [p["Prefix"] for p in months["CommonPrefixes"]] == ["photos/2024/feb/", "photos/2024/jan/"]
    assert "Contents" not in months
    assert s3.list_objects_v2(Bucket=bucket, Prefix="nothing/")["KeyCount"] == 0


def test_v2_pages_with_continuation(s3: Any, bucket: str) -> None:
    _fill(s3, bucket)
    seen: list[str] = []
    kwargs: dict[str, Any] = {"Bucket": bucket, "MaxKeys": 2, "Delimiter": "/"}
    while True:
        page = s3.list_objects_v2(**kwargs)
        assert page["KeyCount"] <= 2
        seen += [o["Key"] for o in page.get("Contents", [])] + [p["Prefix"] for p in page.get("CommonPrefixes", [])]
        if not page["IsTruncated"]:
            break
        kwargs["ContinuationToken"] = page["NextContinuationToken"]
    assert sorted(seen) == sorted(["a.txt", "photos/", "videos/", "zeta", "ünicode key"])
    paginator = s3.get_paginator("list_objects_v2")
    keys = [
        o["Key"]
        for page in paginator.paginate(Bucket=bucket, PaginationConfig={"PageSize": 3})
        for o in page["Contents"]
    ]
    assert keys == sorted(KEYS, key=lambda k: k.encode())


def test_start_after_and_v1_marker(s3: Any, bucket: str) -> None:
    _fill(s3, bucket)
    after = s3.list_objects_v2(Bucket=bucket, StartAfter="photos/2024/jan/2.jpg")
    assert [o["Key"] for o in after["Contents"]][:2] == ["photos/2025/mar/1.jpg", "photos/readme"]
    assert after["StartAfter"] == "photos/2024/jan/2.jpg"
    first = s3.list_objects(Bucket=bucket, MaxKeys=3, Delimiter="/")
    assert first["IsTruncated"] is True
    assert first["NextMarker"] == "videos/"
    rest = s3.list_objects(Bucket=bucket, Marker=first["NextMarker"], Delimiter="/")
    assert [o["Key"] for o in rest["Contents"]] == ["zeta", "ünicode key"]
    assert "CommonPrefixes" not in rest
    keys = [
        o["Key"]
        for page in s3.get_paginator("list_objects").paginate(Bucket=bucket, PaginationConfig={"PageSize": 4})
        for o in page["Contents"]
    ]
    assert keys == sorted(KEYS, key=lambda k: k.encode())


def test_encoding_type_url(s3: Any, bucket: str, endpoint: str) -> None:
    s3.put_object(Bucket=bucket, Key="sp ace/ü+plus", Body=b"x")
    out = s3.list_objects_v2(Bucket=bucket, EncodingType="url", Delimiter="/")
    assert out["EncodingType"] == "url"
    assert [p["Prefix"] for p in out["CommonPrefixes"]] == ["sp%20ace/"]  # asked for by the caller: left encoded
    # botocore asks for url encoding by itself, and then decodes
    assert s3.list_objects_v2(Bucket=bucket)["Contents"][0]["Key"] == "sp ace/ü+plus"
    with urllib.request.urlopen(f"{endpoint}/{bucket}?list-type=2&encoding-type=url") as response:
        document = response.read().decode()
    assert "<Key>sp%20ace/%C3%BC%2Bplus</Key>" in document
    with urllib.request.urlopen(f"{endpoint}/{bucket}?list-type=2") as response:
        assert "<Key>sp ace/ü+plus</Key>" in response.read().decode()


def test_max_keys_zero_and_v1_owner(s3: Any, bucket: str) -> None:
    _fill(s3, bucket)
    v1 = s3.list_objects(Bucket=bucket, MaxKeys=1)
    assert v1["MaxKeys"] == 1 and len(v1["Contents"]) == 1 and "Owner" in v1["Contents"][0]
    v2 = s3.list_objects_v2(Bucket=bucket, MaxKeys=1)
    assert "Owner" not in v2["Contents"][0]
    assert "Owner" in s3.list_objects_v2(Bucket=bucket, MaxKeys=1, FetchOwner=True)["Contents"][0]


def test_versions(s3: Any, bucket: str) -> None:
    s3.put_object(Bucket=bucket, Key="k", Body=b"before versioning")
    s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Enabled"})
    v1 = s3.put_object(Bucket=bucket, Key="k", Body=b"one")["VersionId"]
    v2 = s3.put_object(Bucket=bucket, Key="k", Body=b"two")["VersionId"]
    assert v1 != v2 and "null" not in (v1, v2)
    assert s3.get_object(Bucket=bucket, Key="k")["Body"].read() == b"two"
    assert s3.get_object(Bucket=bucket, Key="k", VersionId=v1)["Body"].read() == b"one"
    assert s3.get_object(Bucket=bucket, Key="k", VersionId="null")["Body"].read() == b"before versioning"
    deleted = s3.delete_object(Bucket=bucket, Key="k")
    assert deleted["DeleteMarker"] is True
    marker = deleted["VersionId"]
    assert s3.list_objects_v2(Bucket=bucket)["KeyCount"] == 0
    listed = s3.list_object_versions(Bucket=bucket)
    assert [v["VersionId"] for v in listed["Versions"]] == [v2, v1, "null"]
    assert [m["VersionId"] for m in listed["DeleteMarkers"]] == [marker]
    assert listed["DeleteMarkers"][0]["IsLatest"] is True
    s3.delete_object(Bucket=bucket, Key="k", VersionId=marker)  # removing the marker restores the object
    assert s3.get_object(Bucket=bucket, Key="k")["Body"].read() == b"two"
    s3.delete_object(Bucket=bucket, Key="k", VersionId=v2)
    assert s3.get_object(Bucket=bucket, Key="k")["Body"].read() == b"one"
    page = s3.list_object_versions(Bucket=bucket, MaxKeys=1)
    assert page["IsTruncated"] and page["NextVersionIdMarker"] == v1
    rest = s3.list_object_versions(Bucket=bucket, KeyMarker="k", VersionIdMarker=v1)
    assert [v["VersionId"] for v in rest["Versions"]] == ["null"]
    s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Suspended"})
    assert s3.put_object(Bucket=bucket, Key="k", Body=b"suspended").get("VersionId") == "null"
    versions = s3.list_object_versions(Bucket=bucket)["Versions"]
    assert [(v["VersionId"], v["IsLatest"]) for v in versions] == [("null", True), (v1, False)]


def test_versions_pages_and_delimiter(s3: Any, bucket: str) -> None:
    s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Enabled"})
    expected = []
    for key in ["a", "b/1", "b/2", "c"]:
        for n in range(3):
            expected.append((key, s3.put_object(Bucket=bucket, Key=key, Body=f"{key}{n}".encode())["VersionId"]))
    s3.delete_object(Bucket=bucket, Key="c")
    newest_first = sorted(expected, key=lambda kv: (kv[0], -expected.index(kv)))
    seen: list[tuple[str, str]] = []
    markers = 0
    kwargs: dict[str, Any] = {"Bucket": bucket, "MaxKeys": 2}
    while True:
        page = s3.list_object_versions(**kwargs)
        seen += [(v["Key"], v["VersionId"]) for v in page.get("Versions", [])]
        markers += len(page.get("DeleteMarkers", []))
        if not page["IsTruncated"]:
            break
        kwargs.update(KeyMarker=page["NextKeyMarker"], VersionIdMarker=page["NextVersionIdMarker"])
    assert seen == newest_first and markers == 1
    grouped = s3.list_object_versions(Bucket=bucket, Delimiter="/")
    assert [p["Prefix"] for p in grouped["CommonPrefixes"]] == ["b/"]
    assert {v["Key"] for v in grouped["Versions"]} == {"a", "c"}
    after = s3.list_object_versions(Bucket=bucket, Delimiter="/", KeyMarker="b/")
    assert "CommonPrefixes" not in after and {v["Key"] for v in after["Versions"]} == {"c"}
