"""Strict mode: SigV4 signatures are verified; wrong secrets, unknown keys and unsigned requests are refused
with each protocol's error, while STS-issued credentials work on the deployment."""

from __future__ import annotations

import json
import urllib.request
from collections.abc import Iterator
from typing import Any

import boto3
import botocore
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

from ..server import Server


@pytest.fixture(scope="module")
def strict(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    server = Server(
        tmp_path_factory.mktemp("strict"),
        extra_args=["--strict-auth", "--credentials", "AKIAGOOD:good-secret,123456789012:acct-secret"],
    ).start()
    yield server
    server.stop()


def client(server: Server, service: str, key: str, secret: str, token: str | None = None) -> Any:
    return boto3.client(
        service,
        endpoint_url=server.endpoint,
        region_name="eu-central-1",
        aws_access_key_id=key,
        aws_secret_access_key=secret,
        aws_session_token=token,
        config=Config(retries={"max_attempts": 1}),
    )


def test_good_signature_is_served(strict: Server) -> None:
    sqs = client(strict, "sqs", "AKIAGOOD", "good-secret")
    url = sqs.create_queue(QueueName="strict-q")["QueueUrl"]
    sqs.send_message(QueueUrl=url, MessageBody="signed")
    assert sqs.receive_message(QueueUrl=url)["Messages"][0]["Body"] == "signed"
    assert client(strict, "sts", "123456789012", "acct-secret").get_caller_identity()["Account"] == "123456789012"


def test_wrong_secret_is_refused_per_protocol(strict: Server) -> None:
    with pytest.raises(ClientError) as err:
        client(strict, "sqs", "AKIAGOOD", "not-the-secret").list_queues()
    assert err.value.response["ResponseMetadata"]["HTTPStatusCode"] == 403
    assert err.value.response["Error"]["Code"] in ("SignatureDoesNotMatch", "InvalidSignatureException")
    with pytest.raises(ClientError) as err:
        client(strict, "sts", "AKIAGOOD", "not-the-secret").get_caller_identity()
    assert err.value.response["Error"]["Code"] == "SignatureDoesNotMatch"


def test_unknown_key_is_refused(strict: Server) -> None:
    with pytest.raises(ClientError) as err:
        client(strict, "sts", "AKIANOBODY", "whatever").get_caller_identity()
    assert err.value.response["Error"]["Code"] == "InvalidClientTokenId"
    assert err.value.response["ResponseMetadata"]["HTTPStatusCode"] == 403


def test_unsigned_request_is_refused(strict: Server) -> None:
    req = urllib.request.Request(
        f"{strict.endpoint}/",
        data=b"{}",
        method="POST",
        headers={"X-Amz-Target": "AmazonSQS.ListQueues", "Content-Type": "application/x-amz-json-1.0"},
    )
    with pytest.raises(urllib.error.HTTPError) as err:
        urllib.request.urlopen(req, timeout=10)
    assert err.value.code == 403
    assert "MissingAuthenticationToken" in json.loads(err.value.read())["__type"]


def test_assumed_role_credentials_verify(strict: Server) -> None:
    creds = client(strict, "sts", "AKIAGOOD", "good-secret").assume_role(
        RoleArn="arn:aws:iam::222222222222:role/app", RoleSessionName="s1"
    )["Credentials"]
    sts = client(strict, "sts", creds["AccessKeyId"], creds["SecretAccessKey"], creds["SessionToken"])
    assert sts.get_caller_identity()["Account"] == "222222222222"
    forged = client(strict, "sts", creds["AccessKeyId"], "forged-secret", creds["SessionToken"])
    with pytest.raises(ClientError):
        forged.get_caller_identity()


def test_presigned_query_request(strict: Server) -> None:
    sqs = client(strict, "sqs", "AKIAGOOD", "good-secret")
    url = sqs.create_queue(QueueName="strict-presigned")["QueueUrl"]
    sts = client(strict, "sts", "AKIAGOOD", "good-secret")
    # signed for GET (botocore otherwise signs the model's POST, which AWS refuses for a GET as well)
    presigned = sts.generate_presigned_url("get_caller_identity", ExpiresIn=60, HttpMethod="GET")
    with urllib.request.urlopen(presigned, timeout=10) as resp:
        assert resp.status == 200 and b"<Account>000000000000</Account>" in resp.read()
    tampered = presigned.replace("X-Amz-Expires=60", "X-Amz-Expires=61")
    with pytest.raises(urllib.error.HTTPError) as err:
        urllib.request.urlopen(tampered, timeout=10)
    assert err.value.code == 403
    assert url


def test_operations_aws_serves_unsigned(strict: Server) -> None:
    # STS's web-identity exchange is unsigned by design (the model marks it noAuth)
    sts = boto3.client(
        "sts",
        endpoint_url=strict.endpoint,
        region_name="eu-central-1",
        config=Config(signature_version=botocore.UNSIGNED, retries={"max_attempts": 1}),
    )
    result = sts.assume_role_with_web_identity(
        RoleArn="arn:aws:iam::333333333333:role/web", RoleSessionName="w1", WebIdentityToken="token"
    )
    assert result["AssumedRoleUser"]["Arn"].startswith("arn:aws:sts::333333333333:assumed-role/web/")
    # SNS's SubscribeURL is an unsigned GET: a bad token is refused by SNS itself, not by the signature check
    req = urllib.request.Request(
        f"{strict.endpoint}/?Action=ConfirmSubscription&TopicArn=arn:aws:sns:eu-central-1:000000000000:none&Token=abc",
        method="GET",
    )
    with pytest.raises(urllib.error.HTTPError) as err:
        urllib.request.urlopen(req, timeout=10)
    assert b"SignatureDoesNotMatch" not in err.value.read() and err.value.code != 403


def _signed_for(server: Server, scope: str, target: str, version: str = "1.1", **kw: str) -> tuple[int, dict[str, Any]]:
    """An awsJson request for ``target`` whose credential scope names the service ``scope`` (a valid signature)."""
    from botocore.auth import SigV4Auth
    from botocore.awsrequest import AWSRequest
    from botocore.credentials import Credentials

    headers = {"X-Amz-Target": target, "Content-Type": f"application/x-amz-json-{version}"}
    if "host" in kw:
        headers["Host"] = kw["host"]
    request = AWSRequest(method="POST", url=f"{server.endpoint}/", data=b"{}", headers=headers)
    SigV4Auth(Credentials("AKIAGOOD", "good-secret"), scope, kw.get("region", "eu-central-1")).add_auth(request)
    raw = urllib.request.Request(f"{server.endpoint}/", data=b"{}", method="POST", headers=dict(request.headers))
    try:
        with urllib.request.urlopen(raw, timeout=10) as resp:
            return resp.status, json.loads(resp.read())
    except urllib.error.HTTPError as err:
        return err.code, json.loads(err.read())


@pytest.mark.parametrize(
    ("target", "version", "scope", "service"),
    [
        ("AWSEvents.ListRules", "1.1", "sqs", "events"),
        ("Logs_20140328.DescribeLogGroups", "1.1", "sqs", "logs"),
        ("AmazonSQS.ListQueues", "1.0", "sns", "sqs"),
        ("AWSEvents.ListRules", "1.1", "execute-api", "events"),
    ],
)
def test_request_signed_for_another_service_is_refused(
    strict: Server, target: str, version: str, scope: str, service: str
) -> None:
    """A valid signature made for one service opens no other: 403, as AWS answers at the wrong endpoint."""
    status, doc = _signed_for(strict, scope, target, version)
    assert status == 403
    assert doc["__type"].endswith("#InvalidSignatureException")
    assert doc["message"] == f"Credential should be scoped to correct service: '{service}'. "
    assert _signed_for(strict, service, target, version)[0] == 200  # the same request, scoped right


@pytest.mark.parametrize(
    ("form", "scope", "service"),
    [
        ("Action=ListQueues&Version=2012-11-05", "sns", "sqs"),
        ("Action=ListUsers&Version=2010-05-08", "sts", "iam"),
        ("Action=ListTopics&Version=2010-03-31", "sqs", "sns"),
    ],
)
def test_query_action_signed_for_another_service_is_refused(
    strict: Server, form: str, scope: str, service: str
) -> None:
    """The query protocol names no service but the action: one the signed-for service lacks, which another
    has, is that other service's request with a wrong scope (not an unknown action)."""
    from botocore.auth import SigV4Auth
    from botocore.awsrequest import AWSRequest
    from botocore.credentials import Credentials

    headers = {"Content-Type": "application/x-www-form-urlencoded"}
    request = AWSRequest(method="POST", url=f"{strict.endpoint}/", data=form.encode(), headers=headers)
    SigV4Auth(Credentials("AKIAGOOD", "good-secret"), scope, "eu-central-1").add_auth(request)
    raw = urllib.request.Request(
        f"{strict.endpoint}/", data=form.encode(), method="POST", headers=dict(request.headers)
    )
    with pytest.raises(urllib.error.HTTPError) as err:
        urllib.request.urlopen(raw, timeout=10)
    body = err.value.read().decode()
    assert err.value.code == 403 and "<Code>SignatureDoesNotMatch</Code>" in body
    assert f"Credential should be scoped to correct service: &apos;{service}&apos;. " in body


def test_credential_scope_must_name_a_valid_region(strict: Server) -> None:
    with pytest.raises(ClientError) as err:
        boto3.client(
            "sqs",
            endpoint_url=strict.endpoint,
            region_name="moonbase",
            aws_access_key_id="AKIAGOOD",
            aws_secret_access_key="good-secret",
            config=Config(retries={"max_attempts": 1}),
        ).list_queues()
    assert err.value.response["ResponseMetadata"]["HTTPStatusCode"] == 403
    assert err.value.response["Error"]["Message"] == "Credential should be scoped to a valid region, not 'moonbase'. "
    # a host that names a Region (sqs.eu-west-1.localhost) takes requests signed for that Region only
    host = f"sqs.eu-west-1.localhost:{strict.port}"
    status, doc = _signed_for(strict, "sqs", "AmazonSQS.ListQueues", "1.0", host=host, region="us-east-1")
    assert status == 403 and doc["message"] == "Credential should be scoped to a valid region, not 'us-east-1'. "
    assert _signed_for(strict, "sqs", "AmazonSQS.ListQueues", "1.0", host=host, region="eu-west-1")[0] == 200


@pytest.mark.parametrize("scope", ["sqs", "apigateway"])
def test_rest_request_signed_for_another_service_is_refused(strict: Server, scope: str) -> None:
    """Lambda's ListFunctions (a REST URI) signed for SQS (awsJson) or API Gateway (REST): 403 in Lambda's
    protocol, as AWS answers at Lambda's endpoint — not a 404 from the service the scope names."""
    from botocore.auth import SigV4Auth
    from botocore.awsrequest import AWSRequest
    from botocore.credentials import Credentials

    url = f"{strict.endpoint}/2015-03-31/functions/"
    request = AWSRequest(method="GET", url=url)
    SigV4Auth(Credentials("AKIAGOOD", "good-secret"), scope, "eu-central-1").add_auth(request)
    raw = urllib.request.Request(url, method="GET", headers=dict(request.headers))
    with pytest.raises(urllib.error.HTTPError) as err:
        urllib.request.urlopen(raw, timeout=10)
    assert err.value.code == 403
    assert err.value.headers["x-amzn-ErrorType"].startswith("InvalidSignatureException")
    assert json.loads(err.value.read())["message"] == "Credential should be scoped to correct service: 'lambda'. "
