"""The smarthost relay: every message SES accepts is also handed to a real SMTP server the user names, so gureum can
be the mail gateway of a self-hosted application. Configured once at start by GUREUM_SES_RELAY, a URL:

    smtp://[user:password@]host[:port][?starttls=1]    plain SMTP (port 25), STARTTLS when asked
    smtps://[user:password@]host[:port]                 implicit TLS (port 465)

plus GUREUM_SES_RELAY_VERIFY=0 to accept a server certificate that does not verify. The relay is durable: the
send's transaction enqueues a "ses-relay" delivery (gureum.delivery) and the outbox retries it with backoff; the
SMTP conversation (smtplib) runs in a worker thread, never on the event loop. Mailbox-simulator addresses and
recipients SES bounced (suppression list) are not relayed."""

from __future__ import annotations

import asyncio
import os
import smtplib
import ssl
import urllib.parse
from dataclasses import dataclass

from ...delivery import DeliveryError, RetryPolicy

KIND = "ses-relay"
TIMEOUT = 60.0  # seconds one relay attempt may take
# as a mail server retries: for a day, backing off from a second to ten minutes
RETRY = RetryPolicy(attempts=40, min_delay=1.0, max_delay=600.0, max_age=86_400.0)


@dataclass(frozen=True, slots=True)
class Relay:
    host: str
    port: int
    implicit_tls: bool
    starttls: bool
    user: str
    password: str
    verify: bool

    def _context(self) -> ssl.SSLContext:
        context = ssl.create_default_context()
        if not self.verify:
            context.check_hostname = False
            context.verify_mode = ssl.CERT_NONE
        return context

    def send_blocking(self, sender: str, recipients: list[str], raw: bytes) -> None:
        """One SMTP conversation (in a worker thread). A permanent refusal (5xx) is not retried."""
        try:
            client: smtplib.SMTP
            if self.implicit_tls:
                client = smtplib.SMTP_SSL(self.host, self.port, timeout=TIMEOUT, context=self._context())
            else:
                client = smtplib.SMTP(self.host, self.port, timeout=TIMEOUT)
            with client:
                client.ehlo()
                if self.starttls:
                    client.starttls(context=self._context())
                    client.ehlo()
                if self.user:
                    client.login(self.user, self.password)
                refused = client.sendmail(sender, recipients, raw)
        except smtplib.SMTPRecipientsRefused as error:
            raise DeliveryError(f"the smarthost refused every recipient: {error.recipients}", retryable=False) from None
        except smtplib.SMTPResponseException as error:
            permanent = 500 <= error.smtp_code < 600
            message = error.smtp_error.decode("utf-8", "replace") if isinstance(error.smtp_error, bytes) else ""
            raise DeliveryError(f"smarthost answered {error.smtp_code} {message}", retryable=not permanent) from None
        except (OSError, smtplib.SMTPException) as error:
            raise DeliveryError(f"smarthost {self.host}:{self.port} unreachable: {error}") from None
        if refused:
            raise DeliveryError(f"the smarthost refused some recipients: {sorted(refused)}", retryable=False)

    async def send(self, sender: str, recipients: list[str], raw: bytes) -> None:
        await asyncio.to_thread(self.send_blocking, sender, recipients, raw)


def from_environment() -> Relay | None:
    """The relay GUREUM_SES_RELAY names, or None (ValueError for a URL gureum cannot use)."""
    text = os.environ.get("GUREUM_SES_RELAY", "").strip()
    if not text:
        return None
    url = urllib.parse.urlsplit(text)
    if url.scheme not in ("smtp", "smtps") or not url.hostname:
        raise ValueError(f"GUREUM_SES_RELAY must be smtp://host[:port] or smtps://host[:port], not {text!r}")
    query = urllib.parse.parse_qs(url.query)
    return Relay(
        host=url.hostname,
        port=url.port or (465 if url.scheme == "smtps" else 25),
        implicit_tls=url.scheme == "smtps",
        starttls=url.scheme == "smtp" and query.get("starttls", ["0"])[0].lower() in ("1", "true", "yes"),
        user=urllib.parse.unquote(url.username or ""),
        password=urllib.parse.unquote(url.password or ""),
        verify=os.environ.get("GUREUM_SES_RELAY_VERIFY", "1").lower() not in ("0", "false", "no"),
    )
