"""Mail as SES handles it: messages built from SendEmail's parts, raw MIME parsed and re-serialised with the
standard library's email package (a message the parser cannot make sense of is kept byte for byte), recipients
and headers taken from it, AWS's message ids. No HTTP, no SQL."""

from __future__ import annotations

import email.policy
import email.utils
import uuid
from dataclasses import dataclass
from email.message import EmailMessage, Message
from email.parser import BytesParser

from .errors import InvalidParameterValue, MessageRejected
from .identities import check_address

_PARSER = BytesParser(policy=email.policy.default)


def message_id(now_ms: int) -> str:
    """SES's message id: 0100 (us-east-1's prefix), the send time as 12 hex digits of milliseconds, a UUID, -000000."""
    return f"0100{now_ms:012x}-{uuid.uuid4()}-000000"


@dataclass(frozen=True, slots=True)
class Mail:
    """A message ready to keep: its bytes, the envelope sender, the envelope recipients and header fields."""

    raw: bytes
    source: str
    recipients: list[str]
    subject: str
    headers: list[tuple[str, str]]
    to: list[str]
    from_: list[str]


def build(
    source: str,
    to: list[str],
    cc: list[str],
    reply_to: list[str],
    subject: str,
    text: str | None,
    html: str | None,
    ses_id: str,
    date: float,
    extra_headers: list[tuple[str, str]] | None = None,
) -> EmailMessage:
    """SendEmail's parts as one MIME message (multipart/alternative when both bodies are given)."""
    msg = EmailMessage(policy=email.policy.SMTP)
    msg["From"] = source
    if to:
        msg["To"] = ", ".join(to)
    if cc:
        msg["Cc"] = ", ".join(cc)
    if reply_to:
        msg["Reply-To"] = ", ".join(reply_to)
    msg["Subject"] = subject
    msg["Message-ID"] = f"<{ses_id}@email.amazonses.com>"
    msg["Date"] = email.utils.formatdate(date)
    for name, value in extra_headers or ():
        msg[name] = value
    if text is not None and html is not None:
        msg.set_content(text)
        msg.add_alternative(html, subtype="html")
    elif html is not None:
        msg.set_content(html, subtype="html")
    else:
        msg.set_content(text or "")
    return msg


def _addresses(msg: Message, *names: str) -> list[str]:
    values: list[str] = []
    for name in names:
        values.extend(str(v) for v in msg.get_all(name, []))
    return [addr for _, addr in email.utils.getaddresses(values) if addr]


def parse_raw(data: bytes, source: str | None, destinations: list[str] | None, ses_id: str) -> Mail:
    """A raw message as SendRawEmail / SMTP take it: sender and recipients from the arguments or else its headers,
    Bcc dropped, SES's Message-ID set. Malformed MIME is kept as sent; only a message with no sender or no
    recipient at all is refused."""
    try:
        msg = _PARSER.parsebytes(data)
        header_from = _addresses(msg, "From")
        header_to = _addresses(msg, "To")
        found = _addresses(msg, "To", "Cc", "Bcc")
        subject = str(msg.get("Subject", "") or "")
        raw = data
        if "Bcc" in msg or "Message-ID" not in msg:
            del msg["Bcc"]
            if "Message-ID" not in msg:
                msg["Message-ID"] = f"<{ses_id}@email.amazonses.com>"
            raw = msg.as_bytes(policy=email.policy.SMTP)
        headers = [(k, str(v)) for k, v in msg.items()]
    except Exception:  # the email package's header classes raise on some malformed input: keep the bytes as sent
        header_from, header_to, found, subject, raw, headers = [], [], [], "", data, []
    sender = source or (header_from[0] if header_from else "")
    if not sender:
        raise MessageRejected("Missing required header 'From'.")
    check_address(bare(sender))
    recipients = list(destinations) if destinations else found
    if not recipients:
        raise InvalidParameterValue("Missing required header 'To'.")
    return Mail(raw, sender, recipients, subject, headers, header_to, header_from or [sender])


def bare(address: str) -> str:
    """The address part of 'Name <a@b>'."""
    return email.utils.parseaddr(address)[1] or address


def serialise(msg: EmailMessage) -> bytes:
    return msg.as_bytes(policy=email.policy.SMTP)
