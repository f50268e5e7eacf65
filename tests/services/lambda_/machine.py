"""Machine tools the language tests need (a JDK, Go, Ruby), installed with apt when missing (tests/debian.py)."""

from __future__ import annotations

from collections.abc import Callable

from ... import debian


def ensure(present: Callable[[], bool], packages: list[str]) -> bool:
    """Whether ``present()`` holds, after installing ``packages`` with apt-get when it did not (root on Debian)."""
    return debian.ensure(present, packages, "the Lambda language tests")
