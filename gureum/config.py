"""One frozen settings object, read once at start from flags and GUREUM_* environment variables."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path


def default_data_dir() -> Path:
    base = os.environ.get("XDG_DATA_HOME") or os.path.join(os.path.expanduser("~"), ".local", "share")
    return Path(base) / "gureum"


@dataclass(slots=True, frozen=True)
class Config:
    host: str = "127.0.0.1"
    port: int = 4566
    data_dir: Path | None = None  # None: everything in memory
    store_url: str | None = None
    sync: str = "normal"  # SQLite synchronous: normal (survives kill -9) or full (survives power loss)
    log_level: str = "info"
    retention_sweep_seconds: float = 5.0
    strict_auth: bool = False  # verify SigV4 signatures
    # authorise every AWS request and delivery as AWS would (IAM policies, resource policies; gureum.aws.authorize);
    # it implies strict_auth (build_config turns it on): a policy means nothing for a caller nobody verified
    enforce_iam: bool = False
    # with enforcement off: log, and list at GET /_gureum/iam/would-deny, what enforcement would refuse
    learn_iam: bool = False
    credentials: tuple[tuple[str, str], ...] = ()  # static (access key, secret) pairs for strict mode
    # what one HTTP client may ask of the server (gureum.server.Limits); sizes as an Application Load Balancer's
    # documented limits (request line 16 KB, all headers 64 KB), timeouts short enough to shed slow clients
    max_request_line: int = 16 * 1024  # bytes of method, URL and version; beyond: 400
    max_header_bytes: int = 64 * 1024  # bytes of all header lines together; beyond: 431
    header_timeout: float = 10.0  # seconds from a request's first byte to the end of its headers; then 408
    body_timeout: float = 10.0  # seconds a body may go without a byte; then 408
    body_min_rate: float = 1024.0  # bytes/second a body must average once body_timeout has passed; else 408
    keepalive_timeout: float = 60.0  # seconds a connection may idle between requests before it is closed
    max_connections_per_client: int = 1000  # open connections per client address (0: no cap); beyond: 503
    smtp_port: int = 4587  # SES's SMTP interface (STARTTLS, SES SMTP credentials); 0: off
    smtp_inbound_port: int = 4025  # SES email receiving (receipt rules; no AUTH); 0: off
    tracing: bool = True  # record X-Ray segments of every hop (gureum.tracing; the xray service reads them)
    trace_retention: int = 10_000  # traces kept; beyond, the oldest are dropped
    ui: bool = True  # the web console at /_gureum/ui

    @property
    def in_memory(self) -> bool:
        return self.data_dir is None and not self.store_url
