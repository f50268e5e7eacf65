"""S3 SelectObjectContent's run: one worker thread per request reads the object's files (select_input.py), runs
the translated query (select_duck.py) in its own DuckDB connection (one thread, bounded memory, no file access)
over the records as Arrow batches, and writes the result as CSV or JSON in Records events (Progress when asked,
Stats, End) handed to the event loop through a bounded queue; the loop sends Cont while nothing else comes. Errors
before the first result are the HTTP answer; later ones end the stream with an error message."""

from __future__ import annotations

import asyncio
import csv
import datetime as dt
import decimal
import io
import itertools
import json
import logging
import threading
from collections.abc import AsyncIterator, Generator, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, BinaryIO
from xml.sax.saxutils import escape as xml_escape

from ... import lazy
from ...aws import eventstream
from ...aws.errors import ServiceError
from ...aws.protocols.xml import write_value
from ...aws.specs import load_spec
from . import select_input as inp
from .select_duck import JSON_INVALID, MACROS, Columns, Translated, referenced_index, translate
from .select_sql import Query, select_error

if TYPE_CHECKING:
    import duckdb
    import pyarrow as pa
    import pyarrow.compute as pc
else:  # imported on first use: start-up stays light
    duckdb = lazy.module("duckdb")
    pa = lazy.module("pyarrow")
    pc = lazy.module("pyarrow.compute")

log = logging.getLogger("gureum.s3.select")

RECORDS_PART = 1024 * 1024  # the largest Records payload: a batch's output is cut into parts of this size
CONT_SECONDS = 2.0  # a Cont event keeps the connection alive while the scan finds nothing
READY_SECONDS = 1.0  # the answer starts once the first event is ready, or after this long
PROGRESS_BYTES = 8 * 1024 * 1024  # a Progress event (when asked for) after this many more bytes processed
QUEUE_SLOTS = 8  # events waiting for the client before the worker pauses
DUCKDB_MEMORY = "256MB"


def _xml(shape: Any, value: dict[str, Any]) -> bytes:
    if not value:
        return b""
    out: list[str] = []
    write_value(shape, value, shape.name, out)
    return "".join(out).encode()


def _xml_document(doc: dict[str, Any]) -> bytes:
    """An exception event's document (S3 Select's event union lists none: errors go as error messages)."""
    fields = "".join(f"<{key}>{xml_escape(str(value))}</{key}>" for key, value in doc.items() if key.isalnum())
    return f"<Error>{fields}</Error>".encode()


_CODEC = eventstream.PayloadCodec("text/xml", _xml, _xml_document)


def event_union() -> Any:
    return load_spec("s3").model.shape_for("SelectObjectContentEventStream")


@dataclass(slots=True)
class Output:
    kind: str  # CSV, JSON
    field: str = ","
    record: str = "\n"
    quote: str = '"'
    escape: str = '"'
    always: bool = False


@dataclass(slots=True)
class Input:
    kind: str  # CSV, JSON, Parquet
    compression: str = "NONE"
    csv: inp.CsvFormat | None = None
    json_lines: bool = False


@dataclass(slots=True)
class Plan:
    """A SelectObjectContent request, checked: the query, the input and output formats, the byte range."""

    query: Query
    input: Input
    output: Output
    progress: bool
    start: int
    end: int | None  # inclusive, from the object's start
    size: int
    now: dt.datetime


