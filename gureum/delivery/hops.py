"""A delivery's place in its producer's trace: the row carries the producer's X-Amzn-Trace-Id under ``TRACE_KEY`` in
its payload (the target never sees that key) and every attempt records a segment (resource = the address, the
attempt number, the row's fate: delivered, retried, dead-lettered, dropped) under which the target runs, so the
hops it makes (a function's segment, a queue's AWSTraceHeader, the next row) continue the same trace.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .. import tracing

if TYPE_CHECKING:
    from ..runtime import Runtime

TRACE_KEY = "_x_amzn_trace_id"


def carry(payload: dict[str, Any], starts_trace: bool) -> dict[str, Any]:
    """The payload to store: with the current trace (the producer's) unless the row carries one already or the
    kind starts a trace of its own per firing (a schedule's timer)."""
    if starts_trace or TRACE_KEY in payload:
        return payload
    text = tracing.current_text()
    return payload if text is None else {**payload, TRACE_KEY: text}


def split(payload: dict[str, Any]) -> tuple[dict[str, Any], tracing.TraceHeader | None]:
    """The payload as the target expects it, and the trace it carried."""
    if TRACE_KEY not in payload:
        return payload, None
    rest = dict(payload)
    return rest, tracing.parse(rest.pop(TRACE_KEY))


def begin(
    runtime: Runtime, kind: str, address: str, source: str | None, header: tracing.TraceHeader | None, starts: bool
) -> tracing.Span | None:
    """The attempt's segment: under the carried trace, or a new trace for a kind that starts one (None when the row
    carries no trace, it is not sampled, or tracing is off)."""
    rec = tracing.recorder(runtime)
    if rec is None or (header is None and not starts):
        return None
    arn = address if address.startswith("arn:") else source or ""
    parts = arn.split(":")
    region, account = (parts[3], parts[4]) if len(parts) > 4 else ("", "")
    span = rec.begin(
        header,
        name=f"delivery {kind}",
        origin="gureum::Delivery",
        operation=kind,
        account=account,
        region=region,
        resource_arn=address,
    )
    if span is not None and source:
        span.doc.setdefault("metadata", {})["delivery"] = {"source": source}
    return span
