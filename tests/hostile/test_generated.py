"""Generated hostile requests (hypothesis) to every operation gureum implements, in each protocol it serves:
no answer may be a 5xx, every error must be shaped as its protocol shapes errors, and the health endpoint
must answer within a second after each (no stalled event loop).

Derandomized by default so CI sees the same cases; GUREUM_HOSTILE_RANDOM=1 explores new ones."""

from __future__ import annotations

import os
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ..server import Server
from ._generate import Hostile, garbage_request, json_request, model, query_request, rest_json_request
from ._wire import assert_responsive, error_code, send

_SETTINGS: dict[str, Any] = {
    "deadline": None,
    "database": None,
    "derandomize": os.environ.get("GUREUM_HOSTILE_RANDOM") != "1",
    "suppress_health_check": list(HealthCheck),
    "print_blob": True,
}
EXAMPLES = int(os.environ.get("GUREUM_HOSTILE_EXAMPLES", "1500"))


def _check(server: Server, request: Hostile, store_kind: str) -> None:
    answer = send(server.port, request.method, request.path, request.body, request.headers)
    if answer.status >= 300:
        code = error_code(request.protocol, answer)
        # 501 NotImplemented is gureum's deliberate answer for an operation (or variant) it does not serve yet
        allowed = answer.status < 500 or (answer.status == 501 and code == "NotImplemented")
        assert allowed, (answer, request)
    assert_responsive(server.port)


@settings(max_examples=EXAMPLES, **_SETTINGS)
@given(request=json_request())
def test_json_protocol(server: Server, store_kind: str, request: Hostile) -> None:
    _check(server, request, store_kind)


@settings(max_examples=EXAMPLES, **_SETTINGS)
@given(request=query_request())
def test_query_protocol(server: Server, store_kind: str, request: Hostile) -> None:
    _check(server, request, store_kind)


@settings(max_examples=EXAMPLES, **_SETTINGS)
@given(request=rest_json_request())
def test_rest_json_protocol(server: Server, store_kind: str, request: Hostile) -> None:
    _check(server, request, store_kind)


@settings(max_examples=EXAMPLES, **_SETTINGS)
@given(request=garbage_request())
def test_garbage(server: Server, store_kind: str, request: Hostile) -> None:
    _check(server, request, store_kind)


@settings(max_examples=max(EXAMPLES // 6, 10), **_SETTINGS)
@given(body=st.binary(max_size=400), name=st.text(min_size=1, max_size=20))
def test_rest_xml_for_a_service_gureum_does_not_serve(server: Server, body: bytes, name: str) -> None:
    """S3-shaped PUTs of generated names and bodies (CreateBucket with whatever configuration the body holds) get a
    well-formed S3 error, or create the bucket when the name is a valid bucket name and the body an acceptable (empty)
    configuration; never a 5xx other than 501."""
    from urllib.parse import quote

    from ._wire import authorization

    path = "/" + quote(name.encode("utf-8", "surrogatepass"), safe="")
    answer = send(server.port, "PUT", path, body, {"Authorization": authorization("s3")})
    assert answer.status < 500 or answer.status == 501, answer
    if answer.status == 200:  # a generated name can be a valid bucket name ("000"): it is created, as on AWS
        assert _valid_bucket_name(name) and not body.strip(), (name, body, answer)
    else:
        error_code("rest-xml", answer)
    assert_responsive(server.port)


def _valid_bucket_name(name: str) -> bool:
    """S3's general-purpose bucket naming rules, in short: 3 to 63 lower-case letters, digits, dots and hyphens,
    starting and ending with a letter or digit."""
    allowed = set("abcdefghijklmnopqrstuvwxyz0123456789.-")
    return 3 <= len(name) <= 63 and set(name) <= allowed and name[0].isalnum() and name[-1].isalnum()


_XML_BODIES = st.one_of(
    st.binary(max_size=300),
    st.integers(100, 20_000).map(lambda n: b"<a>" * n + b"</a>" * n),
    st.just(
        b'<?xml version="1.0"?><!DOCTYPE l [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">'
        b'<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;"><!ENTITY d "&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;">'
        b'<!ENTITY e "&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;"><!ENTITY f "&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;">]><l>&f;&f;&f;</l>'
    ),
    st.just(b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><x>&e;</x>'),
    st.text(max_size=100).map(lambda t: f"<Tagging><TagSet><Tag><Key>{t}</Key></Tag></TagSet></Tagging>".encode()),
)


@settings(max_examples=max(EXAMPLES // 3, 10), **_SETTINGS)
@given(
    operation=st.sampled_from(["PutBucketTagging", "PutBucketCors", "CompleteMultipartUpload", "DeleteObjects"]),
    body=_XML_BODIES,
    header=st.text(max_size=40),
)
def test_rest_xml_protocol_reads_hostile_documents(operation: str, body: bytes, header: str) -> None:
    """The rest-xml reader (no served service speaks it yet) on S3's model: deep nesting, entity expansion,
    external entities and garbage are malformed input (a ServiceError), and its errors are always writable."""
    from gureum.aws.errors import ServiceError
    from gureum.aws.http import Request
    from gureum.aws.protocols import get_protocol

    op = model("s3").operation_model(operation)
    protocol = get_protocol("rest-xml")
    headers = {"content-md5": header.encode("latin-1", "replace").decode("latin-1"), "x-amz-expected-bucket-owner": "1"}
    request = Request("PUT", "/bucket/key", "", headers, body)
    try:
        protocol.parse(request, op, {"Bucket": "bucket", "Key": "key"})
    except ServiceError as error:
        answer = protocol.serialize_error(error, "id", operation=op)
        assert 400 <= answer.status < 500 and answer.body.startswith(b"<?xml")
