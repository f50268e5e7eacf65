"""SES email receiving, the rules: receipt rule and filter validation as AWS's API does it, which rule takes which
recipient, IP address filters (an Allow filter wins over a Block filter, as CDK's allow-list construct relies on),
and the JSON AWS hands to SNS topics (notifications) and Lambda functions (the receipt event). No HTTP, no SQL."""

from __future__ import annotations

import base64
import email.utils
import ipaddress
import secrets
import string
from dataclasses import dataclass
from typing import Any

from . import limits
from .errors import InvalidParameterValue
from .events import iso

_NAME_CHARS = frozenset(string.ascii_letters + string.digits + "_-.")
_HEADER_CHARS = frozenset(string.ascii_letters + string.digits + "-")
_ID_CHARS = string.ascii_lowercase + string.digits
REFUSED_ACTIONS = {"WorkmailAction": "Amazon WorkMail", "ConnectAction": "Amazon Connect"}
INBOUND_HOST = "inbound-smtp.gureum.localhost"


def check_name(kind: str, name: str) -> None:
    """Rule set, rule and filter names: ASCII letters, digits, '_', '-', '.'; start and end with a letter or digit;
    at most 64 characters."""
    ok = 0 < len(name) <= 64 and set(name) <= _NAME_CHARS and name[0].isalnum() and name[-1].isalnum()
    if not ok:
        raise InvalidParameterValue(
            f"Invalid {kind} name <{name}>: names contain only ASCII letters, numbers, underscores, periods or "
            "dashes, start and end with a letter or number, and are at most 64 characters."
        )


def normalise_rule(rule: dict[str, Any]) -> dict[str, Any]:
    """A ReceiptRule as CreateReceiptRule / UpdateReceiptRule take it, checked and with AWS's defaults filled in
    (Enabled false, TlsPolicy Optional, ScanEnabled false, Lambda Event, SNS UTF-8)."""
    check_name("rule", rule["Name"])
    recipients = [str(r) for r in rule.get("Recipients") or []]
    if len(recipients) > limits.MAX_RULE_RECIPIENTS:
        raise InvalidParameterValue(f"A rule can have at most {limits.MAX_RULE_RECIPIENTS} recipients.")
    out: dict[str, Any] = {
        "Name": rule["Name"],
        "Enabled": bool(rule.get("Enabled", False)),
        "TlsPolicy": rule.get("TlsPolicy") or "Optional",
        "Actions": [_action(a) for a in rule.get("Actions") or []],
        "ScanEnabled": bool(rule.get("ScanEnabled", False)),
    }
    if recipients:
        out["Recipients"] = recipients
    return out


def _action(action: dict[str, Any]) -> dict[str, Any]:
    kinds = [k for k, v in action.items() if v is not None]
    if len(kinds) != 1:
        raise InvalidParameterValue("Each receipt action must contain exactly one action type.")
    kind = kinds[0]
    body = dict(action[kind])
    if kind in REFUSED_ACTIONS:
        raise InvalidParameterValue(
            f"{kind} is not supported by gureum: {REFUSED_ACTIONS[kind]} is not part of it (supported actions: "
            "S3Action, SNSAction, LambdaAction, BounceAction, AddHeaderAction, StopAction)."
        )
    if kind == "LambdaAction":
        body.setdefault("InvocationType", "Event")
    elif kind == "SNSAction":
        body.setdefault("Encoding", "UTF-8")
    elif kind == "StopAction" and body.get("Scope") != "RuleSet":
        raise InvalidParameterValue("The only valid Scope of a StopAction is RuleSet.")
    elif kind == "AddHeaderAction":
        header, value = str(body.get("HeaderName") or ""), str(body.get("HeaderValue") or "")
        if not 0 < len(header) <= 50 or not set(header) <= _HEADER_CHARS:
            raise InvalidParameterValue(f"Invalid header name: {header}")
        if len(value) >= 2048 or "\n" in value or "\r" in value:
            raise InvalidParameterValue("Invalid header value: it must be under 2048 characters, with no newline.")
    elif kind == "BounceAction":
        code, status = str(body.get("SmtpReplyCode") or ""), str(body.get("StatusCode") or "")
        if len(code) != 3 or not code.isdigit() or code[0] not in "45":
            raise InvalidParameterValue(f"Invalid SMTP reply code: {code}")
        parts = status.split(".") if status else ["5", "0", "0"]
        if len(parts) != 3 or not all(p.isdigit() for p in parts) or parts[0] != code[0]:
            raise InvalidParameterValue(f"Invalid SMTP status code: {status}")
    return {kind: body}


def check_cidr(cidr: str) -> str:
    try:
        ipaddress.ip_network(cidr, strict=False)
    except ValueError:
        raise InvalidParameterValue(f"Invalid CIDR: {cidr}") from None
    return cidr


def allowed(ip: str, filters: list[tuple[str, str, str]]) -> bool:
    """Whether mail from ``ip`` passes the account's filters (name, policy, cidr): blocked only when a Block filter
    covers it and no Allow filter does."""
    try:
        address = ipaddress.ip_address(ip)
    except ValueError:
        return True
    blocked = False
    for _, policy, cidr in filters:
        if address in ipaddress.ip_network(cidr, strict=False):
            if policy == "Allow":
                return True
            blocked = True
    return not blocked


def names_for(recipient: str) -> list[str]:
    """The identities that let SES receive for ``recipient``: the address, its domain (any case)."""
    local, _, domain = recipient.rpartition("@")
    return list(dict.fromkeys([recipient, f"{local}@{domain.lower()}", domain.lower()])) if domain else [recipient]


