"""Mail as SES handles it: messages built from SendEmail's parts with the standard library's email package, raw
messages read by their header block (Bcc dropped, a Message-ID added, the body kept byte for byte: a message the
parser cannot make sense of is kept as sent), recipients and headers taken from it, AWS's message ids. No HTTP,
no SQL."""

from __future__ import annotations

import email.charset
import email.header
import email.policy
import email.utils
import random
import string
import sys
import uuid
from dataclasses import dataclass
from email.message import Message
from email.mime.multipart import MIMEMultipart
from email.mime.text import MIMEText
from email.parser import BytesHeaderParser

from .errors import InvalidParameterValue, MessageRejected
from .identities import check_address

_HEADER_PARSER = BytesHeaderParser(policy=email.policy.compat32)


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
) -> Message:
    """SendEmail's parts as one MIME message (multipart/alternative when both bodies are given), as SES writes it:
    ASCII bodies 7bit, others quoted-printable UTF-8; non-ASCII display names and subjects as encoded words. Built
    with the email package's compat32 classes (the header-registry policies cost ~13x more per message)."""
    if text is not None and html is not None:
        msg: Message = MIMEMultipart("alternative")
        for part in (_part(text, "plain"), _part(html, "html")):
            del part["MIME-Version"]  # the message's own, not each part's
            msg.attach(part)
    else:
        msg = _part(html if html is not None else text or "", "html" if html is not None else "plain")
    body_headers = msg.items()  # Content-Type, MIME-Version, Content-Transfer-Encoding: after the envelope's
    for name, _ in body_headers:
        del msg[name]
    msg["From"] = _addresses_header([source]) if source else ""
    if to:
        msg["To"] = _addresses_header(to)
    if cc:
        msg["Cc"] = _addresses_header(cc)
    if reply_to:
        msg["Reply-To"] = _addresses_header(reply_to)
    msg["Subject"] = _text_header(subject)
    msg["Message-ID"] = f"<{ses_id}@email.amazonses.com>"
    msg["Date"] = email.utils.formatdate(date)
    for name, value in extra_headers or ():
        msg[name] = _text_header(value)
    for name, value in body_headers:
        msg[name] = value
    return msg


_QP_UTF8 = email.charset.Charset("utf-8")
_QP_UTF8.body_encoding = email.charset.QP
_PLAIN_UTF8 = email.charset.Charset("utf-8")
_PLAIN_UTF8.body_encoding = None  # type: ignore[assignment]  # 7bit
_POLICY = email.policy.compat32.clone(linesep="\r\n", max_line_length=998)  # fold only past 998


def _plain(body: str) -> bool:
    return body.isascii() and all(len(line) <= 998 for line in body.splitlines())


def _part(body: str, subtype: str) -> Message:
    plain = _plain(body)
    return MIMEText(body, subtype, _PLAIN_UTF8 if plain else _QP_UTF8)  # type: ignore[arg-type]


def _text_header(value: str) -> str:
    """A header value as written: encoded words where it is not ASCII or holds a line break (a break becomes
    folding white space, never a header of its own)."""
    if value.isascii() and _BREAKS.isdisjoint(value):
        return value
    return email.header.Header(value, "utf-8").encode()


def _addresses_header(values: list[str]) -> str:
    """Addresses with their display names encoded where they are not ASCII (the address itself never is)."""
    out = []
    for value in values:
        if value.isascii():
            out.append(value)
        else:
            name, address = email.utils.parseaddr(value)
            out.append(email.utils.formataddr((name, address), "utf-8") if address else value)
    return ", ".join(out)


def header_values(msg: Message) -> list[tuple[str, str]]:
    """The message's headers with encoded words decoded (what notifications show)."""
    return [(name, _decoded(str(value))) for name, value in msg.items()]


