"""Policies SNS keeps as JSON attributes: the HTTP/S DeliveryPolicy (topic and subscription forms, the effective
policy and the retry schedule it implies), the subscription RedrivePolicy, the topic's default access Policy and
AddPermission statements.  Pure functions; JSON syntax errors are worded as AWS's (Jackson) parser words them."""

from __future__ import annotations

import functools
import json
import re
from dataclasses import dataclass
from typing import Any

from ... import safejson
from ...aws.errors import ServiceError
from ...delivery import RetryPolicy
from . import arns, limits
from .errors import InvalidParameter

_COMPACT = (",", ":")
_JACKSON_SOURCE = (
    "\n at [Source: REDACTED (`StreamReadFeature.INCLUDE_SOURCE_IN_LOCATION` disabled); line: {line}, column: {column}]"
)
_EXPECTING_VALUE = "(JSON String, Number, Array, Object or token 'null', 'true' or 'false')"
HEALTHY_DEFAULT: dict[str, Any] = {
    "minDelayTarget": 20,
    "maxDelayTarget": 20,
    "numRetries": 3,
    "numMaxDelayRetries": 0,
    "numNoDelayRetries": 0,
    "numMinDelayRetries": 0,
    "backoffFunction": "linear",
}
_BACKOFF = ("arithmetic", "exponential", "geometric", "linear")
_CONTENT_TYPES = (
    "application/json", "application/xml", "text/csv", "text/html", "text/plain", "text/xml",
    "application/x-www-form-urlencoded", "application/octet-stream",
)  # fmt: skip


def dumps(doc: Any) -> str:
    return json.dumps(doc, separators=_COMPACT, ensure_ascii=False)


def _char(ch: str) -> str:
    code = ord(ch)
    if code < 0x20:
        return f"(CTRL-CHAR, code {code})"
    return f"'{ch}' (code {code})"


def _jackson(error: json.JSONDecodeError, text: str) -> str:
    """The common Jackson messages for what Python's json reports (SNS parses policies with Jackson)."""
    pos, column = error.pos, error.colno
    ch = text[pos] if pos < len(text) else None
    if ch is None:
        reason = "Unexpected end-of-input"
    elif error.msg.startswith("Expecting property name"):
        reason = f"Unexpected character ({_char(ch)}): was expecting double-quote to start field name"
    elif error.msg == "Expecting value" and (ch.isalnum() or ch == "_"):
        token = re.match(r"[\w$-]+", text[pos:])
        word = token.group(0) if token else ch
        reason, column = f"Unrecognized token '{word}': was expecting {_EXPECTING_VALUE}", column + len(word)
    else:
        reason = f"Unexpected character ({_char(ch)})"
    return reason + _JACKSON_SOURCE.format(line=error.lineno, column=column)


def parse_json(text: str, member: str, prefix: str = "Invalid parameter: ") -> Any:
    try:
        return safejson.loads(text)
    except safejson.UnsafeJson as error:  # AWS: "Invalid parameter: Policy Error: <why>"
        raise InvalidParameter(f"{prefix}{member} Error: {error}") from None
    except json.JSONDecodeError as error:
        raise InvalidParameter(f"{prefix}{member}: failed to parse JSON. {_jackson(error, text)}") from None


# --- DeliveryPolicy --------------------------------------------------------------------------------


def _drop_nulls(doc: Any) -> Any:
    if isinstance(doc, dict):
        return {k: _drop_nulls(v) for k, v in doc.items() if v is not None}
    return doc


def _retry(policy: Any, where: str, prefix: str) -> dict[str, Any]:
    """A healthy retry policy with AWS's rules; missing fields take the defaults."""

    def bad(reason: str) -> ServiceError:
        return InvalidParameter(f"{prefix}DeliveryPolicy: {where}.{reason}")

    if not isinstance(policy, dict):
        raise InvalidParameter(f"{prefix}DeliveryPolicy: {where} must be an object")
    merged = {**HEALTHY_DEFAULT, **{k: v for k, v in policy.items() if v is not None}}
    for key, value in merged.items():
        if key == "backoffFunction":
            if value not in _BACKOFF:
                raise bad(f"backoffFunction must be one of {', '.join(_BACKOFF)}")
        elif key not in HEALTHY_DEFAULT:
            raise InvalidParameter(f"{prefix}DeliveryPolicy: {where}.{key} is not a valid attribute")
        elif not isinstance(value, int) or isinstance(value, bool) or value < 0:
            raise bad(f"{key} must be a non-negative integer")
    if not 1 <= merged["minDelayTarget"] <= merged["maxDelayTarget"]:
        raise bad("minDelayTarget must be at least 1 and at most maxDelayTarget")
    if merged["maxDelayTarget"] > limits.HTTP_MAX_RETRY_SECONDS:
        raise bad(f"maxDelayTarget must be at most {limits.HTTP_MAX_RETRY_SECONDS}")
    if merged["numRetries"] > 100:
        raise bad("numRetries must be at most 100")
    phases = merged["numNoDelayRetries"] + merged["numMinDelayRetries"] + merged["numMaxDelayRetries"]
    if phases > merged["numRetries"]:
        raise bad("numRetries must be at least numNoDelayRetries + numMinDelayRetries + numMaxDelayRetries")
    if merged["numRetries"] * merged["minDelayTarget"] > limits.HTTP_MAX_RETRY_SECONDS:
        raise bad(f"the total retry time must not exceed {limits.HTTP_MAX_RETRY_SECONDS} seconds")
    return merged


