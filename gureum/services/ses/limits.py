"""SES's limits as data: the sandbox's quotas, message sizes and recipient counts (AWS's documented values), and
the environment switches gureum reads once at start (a short quota window for tests, auto-verification for CI)."""

from __future__ import annotations

import os

SANDBOX_MAX_24_HOUR_SEND = 200.0  # recipients per 24 hours in the sandbox
SANDBOX_MAX_SEND_RATE = 1.0  # messages per second in the sandbox
PRODUCTION_MAX_24_HOUR_SEND = 50000.0  # what the admin endpoint grants when no quota is named
PRODUCTION_MAX_SEND_RATE = 14.0
MAX_RECIPIENTS = 50  # To + Cc + Bcc of one message
MAX_MESSAGE_BYTES_V1 = 10 * 1024 * 1024  # SendRawEmail, SMTP
MAX_MESSAGE_BYTES_V2 = 40 * 1024 * 1024  # SES v2 SendEmail
MAX_BULK_DESTINATIONS = 50
MAX_TEMPLATE_BYTES = 500 * 1024
MAX_RENDERED_BYTES = 10 * 1024 * 1024  # a template whose rendering grows past this fails instead
MAX_TEMPLATE_DEPTH = 50  # nesting of {{#if}} / {{#each}} blocks
STATISTICS_INTERVAL = 15 * 60  # GetSendStatistics' data points: 15-minute buckets over the last two weeks
STATISTICS_SPAN = 14 * 24 * 3600
PRUNE_EVERY = 3600.0  # seconds between the leader's prunes of what GetSendStatistics and the quota no longer read
PRUNE_BATCH = 10_000  # sends deleted a transaction
QUOTA_BUCKETS = 1000  # the daily quota is counted in buckets of a thousandth of its window
INLINE_PARSE_BYTES = 256 * 1024  # raw messages larger than this are parsed in a worker thread
DEFAULT_SMTP_PORT = 4587  # gureum's SMTP listener (AWS: 587 / 2587 with STARTTLS); 0 turns it off


def quota_window() -> float:
    """Seconds over which the daily quota counts (GUREUM_SES_QUOTA_WINDOW; default 24 hours; tests shorten it)."""
    try:
        return max(0.001, float(os.environ.get("GUREUM_SES_QUOTA_WINDOW", "86400")))
    except ValueError:
        return 86400.0


def auto_verify() -> bool:
    """GUREUM_SES_AUTO_VERIFY=1: identities are verified as soon as they are created (for CI)."""
    return os.environ.get("GUREUM_SES_AUTO_VERIFY", "").lower() in ("1", "true", "yes", "on")


def dns_lookups() -> tuple[str, float] | None:
    """GUREUM_SES_DNS: look domain identities' records up in DNS — "system" (the machine's resolver) or
    "host[:port]" (one name server) — every GUREUM_SES_DNS_SECONDS (default 60) while any is pending; None (the
    default, "off"): only the admin stand-in verifies them."""
    where = os.environ.get("GUREUM_SES_DNS", "").strip()
    if not where or where.lower() == "off":
        return None
    try:
        every = max(0.05, float(os.environ.get("GUREUM_SES_DNS_SECONDS") or 60.0))
    except ValueError:
        every = 60.0
    return where, every


# receiving (SES's documented quotas for email receiving)
MAX_RECEIPT_RULE_SETS = 40  # per account and Region
MAX_RECEIPT_RULES = 200  # per rule set
MAX_RECEIPT_FILTERS = 100  # IP address filters per account and Region
MAX_RULE_RECIPIENTS = 100  # recipient conditions of one rule
MAX_RECEIVED_BYTES = 40 * 1024 * 1024  # the largest message SES receives (S3 action)
MAX_SNS_CONTENT_BYTES = 150 * 1024  # a message an SNS action carries; larger ones bounce
LAMBDA_REQUEST_RESPONSE_TIMEOUT = 30.0  # seconds SES waits for a RequestResponse function
