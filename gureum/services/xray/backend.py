"""The xray backend: segments in (the recorder's batches, PutTraceSegments), traces out (BatchGetTraces,
GetTraceSummaries, the service and trace graphs), and the sampling quotas of its rules (config.py)."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence
from typing import Any

from ... import safejson
from ...clock import Clock
from ...store import Store
from ...tracing.recorder import Record, Recorder
from . import store
from .config import Configuration
from .documents import duration, fold, node_of, problem, service_graph, status_of
from .errors import InvalidRequestException
from .filters import Facts, compile_filter
from .settings import Settings

MAX_SUMMARIES = 1000  # traces one GetTraceSummaries call considers
_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)


def epoch(value: Any) -> float:
    if isinstance(value, dt.datetime):
        when = value if value.tzinfo else value.replace(tzinfo=dt.UTC)
        return (when - _EPOCH).total_seconds()
    return float(value)


TRIM_SECONDS = 1.0


class XRayBackend(Configuration, Settings):
    def __init__(self, db: Store, clock: Clock, recorder: Recorder, retention: int) -> None:
        self.store = db
        self.clock = clock
        self.recorder = recorder
        self.retention = retention
        self.dropped_traces = 0
        self.telemetry_records = 0
        self._trimmed = clock.monotonic()
        self._since_trim = 0  # segments written since the last trim

    async def flush(self, records: list[Record]) -> None:
        """The recorder's batch, in one transaction. The retention bound is applied every TRIM_SECONDS, or sooner
        when a tenth of the bound was written meanwhile (counting the traces on every flush cost as much as the
        writing); the store holds at most about 1.1 x the bound."""
        self._since_trim += len(records)
        now = self.clock.monotonic()
        trim = now - self._trimmed >= TRIM_SECONDS or self._since_trim * 10 >= self.retention
        if trim:
            self._trimmed, self._since_trim = now, 0
        self.dropped_traces += await self.store.write(
            lambda tx: store.put_segments(tx, records, self.retention if trim else None)
        )

    # --- in -------------------------------------------------------------------------------------

    def put_trace_segments(self, account: str, region: str, documents: Sequence[str]) -> list[dict[str, str]]:
        """Queue each valid document for the store; the rest come back as UnprocessedTraceSegments."""
        unprocessed = []
        for text in documents:
            try:
                doc = safejson.loads(text, max_size=64 * 1024)
            except ValueError:
                unprocessed.append({"ErrorCode": "InvalidSegment", "Message": "Invalid segment. Malformed JSON."})
                continue
            why = problem(doc)
            if why is not None:
                seg_id = doc.get("id") if isinstance(doc, dict) else None
                unprocessed.append(
                    {"Id": str(seg_id or ""), "ErrorCode": "InvalidSegment", "Message": why}
                    if seg_id
                    else {"ErrorCode": "InvalidSegment", "Message": why}
                )
                continue
            start = float(doc["start_time"])
            end = float(doc.get("end_time") or start)
            self.recorder.add(Record(doc["trace_id"], doc["id"], account, region, start, end, doc))
        return unprocessed

    def put_telemetry_records(self, records: Sequence[dict[str, Any]]) -> None:
        """The daemon's health counters: X-Ray keeps them for its own metrics only; gureum counts them."""
        self.telemetry_records += len(records)

    # --- out ------------------------------------------------------------------------------------

    async def _segments(self, trace_ids: Sequence[str]) -> dict[str, list[dict[str, Any]]]:
        await self.recorder.settle()
        texts = await self.store.read(lambda tx: store.segments_of(tx, trace_ids))
        return {t: fold([json.loads(d) for d in docs]) for t, docs in texts.items()}

    async def batch_get_traces(self, account: str, region: str, trace_ids: Sequence[str]) -> dict[str, Any]:
        await self.recorder.settle()
        known = await self.store.read(lambda tx: store.known_traces(tx, account, region, trace_ids))
        found = [t for t in dict.fromkeys(trace_ids) if t in known]
        segments = await self._segments(found)
        traces = []
        for trace_id in found:
            docs = segments[trace_id]
            traces.append(
                {
                    "Id": trace_id,
                    "Duration": _trace_duration(docs),
                    "LimitExceeded": False,
                    "Segments": [{"Id": str(d.get("id")), "Document": json.dumps(d)} for d in docs],
                }
            )
        return {"Traces": traces, "UnprocessedTraceIds": [t for t in trace_ids if t not in known]}

    async def get_trace_summaries(
        self, account: str, region: str, start: Any, end: Any, expression: str | None
    ) -> dict[str, Any]:
        test = compile_filter(expression)
        begin, finish = epoch(start), epoch(end)
        if finish < begin:
            raise InvalidRequestException("EndTime can not be before StartTime")
        await self.recorder.settle()
        ids = await self.store.read(lambda tx: store.traces_between(tx, account, region, begin, finish, MAX_SUMMARIES))
        segments = await self._segments(ids)
        summaries = []
        for trace_id in ids:
            docs = segments[trace_id]
            if not docs:
                continue
            summary, facts = _summary(trace_id, docs)
            if test(facts):
                summaries.append(summary)
        return {"TraceSummaries": summaries, "ApproximateTime": self.clock.now(), "TracesProcessedCount": len(ids)}

    async def get_service_graph(self, account: str, region: str, start: Any, end: Any) -> dict[str, Any]:
        begin, finish = epoch(start), epoch(end)
        await self.recorder.settle()
        ids = await self.store.read(lambda tx: store.traces_between(tx, account, region, begin, finish, MAX_SUMMARIES))
        segments = await self._segments(ids)
        docs = [d for t in ids for d in segments[t]]
        return {
            "StartTime": begin,
            "EndTime": finish,
            "Services": service_graph(docs, _accounts(docs, account)),
            "ContainsOldGroupVersions": False,
        }

    async def get_trace_graph(self, account: str, region: str, trace_ids: Sequence[str]) -> dict[str, Any]:
        await self.recorder.settle()
        known = await self.store.read(lambda tx: store.known_traces(tx, account, region, trace_ids))
        segments = await self._segments([t for t in trace_ids if t in known])
        docs = [d for docs in segments.values() for d in docs]
        return {"Services": service_graph(docs, _accounts(docs, account))}

    async def sampling_targets(self, account: str, region: str, statistics: Sequence[dict[str, Any]]) -> dict[str, Any]:
        """A quota per client for each rule the statistics name (its reservoir a second for 10 s, then its fixed
        rate); a statistic naming a rule the account does not have is unprocessed."""
        now = self.clock.now()
        rules = {r["SamplingRule"]["RuleName"]: r for r in await self.sampling_rules(account, region)}
        targets, unprocessed = [], []
        for stat in statistics:
            record = rules.get(str(stat.get("RuleName")))
            if record is None:
                unprocessed.append(
                    {"RuleName": stat.get("RuleName"), "ErrorCode": "400", "Message": "Unknown sampling rule"}
                )
                continue
            rule = record["SamplingRule"]
            targets.append(
                {
                    "RuleName": rule["RuleName"],
                    "FixedRate": rule["FixedRate"],
                    "ReservoirQuota": rule["ReservoirSize"],
                    "ReservoirQuotaTTL": now + 10,
                    "Interval": 10,
                }
            )
        unique = list({t["RuleName"]: t for t in targets}.values())
        modified = max((r["ModifiedAt"] for r in rules.values()), default=0.0)
        return {
            "SamplingTargetDocuments": unique,
            "LastRuleModification": modified,
            "UnprocessedStatistics": unprocessed,
        }

    # --- the console ------------------------------------------------------------------------------

    async def recent(self, account: str, region: str, limit: int) -> list[dict[str, Any]]:
        now = self.clock.now()
        await self.recorder.settle()
        ids = await self.store.read(lambda tx: store.traces_between(tx, account, region, 0.0, now + 60, limit))
        segments = await self._segments(ids)
        return [_summary(t, segments[t])[0] for t in ids if segments[t]]


