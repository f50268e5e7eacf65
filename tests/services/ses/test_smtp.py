"""SES's SMTP interface end to end with smtplib: STARTTLS, AUTH with the password AWS derives from the secret
access key, each message handled as SendRawEmail (sandbox, mailbox), and SES's reply codes."""

from __future__ import annotations

import smtplib
import ssl
from email.message import EmailMessage

import pytest

from gureum.services.ses.smtp import smtp_password

from .conftest import SMTP_KEY, SMTP_SECRET, Ses


def _connect(ses: Ses) -> smtplib.SMTP:
    client = smtplib.SMTP("127.0.0.1", ses.server.smtp_port, timeout=10)  # type: ignore[attr-defined]
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    client.starttls(context=context)
    client.ehlo()
    return client


def _message(sender: str, to: str, subject: str) -> EmailMessage:
    msg = EmailMessage()
    msg["From"], msg["To"], msg["Subject"] = sender, to, subject
    msg.set_content("sent over SMTP")
    return msg


def test_smtp_password_derivation_is_awss() -> None:
    # the version byte 0x04 and a 32-byte HMAC-SHA256: 44 base64 characters
    password = smtp_password("test", "us-east-1")
    assert len(password) == 44 and password.startswith("B")
    assert password != smtp_password("test", "eu-west-1")


def test_smtp_send_with_starttls_and_derived_credentials(ses_smtp: Ses) -> None:
    ses = ses_smtp
    ses.verify_email("smtp@example.com")
    client = _connect(ses)
    client.login(SMTP_KEY, smtp_password(SMTP_SECRET, "us-east-1"))
    refused = client.send_message(_message("smtp@example.com", "success@simulator.amazonses.com", "over smtp"))
    assert refused == {}
    client.quit()
    kept = [m for m in ses.messages(source="smtp@example.com") if m["Subject"] == "over smtp"]
    assert kept and kept[0]["Origin"] == "smtp" and kept[0]["Destination"] == ["success@simulator.amazonses.com"]


def test_smtp_reply_codes(ses_smtp: Ses) -> None:
    ses = ses_smtp
    client = smtplib.SMTP("127.0.0.1", ses.server.smtp_port, timeout=10)  # type: ignore[attr-defined]
    client.ehlo()
    code, _ = client.mail("x@example.com")
    assert code == 530  # STARTTLS (then AUTH) first
    client.quit()
    client = _connect(ses)
    with pytest.raises(smtplib.SMTPAuthenticationError) as caught:
        client.login(SMTP_KEY, smtp_password("wrong", "us-east-1"))
    assert caught.value.smtp_code == 535
    client.quit()
    client = _connect(ses)
    code, _ = client.mail("x@example.com")
    assert code == 530
    client.quit()
    client = _connect(ses)
    client.login(SMTP_KEY, smtp_password(SMTP_SECRET, "us-east-1"))
    with pytest.raises(smtplib.SMTPDataError) as data_error:
        client.send_message(_message("unverified@example.com", "someone@example.com", "nope"))
    assert data_error.value.smtp_code == 554
    assert b"Email address is not verified" in data_error.value.smtp_error
    client.quit()
