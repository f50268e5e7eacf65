"""POST Object (browser-based uploads): forms boto3's generate_presigned_post prepares, POSTed as a browser does
(multipart/form-data, the file last): the policy's conditions and expiry, content-length-range, SigV2 and SigV4
signatures (checked in strict mode), 204 / 200 / 201 (PostResponse) / 303 answers, ${filename}, metadata and
tagging from fields, virtual-hosted buckets, anonymous forms a bucket policy allows, CORS, the s3:ObjectCreated:Post
notification, and a large file streamed in."""

from __future__ import annotations

import hashlib
import http.client
import json
import uuid
from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qs, urlsplit
from xml.etree import ElementTree

import boto3
import pytest
import requests
from botocore.config import Config
from botocore.exceptions import ClientError

from ...conftest import StoreFactory
from ...server import Server
from ._helpers import messages, queue_for

KEY, SECRET = "AKIAPOSTTEST", "post-secret"


def _form(fields: dict[str, str], filename: str, boundary: str) -> tuple[bytes, bytes]:
    """The form's bytes before the file's content, and after it."""
    head = b"".join(
        f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode()
        for name, value in fields.items()
    )
    head += (
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{filename}"\r\n'
        "Content-Type: application/octet-stream\r\n\r\n"
    ).encode()
    return head, f"\r\n--{boundary}--\r\n".encode()


def _post(
    url: str,
    fields: dict[str, str],
    content: bytes | list[bytes],
    filename: str = "photo.jpg",
    headers: dict[str, str] | None = None,
    host: str | None = None,
) -> tuple[int, dict[str, str], bytes]:
    """POST a form as a browser does; ``content`` as a list is sent chunk by chunk."""
    boundary = f"----gureum{uuid.uuid4().hex}"
    head, tail = _form(fields, filename, boundary)
    pieces = content if isinstance(content, list) else [content]
    parts = urlsplit(url)
    conn = http.client.HTTPConnection(parts.hostname or "127.0.0.1", parts.port, timeout=60)
    try:
        conn.putrequest("POST", parts.path or "/", skip_host=True)
        conn.putheader("Host", host or parts.netloc)
        conn.putheader("Content-Type", f"multipart/form-data; boundary={boundary}")
        conn.putheader("Content-Length", str(len(head) + sum(len(p) for p in pieces) + len(tail)))
        for name, value in (headers or {}).items():
            conn.putheader(name, value)
        conn.endheaders()
        conn.send(head)
        for piece in pieces:
            conn.send(piece)
        conn.send(tail)
        response = conn.getresponse()
        return response.status, {k.lower(): v for k, v in response.getheaders()}, response.read()
    finally:
        conn.close()


def _error(body: bytes) -> tuple[str, str]:
    root = ElementTree.fromstring(body)
    return root.findtext("Code") or "", root.findtext("Message") or ""


def _v4(s3: Any) -> Any:
    """A client of the same server signing presigned forms with SigV4 (x-amz-signature)."""
    return boto3.client(
        "s3",
        endpoint_url=s3.meta.endpoint_url,
        region_name="us-east-1",
        aws_access_key_id="test",
        aws_secret_access_key="test",
        config=Config(signature_version="s3v4"),
    )


@pytest.mark.parametrize("signature", ["v2", "v4"])
def test_presigned_post_with_fields(s3: Any, bucket: str, signature: str) -> None:
    signer = s3 if signature == "v2" else _v4(s3)
    tagging = "<Tagging><TagSet><Tag><Key>team</Key><Value>web</Value></Tag></TagSet></Tagging>"
    fields = {
        "Content-Type": "image/jpeg",
        "x-amz-meta-owner": "alice",
        "success_action_status": "201",
        "tagging": tagging,
    }
    conditions: list[Any] = [
        {"Content-Type": "image/jpeg"},
        ["starts-with", "$x-amz-meta-owner", ""],
        {"success_action_status": "201"},
        {"tagging": tagging},
        ["content-length-range", 1, 1024],
    ]
    post = signer.generate_presigned_post(
        bucket, "uploads/${filename}", Fields=fields, Conditions=conditions, ExpiresIn=60
    )
    assert ("x-amz-signature" in post["fields"]) == (signature == "v4")
    status, headers, body = _post(post["url"], post["fields"], b"jpeg bytes")
    assert status == 201, body
    root = ElementTree.fromstring(body)
    assert root.tag == "PostResponse"
    assert root.findtext("Bucket") == bucket and root.findtext("Key") == "uploads/photo.jpg"
    assert root.findtext("Location") == f"{s3.meta.endpoint_url}/{bucket}/uploads/photo.jpg"
    etag = f'"{hashlib.md5(b"jpeg bytes").hexdigest()}"'
    assert root.findtext("ETag") == etag == headers["etag"]
    got = s3.get_object(Bucket=bucket, Key="uploads/photo.jpg")
    assert got["Body"].read() == b"jpeg bytes"
    assert got["ContentType"] == "image/jpeg" and got["Metadata"] == {"owner": "alice"}
    assert s3.get_object_tagging(Bucket=bucket, Key="uploads/photo.jpg")["TagSet"] == [{"Key": "team", "Value": "web"}]


