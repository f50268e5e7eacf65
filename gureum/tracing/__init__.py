"""Trace context shared by every service: X-Amzn-Trace-Id (header.py), the current trace of a task (context.py)
and the segment recorder (recorder.py: buffered in memory, flushed off the request path by the xray service).

Imports no service; services reach the recorder with ``recorder(runtime)``.
"""

from .context import current, current_text, restore, use
from .edge import accepted, active_resource, at_edge
from .header import TraceHeader, lineage, lineage_key, new_segment_id, new_trace_id, parse, with_lineage
from .recorder import Recorder, Span, recorder

__all__ = [
    "Recorder",
    "Span",
    "TraceHeader",
    "accepted",
    "active_resource",
    "at_edge",
    "current",
    "current_text",
    "lineage",
    "lineage_key",
    "new_segment_id",
    "new_trace_id",
    "parse",
    "recorder",
    "restore",
    "use",
    "with_lineage",
]