def _split(data: bytes) -> tuple[bytes, bytes, bytes]:
    """(header block, the line ending it uses, the rest: the blank line and the body)."""
    ends = [i for i in (data.find(b"\r\n\r\n"), data.find(b"\n\n")) if i >= 0]
    at = min(ends) if ends else len(data)
    head = data[:at]
    return head, b"\r\n" if b"\r\n" in head or not head else b"\n", data[at:]


def _without(head: bytes, newline: bytes, name: bytes) -> bytes:
    """The header block without the field ``name`` (and its continuation lines)."""
    kept: list[bytes] = []
    skipping = False
    for line in head.split(newline):
        if line[:1] in (b" ", b"\t"):
            if not skipping:
                kept.append(line)
            continue
        skipping = line.split(b":", 1)[0].strip().lower() == name
        if not skipping:
            kept.append(line)
    return newline.join(kept)


def _decoded(value: str) -> str:
    """An RFC 2047 encoded header value as text (the Subject of commonHeaders)."""
    if "=?" not in value:
        return value
    try:
        return str(email.header.make_header(email.header.decode_header(value)))
    except (ValueError, LookupError, UnicodeDecodeError):
        return value


def _addresses(values: list[str]) -> list[str]:
    return [addr for _, addr in email.utils.getaddresses(values) if addr]


def parse_raw(data: bytes, source: str | None, destinations: list[str] | None, ses_id: str) -> Mail:
    """A raw message as SendRawEmail / SMTP take it: sender and recipients from the arguments or else its headers,
    Bcc dropped, SES's Message-ID added when it has none. Only the header block is read (the email package's
    compat32 parser) and edited; the body is kept byte for byte, so malformed MIME is kept as sent. Only a message
    with no sender or no recipient at all is refused."""
    try:
        head, newline, rest = _split(data)
        msg = _HEADER_PARSER.parsebytes(head + newline + newline)
        fields: dict[str, list[str]] = {}
        for name, value in msg.items():
            fields.setdefault(name.lower(), []).append(str(value))
        header_from = _addresses(fields.get("from", []))
        header_to = _addresses(fields.get("to", []))
        found = _addresses([*fields.get("to", []), *fields.get("cc", []), *fields.get("bcc", [])])
        subject = _decoded(_unfold(fields.get("subject", [""])[0]))
        raw = data
        if "bcc" in fields or "message-id" not in fields:
            if "bcc" in fields:
                head = _without(head, newline, b"bcc")
            if "message-id" not in fields:
                head += newline + f"Message-ID: <{ses_id}@email.amazonses.com>".encode()
            raw = head + rest
            msg = _HEADER_PARSER.parsebytes(head + newline + newline)
        headers = [(k, _unfold(str(v))) for k, v in msg.items()]
    except Exception:  # input the header parser cannot read: keep the bytes as sent
        header_from, header_to, found, subject, raw, headers = [], [], [], "", data, []
    sender = source or (header_from[0] if header_from else "")
    if not sender:
        raise MessageRejected("Missing required header 'From'.")
    check_address(bare(sender))
    recipients = list(destinations) if destinations else found
    if not recipients:
        raise InvalidParameterValue("Missing required header 'To'.")
    return Mail(raw, sender, recipients, subject, headers, header_to, header_from or [sender])


def _unfold(value: str) -> str:
    return value.replace("\r\n", "").replace("\n", "")


_PLAIN_ADDRESS = frozenset(string.ascii_letters + string.digits + "._+-@")


def bare(address: str) -> str:
    """The address part of 'Name <a@b>' (an address of letters, digits and ._+-@ alone is its own: what parseaddr
    answers for it, without its cost, three times per message)."""
    if _PLAIN_ADDRESS.issuperset(address):
        return address
    return email.utils.parseaddr(address)[1] or address


def serialise(msg: Message) -> bytes:
    return msg.as_bytes(policy=_POLICY)


