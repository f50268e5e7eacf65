"""The HTTP endpoint destination (AWS's request/response contract, retries within RetryDurationInSeconds, S3
backup of failed data) and delivery errors made visible: DescribeDeliveryStream's FailureDescription and the
CloudWatch Logs error log."""

from __future__ import annotations

import base64
import gzip
import json
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from ...awslogs import log_messages
from .conftest import body, s3_config, wait_keys


class Endpoint:
    """A local HTTP endpoint that records requests and fails the first ``failures`` of them."""

    def __init__(self) -> None:
        self.requests: list[tuple[dict[str, str], bytes]] = []
        self.failures = 0
        owner = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802
                raw = self.rfile.read(int(self.headers["Content-Length"]))
                owner.requests.append(({k.lower(): v for k, v in self.headers.items()}, raw))
                if len(owner.requests) <= owner.failures:
                    self.send_response(503)
                    self.end_headers()
                    return
                if self.headers.get("Content-Encoding") == "gzip":
                    raw = gzip.decompress(raw)
                answer = json.dumps({"requestId": json.loads(raw)["requestId"], "timestamp": 1}).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(answer)))
                self.end_headers()
                self.wfile.write(answer)

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/ingest"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def wait(self, count: int, timeout: float = 15.0) -> None:
        deadline = time.monotonic() + timeout
        while len(self.requests) < count:
            assert time.monotonic() < deadline, f"{len(self.requests)} request(s), expected {count}"
            time.sleep(0.05)


@pytest.fixture
def receiver() -> Iterator[Endpoint]:
    e = Endpoint()
    yield e
    e.server.shutdown()


def _http_config(url: str, bucket: str, **extra: Any) -> dict[str, Any]:
    return {
        "EndpointConfiguration": {"Url": url, "Name": "local", "AccessKey": "secret-key"},
        "BufferingHints": {"SizeInMBs": 1, "IntervalInSeconds": 1},
        "RequestConfiguration": {
            "ContentEncoding": "GZIP",
            "CommonAttributes": [{"AttributeName": "env", "AttributeValue": "test"}],
        },
        "S3Configuration": s3_config(bucket),
        **extra,
    }


def test_http_endpoint_contract_and_retries(firehose: Any, s3: Any, bucket: str, name: str, receiver: Endpoint) -> None:
    receiver.failures = 1
    arn = firehose.create_delivery_stream(
        DeliveryStreamName=name, HttpEndpointDestinationConfiguration=_http_config(receiver.url, bucket)
    )["DeliveryStreamARN"]
    d = firehose.describe_delivery_stream(DeliveryStreamName=name)["DeliveryStreamDescription"]
    described = d["Destinations"][0]["HttpEndpointDestinationDescription"]
    assert described["EndpointConfiguration"] == {"Url": receiver.url, "Name": "local"}  # never the access key
    assert described["RetryOptions"] == {"DurationInSeconds": 300} and described["S3BackupMode"] == "FailedDataOnly"
    firehose.put_record_batch(DeliveryStreamName=name, Records=[{"Data": b"one"}, {"Data": b"two"}])
    receiver.wait(2)
    (first_headers, _), (headers, raw) = receiver.requests[:2]
    assert headers["x-amz-firehose-request-id"] == first_headers["x-amz-firehose-request-id"]  # same on retry
    assert headers["x-amz-firehose-access-key"] == "secret-key"
    assert headers["x-amz-firehose-protocol-version"] == "1.0"
    assert headers["x-amz-firehose-source-arn"] == arn
    assert json.loads(headers["x-amz-firehose-common-attributes"]) == {"commonAttributes": {"env": "test"}}
    assert headers["content-type"] == "application/json" and headers["content-encoding"] == "gzip"
    doc = json.loads(gzip.decompress(raw))
    assert doc["requestId"] == headers["x-amz-firehose-request-id"] and isinstance(doc["timestamp"], int)
    assert [base64.b64decode(r["data"]) for r in doc["records"]] == [b"one", b"two"]
    time.sleep(1.5)
    assert len(receiver.requests) == 2, "an accepted request is not sent again"