def test_answers_by_success_action(s3: Any, bucket: str) -> None:
    plain = s3.generate_presigned_post(bucket, "a.txt")
    status, headers, body = _post(plain["url"], plain["fields"], b"a")
    assert (status, body) == (204, b"")
    assert headers["location"] == f"{s3.meta.endpoint_url}/{bucket}/a.txt"
    ok = s3.generate_presigned_post(
        bucket, "b.txt", Fields={"success_action_status": "200"}, Conditions=[{"success_action_status": "200"}]
    )
    assert _post(ok["url"], ok["fields"], b"b")[0] == 200
    target = "https://app.example/done?x=1"
    redirect = s3.generate_presigned_post(
        bucket,
        "c.txt",
        Fields={"success_action_redirect": target},
        Conditions=[["starts-with", "$success_action_redirect", "https://app.example/"]],
    )
    status, headers, _ = _post(redirect["url"], redirect["fields"], b"c")
    assert status == 303
    location = urlsplit(headers["location"])
    assert f"{location.scheme}://{location.netloc}{location.path}" == "https://app.example/done"
    query = parse_qs(location.query)
    assert query["x"] == ["1"] and query["bucket"] == [bucket] and query["key"] == ["c.txt"]
    assert query["etag"] == [f'"{hashlib.md5(b"c").hexdigest()}"']
    assert s3.get_object(Bucket=bucket, Key="c.txt")["Body"].read() == b"c"


def test_policy_refusals(s3: Any, bucket: str) -> None:
    post = s3.generate_presigned_post(bucket, "in/${filename}", Conditions=[["content-length-range", 2, 5]])
    # the key outside the policy's prefix
    status, _, body = _post(post["url"], {**post["fields"], "key": "elsewhere/x"}, b"abc")
    assert status == 403
    assert _error(body) == (
        "AccessDenied",
        'Invalid according to Policy: Policy Condition failed: ["starts-with", "$key", "in/"]',
    )
    # a field no condition names
    status, _, body = _post(post["url"], {**post["fields"], "x-amz-meta-extra": "1"}, b"abc")
    assert (status, _error(body)) == (
        403,
        ("AccessDenied", "Invalid according to Policy: Extra input fields: x-amz-meta-extra"),
    )
    # x-ignore-* fields need no condition
    assert _post(post["url"], {**post["fields"], "x-ignore-note": "1"}, b"abc")[0] == 204
    # content-length-range: nothing written either side of it
    status, _, body = _post(post["url"], post["fields"], b"too long")
    assert (status, _error(body)[0]) == (400, "EntityTooLarge")
    status, _, body = _post(post["url"], post["fields"], b"a", filename="short")
    assert (status, _error(body)[0]) == (400, "EntityTooSmall")
    listed = s3.list_objects_v2(Bucket=bucket).get("Contents", [])
    assert [item["Key"] for item in listed] == ["in/photo.jpg"]
    # an expired policy
    expired = s3.generate_presigned_post(bucket, "late", ExpiresIn=-5)
    status, _, body = _post(expired["url"], expired["fields"], b"x")
    assert (status, _error(body)) == (403, ("AccessDenied", "Invalid according to Policy: Policy expired."))
    # no file, no key, no bucket
    fine = s3.generate_presigned_post(bucket, "k")
    url = fine["url"]
    boundary = "b0undary"
    form = f'--{boundary}\r\nContent-Disposition: form-data; name="key"\r\n\r\nk\r\n--{boundary}--\r\n'
    answer = requests.post(url, data=form, headers={"Content-Type": f"multipart/form-data; boundary={boundary}"})
    assert (answer.status_code, _error(answer.content)) == (
        400,
        ("InvalidArgument", "POST requires exactly one file upload per request."),
    )
    no_key = {name: value for name, value in fine["fields"].items() if name != "key"}
    status, _, body = _post(url, no_key, b"x")
    assert (status, _error(body)) == (
        400,
        (
            "InvalidArgument",
            "Bucket POST must contain a field named 'key'.  If it is specified, please check the order of the fields.",
        ),
    )
    missing = s3.generate_presigned_post(f"{bucket}-none", "k")
    status, _, body = _post(missing["url"], missing["fields"], b"x")
    assert (status, _error(body)[0]) == (404, "NoSuchBucket")


