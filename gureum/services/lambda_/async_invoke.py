"""Asynchronous invocation: an Event invocation is an outbox row ("lambda-event"), so it survives a restart, enqueued
with the function's retry policy and failure handling; what the destinations receive (AWS's invocation record) and
what the dead-letter queue or topic receives once retries are exhausted
(https://docs.aws.amazon.com/lambda/latest/dg/invocation-async-error-handling.html,
https://docs.aws.amazon.com/lambda/latest/dg/invocation-async-retain-records.html). No processes."""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import json
import re
import uuid
from typing import Any

from ... import safejson
from ...aws.auth import DEFAULT_ACCOUNT, DEFAULT_REGION
from ...aws.errors import ServiceError
from ...delivery import DeadLetter, Delivery, DeliveryError, RetryPolicy
from ...ids import unique_id
from ...store.base import Tx
from .aliases import resolve
from .environment import Outcome
from .errors import InvalidRequestContentException, RequestTooLargeException, invalid
from .functions import LATEST, Function, parse_function_name
from .limits import LOG_TAIL_BYTES, MAX_ASYNC_PAYLOAD, MAX_SYNC_PAYLOAD

EVENT_KIND = "lambda-event"  # one Event invocation of a function version or alias (its address)
FAILURE_KIND = "lambda-async-failure"  # an Event invocation failed for good: dead-letter message, OnFailure record
DEFAULT_RETRIES = 2  # AWS retries a failed Event invocation twice …
DEFAULT_MAX_AGE = 21_600  # … and keeps it for up to six hours
# a claimed Event invocation may run as long as the longest function timeout (plus an environment's start) unless
# its row carries its own function's bound (attempt_limit)
EVENT_TIMEOUT = 960.0
DESTINATION = re.compile(r"^arn:aws[a-zA-Z-]*:(sqs|sns|lambda|events):[a-z0-9-]+:\d{12}:(.+)$")
# the DLQ message's ErrorCode is the HTTP status of the failed invocation (200 for a function error)
_STATUS = {
    "Unhandled": 200,
    "TooManyRequestsException": 429,
    "ResourceNotFoundException": 404,
    "ResourceConflictException": 409,
}
MAX_ERROR_DOCUMENT = MAX_ASYNC_PAYLOAD
_START_ALLOWANCE = 15  # seconds for an environment to start and initialise (AWS allows 10 s of init)


# --- the payload and the answer --------------------------------------------------------------------


def check_json(payload: bytes) -> None:
    if not payload:
        return
    try:
        safejson.loads(payload)
    except (ValueError, UnicodeDecodeError) as exc:
        raise InvalidRequestContentException(
            f"Could not parse request body into json: Could not parse payload into json: {exc}", fields={"Type": "User"}
        ) from None


def check_sync_size(payload: bytes) -> None:
    if len(payload) > MAX_SYNC_PAYLOAD:
        raise RequestTooLargeException(
            f"Request must be smaller than {MAX_SYNC_PAYLOAD} bytes for the InvokeFunction operation",
            fields={"Type": "User"},
        )


def check_async_size(payload: bytes) -> None:
    if len(payload) > MAX_ASYNC_PAYLOAD:
        raise RequestTooLargeException(
            f"Request must be smaller than {MAX_ASYNC_PAYLOAD} bytes for the InvokeAsync operation",
            fields={"Type": "User"},
        )


def client_context(header: str | None) -> str | None:
    """X-Amz-Client-Context is base64 JSON; the runtime receives the JSON itself."""
    if not header:
        return None
    try:
        text = base64.b64decode(header, validate=True).decode()
        safejson.loads(text)
    except (ValueError, binascii.Error, UnicodeDecodeError):
        raise invalid("Client context must be a valid Base64-encoded JSON object.") from None
    if len(header) > 3583:
        raise invalid("Client context must be at most 3583 bytes (base64).")
    return text


def sync_output(fn: Function, outcome: Outcome) -> dict[str, Any]:
    """A RequestResponse invocation's answer: Invoke's output plus Log, the invocation's log text."""
    out: dict[str, Any] = {"StatusCode": 200, "Payload": outcome.body, "ExecutedVersion": fn.version,
                           "Log": outcome.log}  # fmt: skip
    if outcome.kind != "ok":
        out["FunctionError"] = "Unhandled"
    return out


def tail(log: str) -> str:
    """LogType Tail's LogResult: the last 4 KB of the log, base64."""
    return base64.b64encode(log.encode()[-LOG_TAIL_BYTES:]).decode()


# --- enqueueing ------------------------------------------------------------------------------------


