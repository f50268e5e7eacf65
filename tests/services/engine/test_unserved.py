"""A service gureum does not serve, asked for by a real client: one clear error in the client's own protocol that
names the service, and a warning in the server's log the first time."""

from __future__ import annotations

import os
import shutil
import subprocess
import urllib.error
import urllib.request
from collections.abc import Callable
from typing import Any

import pytest
from botocore.exceptions import ClientError

from tests.server import Server


def _not_served(call: Callable[[], Any], service: str) -> dict[str, Any]:
    with pytest.raises(ClientError) as caught:
        call()
    response: dict[str, Any] = caught.value.response
    assert response["Error"]["Code"] == "NotImplemented", response
    assert response["Error"]["Message"] == f"gureum does not implement the {service} service yet — see README"
    assert response["ResponseMetadata"]["HTTPStatusCode"] == 501
    return response


@pytest.mark.parametrize(
    "service, call",
    [
        ("athena", lambda c: c.list_work_groups()),  # json: X-Amz-Target AmazonAthena.ListWorkGroups
        ("route53domains", lambda c: c.list_domains()),
        ("codebuild", lambda c: c.list_projects()),  # (ECS is served)
        ("autoscaling", lambda c: c.describe_auto_scaling_groups()),  # query
        ("pinpoint", lambda c: c.get_apps()),  # rest-json at /v1/apps, signed as "mobiletargeting"
        ("route53", lambda c: c.list_hosted_zones()),  # rest-xml
        ("cloudfront", lambda c: c.list_distributions()),  # rest-xml (S3, also rest-xml, is served)
        ("ec2", lambda c: c.describe_instances()),  # ec2's own XML errors
        ("cloudwatch", lambda c: c.list_metrics()),  # json (target GraniteServiceVersion20100801)
        ("secretsmanager", lambda c: c.list_secrets()),
    ],
)
def test_unserved_service_is_named(aws: Callable[..., Any], service: str, call: Callable[[Any], Any]) -> None:
    client = aws(service)
    _not_served(lambda: call(client), service)


def test_unserved_query_service_of_old_clients(old_client: Callable[..., Any]) -> None:
    """CloudWatch as botocore 1.29 spoke it (query, Action=ListMetrics, signed as "monitoring")."""
    out = old_client(
        """
try:
    client("cloudwatch").list_metrics()
except Exception as error:
    out["error"] = error.response["Error"]
"""
    )
    assert out["error"]["Code"] == "NotImplemented"
    assert out["error"]["Message"] == "gureum does not implement the cloudwatch service yet — see README"


def _raw(endpoint: str, path: str, body: bytes, headers: dict[str, str]) -> tuple[int, dict[str, str], bytes]:
    from botocore.auth import SigV4Auth
    from botocore.awsrequest import AWSRequest
    from botocore.credentials import Credentials

    request = AWSRequest("POST", endpoint + path, data=body, headers=headers)
    SigV4Auth(Credentials("test", "test"), "monitoring", "us-east-1").add_auth(request)
    prepared = request.prepare()
    try:
        with urllib.request.urlopen(urllib.request.Request(prepared.url, prepared.body, dict(prepared.headers))) as r:
            return r.status, dict(r.headers), r.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


def test_unserved_cbor_client_reads_the_error(endpoint: str) -> None:
    """Smithy RPC v2 CBOR (CloudWatch's newest protocol): the error is CBOR, as botocore's parser reads it."""
    from botocore.parsers import create_parser

    status, headers, body = _raw(
        endpoint,
        "/service/GraniteServiceVersion20100801/operation/ListMetrics",
        b"\xa0",
        {"smithy-protocol": "rpc-v2-cbor", "Content-Type": "application/cbor", "Accept": "application/cbor"},
    )
    assert status == 501 and headers["Content-Type"] == "application/cbor"
    parsed = create_parser("smithy-rpc-v2-cbor").parse({"status_code": status, "headers": headers, "body": body}, None)
    assert parsed["Error"]["Code"] == "NotImplemented", parsed
    assert parsed["Error"]["Message"] == "gureum does not implement the cloudwatch service yet — see README"


def test_server_log_names_the_service_once(aws: Callable[..., Any], server: Server) -> None:
    client = aws("appsync")
    for _ in range(3):
        _not_served(lambda: client.list_graphql_apis(), "appsync")
    lines = [line for line in server.log_path.read_text().splitlines() if "the appsync service" in line]
    assert len(lines) == 1 and "WARNING" in lines[0], lines


def _debian_aws() -> str | None:
    found = shutil.which("aws", path="/usr/bin")
    if found is None:
        return None
    version = subprocess.run([found, "--version"], capture_output=True, text=True, timeout=60).stdout
    return found if version.startswith("aws-cli/2.") else None


@pytest.mark.skipif(_debian_aws() is None, reason="Debian's aws-cli v2 (/usr/bin/aws, apt package awscli) is absent")
def test_debian_aws_cli_v2(endpoint: str) -> None:
    """Debian 12's aws-cli 2.9.19, as a user runs it: list-functions (404 before: its URI ends in a slash), and a
    service gureum does not serve."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "PYTHON"))}
    env.update(AWS_ACCESS_KEY_ID="test", AWS_SECRET_ACCESS_KEY="test", AWS_DEFAULT_REGION="us-east-1", AWS_PAGER="")
    aws = str(_debian_aws())

    def cli(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [aws, "--endpoint-url", endpoint, "--output", "json", *args],
            env=env, capture_output=True, text=True, timeout=120,
        )  # fmt: skip

    listed = cli("lambda", "list-functions")
    assert listed.returncode == 0, listed.stderr
    assert "Functions" in listed.stdout
    # a JSON service whose protocol has stayed the same across botocore versions (Athena's moved to rest-json in
    # 1.44, so this old CLI's Athena target is one the current models no longer name)
    missing = cli("kms", "list-keys")
    assert missing.returncode != 0
    assert "gureum does not implement the kms service yet — see README" in missing.stderr


def test_unknown_target_of_no_known_service(endpoint: str) -> None:
    """A target prefix botocore does not know either keeps AWS's JSON answer."""
    request = urllib.request.Request(
        endpoint + "/",
        b"{}",
        {"X-Amz-Target": "NoSuchService_20990101.Op", "Content-Type": "application/x-amz-json-1.1"},
    )
    with pytest.raises(urllib.error.HTTPError) as caught:
        urllib.request.urlopen(request)
    assert caught.value.code == 400
    assert b'"UnknownOperationException"' in caught.value.read()