def compose(
    source: str,
    to: list[str],
    cc: list[str],
    reply_to: list[str],
    subject: str,
    text: str | None,
    html: str | None,
    ses_id: str,
    date: float,
) -> tuple[bytes, list[tuple[str, str]]]:
    """SendEmail's message as bytes and its decoded header fields: build() + serialise() + header_values(), with the
    common case (ASCII headers short of folding, 7bit ASCII bodies) written out directly — the same bytes the email
    package writes, at a fraction of its cost (its header folding was half of SendEmail's CPU) — and everything
    else through the email package."""
    fast = _compose_plain(source, to, cc, reply_to, subject, text, html, ses_id, date)
    if fast is not None:
        return fast
    msg = build(source, to, cc, reply_to, subject, text, html, ses_id, date)
    return serialise(msg), header_values(msg)


_FOLD_FREE = 900  # a field this long (name, ": " and value) is never folded at max_line_length=998
_BREAKS = frozenset("\n\r\x0b\x0c\x1c\x1d\x1e")  # where str.splitlines (and so the email package's Header) breaks
_7BIT = [("Content-Transfer-Encoding", "7bit")]
_BOUNDARY_DIGITS = len(repr(sys.maxsize - 1))  # the email generator's boundary: 15 '=', these digits, '=='


def _compose_plain(
    source: str,
    to: list[str],
    cc: list[str],
    reply_to: list[str],
    subject: str,
    text: str | None,
    html: str | None,
    ses_id: str,
    date: float,
) -> tuple[bytes, list[tuple[str, str]]] | None:
    """compose()'s direct path, or None where the email package's own rules (encoded words, folding,
    quoted-printable) are needed."""
    fields = [("From", source)]
    if to:
        fields.append(("To", ", ".join(to)))
    if cc:
        fields.append(("Cc", ", ".join(cc)))
    if reply_to:
        fields.append(("Reply-To", ", ".join(reply_to)))
    fields += [("Subject", subject), ("Message-ID", f"<{ses_id}@email.amazonses.com>")]
    fields.append(("Date", email.utils.formatdate(date)))
    for name, value in fields:
        if not value.isascii() or not _BREAKS.isdisjoint(value) or len(name) + len(value) > _FOLD_FREE:
            return None
    parts = [(b, sub) for b, sub in ((text, "plain"), (html, "html")) if b is not None]
    if not parts:
        parts = [("", "plain")]
    for body, _ in parts:
        if not _plain(body):
            return None
    bodies = [_lines(body) for body, _ in parts]
    if len(parts) == 1:
        fields += [("Content-Type", f'text/{parts[0][1]}; charset="utf-8"'), ("MIME-Version", "1.0"), *_7BIT]
        return _joined(fields) + bodies[0].encode(), _header_values(fields)
    texts = [f'Content-Type: text/{sub}; charset="utf-8"\r\nContent-Transfer-Encoding: 7bit\r\n\r\n{body}'
             for (_, sub), body in zip(parts, bodies, strict=True)]  # fmt: skip
    boundary = "=" * 15 + f"%0{_BOUNDARY_DIGITS}d" % random.randrange(sys.maxsize) + "=="
    if any("--" + boundary in t for t in texts):
        return None  # the email package picks another boundary: left to it
    fields += [("Content-Type", f'multipart/alternative; boundary="{boundary}"'), ("MIME-Version", "1.0")]
    between = f"\r\n--{boundary}\r\n"
    body = f"--{boundary}\r\n" + between.join(texts) + f"\r\n--{boundary}--\r\n"
    return _joined(fields) + body.encode(), _header_values(fields)


def _lines(body: str) -> str:
    """A body's line endings as CRLF, as the email generator writes them (CRLF, CR and LF each one line end)."""
    return body.replace("\r\n", "\n").replace("\r", "\n").replace("\n", "\r\n")


def _joined(fields: list[tuple[str, str]]) -> bytes:
    return "".join(f"{name}: {value}\r\n" for name, value in fields).encode() + b"\r\n"


def _header_values(fields: list[tuple[str, str]]) -> list[tuple[str, str]]:
    return [(name, _decoded(value)) for name, value in fields]