def test_http_failures_backed_up_to_s3(firehose: Any, s3: Any, bucket: str, name: str, receiver: Endpoint) -> None:
    receiver.failures = 1000
    firehose.create_delivery_stream(
        DeliveryStreamName=name,
        HttpEndpointDestinationConfiguration=_http_config(receiver.url, bucket, RetryOptions={"DurationInSeconds": 1}),
    )
    firehose.put_record(DeliveryStreamName=name, Record={"Data": b"lost?"})
    key = wait_keys(s3, bucket, 1, timeout=15)[0]
    assert key.startswith("http-endpoint-failed/")
    error = json.loads(body(s3, bucket, key))
    assert base64.b64decode(error["rawData"]) == b"lost?" and error["attemptsMade"] >= 2
    assert error["errorCode"] == "HttpEndpoint.InvalidResponseFromDestination"


def test_s3_failures_visible_and_logged(aws: Any, firehose: Any, s3: Any, name: str) -> None:
    logs = aws("logs")
    missing = f"{name}-later"
    firehose.create_delivery_stream(
        DeliveryStreamName=name,
        ExtendedS3DestinationConfiguration=s3_config(
            missing, BufferingHints={"SizeInMBs": 1, "IntervalInSeconds": 0},
            CloudWatchLoggingOptions={"Enabled": True, "LogGroupName": f"/aws/firehose/{name}",
                                      "LogStreamName": "DestinationDelivery"},
        ),
    )  # fmt: skip
    firehose.put_record(DeliveryStreamName=name, Record={"Data": b"kept"})
    deadline = time.monotonic() + 10
    while True:
        d = firehose.describe_delivery_stream(DeliveryStreamName=name)["DeliveryStreamDescription"]
        if "FailureDescription" in d:
            break
        assert time.monotonic() < deadline, "the failing delivery should show in DescribeDeliveryStream"
        time.sleep(0.1)
    assert "S3.NoSuchBucket" in d["FailureDescription"]["Details"]
    logged = json.loads(log_messages(logs, f"/aws/firehose/{name}", stream="DestinationDelivery")[0])
    assert logged["errorCode"] == "S3.NoSuchBucket" and logged["deliveryStreamARN"].endswith(name)
    s3.create_bucket(Bucket=missing)  # the next try (5 s later) delivers the kept record
    key = wait_keys(s3, missing, 1, timeout=12)[0]
    assert body(s3, missing, key) == b"kept"
    d = firehose.describe_delivery_stream(DeliveryStreamName=name)["DeliveryStreamDescription"]
    assert "FailureDescription" not in d


def test_update_http_destination(firehose: Any, bucket: str, name: str, receiver: Endpoint) -> None:
    firehose.create_delivery_stream(
        DeliveryStreamName=name, HttpEndpointDestinationConfiguration=_http_config("https://example.invalid", bucket)
    )
    firehose.update_destination(
        DeliveryStreamName=name,
        CurrentDeliveryStreamVersionId="1",
        DestinationId="destinationId-000000000001",
        HttpEndpointDestinationUpdate={
            "EndpointConfiguration": {"Url": receiver.url, "Name": "moved", "AccessKey": "new-key"},
            "RetryOptions": {"DurationInSeconds": 60},
        },
    )
    d = firehose.describe_delivery_stream(DeliveryStreamName=name)["DeliveryStreamDescription"]
    described = d["Destinations"][0]["HttpEndpointDestinationDescription"]
    assert d["VersionId"] == "2" and described["EndpointConfiguration"] == {"Url": receiver.url, "Name": "moved"}
    assert described["RetryOptions"] == {"DurationInSeconds": 60}
    assert described["RequestConfiguration"]["ContentEncoding"] == "GZIP"  # members not in the update are kept
    firehose.put_record(DeliveryStreamName=name, Record={"Data": b"after the update"})
    receiver.wait(1)
    headers, _ = receiver.requests[0]
    assert headers["x-amz-firehose-access-key"] == "new-key"
