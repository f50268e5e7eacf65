"""The trace a task works for: a ContextVar set by the AWS API entry (dispatcher), an edge (API Gateway, function
URLs) or a delivery, read by whatever the task calls (a hop records its segment under it and passes it on).

A ContextVar holds no shared state: each asyncio task sees the value of the context it was created in.
"""

from __future__ import annotations

from contextvars import ContextVar, Token

from .header import TraceHeader

_CURRENT: ContextVar[TraceHeader | None] = ContextVar("gureum_trace", default=None)


def current() -> TraceHeader | None:
    """The header of the trace this task works for (its Parent is the segment that is calling), or None."""
    return _CURRENT.get()


def use(header: TraceHeader | None) -> Token[TraceHeader | None]:
    """Make ``header`` the current trace; give the token to ``restore`` when done."""
    return _CURRENT.set(header)


def current_text() -> str | None:
    """The current trace as an X-Amzn-Trace-Id value (what a hop stores for the next one), or None."""
    header = _CURRENT.get()
    return header.format() if header is not None else None


def restore(token: Token[TraceHeader | None]) -> None:
    _CURRENT.reset(token)
