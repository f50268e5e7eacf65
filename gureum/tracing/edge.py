"""Traces at an edge that is not an AWS API call (API Gateway stages, Lambda function URLs): the caller's
X-Amzn-Trace-Id or a new trace whose sampling is left open (the function's TracingConfig decides), made current for
the integration; a stage with tracing enabled records its own segment (sampled unless the caller said Sampled=0);
a resource with active tracing (an SNS topic) starts a sampled trace when its caller made no decision.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, TypeVar

from .context import current, restore, use
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


@contextmanager
def active_resource(
    runtime: Runtime, active: bool, *, name: str, origin: str, account: str, region: str, resource_arn: str
) -> Iterator[TraceHeader | None]:
    """A resource with active tracing (an SNS topic's TracingConfig Active): when the caller made no decision (no
    current trace, or Sampled absent or ?), a segment of its own that starts a sampled trace and is current inside;
    otherwise the current trace as it is. Yields the header its hops pass on (None: none)."""
    caller = current()
    rec = recorder(runtime) if active and (caller is None or caller.sampled in (None, "?")) else None
    span = rec.begin(caller, name=name, origin=origin, operation="Publish", account=account, region=region,
                     resource_arn=resource_arn) if rec is not None else None  # fmt: skip
    if span is None:
        yield caller
        return
    token = use(span.header)
    try:
        yield span.header
    except BaseException:
        span.end(status=500, fault=True)
        raise
    else:
        span.end(status=200)
    finally:
        restore(token)