def _throttle(policy: Any, where: str, prefix: str) -> dict[str, Any]:
    rate = policy.get("maxReceivesPerSecond") if isinstance(policy, dict) else None
    if not isinstance(rate, int) or isinstance(rate, bool) or rate < 1:
        raise InvalidParameter(f"{prefix}DeliveryPolicy: {where}.maxReceivesPerSecond must be a positive integer")
    return {"maxReceivesPerSecond": rate}


def _request(policy: Any, where: str, prefix: str) -> dict[str, Any]:
    kind = policy.get("headerContentType") if isinstance(policy, dict) else None
    if not isinstance(kind, str) or kind.split(";")[0].strip() not in _CONTENT_TYPES:
        raise InvalidParameter(f"{prefix}DeliveryPolicy: {where}.headerContentType is not a supported content type")
    return {"headerContentType": kind}


def check_topic_delivery_policy(text: str, prefix: str = "Invalid parameter: ") -> str:
    """Validate a topic DeliveryPolicy ({"http": {...}}); nulls are dropped as AWS drops them."""
    doc = _drop_nulls(parse_json(text, "DeliveryPolicy", prefix))
    if not isinstance(doc, dict):
        raise InvalidParameter(f"{prefix}DeliveryPolicy: must be a JSON object")
    http = doc.get("http", {})
    if not isinstance(http, dict):
        raise InvalidParameter(f"{prefix}DeliveryPolicy: http must be an object")
    if "defaultHealthyRetryPolicy" in http:
        _retry(http["defaultHealthyRetryPolicy"], "http.defaultHealthyRetryPolicy", prefix)
    if "defaultThrottlePolicy" in http:
        _throttle(http["defaultThrottlePolicy"], "http.defaultThrottlePolicy", prefix)
    if "defaultRequestPolicy" in http:
        _request(http["defaultRequestPolicy"], "http.defaultRequestPolicy", prefix)
    return dumps(doc)


def check_subscription_delivery_policy(text: str, prefix: str = "Invalid parameter: ") -> str:
    """Validate a subscription DeliveryPolicy and store it in AWS's full form (absent parts are null)."""
    doc = parse_json(text, "DeliveryPolicy", prefix)
    if not isinstance(doc, dict):
        raise InvalidParameter(f"{prefix}DeliveryPolicy: must be a JSON object")
    healthy = doc.get("healthyRetryPolicy")
    throttle = doc.get("throttlePolicy")
    request = doc.get("requestPolicy")
    return dumps(
        {
            "healthyRetryPolicy": _retry(healthy, "healthyRetryPolicy", prefix) if healthy is not None else None,
            "sicklyRetryPolicy": None,
            "throttlePolicy": _throttle(throttle, "throttlePolicy", prefix) if throttle is not None else None,
            "requestPolicy": _request(request, "requestPolicy", prefix) if request is not None else None,
            "guaranteed": False,
        }
    )


@functools.lru_cache(maxsize=1024)
def topic_effective(topic_policy: str | None) -> dict[str, Any]:
    """EffectiveDeliveryPolicy of a topic: its DeliveryPolicy over AWS's defaults."""
    http = (json.loads(topic_policy).get("http") or {}) if topic_policy else {}
    effective: dict[str, Any] = {
        "defaultHealthyRetryPolicy": {**HEALTHY_DEFAULT, **(http.get("defaultHealthyRetryPolicy") or {})},
        "disableSubscriptionOverrides": bool(http.get("disableSubscriptionOverrides", False)),
    }
    if http.get("defaultThrottlePolicy"):
        effective["defaultThrottlePolicy"] = http["defaultThrottlePolicy"]
    effective["defaultRequestPolicy"] = {
        "headerContentType": limits.DEFAULT_CONTENT_TYPE,
        **(http.get("defaultRequestPolicy") or {}),
    }
    return {"http": effective}


@functools.lru_cache(maxsize=4096)
def subscription_effective(topic_policy: str | None, subscription_policy: str | None) -> dict[str, Any]:
    """EffectiveDeliveryPolicy of an HTTP/S subscription: its own policy, else the topic's defaults."""
    topic = topic_effective(topic_policy)["http"]
    own = json.loads(subscription_policy) if subscription_policy else {}
    override = not topic["disableSubscriptionOverrides"]
    healthy = (
        own.get("healthyRetryPolicy")
        if override and own.get("healthyRetryPolicy")
        else topic["defaultHealthyRetryPolicy"]
    )
    throttle = (
        own.get("throttlePolicy") if override and own.get("throttlePolicy") else topic.get("defaultThrottlePolicy")
    )
    return {
        "healthyRetryPolicy": {**HEALTHY_DEFAULT, **(healthy or {})},
        "sicklyRetryPolicy": None,
        "throttlePolicy": throttle,
        "requestPolicy": own.get("requestPolicy") or topic["defaultRequestPolicy"],
        "guaranteed": False,
    }


