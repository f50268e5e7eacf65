"""Identity notifications (SES v1's SetIdentityNotificationTopic, SetIdentityHeadersInNotificationsEnabled,
SetIdentityFeedbackForwardingEnabled; SES v2's feedback attributes): per identity, an SNS topic for each of Bounce,
Complaint and Delivery, whether their notifications carry the original headers, and feedback forwarding. The
notification JSON AWS publishes to those topics, and the feedback messages (a DSN for a bounce, an ARF report for
a complaint) SES mails to the Return-Path when forwarding is on, and the mailbox simulator's out-of-the-office
auto-reply. No HTTP, no SQL.
"""

from __future__ import annotations

import email.utils
import uuid
from dataclasses import dataclass, field
from typing import Any

from . import events
from .errors import InvalidParameterValue

BOUNCE, COMPLAINT, DELIVERY = "Bounce", "Complaint", "Delivery"
TYPES = (BOUNCE, COMPLAINT, DELIVERY)
SETTING = "notifications"  # its name in ses_settings, under the identity's scope
MAILER_DAEMON = "MAILER-DAEMON@amazonses.com"
COMPLAINTS_FROM = "complaints@email-abuse.amazonses.com"
MAX_HEADER_BYTES = 10 * 1024  # AWS: the headers in a notification up to 10 KB, headersTruncated past it
_EVENT_KIND = {BOUNCE: events.BOUNCE, COMPLAINT: events.COMPLAINT, DELIVERY: events.DELIVERY}


def identity_scope(identity: str) -> str:
    return f"identity:{identity}"


@dataclass(slots=True)
class Settings:
    """One identity's notification settings (AWS's defaults: no topics, no headers, forwarding on)."""

    topics: dict[str, str] = field(default_factory=dict)
    headers: dict[str, bool] = field(default_factory=dict)
    forwarding: bool = True

    @classmethod
    def of(cls, doc: Any) -> Settings:
        if not isinstance(doc, dict):
            return cls()
        return cls(dict(doc.get("topics") or {}), dict(doc.get("headers") or {}), bool(doc.get("forwarding", True)))

    def doc(self) -> dict[str, Any] | None:
        """As stored (None: the defaults, nothing to keep)."""
        if not self.topics and not any(self.headers.values()) and self.forwarding:
            return None
        return {"topics": self.topics, "headers": self.headers, "forwarding": self.forwarding}

    def set_topic(self, kind: str, topic: str | None) -> None:
        """SetIdentityNotificationTopic; clearing the Bounce or Complaint topic turns forwarding back on (SES will
        not leave bounces and complaints unreported)."""
        if topic:
            self.topics[kind] = topic
            return
        self.topics.pop(kind, None)
        self.headers.pop(kind, None)
        if kind in (BOUNCE, COMPLAINT):
            self.forwarding = True

    def set_headers(self, kind: str, enabled: bool) -> None:
        if enabled and kind not in self.topics:
            raise InvalidParameterValue(
                f"Cannot include headers in {kind} notifications: no Amazon SNS topic is set for {kind} notifications."
            )
        self.headers[kind] = enabled

    def set_forwarding(self, enabled: bool, strict: bool) -> None:
        """``strict`` (SES v1): forwarding may be off only when both Bounce and Complaint topics are set."""
        if not enabled and strict and not (BOUNCE in self.topics and COMPLAINT in self.topics):
            raise InvalidParameterValue(
                "Feedback notification forwarding cannot be disabled until both bounce and complaint notifications "
                "are published to an Amazon SNS topic."
            )
        self.forwarding = enabled

    def attributes(self) -> dict[str, Any]:
        """GetIdentityNotificationAttributes' entry for the identity."""
        out: dict[str, Any] = {f"{k}Topic": self.topics[k] for k in TYPES if k in self.topics}
        out["ForwardingEnabled"] = self.forwarding
        for kind in TYPES:
            out[f"HeadersIn{kind}NotificationsEnabled"] = bool(self.headers.get(kind))
        return out


