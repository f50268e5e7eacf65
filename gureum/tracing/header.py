"""AWS's trace header, X-Amzn-Trace-Id: ``Root=1-<8 hex epoch>-<24 hex>;Parent=<16 hex>;Sampled=<0|1|?>`` plus
any other ``Key=Value`` fields (Self, Lineage) kept in order. Parsing is bounded and never uses a regex.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass, replace

MAX_HEADER = 2048  # longer headers are ignored, as a malformed one is
_MAX_FIELDS = 16
_HEX = frozenset("0123456789abcdef")


def _hex(text: str, size: int) -> bool:
    return len(text) == size and all(c in _HEX for c in text)


def valid_trace_id(text: str) -> bool:
    """``1-<8 hex>-<24 hex>``, X-Ray's trace id."""
    parts = text.split("-")
    return len(parts) == 3 and parts[0] == "1" and _hex(parts[1], 8) and _hex(parts[2], 24)


def valid_segment_id(text: str) -> bool:
    return _hex(text, 16)


def new_trace_id(epoch_seconds: float) -> str:
    return f"1-{int(epoch_seconds) & 0xFFFFFFFF:08x}-{secrets.token_hex(12)}"


def new_segment_id() -> str:
    return secrets.token_hex(8)


@dataclass(frozen=True, slots=True)
class TraceHeader:
    root: str
    parent: str | None = None
    sampled: str | None = None  # "1", "0", "?" (the caller leaves the decision to the service)
    extra: tuple[tuple[str, str], ...] = ()  # other fields, in order (Self=, Lineage=)

    @property
    def is_sampled(self) -> bool:
        return self.sampled != "0"

    def format(self) -> str:
        parts = [f"Root={self.root}"]
        if self.parent:
            parts.append(f"Parent={self.parent}")
        if self.sampled is not None:
            parts.append(f"Sampled={self.sampled}")
        parts.extend(f"{key}={value}" for key, value in self.extra)
        return ";".join(parts)

    def child(self, parent: str) -> TraceHeader:
        """The header a hop passes on: the same trace, its own segment as the parent; a "?" decision is made."""
        return TraceHeader(self.root, parent, "0" if self.sampled == "0" else "1", self.extra)

    @staticmethod
    def new(epoch_seconds: float, sampled: bool = True) -> TraceHeader:
        return TraceHeader(new_trace_id(epoch_seconds), None, "1" if sampled else "0")


def parse(text: str | None) -> TraceHeader | None:
    """The header's fields, or None when it is absent or has no valid Root (AWS then starts a new trace)."""
    if not text or len(text) > MAX_HEADER:
        return None
    root: str | None = None
    parent: str | None = None
    sampled: str | None = None
    extra: list[tuple[str, str]] = []
    for field in text.split(";", _MAX_FIELDS)[:_MAX_FIELDS]:
        key, sep, value = field.strip().partition("=")
        if not sep:
            continue
        key, value = key.strip(), value.strip()
        if key == "Root":
            root = value
        elif key == "Parent":
            parent = value if valid_segment_id(value) else None
        elif key == "Sampled":
            sampled = value if value in ("0", "1", "?") else None
        elif key and len(extra) < 4:
            extra.append((key, value))
    if root is None or not valid_trace_id(root):
        return None
    return TraceHeader(root, parent, sampled, tuple(extra))


# --- Lineage: Lambda's recursive loop detection ---------------------------------------------------------------
# A function's invocations in one chain of events (an SQS message its own function sends back, an SNS topic it
# publishes to again) carry the Lineage field: "<function key>:<times invoked>" entries joined by "+" (a character
# botocore's recursion-detection header keeps as it is), at most MAX_LINEAGE of them.
LINEAGE = "Lineage"
MAX_LINEAGE = 8


def lineage_key(function_arn: str) -> str:
    """A function's entry name in Lineage: 8 hex digits of its unqualified ARN's hash."""
    return hashlib.sha256(function_arn.encode()).hexdigest()[:8]


def lineage(header: TraceHeader | None) -> dict[str, int]:
    """How many times each function (by lineage_key) was invoked in the header's chain of events."""
    value = next((v for k, v in header.extra if k == LINEAGE), "") if header is not None else ""
    out: dict[str, int] = {}
    for entry in value.replace("%2B", "+").split("+", MAX_LINEAGE)[:MAX_LINEAGE]:
        key, sep, count = entry.partition(":")
        if sep and _hex(key, 8) and count.isdigit() and len(count) <= 6:
            out[key] = int(count)
    return out


def with_lineage(header: TraceHeader, counts: dict[str, int]) -> TraceHeader:
    """The header with its Lineage field made of ``counts`` (the last MAX_LINEAGE functions)."""
    text = "+".join(f"{key}:{count}" for key, count in list(counts.items())[-MAX_LINEAGE:])
    kept = tuple((k, v) for k, v in header.extra if k != LINEAGE)[:3]
    return replace(header, extra=(*kept, (LINEAGE, text)))