def rule_takes(rule: dict[str, Any], recipient: str) -> bool:
    """A rule's recipient conditions: none (every recipient), an address, a domain, or '.domain' (its subdomains)."""
    conditions = rule.get("Recipients") or []
    if not conditions:
        return True
    address = recipient.lower()
    domain = address.rpartition("@")[2]
    for condition in (c.lower() for c in conditions):
        if "@" in condition:
            if condition == address:
                return True
        elif condition.startswith("."):
            if domain.endswith(condition):
                return True
        elif domain == condition:
            return True
    return False


def message_id() -> str:
    """An id as SES gives received mail (lowercase letters and digits, 40 characters; the S3 object's key)."""
    return "".join(secrets.choice(_ID_CHARS) for _ in range(40))


@dataclass(frozen=True, slots=True)
class Received:
    """One message SES received: the envelope, the content as SES keeps it (Return-Path and Received prepended)."""

    message_id: str
    source: str
    destinations: list[str]
    raw: bytes
    headers: list[tuple[str, str]]
    common: dict[str, Any]
    at: float
    tls: bool
    peer: str


def stamp(raw: bytes, source: str, recipient: str, peer: str, helo: str, ses_id: str, at: float) -> bytes:
    """The Return-Path and Received headers SES adds to a received message."""
    received = (
        f"from {helo or peer} ({peer}) by {INBOUND_HOST} with SMTP id {ses_id} for {recipient}; "
        f"{email.utils.formatdate(at, usegmt=True)}"
    )
    return f"Return-Path: <{source}>\r\nReceived: {received}\r\n".encode() + raw


def with_header(raw: bytes, name: str, value: str) -> bytes:
    """An AddHeaderAction: the header added at the top of the message (what the following actions see)."""
    return f"{name}: {value}\r\n".encode() + raw


def mail_object(mail: Received) -> dict[str, Any]:
    return {
        "timestamp": iso(mail.at),
        "source": mail.source,
        "messageId": mail.message_id,
        "destination": mail.destinations,
        "headersTruncated": False,
        "headers": [{"name": k, "value": v} for k, v in mail.headers],
        "commonHeaders": mail.common,
    }


def receipt_object(
    mail: Received, recipients: list[str], action: dict[str, Any], scanned: bool, now: float
) -> dict[str, Any]:
    """The "receipt" object: when, for whom, the verdicts (gureum runs no scanner: a rule with ScanEnabled gets
    PASS, otherwise GRAY — not determined; SPF, DKIM and DMARC are not checked: GRAY) and the action taken."""
    verdict = {"status": "PASS" if scanned else "GRAY"}
    return {
        "timestamp": iso(now),
        "processingTimeMillis": max(0, int((now - mail.at) * 1000)),
        "recipients": recipients,
        "spamVerdict": dict(verdict),
        "virusVerdict": dict(verdict),
        "spfVerdict": {"status": "GRAY"},
        "dkimVerdict": {"status": "GRAY"},
        "dmarcVerdict": {"status": "GRAY"},
        "action": action,
    }


def action_object(kind: str, body: dict[str, Any], object_key: str = "") -> dict[str, Any]:
    """The receipt's "action" object for one action, as AWS names its fields."""
    topic = {"topicArn": body["TopicArn"]} if body.get("TopicArn") else {}
    if kind == "SNSAction":
        encoding = "BASE64" if body.get("Encoding") == "Base64" else "UTF8"
        return {"type": "SNS", **topic, "encoding": encoding}
    if kind == "LambdaAction":
        return {"type": "Lambda", **topic, "functionArn": body["FunctionArn"], "invocationType": body["InvocationType"]}
    if kind == "S3Action":
        return {
            "type": "S3",
            **topic,
            "bucketName": body["BucketName"],
            "objectKeyPrefix": body.get("ObjectKeyPrefix") or "",
            "objectKey": object_key,
        }
    if kind == "BounceAction":
        return {
            "type": "Bounce",
            **topic,
            "smtpReplyCode": body["SmtpReplyCode"],
            "statusCode": body.get("StatusCode") or "5.0.0",
            "message": body["Message"],
            "sender": body["Sender"],
        }
    return {"type": "Stop", **topic}


def notification(mail: Received, receipt: dict[str, Any], content: bytes | None, encoding: str) -> dict[str, Any]:
    """An SNS notification of a receipt action; only an SNS action's carries the content."""
    out: dict[str, Any] = {"notificationType": "Received", "mail": mail_object(mail), "receipt": receipt}
    if content is not None:
        out["content"] = (
            base64.b64encode(content).decode() if encoding == "Base64" else content.decode("utf-8", "replace")
        )
    return out


def lambda_event(mail: Received, receipt: dict[str, Any]) -> dict[str, Any]:
    """The event a Lambda action's function gets."""
    return {
        "Records": [
            {
                "eventSource": "aws:ses",
                "eventVersion": "1.0",
                "ses": {"mail": mail_object(mail), "receipt": receipt},
            }
        ]
    }


def disposition(answer: Any) -> str:
    """A RequestResponse function's answer: {"disposition": "STOP_RULE" | "STOP_RULE_SET" | "CONTINUE"}; anything
    else continues."""
    if isinstance(answer, dict):
        value = str(answer.get("disposition") or "").upper()
        if value in ("STOP_RULE", "STOP_RULE_SET"):
            return value
    return "CONTINUE"
