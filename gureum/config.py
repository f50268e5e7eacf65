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
    credentials: tuple[tuple[str, str], ...] = ()  # static (access key, secret) pairs for strict mode

    @property
    def in_memory(self) -> bool:
        return self.data_dir is None and not self.store_url