def _accounts(docs: list[dict[str, Any]], default: str) -> dict[tuple[str, str], str]:
    return {node_of(d): str((d.get("aws") or {}).get("account_id") or default) for d in docs}


def _trace_duration(docs: list[dict[str, Any]]) -> float:
    starts = [float(d["start_time"]) for d in docs if isinstance(d.get("start_time"), (int, float))]
    ends = [float(d.get("end_time") or d["start_time"]) for d in docs if isinstance(d.get("start_time"), (int, float))]
    return round(max(ends) - min(starts), 6) if starts else 0.0


def _summary(trace_id: str, docs: list[dict[str, Any]]) -> tuple[dict[str, Any], Facts]:
    ids = {str(d.get("id")) for d in docs}
    entry = next((d for d in docs if str(d.get("parent_id")) not in ids), docs[0])
    error = any(d.get("error") for d in docs)
    fault = any(d.get("fault") for d in docs)
    throttle = any(d.get("throttle") for d in docs)
    annotations: dict[str, Any] = {}
    for d in docs:
        for key, value in (d.get("annotations") or {}).items():
            annotations.setdefault(key, value)
    nodes = list(dict.fromkeys(node_of(d) for d in docs))
    request = (entry.get("http") or {}).get("request") or {}
    http = {"status": status_of(entry), "url": request.get("url"), "method": request.get("method")}
    facts = Facts(
        ok=not (error or fault or throttle),
        error=error,
        fault=fault,
        throttle=throttle,
        responsetime=duration(entry),
        duration=_trace_duration(docs),
        http=http,
        services={name for name, _ in nodes},
        annotations=annotations,
    )
    summary = {
        "Id": trace_id,
        "StartTime": min(float(d["start_time"]) for d in docs),
        "Duration": facts.duration,
        "ResponseTime": facts.responsetime,
        "HasFault": fault,
        "HasError": error,
        "HasThrottle": throttle,
        "IsPartial": False,
        "Http": {
            k: v
            for k, v in {"HttpStatus": http["status"], "HttpURL": http["url"], "HttpMethod": http["method"]}.items()
            if v is not None
        },
        "Annotations": {
            key: [{"AnnotationValue": _annotation(value), "ServiceIds": []}] for key, value in annotations.items()
        },
        "ServiceIds": [{"Name": name, "Names": [name], "Type": kind} for name, kind in nodes],
        "EntryPoint": {"Name": node_of(entry)[0], "Names": [node_of(entry)[0]], "Type": node_of(entry)[1]},
        "Revision": len(docs),
    }
    return summary, facts


def _annotation(value: Any) -> dict[str, Any]:
    if isinstance(value, bool):
        return {"BooleanValue": value}
    if isinstance(value, (int, float)):
        return {"NumberValue": value}
    return {"StringValue": str(value)}