def test_anonymous_forms_need_a_public_bucket(endpoint: str, s3: Any, bucket: str) -> None:
    status, _, body = _post(f"{endpoint}/{bucket}", {"key": "anon.txt"}, b"hi")
    assert (status, _error(body)[0]) == (403, "AccessDenied")
    policy = {
        "Version": "2012-10-17",
        "Statement": [
            {"Effect": "Allow", "Principal": "*", "Action": "s3:PutObject", "Resource": f"arn:aws:s3:::{bucket}/drop/*"}
        ],
    }
    s3.put_bucket_policy(Bucket=bucket, Policy=json.dumps(policy))
    assert _post(f"{endpoint}/{bucket}", {"key": "drop/anon.txt"}, b"hi")[0] == 204
    assert s3.get_object(Bucket=bucket, Key="drop/anon.txt")["Body"].read() == b"hi"
    status, _, body = _post(f"{endpoint}/{bucket}", {"key": "other.txt"}, b"hi")
    assert (status, _error(body)[0]) == (403, "AccessDenied")


def test_virtual_hosted_bucket_and_cors(endpoint: str, s3: Any, bucket: str) -> None:
    s3.put_bucket_cors(
        Bucket=bucket,
        CORSConfiguration={"CORSRules": [{"AllowedOrigins": ["https://app.example"], "AllowedMethods": ["POST"]}]},
    )
    post = s3.generate_presigned_post(bucket, "v.txt")
    host = f"{bucket}.s3.localhost:{urlsplit(endpoint).port}"
    status, headers, _ = _post(
        f"{endpoint}/", post["fields"], b"virtual", host=host, headers={"Origin": "https://app.example"}
    )
    assert status == 204
    assert headers["location"] == f"http://{host}/v.txt"
    assert headers["access-control-allow-origin"] == "https://app.example"
    assert s3.get_object(Bucket=bucket, Key="v.txt")["Body"].read() == b"virtual"


def test_post_notification(s3: Any, sqs: Any, bucket: str, name: str) -> None:
    url, arn = queue_for(sqs, name, bucket)
    s3.put_bucket_notification_configuration(
        Bucket=bucket,
        NotificationConfiguration={"QueueConfigurations": [{"QueueArn": arn, "Events": ["s3:ObjectCreated:Post"]}]},
    )
    s3.put_object(Bucket=bucket, Key="put.txt", Body=b"not a post")  # another event: not sent
    post = s3.generate_presigned_post(bucket, "posted.txt")
    assert _post(post["url"], post["fields"], b"form")[0] == 204
    records = [
        record for body in messages(sqs, url, 2) for record in body.get("Records", [])
    ]  # the test event, the POST
    assert [(r["eventName"], r["s3"]["object"]["key"], r["s3"]["object"]["size"]) for r in records] == [
        ("ObjectCreated:Post", "posted.txt", 4)
    ]


def test_large_file_streams_in(s3: Any, bucket: str) -> None:
    piece = bytes(range(256)) * 4096  # 1 MiB, with every byte value (and "\r\n--" sequences) in it
    pieces = [piece] * 12
    post = s3.generate_presigned_post(bucket, "big.bin")
    status, headers, body = _post(post["url"], post["fields"], pieces)
    assert status == 204, body
    digest = hashlib.md5(b"".join(pieces)).hexdigest()
    assert headers["etag"] == f'"{digest}"'
    head = s3.head_object(Bucket=bucket, Key="big.bin")
    assert head["ContentLength"] == 12 * len(piece) and head["ETag"] == f'"{digest}"'


@pytest.fixture(scope="module")
def strict(store: StoreFactory) -> Iterator[Server]:
    server = Server(**store(), extra_args=["--strict-auth", "--credentials", f"{KEY}:{SECRET}"]).start()
    yield server
    server.stop()


