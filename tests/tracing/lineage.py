"""The Lineage field Lambda adds to a function's trace (_X_AMZN_TRACE_ID) for recursive loop detection."""

from __future__ import annotations

import hashlib


def lineage(function_arn: str, count: int = 1) -> str:
    """The field (with its leading ";") of a chain of events that invoked the function ``count`` times."""
    return f";Lineage={hashlib.sha256(function_arn.encode()).hexdigest()[:8]}:{count}"