class SelectRun:
    """One request's worker thread and the events it hands over."""

    def __init__(self, plan: Plan, opened: list[tuple[BinaryIO, int, int]]) -> None:
        self.plan = plan
        self.counters = inp.Counters()
        self.source = inp.Segments(opened, self.counters)
        self.loop = asyncio.get_running_loop()
        self.queue: asyncio.Queue[tuple[str, Any]] = asyncio.Queue()
        self.slots = threading.Semaphore(QUEUE_SLOTS)
        self.conn: duckdb.DuckDBPyConnection | None = None
        self.ready = False  # the worker has handed over its first event
        self.input_error: ServiceError | None = None  # raised by the input's reader while DuckDB pulled it
        self.lock = threading.Lock()  # the connection is interrupted (loop) or closed (worker), never both at once

    async def start(self) -> None:
        """Run the worker; return once the first results (or the end) are ready, or READY_SECONDS have passed;
        raise an error met before."""
        threading.Thread(target=self._work, name="s3-select", daemon=True).start()
        try:
            kind, value = await asyncio.wait_for(self.queue.get(), READY_SECONDS)
        except TimeoutError:
            return  # a long scan that has found nothing yet: the answer starts (Cont, then what it finds)
        self.slots.release()
        if kind == "error":
            raise value

    async def events(self) -> AsyncIterator[dict[str, Any]]:
        try:
            while True:
                try:
                    kind, value = await asyncio.wait_for(self.queue.get(), CONT_SECONDS)
                except TimeoutError:
                    yield {"Cont": {}}
                    continue
                self.slots.release()
                if kind == "event":
                    yield value
                elif kind == "error":
                    raise value
                elif kind == "done":
                    return
        finally:
            self.counters.cancelled = True
            with self.lock:
                if self.conn is not None:
                    self.conn.interrupt()

    # the worker thread -------------------------------------------------------------------------------------
    def _put(self, kind: str, value: Any = None) -> bool:
        while not self.slots.acquire(timeout=1.0):
            if self.counters.cancelled:
                return False
        try:
            self.loop.call_soon_threadsafe(self.queue.put_nowait, (kind, value))
        except RuntimeError:  # the loop is closed: the server stops
            self.counters.cancelled = True
            return False
        return True

    def _emit(self, event: dict[str, Any]) -> bool:
        if not self.ready:
            self.ready = True
            if not self._put("ready"):
                return False
        return self._put("event", event)

    def _work(self) -> None:
        steps = self._run()
        try:
            for event in steps:
                if not self._emit(event):
                    return
            if not self.ready:
                self._put("ready")
            self._put("done")
        except inp._Cancelled:
            return
        except ServiceError as error:
            self._put("error", error)
        except (duckdb.Error, pa.ArrowException, OSError) as error:
            # an error of the input's reader reaches here through DuckDB (and Arrow's reader of its results)
            if self.counters.cancelled:
                return
            self._put("error", self.input_error or _duck_error(error))
        except Exception:
            log.exception("S3 Select failed")
            self._put("error", ServiceError("We encountered an internal error. Please try again.", code="InternalError",
                                            status=500, sender_fault=False))  # fmt: skip
        finally:
            steps.close()  # DuckDB's result reader goes before its connection
            self.source.close()
            with self.lock:
                if self.conn is not None:
                    self.conn.close()
                    self.conn = None

    def _run(self) -> Generator[dict[str, Any], None, None]:
        plan = self.plan
        batches, columns = self._input()
        translated = translate(plan.query, columns, plan.now)
        conn = duckdb.connect(
            config={
                "threads": 1,
                "memory_limit": DUCKDB_MEMORY,
                "enable_external_access": False,
                "autoinstall_known_extensions": False,
            }
        )
        with self.lock:
            self.conn = conn
        conn.execute(MACROS)
        conn.execute("SET lock_configuration = true")
        first = next(batches, None)
        schema = first.schema if first is not None else _empty_schema(columns)
        chained = self._watched(itertools.chain([first] if first is not None else [], batches))
        conn.register("src", pa.RecordBatchReader.from_batches(schema, chained))
        results = conn.sql(translated.sql, params=translated.params or None).to_arrow_reader(inp.BATCH_ROWS)
        writer = _Writer(plan.output, translated)
        reported = (-1, -1)
        for batch in results:
            payload = writer.write(batch)
            if payload:
                for part in _split(payload):
                    self.counters.returned += len(part)
                    yield {"Records": {"Payload": part}}
            if plan.progress and (self.counters.scanned, self.counters.processed) != reported:
                reported = (self.counters.scanned, self.counters.processed)
                yield {"Progress": {"Details": self._figures()}}
        if plan.progress:
            yield {"Progress": {"Details": self._figures()}}
        yield {"Stats": {"Details": self._figures()}}
        yield {"End": {}}

    def _watched(self, batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        """The input's batches as DuckDB pulls them; Progress every PROGRESS_BYTES processed when asked for."""
        reported = 0
        try:
            for batch in batches:
                yield batch
                if self.plan.progress and self.counters.processed - reported >= PROGRESS_BYTES:
                    reported = self.counters.processed
                    if not self._emit({"Progress": {"Details": self._figures()}}):
                        raise inp._Cancelled()
        except ServiceError as error:
            self.input_error = error
            raise

    def _figures(self) -> dict[str, int]:
        c = self.counters
        return {"BytesScanned": c.scanned, "BytesProcessed": c.processed, "BytesReturned": c.returned}

    def _input(self) -> tuple[Iterator[pa.RecordBatch], Columns]:
        plan = self.plan
        source_in = plan.input
        if source_in.kind == "Parquet":
            parquet = inp.parquet_file(self.source)
            fields = list(parquet.schema_arrow.names)
            return inp.parquet_batches(parquet, self.counters), Columns("parquet", fields, len(fields))
        start = plan.start
        end = None if plan.end is None else plan.end - max(0, start - 1)
        chunks = inp.raw_chunks(self.source, max(0, start - 1), source_in.compression)
        if source_in.kind == "JSON":
            if source_in.json_lines and not plan.query.source_path:  # each line is a record, validated by DuckDB
                lines = inp.record_groups(chunks, b"\n", start > 0, end)
                return inp.json_line_batches(lines, self.counters), Columns("json")
            values: Iterator[Any]
            if source_in.json_lines:
                values = inp.json_lines(inp.records(chunks, b"\n", start > 0, end))
            else:
                values = inp.json_documents(chunks)
            return inp.json_batches(values, plan.query.source_path, self.counters), Columns("json")
        fmt = source_in.csv
        assert fmt is not None
        reader = inp.CsvRecords(fmt)
        delimiter = fmt.record.encode()
        groups = reader.fields(inp.record_groups(chunks, delimiter, start > 0, end))
        first_group = inp.first_rows(next((group for group in groups if len(group)), []))
        names: list[str] | None = None
        if fmt.header in ("USE", "IGNORE"):
            if start > 0:  # the header is the object's first record, outside the range
                head_chunks = inp.raw_chunks(self.source, 0, source_in.compression)
                head_groups = reader.fields(inp.record_groups(head_chunks, delimiter, False, None))
                header = inp.first_rows(next((group for group in head_groups if len(group)), [[]]))[0]
            else:
                header = first_group.pop(0) if first_group else []
                if not first_group:
                    first_group = inp.first_rows(next((group for group in groups if len(group)), []))
            if fmt.header == "USE":
                names = [name.strip() for name in header]
        wanted = referenced_index(plan.query)
        width = max(len(first_group[0]) if first_group else 0, len(names or []), wanted)
        if width > inp.MAX_COLUMNS:
            raise select_error("OverMaxColumn", "The number of columns in the result is greater than 10,000.")
        every = itertools.chain([first_group], groups)
        return inp.csv_batches(every, max(width, 1), self.counters), Columns("csv", names, max(width, 1), wanted)


def _empty_schema(columns: Columns) -> pa.Schema:
    if columns.kind == "json":
        return pa.schema([("j", pa.string())])
    return pa.schema([(f"c{i}", pa.string()) for i in range(1, max(columns.width, 1) + 1)])


def _split(payload: bytes) -> Iterator[bytes]:
    """A batch's output in Records payloads (a record may straddle two, as on AWS: clients join them)."""
    for at in range(0, len(payload), RECORDS_PART):
        yield payload[at : at + RECORDS_PART]


def _duck_error(error: Exception) -> ServiceError:
    """S3 Select's error for DuckDB's (raised as such, or as Arrow's error text while its results are read)."""
    text = str(error)
    if JSON_INVALID in text or "Malformed JSON" in text:
        return select_error(
            "JSONParsingError", "Encountered an error parsing the JSON file. Check the file and try again."
        )
    if isinstance(error, (duckdb.ConversionException, duckdb.InvalidInputException)) or text.startswith(
        ("Conversion Error", "Invalid Input Error")
    ):
        return select_error(
            "CastFailed", "Attempt to convert from one data type to another using CAST failed in the SQL expression."
        )
    if isinstance(error, duckdb.BinderException) or text.startswith("Binder Error"):
        return select_error("InvalidDataType", "The SQL expression contains an invalid data type.")
    if isinstance(error, duckdb.OutOfMemoryException) or text.startswith("Out of Memory"):
        return ServiceError("The service is unavailable. Try again later.", code="Busy", status=503)
    log.warning("S3 Select: DuckDB refused a translated query: %s", error)
    return select_error("UnsupportedSyntax", "We encountered syntax that is not valid.")


class _Writer:
    """Result rows as CSV or JSON text."""

    def __init__(self, output: Output, translated: Translated) -> None:
        self.output = output
        self.t = translated
        self.buffer = io.StringIO()
        if output.kind == "CSV":
            options: dict[str, Any] = {
                "delimiter": output.field,
                "lineterminator": output.record,
                "quotechar": output.quote or '"',
                "quoting": csv.QUOTE_ALL if output.always else csv.QUOTE_MINIMAL,
            }
            if not output.quote:
                options["quoting"] = csv.QUOTE_NONE
                options["escapechar"] = "\\"
            elif output.escape and output.escape != output.quote:
                options.update(escapechar=output.escape, doublequote=False)
            self.csv = csv.writer(self.buffer, **options)

    def write(self, batch: pa.RecordBatch) -> bytes:
        json_flags = self.t.json_columns
        if self.output.kind == "CSV" and not (self.t.star and json_flags == [True]):
            return self._csv_rows(batch)
        columns = [column.to_pylist() for column in batch.columns]
        out = self.buffer
        out.seek(0)
        out.truncate()
        for row in zip(*columns, strict=True):
            before = out.tell()
            if self.output.kind == "CSV":
                if self.t.star and json_flags == [True]:
                    self.csv.writerow(_csv_value(v) for v in _object_values(row[0]))
                else:
                    self.csv.writerow(_csv_text(v, j) for v, j in zip(row, json_flags, strict=True))
            else:
                if self.t.star and json_flags == [True]:
                    out.write(row[0] if row[0] is not None else "{}")
                else:
                    parts = []
                    for name, value, raw, field in zip(self.t.names, row, json_flags, self.t.references, strict=True):
                        if value is None and field:
                            continue
                        parts.append(json.dumps(name) + ":" + (value if raw else _json_value(value)))
                    out.write("{" + ",".join(parts) + "}")
                out.write(self.output.record)
            if out.tell() - before > inp.MAX_RECORD:
                raise inp._over_max()
        return out.getvalue().encode()

    def _csv_rows(self, batch: pa.RecordBatch) -> bytes:
        """CSV rows of a batch: text columns (CSV fields) as they are, others converted value by value."""
        columns: list[list[str]] = []
        widest = 0  # an upper bound of a row's length
        for column, raw in zip(batch.columns, self.t.json_columns, strict=True):
            if pa.types.is_string(column.type) and not raw:
                widest += pc.max(pc.binary_length(column)).as_py() or 0
                columns.append(pc.fill_null(column, "").to_pylist())
            else:
                values = [_csv_text(value, raw) for value in column.to_pylist()]
                widest += max(map(len, values), default=0)
                columns.append(values)
        out = self.buffer
        out.seek(0)
        out.truncate()
        self.csv.writerows(zip(*columns, strict=True))
        if widest + len(columns) * 3 > inp.MAX_RECORD:  # perhaps a row over the limit: measure them
            for row in zip(*columns, strict=True):
                if sum(map(len, row)) > inp.MAX_RECORD:
                    raise inp._over_max()
        return out.getvalue().encode()


def _object_values(text: str | None) -> list[Any]:
    if text is None:
        return []
    value = inp.json_loads(text)
    return list(value.values()) if isinstance(value, dict) else [value]


def _csv_value(value: Any) -> str:
    if isinstance(value, (dict, list)):
        return json.dumps(value, separators=(",", ":"))
    return _scalar(value)


def _csv_text(value: Any, raw_json: bool) -> str:
    if value is None:
        return ""
    if raw_json:
        if value.startswith('"'):
            return str(json.loads(value))
        return str(value)
    return _scalar(value)


def _scalar(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() and abs(value) < 1e16 else repr(value)
    if isinstance(value, (dt.datetime, dt.date)):
        return _timestamp(value)
    return str(value)


def _timestamp(value: dt.date) -> str:
    if isinstance(value, dt.datetime):
        if value.tzinfo is None:
            value = value.replace(tzinfo=dt.UTC)
        return value.isoformat().replace("+00:00", "Z")
    return value.isoformat()


def _json_value(value: Any) -> str:
    if isinstance(value, bool) or value is None:
        return json.dumps(value)
    if isinstance(value, float):
        return _scalar(value)
    if isinstance(value, decimal.Decimal):
        return str(value)
    if isinstance(value, int):
        return str(value)
    if isinstance(value, (dt.datetime, dt.date)):
        return json.dumps(_timestamp(value))
    if isinstance(value, (bytes, bytearray)):
        return json.dumps(bytes(value).decode("utf-8", "replace"))
    return json.dumps(value, default=str, ensure_ascii=False)