def caller_identity(principal_arn: str) -> str:
    """The mail object's callerIdentity: the IAM user or role name ("root" for the account)."""
    name = principal_arn.rsplit(":", 1)[-1]
    return name.rsplit("/", 1)[-1] if "/" in name else name or "root"


def _common_headers(sent: events.Sent) -> dict[str, Any]:
    found = {k.lower(): v for k, v in reversed(sent.headers)}
    common: dict[str, Any] = {"from": sent.from_}
    if "date" in found:
        common["date"] = found["date"]
    if sent.to:
        common["to"] = sent.to
    if "message-id" in found:
        common["messageId"] = found["message-id"]
    if sent.subject:
        common["subject"] = sent.subject
    return common


def mail_object(sent: events.Sent, caller: str, with_headers: bool) -> dict[str, Any]:
    """The notification's "mail" object (headers, headersTruncated and commonHeaders only when enabled)."""
    out: dict[str, Any] = {
        "timestamp": events.iso(sent.at),
        "source": sent.source,
        "sourceArn": sent.source_arn,
        "sourceIp": sent.source_ip,
        "sendingAccountId": sent.account,
        "callerIdentity": caller,
        "messageId": sent.message_id,
        "destination": sent.destinations,
    }
    if with_headers:
        kept, size, truncated = [], 0, False
        for name, value in sent.headers:
            size += len(name) + len(value) + 4
            if size > MAX_HEADER_BYTES:
                truncated = True
                break
            kept.append({"name": name, "value": value})
        out.update({"headersTruncated": truncated, "headers": kept, "commonHeaders": _common_headers(sent)})
    return out


def notifications(
    sent: events.Sent, details: list[tuple[str, dict[str, Any]]], settings: Settings, caller: str
) -> list[tuple[str, dict[str, Any]]]:
    """(topic ARN, notification JSON) for each event detail whose type has a topic."""
    out = []
    for kind in TYPES:
        topic = settings.topics.get(kind)
        if not topic:
            continue
        mail = mail_object(sent, caller, bool(settings.headers.get(kind)))
        for event_kind, detail in details:
            if event_kind == _EVENT_KIND[kind]:
                out.append((topic, {"notificationType": kind, kind.lower(): detail, "mail": mail}))
    return out


def forwarded_types(settings: Settings, destination_types: set[str]) -> set[str]:
    """The types mailed to the Return-Path: every one when forwarding is on; otherwise (SES v2 lets it be off
    without topics) those reported nowhere else — no identity topic and no configuration-set destination."""
    out = set()
    for kind in (BOUNCE, COMPLAINT):
        if settings.forwarding or (kind not in settings.topics and _EVENT_KIND[kind] not in destination_types):
            out.add(kind)
    return out


@dataclass(frozen=True, slots=True)
class Feedback:
    """A feedback message to mail: its sender, recipient, subject and bytes."""

    sender: str
    recipient: str
    subject: str
    raw: bytes


def _lines(*lines: str) -> bytes:
    return ("\r\n".join(lines) + "\r\n").encode("utf-8")


def _report(
    sender: str, recipient: str, subject: str, report_type: str, ses_id: str, at: float, parts: list[bytes]
) -> bytes:
    boundary = f"=_{uuid.uuid4().hex}"
    head = _lines(
        f"From: {sender}",
        f"To: {recipient}",
        f"Subject: {subject}",
        f"Message-ID: <{ses_id}@email.amazonses.com>",
        f"Date: {email.utils.formatdate(at)}",
        "MIME-Version: 1.0",
        f'Content-Type: multipart/report; report-type={report_type}; boundary="{boundary}"',
    )
    body = b"".join(f"\r\n--{boundary}\r\n".encode() + part for part in parts)
    return head + body + f"\r\n--{boundary}--\r\n".encode()


def _original_headers(sent: events.Sent) -> bytes:
    return _lines("Content-Type: text/rfc822-headers", "", *(f"{k}: {v}" for k, v in sent.headers))