def async_policy(fn: Function) -> RetryPolicy:
    """One minute, then two minutes between attempts, as AWS waits."""
    config = fn.event_invoke or {}
    retries = config.get("MaximumRetryAttempts", DEFAULT_RETRIES)
    return RetryPolicy(
        attempts=1 + retries,
        min_delay=60.0,
        max_delay=120.0,
        max_age=float(config.get("MaximumEventAgeInSeconds", DEFAULT_MAX_AGE)),
    )


def destination(fn: Function, condition: str) -> str | None:
    """The OnSuccess or OnFailure destination ARN of the function version's event invoke config."""
    config = ((fn.event_invoke or {}).get("DestinationConfig") or {}).get(condition) or {}
    return config.get("Destination") or None


def async_dead_letter(fn: Function, body: bytes, request_id: str) -> DeadLetter | None:
    """Where an Event invocation goes when retries are exhausted: FAILURE_KIND, carrying what the dead-letter
    message and the OnFailure record need (None when the function has neither)."""
    on_failure = destination(fn, "OnFailure")
    if not fn.dead_letter_arn and not on_failure:
        return None
    payload = {
        "request_id": request_id,
        "body": base64.b64encode(body).decode(),
        "function_arn": fn.qualified_arn,
        "version": fn.version,
        "dead_letter": fn.dead_letter_arn,
        "on_failure": on_failure,
        "max_attempts": async_policy(fn).attempts,
    }
    return DeadLetter(
        FAILURE_KIND,
        fn.qualified_arn,
        payload,
        error_attributes={"code": "code", "message": "message", "attempts": "attempts"},
    )


def attempt_limit(fn: Function) -> float:
    """How long one asynchronous attempt may hold its outbox row: the function's own timeout plus a start, so a node
    that dies mid-invocation delays the retry by about that, not by the longest possible function timeout."""
    return float(fn.timeout + _START_ALLOWANCE)


def enqueue(
    delivery: Delivery, tx: Tx, fn: Function, address: str, body: bytes, request_id: str, context: str | None
) -> None:
    """Accept an Event invocation of ``fn`` (invoked as ``address``) into its asynchronous queue."""
    doc = {"body": base64.b64encode(body).decode(), "request_id": request_id, "client_context": context}
    delivery.enqueue(tx, EVENT_KIND, address, doc, policy=async_policy(fn),
                     dead_letter=async_dead_letter(fn, body, request_id), source=address,
                     timeout=attempt_limit(fn))  # fmt: skip


def accept(delivery: Delivery, tx: Tx, address: str, payload: dict[str, Any]) -> None:
    """Another service's event (SNS notification, EventBridge event, a destination's record, …) for the function
    at ``address``: accepted into the function's asynchronous queue, as AWS's asynchronous Invoke accepts it.

    A payload of just {"_raw": text} carries input that is not a JSON object (an EventBridge input transformer's
    string, say): the text itself is the invocation payload."""
    raw = payload.get("_raw") if len(payload) == 1 else None
    body = raw.encode() if isinstance(raw, str) else json.dumps(payload).encode()
    try:
        ref = parse_function_name(address)
        account, region = ref.account or DEFAULT_ACCOUNT, ref.region or DEFAULT_REGION
        fn = resolve(tx, account, region, ref.name, ref.qualifier, own=True)
    except ServiceError as error:
        raise DeliveryError(error.message, code=error.code, retryable=False) from error
    if fn is None:
        raise DeliveryError(f"Function not found: {address}", code="ResourceNotFoundException", retryable=False)
    if len(body) > MAX_ASYNC_PAYLOAD:
        raise DeliveryError(
            f"Request must be smaller than {MAX_ASYNC_PAYLOAD} bytes for the InvokeAsync operation",
            code="RequestTooLargeException",
            retryable=False,
        )
    enqueue(delivery, tx, fn, address, body, unique_id(), None)


def attempt_failed(error: ServiceError) -> DeliveryError:
    """An attempt that could not run the function: throttles, server faults and Pending functions are retried."""
    retryable = error.status == 429 or error.status >= 500 or error.code == "ResourceConflictException"
    return DeliveryError(error.message, code=error.code, retryable=retryable)


def function_failed(outcome: Outcome) -> DeliveryError:
    """A function error: the DeliveryError's message is the function's error document (the failure handler builds
    the dead-letter message and the OnFailure record from it)."""
    return DeliveryError(outcome.body[:MAX_ERROR_DOCUMENT].decode("utf-8", "replace"), code="Unhandled")


# --- records and failures --------------------------------------------------------------------------


