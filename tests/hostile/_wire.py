"""Raw HTTP to a gureum server for the hostile-input tests: any bytes, any headers, answers checked for their
protocol's error shape, and the health probe that proves the event loop is still turning."""

from __future__ import annotations

import http.client
import json
import time
from dataclasses import dataclass
from typing import Any
from xml.etree import ElementTree

ACCOUNT = "999999999999"  # a 12-digit access key acts in that account: hostile requests touch no other test's state


def authorization(service: str, region: str = "us-east-1") -> str:
    """A SigV4-shaped Authorization header (the default mode checks no signature; the scope names the service)."""
    return (
        f"AWS4-HMAC-SHA256 Credential={ACCOUNT}/20240101/{region}/{service}/aws4_request, "
        "SignedHeaders=host;x-amz-date, Signature=" + "0" * 64
    )


@dataclass(slots=True)
class Answer:
    status: int
    headers: dict[str, str]
    body: bytes
    seconds: float

    def json(self) -> Any:
        return json.loads(self.body)


def send(
    port: int, method: str, path: str, body: bytes = b"", headers: dict[str, str] | None = None, timeout: float = 20
) -> Answer:
    """One request on a fresh connection; ``path`` is sent as given (query string included, not re-encoded)."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    started = time.monotonic()
    try:
        connection.putrequest(method, path, skip_host=True, skip_accept_encoding=True)
        all_headers = {"Host": f"127.0.0.1:{port}", "X-Amz-Date": "20240101T000000Z", **(headers or {})}
        all_headers["Content-Length"] = str(len(body))
        for name, value in all_headers.items():
            connection.putheader(name, value.encode("latin-1", "replace"))
        connection.endheaders(body)
        response = connection.getresponse()
        data = response.read()
        return Answer(
            response.status, {k.lower(): v for k, v in response.getheaders()}, data, time.monotonic() - started
        )
    finally:
        connection.close()


def health_seconds(port: int) -> float:
    """How long the health endpoint takes to answer (a stalled event loop answers nothing)."""
    answer = send(port, "GET", "/_gureum/health", timeout=5)
    assert answer.status == 200, answer
    return answer.seconds


def assert_responsive(port: int) -> None:
    seconds = health_seconds(port)
    assert seconds < 1.0, f"health took {seconds:.2f}s: the event loop stalled"


def error_code(protocol: str, answer: Answer) -> str:
    """The AWS error code of a 4xx/5xx answer, asserting the body has the shape ``protocol`` gives errors."""
    if protocol == "json":
        assert answer.headers.get("content-type", "").startswith("application/x-amz-json-1."), answer.headers
        doc = answer.json()
        assert isinstance(doc, dict) and isinstance(doc.get("__type"), str), doc
        assert isinstance(doc.get("message", doc.get("Message")), str), doc
        return str(doc["__type"]).rpartition("#")[2]
    if protocol == "rest-json":
        assert answer.headers.get("content-type", "").startswith("application/json"), answer.headers
        doc = answer.json()
        assert isinstance(doc, dict), doc
        assert isinstance(doc.get("message", doc.get("Message")), str), doc
        code = answer.headers.get("x-amzn-errortype") or doc.get("__type") or doc.get("code")
        assert isinstance(code, str) and code, (answer.headers, doc)
        return code.partition(":")[0]
    root = ElementTree.fromstring(answer.body)
    if protocol == "query":
        assert root.tag.rpartition("}")[2] == "ErrorResponse", answer.body[:300]
        code = root.find("./{*}Error/{*}Code")
    else:  # rest-xml
        assert root.tag == "Error", answer.body[:300]
        code = root.find("./Code")
    assert code is not None and code.text, answer.body[:300]
    return code.text
