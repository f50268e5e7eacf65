"""SES v1 SendBounce: checking its input and writing the bounce message (an RFC 3464 delivery status notification)
SES mails the sender of a message it received. No HTTP, no SQL."""

from __future__ import annotations

import email.utils
import re
import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from .errors import InvalidParameterValue

# AWS: a received message can be bounced up to 24 hours after it arrived
BOUNCE_WINDOW = 24 * 3600.0
# BounceType → (Status, Diagnostic-Code) of the DSN when RecipientDsnFields gives none
_BY_TYPE = {
    "DoesNotExist": ("5.1.1", "smtp; 550 5.1.1 user unknown"),
    "MessageTooLarge": ("5.3.4", "smtp; 552 5.3.4 message too big for system"),
    "ExceededQuota": ("5.2.2", "smtp; 552 5.2.2 mailbox full"),
    "ContentRejected": ("5.6.1", "smtp; 550 5.6.1 media not supported"),
    "Undefined": ("5.0.0", "smtp; 550 5.0.0 undefined"),
    "TemporaryFailure": ("4.0.0", "smtp; 450 4.0.0 temporary failure"),
}
_EXTENSION_NAME = re.compile(r"[A-Za-z0-9-]{1,50}")
_STATUS = re.compile(r"[245]\.\d{1,3}\.\d{1,3}")
MAX_EXTENSION_VALUE = 2048


@dataclass(frozen=True, slots=True)
class Bounced:
    """One recipient of the bounce: the address and its DSN fields."""

    recipient: str
    final_recipient: str
    action: str
    status: str
    diagnostic: str | None
    remote_mta: str | None
    last_attempt: float | None
    extensions: list[tuple[str, str]]


def _one_line(name: str, value: str) -> str:
    if "\r" in value or "\n" in value:
        raise InvalidParameterValue(f"{name} must not contain line breaks.")
    return value


def _extensions(fields: list[dict[str, Any]] | None) -> list[tuple[str, str]]:
    """ExtensionFields: names of 1 to 50 letters, digits and dashes; values under 2048 characters on one line."""
    out = []
    for field in fields or []:
        name, value = str(field.get("Name") or ""), str(field.get("Value") or "")
        if not _EXTENSION_NAME.fullmatch(name):
            raise InvalidParameterValue(
                f"Invalid extension field name {name!r}: between 1 and 50 characters, alphanumeric or dashes."
            )
        if len(value) >= MAX_EXTENSION_VALUE:
            raise InvalidParameterValue(f"The value of extension field {name} must be less than 2048 characters.")
        out.append((name, _one_line(f"The value of extension field {name}", value)))
    return out


def _timestamp(value: Any) -> float | None:
    if value is None:
        return None
    return value.timestamp() if isinstance(value, datetime) else float(value)


def recipients(infos: list[dict[str, Any]], received: list[str]) -> list[Bounced]:
    """BouncedRecipientInfoList checked: at least one; each with a BounceType or RecipientDsnFields; its Recipient
    or FinalRecipient one of the original message's recipients (``received``)."""
    if not infos:
        raise InvalidParameterValue("BouncedRecipientInfoList must contain at least one BouncedRecipientInfo.")
    known = {r.lower() for r in received}
    out = []
    for info in infos:
        recipient = _one_line("Recipient", str(info.get("Recipient") or ""))
        dsn = info.get("RecipientDsnFields") or None
        kind = info.get("BounceType")
        if dsn is None and kind is None:
            raise InvalidParameterValue(
                f"Either BounceType or RecipientDsnFields must be specified for recipient {recipient}."
            )
        final = _one_line("FinalRecipient", str((dsn or {}).get("FinalRecipient") or recipient))
        if recipient.lower() not in known and final.lower() not in known:
            raise InvalidParameterValue(f"{recipient} is not a recipient of the original message.")
        status, default = _BY_TYPE.get(kind or "Undefined", _BY_TYPE["Undefined"])
        diagnostic: str | None = default
        action = "failed"
        remote, last, extensions = None, None, []
        if dsn is not None:
            action = str(dsn.get("Action") or action)
            status = str(dsn.get("Status") or status)
            if not _STATUS.fullmatch(status):
                raise InvalidParameterValue(f"Invalid Status {status!r}: a status code as RFC 3464 has it (x.y.z).")
            diagnostic = _one_line("DiagnosticCode", str(dsn["DiagnosticCode"])) if dsn.get("DiagnosticCode") else None
            remote = _one_line("RemoteMta", str(dsn["RemoteMta"])) if dsn.get("RemoteMta") else None
            last = _timestamp(dsn.get("LastAttemptDate"))
            extensions = _extensions(dsn.get("ExtensionFields"))
        out.append(Bounced(recipient, final, action, status, diagnostic, remote, last, extensions))
    return out


