"""Waiting in end-to-end tests for what the server does in the background (a sweep, a lookup, a delivery)."""

from __future__ import annotations

import time
from collections.abc import Callable


def until(check: Callable[[], bool], timeout: float = 10.0, pause: float = 0.1) -> bool:
    """Whether ``check`` became true within ``timeout`` seconds (asked every ``pause`` seconds)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(pause)
    return False