@dataclass(slots=True, frozen=True)
class HttpDelivery:
    """How to deliver to one HTTP/S subscription: the retry schedule, immediate retries, rate and content type."""

    retry: RetryPolicy
    immediate: int
    max_per_second: int | None
    content_type: str

    def header(self) -> dict[str, Any]:
        return {"immediate": self.immediate, "max_per_second": self.max_per_second}


@functools.lru_cache(maxsize=4096)
def http_delivery(topic_policy: str | None, subscription_policy: str | None) -> HttpDelivery:
    """AWS's four phases mapped onto the outbox's schedule: the no-delay retries happen inside one delivery
    call, the rest back off from minDelayTarget to maxDelayTarget (linear/arithmetic or exponential/geometric)."""
    effective = subscription_effective(topic_policy, subscription_policy)
    healthy = effective["healthyRetryPolicy"]
    immediate = healthy["numNoDelayRetries"]
    backoff = "linear" if healthy["backoffFunction"] in ("linear", "arithmetic") else "exponential"
    retry = RetryPolicy(
        attempts=1 + max(0, healthy["numRetries"] - immediate),
        min_delay=float(healthy["minDelayTarget"]),
        max_delay=float(healthy["maxDelayTarget"]),
        backoff=backoff,
        max_age=float(limits.HTTP_MAX_RETRY_SECONDS + 60),
    )
    throttle = (effective.get("throttlePolicy") or {}).get("maxReceivesPerSecond")
    return HttpDelivery(retry, immediate, throttle, effective["requestPolicy"]["headerContentType"])


# AWS managed endpoints (SQS, Firehose): 3 immediate, 2 at 1 s, 10 backing off 1-20 s, 100,000 at 20 s
MANAGED_RETRY = RetryPolicy(
    attempts=100_015, min_delay=1.0, max_delay=20.0, backoff="exponential", max_age=23 * 86_400.0
)
# SNS invokes Lambda asynchronously: a failing function is retried as Lambda retries asynchronous invocations,
# twice, a minute and two minutes later, within six hours (invocation-async-error-handling.html)
LAMBDA_RETRY = RetryPolicy(attempts=3, min_delay=60.0, max_delay=120.0, max_age=21_600.0)


# --- RedrivePolicy ---------------------------------------------------------------------------------


def check_redrive_policy(text: str, prefix: str, *, fifo_topic: bool, fifo_endpoint: bool) -> str:
    doc = parse_json(text, "RedrivePolicy", prefix)
    target = doc.get("deadLetterTargetArn") if isinstance(doc, dict) else None
    if not isinstance(target, str) or arns.queue(target) is None:
        raise InvalidParameter(f"{prefix}RedrivePolicy: deadLetterTargetArn is an invalid arn")
    if fifo_topic and fifo_endpoint and not target.endswith(".fifo"):
        raise InvalidParameter(
            f"{prefix}RedrivePolicy: must use a FIFO queue as DLQ for a FIFO Subscription to a FIFO Topic."
        )
    return dumps({"deadLetterTargetArn": target})


def dead_letter_arn(redrive: str | None) -> str | None:
    return json.loads(redrive)["deadLetterTargetArn"] if redrive else None


# --- access Policy ---------------------------------------------------------------------------------


def default_policy(topic_arn: str, account: str) -> str:
    statement = {
        "Sid": "__default_statement_ID",
        "Effect": "Allow",
        "Principal": {"AWS": "*"},
        "Action": [f"SNS:{action}" for action in limits.POLICY_ACTIONS],
        "Resource": topic_arn,
        "Condition": {"StringEquals": {"AWS:SourceOwner": account}},
    }
    return dumps({"Version": "2008-10-17", "Id": "__default_policy_ID", "Statement": [statement]})


def add_statement(policy: str, topic_arn: str, label: str, accounts: list[str], actions: list[str]) -> str:
    doc = json.loads(policy)
    statements = doc.setdefault("Statement", [])
    if any(s.get("Sid") == label for s in statements):
        raise InvalidParameter("Invalid parameter: Statement already exists")
    if any(action not in limits.PERMISSION_ACTIONS for action in actions):
        raise InvalidParameter("Invalid parameter: Policy statement action out of service scope!")
    principals = [f"arn:aws:iam::{account}:root" for account in accounts]
    names = [f"SNS:{action}" for action in actions]
    statements.append(
        {
            "Sid": label,
            "Effect": "Allow",
            "Principal": {"AWS": principals[0] if len(principals) == 1 else principals},
            "Action": names[0] if len(names) == 1 else names,
            "Resource": topic_arn,
        }
    )
    return dumps(doc)


def remove_statement(policy: str, label: str) -> str:
    doc = json.loads(policy)
    doc["Statement"] = [s for s in doc.get("Statement", []) if s.get("Sid") != label]
    return dumps(doc)
