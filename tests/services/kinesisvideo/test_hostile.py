"""Hostile requests (the hostile suite's hypothesis strategies) to every Kinesis Video operation gureum serves, and
hostile PutMedia uploads (odd headers, garbage and truncated or mutated MKV bodies): no answer is a 5xx other than
NotImplemented, and the server stays responsive after each."""

from __future__ import annotations

import os
from typing import Any
from urllib.parse import quote

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ...hostile._generate import DEEP, SHORT_ODD, Hostile, _op, dump, implemented, value
from ...hostile._wire import assert_responsive, authorization, error_code, send
from ...server import Server

SERVICES = ("kinesisvideo", "kinesis-video-media", "kinesis-video-archived-media", "kinesis-video-signaling")
EXAMPLES = int(os.environ.get("GUREUM_HOSTILE_EXAMPLES", "1500")) // 5
_SETTINGS: dict[str, Any] = {
    "deadline": None,
    "database": None,
    "derandomize": os.environ.get("GUREUM_HOSTILE_RANDOM") != "1",
    "suppress_health_check": list(HealthCheck),
    "max_examples": EXAMPLES,
}


@st.composite
def kvs_request(draw: st.DrawFn) -> Hostile:
    service, name = draw(st.sampled_from([(s, n) for s in SERVICES for n in implemented(s)]))
    op = _op(service, name)
    doc: dict[str, Any] = {}
    if op.input_shape is not None:
        for member_name, member in op.input_shape.members.items():
            if draw(st.booleans()):
                doc[member.serialization.get("name", member_name)] = draw(value(member))
    body = draw(st.one_of(st.just(dump(doc).encode("ascii")), st.binary(max_size=300), DEEP.map(str.encode)))
    headers = {"Content-Type": "application/json", "Authorization": authorization("kinesisvideo")}
    return Hostile("rest-json", service, name, "POST", op.http["requestUri"], headers, body)


@settings(**_SETTINGS)
@given(request=kvs_request())
def test_operations(server: Server, request: Hostile) -> None:
    answer = send(server.port, request.method, request.path, request.body, request.headers)
    if answer.status >= 500:
        assert answer.status == 501 and error_code("rest-json", answer) == "NotImplemented", (answer, request)
    assert_responsive(server.port)


@settings(**{**_SETTINGS, "max_examples": max(EXAMPLES // 3, 10)})
@given(
    name=st.one_of(st.text(min_size=1, max_size=20).map(lambda t: t.encode("ascii", "replace").decode()), SHORT_ODD),
    kind=st.sampled_from(["ABSOLUTE", "RELATIVE", "", "x"]),
    start=st.sampled_from(["", "1700000000.5", "nan", "1e400", "-5", "x"]),
    body=st.one_of(
        st.binary(max_size=2000), st.sampled_from([b"\x1a\x45\xdf\xa3", b"\x1a\x45\xdf\xa3\x84\x42\x82\x81"])
    ),
)
def test_put_media(server: Server, sample_mkv: bytes, name: str, kind: str, start: str, body: bytes) -> None:
    safe = "".join(c for c in name if 32 < ord(c) < 127) or "x"
    headers = {
        "Authorization": authorization("kinesisvideo"),
        "x-amzn-stream-name": safe,
        "x-amzn-fragment-timecode-type": kind,
        "x-amzn-producer-start-timestamp": start,
    }
    answer = send(server.port, "POST", "/putMedia", sample_mkv[: len(body)] + body, headers)
    assert answer.status < 500, answer
    assert_responsive(server.port)


@settings(**{**_SETTINGS, "max_examples": max(EXAMPLES // 3, 10)})
@given(
    resource=st.sampled_from(
        ["getHLSMasterPlaylist.m3u8", "getHLSMediaPlaylist.m3u8", "getMP4InitFragment.mp4", "getMP4MediaFragment.mp4",
         "getTSFragment.ts", "getDASHManifest.mpd", "other"]
    ),
    token=st.one_of(SHORT_ODD, st.text(max_size=300)),
    number=st.one_of(SHORT_ODD, st.integers(-5, 10**50).map(str)),
)  # fmt: skip
def test_session_urls(server: Server, resource: str, token: str, number: str) -> None:
    """Forged or mangled session URLs are refused as AWS refuses them (4xx), never a 5xx."""
    token_bytes, number_bytes = (text.encode("utf-8", "surrogatepass") for text in (token, number))
    query = f"SessionToken={quote(token_bytes)}&FragmentNumber={quote(number_bytes)}"
    for prefix in ("/hls/v1/", "/dash/v1/"):
        answer = send(server.port, "GET", f"{prefix}{resource}?{query}")
        assert answer.status < 500, answer
    assert_responsive(server.port)