def bounce_message(sent: events.Sent, detail: dict[str, Any], recipient: str, ses_id: str, at: float) -> Feedback:
    """The DSN SES mails the Return-Path for a bounce (RFC 3464: the human part, the delivery status, the original
    headers)."""
    bounced = detail["bouncedRecipients"]
    human = _lines(
        "Content-Type: text/plain; charset=UTF-8",
        "",
        "An error occurred while trying to deliver the mail to the following recipients:",
        *(r["emailAddress"] for r in bounced),
    )
    status = [
        "Content-Type: message/delivery-status",
        "",
        f"Reporting-MTA: {detail['reportingMTA']}",
        f"X-SES-Message-ID: {sent.message_id}",
        f"Arrival-Date: {email.utils.formatdate(sent.at)}",
    ]
    for r in bounced:
        status += [
            "",
            f"Final-Recipient: rfc822; {r['emailAddress']}",
            f"Action: {r['action']}",
            f"Status: {r['status']}",
            f"Diagnostic-Code: {r['diagnosticCode']}",
        ]
    subject = "Delivery Status Notification (Failure)"
    parts = [human, _lines(*status), _original_headers(sent)]
    return Feedback(
        MAILER_DAEMON,
        recipient,
        subject,
        _report(MAILER_DAEMON, recipient, subject, "delivery-status", ses_id, at, parts),
    )


def complaint_message(sent: events.Sent, detail: dict[str, Any], recipient: str, ses_id: str, at: float) -> Feedback:
    """The abuse report (RFC 5965 ARF) SES mails the Return-Path for a complaint."""
    addresses = [r["emailAddress"] for r in detail["complainedRecipients"]]
    human = _lines(
        "Content-Type: text/plain; charset=UTF-8",
        "",
        "This is an email abuse report for an email message received from your account.",
        *(f"Complained: {a}" for a in addresses),
    )
    report = _lines(
        "Content-Type: message/feedback-report",
        "",
        f"Feedback-Type: {detail['complaintFeedbackType']}",
        f"User-Agent: {detail['userAgent']}",
        "Version: 1",
        f"Original-Mail-From: {sent.source}",
        *(f"Original-Rcpt-To: {a}" for a in addresses),
        f"Arrival-Date: {email.utils.formatdate(sent.at)}",
        f"X-SES-Message-ID: {sent.message_id}",
    )
    subject = sent.subject or "Complaint"
    parts = [human, report, _original_headers(sent)]
    return Feedback(
        COMPLAINTS_FROM,
        recipient,
        subject,
        _report(COMPLAINTS_FROM, recipient, subject, "feedback-report", ses_id, at, parts),
    )


def auto_reply_message(sent: events.Sent, replier: str, recipient: str, ses_id: str, at: float) -> Feedback:
    """The out-of-the-office answer of the mailbox simulator's ooto@ address to the message's sender: an automatic
    response as RFC 3834 has it (Auto-Submitted: auto-replied, In-Reply-To and References naming the message,
    the subject prefixed "Auto:"), from the address the message was sent to."""
    original = next((v for k, v in sent.headers if k.lower() == "message-id"), None)
    original = original or f"<{sent.message_id}@email.amazonses.com>"
    subject = f"Auto: {sent.subject}" if sent.subject else "Auto: Out of the office"
    raw = _lines(
        f"From: {replier}",
        f"To: {recipient}",
        f"Subject: {subject}",
        f"Message-ID: <{ses_id}@email.amazonses.com>",
        f"Date: {email.utils.formatdate(at)}",
        f"In-Reply-To: {original}",
        f"References: {original}",
        "Auto-Submitted: auto-replied",
        "MIME-Version: 1.0",
        "Content-Type: text/plain; charset=UTF-8",
        "",
        "I am out of the office and will answer your message when I return.",
        "",
        "(An automatic reply of the Amazon SES mailbox simulator.)",
    )
    return Feedback(replier, recipient, subject, raw)