def message_fields(dsn: dict[str, Any] | None, region: str, arrived: float) -> tuple[str, float, list[tuple[str, str]]]:
    """MessageDsn: (Reporting-MTA, Arrival-Date, extension fields); SES's defaults when it is not given."""
    if not dsn:
        return f"dns; inbound-smtp.{region}.amazonaws.com", arrived, []
    reporting = _one_line("ReportingMta", str(dsn.get("ReportingMta") or ""))
    if not reporting:
        raise InvalidParameterValue("ReportingMta must be specified.")
    arrival = _timestamp(dsn.get("ArrivalDate"))
    return reporting, arrived if arrival is None else arrival, _extensions(dsn.get("ExtensionFields"))


def _lines(*lines: str) -> bytes:
    return ("\r\n".join(lines) + "\r\n").encode("utf-8")


def dsn_message(
    sender: str,
    to: str,
    original_headers: bytes,
    explanation: str | None,
    reporting: tuple[str, float, list[tuple[str, str]]],
    bounced: list[Bounced],
    ses_id: str,
    at: float,
) -> tuple[str, bytes]:
    """(subject, raw bytes) of the bounce: a multipart/report with the explanation (SES writes one from the
    recipients when none is given), the delivery status, and the original message's headers."""
    failed = all(b.status.startswith("5") for b in bounced)
    subject = f"Delivery Status Notification ({'Failure' if failed else 'Delay'})"
    text = explanation or "\r\n".join(
        ["An error occurred while trying to deliver the mail to the following recipients:"]
        + [b.final_recipient for b in bounced]
    )
    human = _lines("Content-Type: text/plain; charset=UTF-8", "", *text.splitlines())
    mta, arrival, extensions = reporting
    status = [
        "Content-Type: message/delivery-status",
        "",
        f"Reporting-MTA: {mta}",
        f"Arrival-Date: {email.utils.formatdate(arrival)}",
        *(f"{k}: {v}" for k, v in extensions),
    ]
    for b in bounced:
        status += ["", f"Final-Recipient: rfc822; {b.final_recipient}", f"Action: {b.action}", f"Status: {b.status}"]
        if b.remote_mta:
            status.append(f"Remote-MTA: {b.remote_mta}")
        if b.diagnostic:
            status.append(f"Diagnostic-Code: {b.diagnostic}")
        if b.last_attempt is not None:
            status.append(f"Last-Attempt-Date: {email.utils.formatdate(b.last_attempt)}")
        status += [f"{k}: {v}" for k, v in b.extensions]
    headers = b"Content-Type: text/rfc822-headers\r\n\r\n" + original_headers
    boundary = f"=_{uuid.uuid4().hex}"
    head = _lines(
        f"From: {sender}",
        f"To: {to}",
        f"Subject: {subject}",
        f"Message-ID: <{ses_id}@email.amazonses.com>",
        f"Date: {email.utils.formatdate(at)}",
        "MIME-Version: 1.0",
        f'Content-Type: multipart/report; report-type=delivery-status; boundary="{boundary}"',
    )
    parts = [human, _lines(*status), headers]
    body = b"".join(f"\r\n--{boundary}\r\n".encode() + part for part in parts)
    return subject, head + body + f"\r\n--{boundary}--\r\n".encode()


def original_headers(raw: bytes) -> bytes:
    """The header block of a raw message (up to the first empty line)."""
    for separator in (b"\r\n\r\n", b"\n\n"):
        end = raw.find(separator)
        if end >= 0:
            return raw[: end + len(separator) // 2]
    return raw
