"""Traces at an edge that is not an AWS API call (API Gateway stages, Lambda function URLs): the caller's
X-Amzn-Trace-Id or a new trace whose sampling is left open (the function's TracingConfig decides), made current for
the integration; a stage with tracing enabled records its own segment (sampled unless the caller said Sampled=0).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, TypeVar

from .context import restore, use
from .header import TraceHeader, new_trace_id, parse
from .recorder import recorder

if TYPE_CHECKING:
    from ..runtime import Runtime

T = TypeVar("T")


def accepted(now: float, text: str | None) -> TraceHeader:
    """The caller's header, or a new trace with no sampling decision (Sampled absent)."""
    return parse(text) or TraceHeader(new_trace_id(now))


async def at_edge(
    runtime: Runtime,
    header: TraceHeader,
    serve: Callable[[], Awaitable[T]],
    status: Callable[[T], int],
    *,
    active: bool = False,
    name: str = "",
    origin: str = "",
    account: str = "",
    region: str = "",
    resource_arn: str | None = None,
) -> tuple[T, TraceHeader]:
    """Run ``serve`` under ``header`` (an ``active`` edge: under its own segment, ended with ``status`` of the
    answer); returns the answer and the header passed downstream (what a REST API echoes as X-Amzn-Trace-Id)."""
    rec = recorder(runtime) if active else None
    span = None
    if rec is not None:
        span = rec.begin(header, name=name, origin=origin, operation=None, account=account, region=region,
                         resource_arn=resource_arn)  # fmt: skip
    passed = span.header if span is not None else header
    token = use(passed)
    try:
        answer = await serve()
    except BaseException:
        if span is not None:
            span.end(status=500, fault=True)
        raise
    finally:
        restore(token)
    if span is not None:
        code = status(answer)
        span.end(status=code, error=400 <= code < 500, fault=code >= 500, throttle=code == 429)
    return answer, passed
