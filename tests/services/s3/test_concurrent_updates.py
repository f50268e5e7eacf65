"""Concurrent changes to one bucket's configuration all stay: tagging, policy, CORS, lifecycle, website,
encryption, request payment, accelerate and ownership put at once, each a read-modify-write of the bucket's one
configuration document (on PostgreSQL several writer connections, and nodes, run them side by side)."""

from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor
from typing import Any


def test_concurrent_configuration_changes_to_one_bucket_all_stay(aws: Any, name: str) -> None:
    for round_ in range(3):
        configure_at_once(aws, f"{name}-{round_}")


def configure_at_once(aws: Any, bucket: str) -> None:
    s3 = aws("s3")
    clients = [aws("s3") for _ in range(4)]
    s3.create_bucket(Bucket=bucket)
    policy = {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject",
                       "Resource": f"arn:aws:s3:::{bucket}/*"}],
    }  # fmt: skip
    puts = [
        lambda c: c.put_bucket_tagging(Bucket=bucket, Tagging={"TagSet": [{"Key": "k", "Value": "v"}]}),
        lambda c: c.put_bucket_policy(Bucket=bucket, Policy=json.dumps(policy)),
        lambda c: c.put_bucket_cors(
            Bucket=bucket, CORSConfiguration={"CORSRules": [{"AllowedMethods": ["GET"], "AllowedOrigins": ["*"]}]}
        ),
        lambda c: c.put_bucket_lifecycle_configuration(
            Bucket=bucket,
            LifecycleConfiguration={
                "Rules": [{"ID": "r", "Status": "Enabled", "Filter": {"Prefix": "x/"}, "Expiration": {"Days": 3}}]
            },
        ),
        lambda c: c.put_bucket_website(Bucket=bucket, WebsiteConfiguration={"IndexDocument": {"Suffix": "i.html"}}),
        lambda c: c.put_bucket_encryption(
            Bucket=bucket,
            ServerSideEncryptionConfiguration={
                "Rules": [{"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "aws:kms"}}]
            },
        ),
        lambda c: c.put_bucket_request_payment(Bucket=bucket, RequestPaymentConfiguration={"Payer": "Requester"}),
        lambda c: c.put_bucket_accelerate_configuration(Bucket=bucket, AccelerateConfiguration={"Status": "Enabled"}),
    ]
    with ThreadPoolExecutor(len(puts)) as pool:
        for future in [pool.submit(put, clients[i % 4]) for i, put in enumerate(puts)]:
            future.result()
    assert s3.get_bucket_tagging(Bucket=bucket)["TagSet"] == [{"Key": "k", "Value": "v"}]
    assert json.loads(s3.get_bucket_policy(Bucket=bucket)["Policy"]) == policy
    assert s3.get_bucket_cors(Bucket=bucket)["CORSRules"][0]["AllowedOrigins"] == ["*"]
    assert s3.get_bucket_lifecycle_configuration(Bucket=bucket)["Rules"][0]["ID"] == "r"
    assert s3.get_bucket_website(Bucket=bucket)["IndexDocument"] == {"Suffix": "i.html"}
    rule = s3.get_bucket_encryption(Bucket=bucket)["ServerSideEncryptionConfiguration"]["Rules"][0]
    assert rule["ApplyServerSideEncryptionByDefault"]["SSEAlgorithm"] == "aws:kms"
    assert s3.get_bucket_request_payment(Bucket=bucket)["Payer"] == "Requester"
    assert s3.get_bucket_accelerate_configuration(Bucket=bucket)["Status"] == "Enabled"