def _timestamp(seconds: float) -> str:
    return dt.datetime.fromtimestamp(seconds, dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


def _json_or_text(raw: bytes) -> Any:
    try:
        return safejson.loads(raw) if raw.strip() else None
    except (ValueError, UnicodeDecodeError):
        return raw.decode("utf-8", "replace")


def invocation_record(now: float, *, request_id: str, function_arn: str, condition: str, attempts: int,
                      request: bytes, status: int, version: str, function_error: str | None,
                      response: bytes | None) -> dict[str, Any]:  # fmt: skip
    """AWS's invocation record, as destinations receive it."""
    context: dict[str, Any] = {"statusCode": status, "executedVersion": version}
    if function_error:
        context["functionError"] = function_error
    record: dict[str, Any] = {
        "version": "1.0",
        "timestamp": _timestamp(now),
        "requestContext": {
            "requestId": request_id,
            "functionArn": function_arn,
            "condition": condition,
            "approximateInvokeCount": attempts,
        },
        "requestPayload": _json_or_text(request),
        "responseContext": context,
    }
    if response is not None:
        record["responsePayload"] = _json_or_text(response)
    return record


def send_record(delivery: Delivery, tx: Tx, target: str, record: dict[str, Any]) -> None:
    """Enqueue an invocation record for a destination: an SQS queue, SNS topic, function or EventBridge bus."""
    match = DESTINATION.match(target)
    if match is None:
        return
    service, text = match.group(1), json.dumps(record)
    function = record["requestContext"]["functionArn"]
    if service == "sqs":
        delivery.enqueue(tx, "sqs", target, {"body": text}, source=function)
    elif service == "sns":
        delivery.enqueue(tx, "sns", target, {"message": text}, source=function)
    elif service == "lambda":
        delivery.enqueue(tx, "lambda", target, record, source=function)
    else:
        parts = target.split(":")
        success = record["requestContext"]["condition"] == "Success"
        event = {
            "version": "0",
            "id": str(uuid.uuid4()),
            "detail-type": f"Lambda Function Invocation Result - {'Success' if success else 'Failure'}",
            "source": "lambda",
            "account": parts[4],
            "time": record["timestamp"][:19] + "Z",
            "region": parts[3],
            "resources": [target, function],
            "detail": record,
        }
        delivery.enqueue(tx, "events", target, {"event": event, "hops": 1}, source=function)


def failed_for_good(delivery: Delivery, tx: Tx, address: str, payload: dict[str, Any], now: float) -> None:
    """FAILURE_KIND: an Event invocation failed for good. The DeadLetterConfig target gets the request payload
    with RequestID, ErrorCode and ErrorMessage attributes; OnFailure gets the invocation record."""
    try:
        _failed(delivery, tx, address, payload, now)
    except (KeyError, ValueError, TypeError) as error:
        raise DeliveryError(f"malformed failure record: {error}", code="InvalidPayload", retryable=False) from error


def _failed(delivery: Delivery, tx: Tx, address: str, payload: dict[str, Any], now: float) -> None:
    given = {name: value.get("StringValue", "") for name, value in (payload.get("message_attributes") or {}).items()}
    code, message, attempts = given.get("code", ""), given.get("message", ""), int(given.get("attempts") or 1)
    request = base64.b64decode(payload["body"])
    # a function error carries the function's error document
    response = message.encode() if code == "Unhandled" else None
    parsed = _json_or_text(response) if response is not None else None
    error_message = parsed.get("errorMessage", message) if isinstance(parsed, dict) else message
    status = _STATUS.get(code, 500)
    dead = payload.get("dead_letter")
    if dead:
        attributes = {
            "RequestID": {"DataType": "String", "StringValue": payload["request_id"]},
            "ErrorCode": {"DataType": "Number", "StringValue": str(status)},  # a Number, as AWS sends it
            "ErrorMessage": {"DataType": "String", "StringValue": str(error_message)[:1024] or code},
        }
        text = request.decode("utf-8", "replace")
        kind = dead.split(":")[2]
        body = {"body" if kind == "sqs" else "message": text, "message_attributes": attributes}
        delivery.enqueue(tx, kind, dead, body, source=address)
    on_failure = payload.get("on_failure")
    if on_failure:
        exhausted = attempts >= int(payload.get("max_attempts") or 1) or status in (404, 409)
        record = invocation_record(now, request_id=payload["request_id"], function_arn=payload["function_arn"],
                                   condition="RetriesExhausted" if exhausted else "EventAgeExceeded",
                                   attempts=attempts, request=request, status=status,
                                   version=payload.get("version") or LATEST,
                                   function_error="Unhandled" if code == "Unhandled" else None,
                                   response=response)  # fmt: skip
        send_record(delivery, tx, on_failure, record)
