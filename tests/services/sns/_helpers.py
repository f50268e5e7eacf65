"""Helpers for the SNS end-to-end tests: error assertions, queues, an HTTP endpoint that records what SNS
POSTs, the admin outbox, and an independent check of SNS message signatures."""

from __future__ import annotations

import base64
import json
import threading
import time
import urllib.request
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding

from ...expect import ACCOUNT, REGION, expect_error  # noqa: F401  (re-exported)


def queue(sqs: Any, name: str, **attributes: Any) -> tuple[str, str]:
    """Create a queue (FIFO when the name ends with .fifo); return (url, arn)."""
    attrs = {k: str(v) for k, v in attributes.items()}
    if name.endswith(".fifo"):
        attrs.setdefault("FifoQueue", "true")
    url = sqs.create_queue(QueueName=name, Attributes=attrs)["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    return url, arn


def receive(sqs: Any, url: str, expected: int = 1, timeout: float = 5.0, **kwargs: Any) -> list[dict[str, Any]]:
    """Receive until `expected` messages arrived or the timeout passed."""
    out: list[dict[str, Any]] = []
    deadline = time.monotonic() + timeout
    while len(out) < expected and time.monotonic() < deadline:
        got = sqs.receive_message(
            QueueUrl=url, MaxNumberOfMessages=min(10, expected - len(out)), WaitTimeSeconds=1, **kwargs
        )
        out += got.get("Messages", [])
    return out


def bodies_until(sqs: Any, url: str, last: str, timeout: float = 5.0) -> list[str]:
    """Every body in the queue up to the message `last` (published last: fan-out commits with each publish, so
    whatever was delivered before it is in the queue by then)."""
    out: list[str] = []
    deadline = time.monotonic() + timeout
    while last not in out and time.monotonic() < deadline:
        out += [
            m["Body"]
            for m in sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, WaitTimeSeconds=1).get("Messages", [])
        ]
    out += [m["Body"] for m in sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10).get("Messages", [])]
    assert last in out, f"{last!r} never arrived (got {out})"
    return out


def wait_until(check: Callable[[], Any], timeout: float = 5.0, every: float = 0.05) -> Any:
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"condition not met within {timeout}s (last value {value!r})")
        time.sleep(every)


def outbox(base: str, **filters: str) -> list[dict[str, Any]]:
    """GET /_gureum/sns/messages with these filters (protocol, endpoint, type, topicArn, region, ...)."""
    query = "&".join(f"{k}={urllib.request.quote(v, safe='')}" for k, v in filters.items())
    with urllib.request.urlopen(f"{base}/_gureum/sns/messages?{query}") as resp:
        return json.loads(resp.read())["messages"]  # type: ignore[no-any-return]


def admin_post(endpoint: str, path: str, doc: dict[str, Any]) -> dict[str, Any]:
    request = urllib.request.Request(
        f"{endpoint}{path}", data=json.dumps(doc).encode(), method="POST", headers={"Content-Type": "application/json"}
    )
    with urllib.request.urlopen(request) as resp:
        return json.loads(resp.read())  # type: ignore[no-any-return]


def http_get(url: str) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(url) as resp:
            return resp.status, resp.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


def verify_signature(message: dict[str, Any]) -> None:
    """Check an SNS message's signature against the certificate at its SigningCertURL, as AWS documents it
    (sns-verify-signature-of-message.html); raises InvalidSignature on a mismatch."""
    with urllib.request.urlopen(message["SigningCertURL"]) as resp:
        cert = x509.load_pem_x509_certificate(resp.read())
    if message["Type"] == "Notification":
        keys = ("Message", "MessageId", "Subject", "Timestamp", "TopicArn", "Type")
    else:
        keys = ("Message", "MessageId", "SubscribeURL", "Timestamp", "Token", "TopicArn", "Type")
    data = "".join(f"{key}\n{message[key]}\n" for key in keys if key in message).encode()
    algorithm = hashes.SHA256() if message["SignatureVersion"] == "2" else hashes.SHA1()
    cert.public_key().verify(base64.b64decode(message["Signature"]), data, padding.PKCS1v15(), algorithm)  # type: ignore[union-attr, call-arg, arg-type]


class Recorder:
    """A local HTTP endpoint (a thread on 127.0.0.1) that records every POST and answers with the next status
    from `statuses` (then 200)."""

    def __init__(self, port: int = 0) -> None:
        self.requests: list[dict[str, Any]] = []
        self.statuses: list[int] = []
        self.lock = threading.Lock()
        recorder = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                with recorder.lock:
                    status = recorder.statuses.pop(0) if recorder.statuses else 200
                    recorder.requests.append(
                        {
                            "path": self.path,
                            "headers": {k.lower(): v for k, v in self.headers.items()},
                            "body": body.decode(),
                            "status": status,
                            "at": time.monotonic(),
                        }
                    )
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/hook"

    def of_type(self, kind: str) -> list[dict[str, Any]]:
        with self.lock:
            return [r for r in self.requests if r["headers"].get("x-amz-sns-message-type") == kind]

    def wait(self, kind: str, count: int = 1, timeout: float = 10.0) -> list[dict[str, Any]]:
        return wait_until(lambda: (found := self.of_type(kind)) and len(found) >= count and found, timeout)  # type: ignore[no-any-return]

    def close(self) -> None:
        if self.thread.is_alive():
            self.server.shutdown()
            self.server.server_close()


def confirm_http(sns: Any, recorder: Recorder, topic_arn: str, **attributes: str) -> str:
    """Subscribe the recorder, confirm through ConfirmSubscription with the token it received; return the ARN."""
    sns.subscribe(TopicArn=topic_arn, Protocol="http", Endpoint=recorder.url, Attributes=attributes)
    confirmation = json.loads(recorder.wait("SubscriptionConfirmation")[-1]["body"])
    return sns.confirm_subscription(TopicArn=topic_arn, Token=confirmation["Token"])["SubscriptionArn"]  # type: ignore[no-any-return]
