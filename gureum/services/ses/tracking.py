"""Open and click tracking as SES does it for a configuration set whose event destinations take OPEN or CLICK:
the HTML part's http(s) links rewritten to a tracking address on gureum (links marked ``ses:no-track`` are left
alone) and a 1x1 tracking image added — in a built message's HTML body, and in every inline text/html part of a
raw (SendRawEmail, SMTP) message, which is then re-serialised. The HTML is read with the standard library's
HTMLParser (no regex over the message). No HTTP serving, no SQL."""

from __future__ import annotations

import email
import email.policy
import html
import secrets
from dataclasses import dataclass, field
from email.message import EmailMessage
from html.parser import HTMLParser

TRACK_PATH = "/_gureum/ses/track"
# a transparent 1x1 GIF, what the open-tracking image answers
PIXEL = bytes.fromhex("47494638396101000100800000000000ffffff21f90401000000002c00000000010001000002024401003b")


@dataclass(slots=True)
class Tracked:
    """The rewritten HTML and the tokens it carries: (token, "open" | "click", link)."""

    html: str
    tokens: list[tuple[str, str, str | None]] = field(default_factory=list)


class _Anchors(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[tuple[tuple[int, int], str, list[tuple[str, str | None]]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag != "a":
            return
        text = self.get_starttag_text()
        if text is not None:
            self.found.append((self.getpos(), text, attrs))


def _offsets(text: str) -> list[int]:
    starts = [0]
    for index, char in enumerate(text):
        if char == "\n":
            starts.append(index + 1)
    return starts


def track(body: str, base_url: str, opens: bool, clicks: bool) -> Tracked:
    """``body`` with its links and the open pixel pointing at ``base_url``'s tracking address."""
    out = Tracked(body)
    if clicks:
        parser = _Anchors()
        try:
            parser.feed(body)
            parser.close()
        except Exception:  # HTML the parser gives up on: its links stay as they are
            parser.found = []
        starts = _offsets(body)
        pieces: list[str] = []
        cursor = 0
        for (line, column), text, attrs in parser.found:
            at = starts[line - 1] + column
            names = {name.lower() for name, _ in attrs}
            href = next((value for name, value in attrs if name.lower() == "href"), None)
            if body[at : at + len(text)] != text or "ses:no-track" in names or not href:
                continue
            if not href.lower().startswith(("http://", "https://")):
                continue
            token = secrets.token_urlsafe(18)
            out.tokens.append((token, "click", href))
            link = f"{base_url}{TRACK_PATH}?t={token}"
            values = [(name, link if name.lower() == "href" else value or "") for name, value in attrs]
            rebuilt = "<a" + "".join(f' {name}="{html.escape(value)}"' for name, value in values) + ">"
            pieces += [body[cursor:at], rebuilt]
            cursor = at + len(text)
        pieces.append(body[cursor:])
        out.html = "".join(pieces)
    if opens:
        token = secrets.token_urlsafe(18)
        out.tokens.append((token, "open", None))
        pixel = f'<img alt="" src="{base_url}{TRACK_PATH}?t={token}" style="display: none; width: 1px; height: 1px;">'
        end = out.html.lower().rfind("</body>")
        out.html = out.html + pixel if end < 0 else out.html[:end] + pixel + out.html[end:]
    return out


def track_raw(raw: bytes, base_url: str, opens: bool, clicks: bool) -> tuple[bytes, Tracked] | None:
    """A raw message with each inline text/html part tracked (the open image in the first only); None when it has
    no such part or cannot be read as MIME (it is then sent as it came)."""
    try:
        msg = email.message_from_bytes(raw, policy=email.policy.SMTP)
        if not isinstance(msg, EmailMessage):
            return None
        parts = [
            p for p in msg.walk()
            if p.get_content_type() == "text/html" and p.get_content_disposition() != "attachment"
        ]  # fmt: skip
        if not parts:
            return None
        out = Tracked("")
        for index, part in enumerate(parts):
            done = track(str(part.get_content()), base_url, opens and index == 0, clicks)
            if not done.tokens:
                continue
            out.tokens += done.tokens
            encoding = str(part.get("Content-Transfer-Encoding") or "").lower()
            cte = encoding if encoding in ("7bit", "8bit", "base64", "quoted-printable") else "quoted-printable"
            part.set_content(done.html, subtype="html", charset="utf-8", cte=cte)
        if not out.tokens:
            return None
        return msg.as_bytes(policy=email.policy.SMTP), out
    except Exception:  # MIME the email package cannot rewrite: the message goes untracked
        return None
