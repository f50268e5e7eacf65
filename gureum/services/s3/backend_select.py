"""SelectObjectContent's checks and start (S3 Select): the request's serializations and ScanRange checked with
AWS's error codes, the expression parsed, the object's files opened; select.py runs it and streams the events."""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator
from typing import Any

from ...aws.errors import ServiceError
from ...aws.eventstream import EventStreamBody
from . import select_input as inp
from .core import S3Core, find_version, owned_bucket
from .errors import invalid_object_state
from .objects import archived_at
from .select import _CODEC, Input, Output, Plan, SelectRun, event_union
from .select_sql import parse, select_error


def _char(value: Any, default: str, name: str, allow_two: bool = False) -> str:
    if value is None:
        return default
    text = str(value)
    if not text or len(text) > (2 if allow_two else 1):
        raise select_error("InvalidArgument", f"{name} must be a single character.")
    return text


def _input(spec: dict[str, Any]) -> Input:
    formats = [name for name in ("CSV", "JSON", "Parquet") if spec.get(name) is not None]
    if len(formats) != 1:
        raise select_error(
            "InvalidDataSource", "Invalid data source type. Only CSV, JSON, and Parquet are supported at this time."
        )
    compression = str(spec.get("CompressionType") or "NONE").upper()
    if compression not in ("NONE", "GZIP", "BZIP2"):
        raise select_error(
            "InvalidCompressionFormat",
            "The file is not in a supported compression format. Only GZIP and BZIP2 are supported.",
        )
    kind = formats[0]
    if kind == "Parquet":
        if compression != "NONE":
            raise select_error(
                "InvalidCompressionFormat",
                "Parquet objects are compressed within the file: CompressionType must be NONE.",
            )
        return Input("Parquet")
    if kind == "JSON":
        json_type = str(spec["JSON"].get("Type") or "")
        if json_type not in ("DOCUMENT", "LINES"):
            raise select_error("InvalidJsonType", "The JsonType is invalid. Only DOCUMENT and LINES are supported.")
        return Input("JSON", compression, json_lines=json_type == "LINES")
    c = spec["CSV"]
    header = str(c.get("FileHeaderInfo") or "NONE").upper()
    if header not in ("USE", "IGNORE", "NONE"):
        raise select_error("InvalidFileHeaderInfo", "The FileHeaderInfo is invalid. Only NONE, USE, and IGNORE are "
                           "supported.")  # fmt: skip
    quoted = c.get("AllowQuotedRecordDelimiter")
    fmt = inp.CsvFormat(
        field=_char(c.get("FieldDelimiter"), ",", "FieldDelimiter"),
        record=_char(c.get("RecordDelimiter"), "\n", "RecordDelimiter", allow_two=True),
        quote=_char(c.get("QuoteCharacter"), '"', "QuoteCharacter") if c.get("QuoteCharacter") != "" else "",
        escape=_char(c.get("QuoteEscapeCharacter"), '"', "QuoteEscapeCharacter"),
        comments=_char(c.get("Comments"), "#", "Comments") if c.get("Comments") != "" else None,
        header=header,
        quoted_records=quoted is True or str(quoted).upper() == "TRUE",
    )
    if fmt.field == fmt.record or (fmt.quote and fmt.quote in (fmt.field, fmt.record)):
        raise select_error("InvalidArgument", "The CSV delimiters and quote character must differ.")
    return Input("CSV", compression, csv=fmt)


def _output(spec: dict[str, Any]) -> Output:
    formats = [name for name in ("CSV", "JSON") if spec.get(name) is not None]
    if len(formats) != 1:
        raise select_error("InvalidDataSource", "OutputSerialization names one of CSV and JSON.")
    if formats[0] == "JSON":
        return Output("JSON", record=_char(spec["JSON"].get("RecordDelimiter"), "\n", "RecordDelimiter", True))
    c = spec["CSV"]
    quote_fields = str(c.get("QuoteFields") or "ASNEEDED").upper()
    if quote_fields not in ("ALWAYS", "ASNEEDED"):
        raise select_error("InvalidQuoteFields", "The QuoteFields is invalid. Only ALWAYS and ASNEEDED are supported.")
    return Output(
        "CSV",
        field=_char(c.get("FieldDelimiter"), ",", "FieldDelimiter"),
        record=_char(c.get("RecordDelimiter"), "\n", "RecordDelimiter", allow_two=True),
        quote=_char(c.get("QuoteCharacter"), '"', "QuoteCharacter"),
        escape=_char(c.get("QuoteEscapeCharacter"), '"', "QuoteEscapeCharacter"),
        always=quote_fields == "ALWAYS",
    )


def _scan_range(scan: dict[str, Any] | None, source: Input, size: int) -> tuple[int, int | None]:
    """The records' [start, end] (inclusive) the request's ScanRange selects."""
    if not scan or (scan.get("Start") is None and scan.get("End") is None):
        return 0, None
    if source.kind == "Parquet" or source.compression != "NONE" or (source.kind == "JSON" and not source.json_lines):
        raise select_error(
            "UnsupportedScanRangeInput",
            "Scan range queries are not supported on this type of object (only uncompressed CSV and JSON LINES).",
        )
    start, end = scan.get("Start"), scan.get("End")
    if start is None:  # the last End bytes
        return max(0, size - int(end or 0)), None
    if int(start) < 0 or (end is not None and int(end) < int(start)):
        raise select_error("InvalidScanRange", "The scan range is invalid: Start must be at most End.")
    return int(start), (int(end) if end is not None else None)


MAX_RUNNING = 16  # S3 Select queries running at once in this process (each a thread and a DuckDB connection)


class SelectMixin(S3Core):
    select_running = 0

    async def select_object_content(
        self,
        account: str,
        bucket_name: str,
        key: str,
        expression: str,
        expression_type: str,
        input_serialization: dict[str, Any],
        output_serialization: dict[str, Any],
        scan_range: dict[str, Any] | None,
        progress: bool,
    ) -> dict[str, Any]:
        if str(expression_type).upper() != "SQL":
            raise select_error(
                "InvalidExpressionType", "The ExpressionType is invalid. Only SQL expressions are supported."
            )
        source = _input(input_serialization)
        output = _output(output_serialization)
        query = parse(expression)
        _, version = await self.store.read(
            lambda tx: (lambda b: (b, find_version(tx, b, key, None)))(owned_bucket(tx, bucket_name, account))
        )
        if archived_at(version, self.clock.now()):
            raise invalid_object_state(version.storage_class)
        start, end = _scan_range(scan_range, source, version.size)
        now = dt.datetime.fromtimestamp(self.clock.now(), dt.UTC).replace(tzinfo=None)
        plan = Plan(query, source, output, progress, start, end, version.size, now)
        if self.select_running >= MAX_RUNNING:
            raise ServiceError("The service is unavailable. Please retry.", code="Busy", status=503)
        run = SelectRun(plan, await self.blobs.open(version.segments, 0, version.size))
        self.select_running += 1
        try:
            await run.start()
        except BaseException:
            self.select_running -= 1
            raise
        return {"Payload": EventStreamBody(event_union(), self._counted(run), _CODEC)}

    async def _counted(self, run: SelectRun) -> AsyncIterator[dict[str, Any]]:
        try:
            async for event in run.events():
                yield event
        finally:
            self.select_running -= 1
