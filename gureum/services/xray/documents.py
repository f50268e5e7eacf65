"""Segment documents as X-Ray reads them: checking one sent to PutTraceSegments, folding independent subsegments
into their segment, and what a trace sums up to (summary, service graph)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from ...tracing.header import valid_segment_id, valid_trace_id


def problem(doc: Any) -> str | None:
    """Why a sent document is not a segment X-Ray accepts (its required fields), or None."""
    if not isinstance(doc, dict):
        return "Invalid segment. The document is not a JSON object."
    for name in ("name", "id", "trace_id", "start_time"):
        if name not in doc:
            return f"Invalid segment. ErrorCode: MissingRequiredField: {name}"
    if not isinstance(doc["name"], str) or not 1 <= len(doc["name"]) <= 200:
        return "Invalid segment. ErrorCode: InvalidName"
    if not isinstance(doc["id"], str) or not valid_segment_id(doc["id"]):
        return "Invalid segment. ErrorCode: InvalidId"
    if not isinstance(doc["trace_id"], str) or not valid_trace_id(doc["trace_id"]):
        return "Invalid segment. ErrorCode: InvalidTraceId"
    if not isinstance(doc["start_time"], (int, float)):
        return "Invalid segment. ErrorCode: InvalidStartTime"
    if "end_time" not in doc and doc.get("in_progress") is not True:
        return "Invalid segment. ErrorCode: MissingRequiredField: end_time or in_progress"
    if "end_time" in doc and not isinstance(doc["end_time"], (int, float)):
        return "Invalid segment. ErrorCode: InvalidEndTime"
    return None


def fold(docs: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Segments with their independently sent subsegments (type "subsegment") placed under their parent."""
    segments = [d for d in docs if d.get("type") != "subsegment"]
    by_id: dict[str, dict[str, Any]] = {}

    def index(doc: dict[str, Any], depth: int) -> None:
        by_id.setdefault(str(doc.get("id")), doc)
        if depth < 8:
            for sub in doc.get("subsegments") or ():
                if isinstance(sub, dict):
                    index(sub, depth + 1)

    for seg in segments:
        index(seg, 0)
    for sub in (d for d in docs if d.get("type") == "subsegment"):
        parent = by_id.get(str(sub.get("parent_id")))
        if parent is None:
            segments.append(sub)
        else:
            parent.setdefault("subsegments", []).append(sub)
    return segments


def node_of(doc: dict[str, Any]) -> tuple[str, str]:
    """The service-graph node a segment belongs to: (name, type)."""
    return str(doc.get("name")), str(doc.get("origin") or "client")


def status_of(doc: dict[str, Any]) -> int | None:
    status = ((doc.get("http") or {}).get("response") or {}).get("status")
    return status if isinstance(status, int) else None


@dataclass
class Stats:
    ok: int = 0
    errors: int = 0
    throttles: int = 0
    faults: int = 0
    total_time: float = 0.0
    durations: dict[float, int] = field(default_factory=dict)

    def add(self, doc: dict[str, Any]) -> None:
        if doc.get("fault"):
            self.faults += 1
        elif doc.get("throttle"):
            self.throttles += 1
        elif doc.get("error"):
            self.errors += 1
        else:
            self.ok += 1
        elapsed = duration(doc)
        self.total_time += elapsed
        bucket = round(elapsed, 3)
        self.durations[bucket] = self.durations.get(bucket, 0) + 1

    def aws(self) -> dict[str, Any]:
        return {
            "OkCount": self.ok,
            "ErrorStatistics": {
                "ThrottleCount": self.throttles,
                "OtherCount": self.errors,
                "TotalCount": self.errors + self.throttles,
            },
            "FaultStatistics": {"OtherCount": self.faults, "TotalCount": self.faults},
            "TotalCount": self.ok + self.errors + self.throttles + self.faults,
            "TotalResponseTime": round(self.total_time, 6),
        }

    def histogram(self) -> list[dict[str, Any]]:
        return [{"Value": value, "Count": count} for value, count in sorted(self.durations.items())]


def duration(doc: dict[str, Any]) -> float:
    start, end = doc.get("start_time"), doc.get("end_time")
    if isinstance(start, (int, float)) and isinstance(end, (int, float)):
        return max(0.0, float(end) - float(start))
    return 0.0


def service_graph(segments: Iterable[dict[str, Any]], accounts: dict[tuple[str, str], str]) -> list[dict[str, Any]]:
    """X-Ray's Services of a set of segments: one node per (name, type), an edge from a segment's parent's node."""
    segs = list(segments)
    owner = {str(s.get("id")): node_of(s) for s in segs}
    refs: dict[tuple[str, str], int] = {}
    stats: dict[tuple[str, str], Stats] = {}
    edges: dict[tuple[str, str], dict[tuple[str, str], Stats]] = {}
    times: dict[tuple[str, str], list[float]] = {}
    children: set[tuple[str, str]] = set()
    for seg in segs:
        node = node_of(seg)
        refs.setdefault(node, len(refs))
        stats.setdefault(node, Stats()).add(seg)
        span = times.setdefault(node, [float("inf"), 0.0])
        span[0] = min(span[0], float(seg.get("start_time") or 0))
        span[1] = max(span[1], float(seg.get("end_time") or seg.get("start_time") or 0))
        parent = owner.get(str(seg.get("parent_id")))
        if parent is not None and parent != node:
            edges.setdefault(parent, {}).setdefault(node, Stats()).add(seg)
            children.add(node)
    services = []
    for node, ref in refs.items():
        start, end = times[node]
        services.append(
            {
                "ReferenceId": ref,
                "Name": node[0],
                "Names": [node[0]],
                "Root": node not in children,
                "AccountId": accounts.get(node),
                "Type": node[1],
                "State": "active",
                "StartTime": start,
                "EndTime": end,
                "Edges": [
                    {
                        "ReferenceId": refs[child],
                        "StartTime": start,
                        "EndTime": end,
                        "SummaryStatistics": edge.aws(),
                        "ResponseTimeHistogram": edge.histogram(),
                        "Aliases": [],
                    }
                    for child, edge in edges.get(node, {}).items()
                ],
                "SummaryStatistics": stats[node].aws(),
                "DurationHistogram": stats[node].histogram(),
                "ResponseTimeHistogram": stats[node].histogram(),
            }
        )
    return services