@pytest.mark.parametrize("signature", ["s3", "s3v4"])
def test_signatures_checked_in_strict_mode(strict: Server, name: str, signature: str) -> None:
    def client(secret: str) -> Any:
        return boto3.client(
            "s3",
            endpoint_url=strict.endpoint,
            region_name="us-east-1",
            aws_access_key_id=KEY,
            aws_secret_access_key=secret,
            config=Config(signature_version=signature, retries={"max_attempts": 1}),
        )

    good = client(SECRET)
    good.create_bucket(Bucket=name)
    forged = client("not-the-secret").generate_presigned_post(name, "k")
    status, _, body = _post(forged["url"], forged["fields"], b"x")
    assert (status, _error(body)[0]) == (403, "SignatureDoesNotMatch")
    with pytest.raises(ClientError):
        good.head_object(Bucket=name, Key="k")
    # the policy cannot be changed under its signature
    post = good.generate_presigned_post(name, "k", Conditions=[["content-length-range", 0, 10]])
    assert _post(post["url"], post["fields"], b"signed")[0] == 204
    assert good.get_object(Bucket=name, Key="k")["Body"].read() == b"signed"
    loose = client(SECRET).generate_presigned_post(name, "k", Conditions=[["content-length-range", 0, 100]])
    status, _, body = _post(post["url"], {**post["fields"], "policy": loose["fields"]["policy"]}, b"x" * 50)
    assert (status, _error(body)[0]) == (403, "SignatureDoesNotMatch")


@pytest.fixture(scope="module")
def enforced(store: StoreFactory) -> Iterator[Server]:
    server = Server(**store(), extra_args=["--enforce-iam", "--credentials", "111111111111:root-one"]).start()
    yield server
    server.stop()


def test_identity_policies_decide_under_enforcement(enforced: Server, name: str) -> None:
    """With IAM enforced, a form signed by an IAM user's key needs s3:PutObject on the key, as PutObject does."""

    def client(service: str, key: str, secret: str) -> Any:
        return boto3.client(
            service,
            endpoint_url=enforced.endpoint,
            region_name="us-east-1",
            aws_access_key_id=key,
            aws_secret_access_key=secret,
            config=Config(retries={"max_attempts": 1}),
        )

    root_s3, iam = client("s3", "111111111111", "root-one"), client("iam", "111111111111", "root-one")
    root_s3.create_bucket(Bucket=name)
    iam.create_user(UserName=name)
    statement = {"Effect": "Allow", "Action": "s3:PutObject", "Resource": f"arn:aws:s3:::{name}/allowed/*"}
    iam.put_user_policy(UserName=name, PolicyName="p", PolicyDocument=json.dumps({"Statement": [statement]}))
    key = iam.create_access_key(UserName=name)["AccessKey"]
    user_s3 = client("s3", key["AccessKeyId"], key["SecretAccessKey"])
    refused = user_s3.generate_presigned_post(name, "elsewhere/x")
    status, _, body = _post(refused["url"], refused["fields"], b"x")
    code, message = _error(body)
    assert (status, code) == (403, "AccessDenied")
    assert f"not authorized to perform: s3:PutObject on resource: arn:aws:s3:::{name}/elsewhere/x" in message
    allowed = user_s3.generate_presigned_post(name, "allowed/x")
    assert _post(allowed["url"], allowed["fields"], b"ok")[0] == 204
    assert root_s3.get_object(Bucket=name, Key="allowed/x")["Body"].read() == b"ok"
    # a session's temporary credentials: the form carries its token (x-amz-security-token), checked as a header's
    session = client("sts", key["AccessKeyId"], key["SecretAccessKey"]).get_session_token()["Credentials"]
    session_s3 = boto3.client(
        "s3", endpoint_url=enforced.endpoint, region_name="us-east-1", aws_access_key_id=session["AccessKeyId"],
        aws_secret_access_key=session["SecretAccessKey"], aws_session_token=session["SessionToken"],
    )  # fmt: skip
    form = session_s3.generate_presigned_post(name, "allowed/s")
    assert form["fields"]["x-amz-security-token"] == session["SessionToken"]
    assert _post(form["url"], form["fields"], b"session")[0] == 204
    assert root_s3.get_object(Bucket=name, Key="allowed/s")["Body"].read() == b"session"
    refused = session_s3.generate_presigned_post(name, "elsewhere/s")
    assert _post(refused["url"], refused["fields"], b"x")[0] == 403
    tokenless = {k: v for k, v in form["fields"].items() if k != "x-amz-security-token"}
    status, _, body = _post(form["url"], tokenless, b"x")  # the session's key without its token
    assert status == 403, body
