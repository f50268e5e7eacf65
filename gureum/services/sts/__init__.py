"""AWS STS: caller identity and temporary credentials that act in the role's account."""

from __future__ import annotations

from .. import Service

SERVICE = Service("sts")

from . import ops  # noqa: E402,F401  (registers the operations)
