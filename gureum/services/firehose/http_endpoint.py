"""The HTTP endpoint destination with AWS's request/response contract (developer guide, "HTTP endpoint delivery
request and response specifications"): a POST of {"requestId", "timestamp", "records": [{"data": base64}]} with
X-Amz-Firehose-Protocol-Version, X-Amz-Firehose-Request-Id (the same on every retry), X-Amz-Firehose-Source-Arn,
X-Amz-Firehose-Access-Key and X-Amz-Firehose-Common-Attributes, optionally gzipped; success is a 200 whose JSON body
echoes the requestId. Failures are retried for RetryOptions.DurationInSeconds, then the records go to the S3
configuration's bucket as AWS's error documents (http-endpoint-failed); S3BackupMode AllData backs up every record.
http:// URLs are accepted too (local endpoints), beside AWS's https://."""

from __future__ import annotations

import asyncio
import base64
import gzip
import json
import uuid
from typing import TYPE_CHECKING

import httpx

from . import prefixes, processing
from .processing import Failed, Rec
from .streams import DeliveryStream

if TYPE_CHECKING:
    from .flushing import Flusher

_FIRST_BACKOFF, _MOST_BACKOFF = 0.5, 30.0


def request_body(request_id: str, now_ms: int, records: list[Rec]) -> bytes:
    return json.dumps({
        "requestId": request_id,
        "timestamp": now_ms,
        "records": [{"data": base64.b64encode(r.data).decode()} for r in records],
    }).encode()  # fmt: skip


def headers(s: DeliveryStream, request_id: str, access_key: str | None, gzipped: bool) -> dict[str, str]:
    d = s.description
    out = {
        "Content-Type": "application/json",
        "X-Amz-Firehose-Protocol-Version": "1.0",
        "X-Amz-Firehose-Request-Id": request_id,
        "X-Amz-Firehose-Source-Arn": s.arn,
        "User-Agent": "Amazon Kinesis Data Firehose Agent/1.0",
    }
    if access_key:
        out["X-Amz-Firehose-Access-Key"] = access_key
    attributes = (d.get("RequestConfiguration") or {}).get("CommonAttributes") or []
    if attributes:
        common = {a["AttributeName"]: a.get("AttributeValue", "") for a in attributes}
        out["X-Amz-Firehose-Common-Attributes"] = json.dumps({"commonAttributes": common})
    if gzipped:
        out["Content-Encoding"] = "gzip"
    return out


def _accepted(response: httpx.Response, request_id: str) -> str | None:
    """None when the endpoint accepted the request; else why not."""
    if response.status_code != 200:
        return f"The endpoint answered HTTP {response.status_code}: {response.text[:200]}"
    try:
        answer = json.loads(response.content or b"null")
    except ValueError:
        return "The endpoint's response is not JSON with requestId and timestamp."
    if not isinstance(answer, dict) or answer.get("requestId") != request_id:
        return "The endpoint's response does not carry the request's requestId."
    return None


async def post(flusher: Flusher, s: DeliveryStream, records: list[Rec]) -> tuple[str | None, str, int]:
    """POST the records, retrying for the retry duration: (None, "", attempts) on success, else (code, message,
    attempts)."""
    d = s.description
    clock = flusher.runtime.clock
    request_id = str(uuid.uuid4())
    gzipped = (d.get("RequestConfiguration") or {}).get("ContentEncoding") == "GZIP"
    body = request_body(request_id, clock.now_ms(), records)
    if gzipped:
        body = await asyncio.to_thread(gzip.compress, body)
    sent_headers = headers(s, request_id, s.destination.get("access_key"), gzipped)
    url = d["EndpointConfiguration"]["Url"]
    deadline = clock.monotonic() + int((d.get("RetryOptions") or {}).get("DurationInSeconds", 300))
    backoff, attempts = _FIRST_BACKOFF, 0
    code, message = "HttpEndpoint.RequestTimeout", ""
    async with httpx.AsyncClient(timeout=flusher.be.settings.http_timeout) as client:
        while True:
            attempts += 1
            try:
                response = await client.post(url, content=body, headers=sent_headers)
                why = _accepted(response, request_id)
                if why is None:
                    return None, "", attempts
                code = "HttpEndpoint.InvalidResponseFromDestination"
                message = why
            except httpx.TimeoutException:
                code, message = "HttpEndpoint.RequestTimeout", f"The request to {url} timed out."
            except httpx.HTTPError as error:
                code, message = "HttpEndpoint.ConnectionFailed", f"Could not connect to {url}: {error}"
            await flusher.log_error(s, code, message)
            if clock.monotonic() + backoff > deadline:
                return code, message, attempts
            await asyncio.sleep(backoff)
            backoff = min(_MOST_BACKOFF, backoff * 2)


async def deliver(flusher: Flusher, s: DeliveryStream, records: list[Rec]) -> list[tuple[str, str, int, int]]:
    """One flush to the endpoint; the S3 objects written (backups, failed records)."""
    d = s.description
    s3 = d["S3DestinationDescription"]
    originals = list(records)
    records, failed = await flusher.process(s, records, False)
    objects: list[tuple[str, str, int, int]] = []
    if records:
        code, message, attempts = await post(flusher, s, records)
        if code is not None:
            now = flusher.runtime.clock.now()
            url = d["EndpointConfiguration"]["Url"]
            failed += [
                Failed(r, "http-endpoint-failed", processing.error_document(
                    r, code, message, attempts, now, EndpointUrl=url))
                for r in records
            ]  # fmt: skip
    zone = prefixes.zone(None)
    objects += await flusher.write_failed(s, s3, failed, zone)
    if d.get("S3BackupMode") == "AllData":
        objects += await flusher.backup(s, s3, originals)
    return objects
