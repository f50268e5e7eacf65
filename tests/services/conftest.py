"""Fixtures every service's tests may use: ``podman``, the session's container engine (tests/containers.py),
started only when a test asks for it."""

from ..containers import podman  # noqa: F401  (a session fixture)
