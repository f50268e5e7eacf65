"""S3 Select's input, read from the object's files as it goes (worker thread): the byte range (whole object or
ScanRange: the records that start inside it, the last one read to its end), GZIP/BZIP2 decompression, and records
as Arrow batches — CSV fields (c1..cN text), JSON records (j, their text; LINES or DOCUMENT, S3Object[*].path
steps), Parquet columns (renamed c1..cN). Counts BytesScanned / BytesProcessed; refuses records over 1 MiB."""

from __future__ import annotations

import bz2
import csv
import io
import json
import zlib
from collections.abc import Generator, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, BinaryIO, TypeAlias

from ... import lazy
from ...safejson import MAX_DEPTH, depth
from .select_sql import select_error

if TYPE_CHECKING:
    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.parquet as pq
else:  # imported on first use: start-up stays light
    pa = lazy.module("pyarrow")
    pc = lazy.module("pyarrow.compute")
    pq = lazy.module("pyarrow.parquet")

MAX_RECORD = 1024 * 1024  # S3 Select's maxCharsPerRecord
CHUNK = 256 * 1024
BATCH_ROWS = 4096
BATCH_BYTES = 4 * 1024 * 1024
MAX_COLUMNS = 10_000


Rows: TypeAlias = (
    "list[list[str]] | pa.ListArray"  # a group of CSV rows: lists of fields, or Arrow's list array of them
)


@dataclass(slots=True)
class Counters:
    scanned: int = 0
    processed: int = 0
    returned: int = 0
    cancelled: bool = False


class Segments(io.RawIOBase):
    """The object's opened files [(file, offset, length)] as one seekable binary file (Parquet reads its footer)."""

    def __init__(self, opened: list[tuple[BinaryIO, int, int]], counters: Counters) -> None:
        self.opened = opened
        self.size = sum(length for _, _, length in opened)
        self.at = 0
        self.counters = counters

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def tell(self) -> int:
        return self.at

    def seek(self, offset: int, whence: int = 0) -> int:
        base = {0: 0, 1: self.at, 2: self.size}[whence]
        self.at = max(0, base + offset)
        return self.at

    def readinto(self, buffer: Any) -> int:
        view = memoryview(buffer).cast("B")
        want = min(len(view), self.size - self.at)
        done = 0
        start = 0
        for handle, offset, length in self.opened:
            lo, hi = max(self.at, start), min(self.at + want, start + length)
            if lo < hi:
                handle.seek(offset + lo - start)
                data = handle.read(hi - lo)
                view[done : done + len(data)] = data
                done += len(data)
            start += length
        self.at += done
        self.counters.scanned += done
        if self.counters.cancelled:
            raise _Cancelled()
        return done

    def close(self) -> None:
        for handle, _, _ in self.opened:
            handle.close()
        super().close()


class _Cancelled(Exception):
    """The client went away: the reading stops."""


def raw_chunks(source: Segments, start: int, compression: str) -> Iterator[bytes]:
    """The (decompressed) bytes from ``start``; InvalidCompressionFormat when they are no GZIP/BZIP2 stream."""
    source.seek(start)
    decoder: Any = None
    if compression == "GZIP":
        decoder = zlib.decompressobj(zlib.MAX_WBITS | 32)
    elif compression == "BZIP2":
        decoder = bz2.BZ2Decompressor()
    while True:
        data = source.read(CHUNK)
        if not data:
            break
        if decoder is not None:
            try:
                out = _decompress(decoder, data, compression)
            except (OSError, ValueError, zlib.error, EOFError):
                raise select_error(
                    "InvalidCompressionFormat", "The file is not in a supported compression format. Only GZIP and "
                    "BZIP2 are supported."
                ) from None  # fmt: skip
            data = out
        if data:
            source.counters.processed += len(data)
            yield data


def _decompress(decoder: Any, data: bytes, compression: str) -> bytes:
    """Concatenated members (gzip -c a >> f) decode as one stream, as gzip(1) reads them."""
    out = [decoder.decompress(data, MAX_RECORD * 4) if compression == "GZIP" else decoder.decompress(data)]
    if compression == "GZIP":
        while decoder.unconsumed_tail:
            out.append(decoder.decompress(decoder.unconsumed_tail, MAX_RECORD * 4))
        if decoder.eof and decoder.unused_data:
            rest = decoder.unused_data
            decoder.__init__(zlib.MAX_WBITS | 32)
            out.append(_decompress(decoder, rest, compression))
    return b"".join(out)


def records(chunks: Iterator[bytes], delimiter: bytes, skip_first: bool, end: int | None) -> Iterator[bytes]:
    """Records split at ``delimiter``; ``skip_first``: a ScanRange not at 0 drops the partial record it starts in;
    ``end``: only records starting at or before this offset (from the first chunk's start) are read."""
    buffer = b""
    offset = 0  # the buffer's start, from the range's start
    dropping = skip_first
    step = len(delimiter)
    for chunk in chunks:
        buffer += chunk
        at = 0  # records are cut from the buffer by position; the rest is kept once per chunk
        while True:
            found = buffer.find(delimiter, at)
            if found < 0:
                break
            if end is not None and offset + at > end:
                return
            if not dropping:
                if found - at > MAX_RECORD:
                    raise _over_max()
                yield buffer[at:found]
            dropping = False
            at = found + step
        buffer = buffer[at:]
        offset += at
        if len(buffer) > MAX_RECORD:
            if not dropping:
                raise _over_max()
            offset += len(buffer)
            buffer = b""
    if buffer and not dropping and (end is None or offset <= end):
        yield buffer


def record_groups(chunks: Iterator[bytes], delimiter: bytes, skip_first: bool, end: int | None) -> Iterator[list[str]]:
    """Records as text, a list per chunk read: the complete records of a chunk are decoded and split at once (a
    ScanRange, which needs each record's offset, takes them one by one from ``records``)."""
    if skip_first or end is not None:
        group: list[str] = []
        for record in records(chunks, delimiter, skip_first, end):
            group.append(_text(record))
            if len(group) >= BATCH_ROWS:
                yield group
                group = []
        if group:
            yield group
        return
    mark = _text(delimiter)
    buffer = b""
    for chunk in chunks:
        buffer += chunk
        cut = buffer.rfind(delimiter)
        if cut < 0:
            if len(buffer) > MAX_RECORD:
                raise _over_max()
            continue
        complete, buffer = buffer[:cut], buffer[cut + len(delimiter) :]
        group = _text(complete).split(mark)
        if len(complete) > MAX_RECORD and max(map(len, group)) > MAX_RECORD:
            raise _over_max()
        yield group
    if buffer:
        if len(buffer) > MAX_RECORD:
            raise _over_max()
        yield [_text(buffer)]


def _over_max() -> Exception:
    return select_error(
        "OverMaxRecordSize",
        "The length of a record in the input or result is greater than maxCharsPerRecord of 1 MB.",
    )


def _text(record: bytes) -> str:
    try:
        return record.decode("utf-8")
    except UnicodeDecodeError:
        raise select_error(
            "InvalidTextEncoding", "Invalid encoding type. Only UTF-8 encoding is supported at this time."
        ) from None


@dataclass(slots=True)
class CsvFormat:
    field: str = ","
    record: str = "\n"
    quote: str = '"'
    escape: str = '"'
    comments: str | None = None
    header: str = "NONE"
    quoted_records: bool = False


class CsvRecords:
    """CSV records as lists of fields."""

    def __init__(self, fmt: CsvFormat) -> None:
        self.fmt = fmt
        options: dict[str, Any] = {"delimiter": fmt.field, "strict": True}
        if fmt.quote:
            options["quotechar"] = fmt.quote
            if fmt.escape and fmt.escape != fmt.quote:
                options.update(escapechar=fmt.escape, doublequote=False)
        else:
            options["quoting"] = csv.QUOTE_NONE
        self.options = options

    def fields(self, groups: Iterator[list[str]]) -> Iterator[Rows]:
        """Each group of records as rows of fields: a group without the quote character split by Arrow's kernels
        (a list array), others record by record (Python's csv module for the quoted ones)."""
        fmt = self.fmt
        pending: list[str] = []
        for lines in groups:
            if not pending:
                split = self._vectorised(lines)
                if split is not None:
                    yield split
                    continue
            if fmt.record == "\n":
                lines = [line[:-1] if line.endswith("\r") else line for line in lines]
            if fmt.comments:
                lines = [line for line in lines if not line.startswith(fmt.comments)]
            rows: list[list[str]] = []
            for line in lines:
                row = self._row(line, pending)
                if row is not None:
                    rows.append(row)
            yield rows
        if pending:
            raise select_error(
                "CSVParsingError", "Encountered an error parsing the CSV file. Check the file and try again."
            )

    def _vectorised(self, lines: list[str]) -> pa.ListArray | None:
        fmt = self.fmt
        text = pa.array(lines, pa.string())
        if fmt.record == "\n":
            text = pc.utf8_rtrim(text, characters="\r")
        if fmt.comments:
            text = text.filter(pc.invert(pc.starts_with(text, pattern=fmt.comments)))
        text = text.filter(pc.greater(pc.binary_length(text), 0))
        if fmt.quote and pc.any(pc.match_substring(text, pattern=fmt.quote)).as_py():
            return None
        split: pa.ListArray = pc.split_pattern(text, pattern=fmt.field)
        return split

    def _row(self, line: str, pending: list[str]) -> list[str] | None:
        fmt = self.fmt
        if fmt.quote and fmt.quote in line or pending:
            if pending or self._open(line):
                if not fmt.quoted_records:
                    raise select_error(
                        "CSVEscapingRecordDelimiter",
                        "A quoted record delimiter was found in the file. To allow quoted record delimiters, set "
                        "AllowQuotedRecordDelimiter to 'TRUE'.",
                    )
                pending.append(line)
                joined = fmt.record.join(pending)
                if len(joined) > MAX_RECORD:
                    raise _over_max()
                if self._open(joined):
                    return None
                line = joined
                pending.clear()
            try:
                return next(csv.reader([line], **self.options))
            except (csv.Error, StopIteration):
                raise select_error(
                    "CSVParsingError", "Encountered an error parsing the CSV file. Check the file and try again."
                ) from None
        return line.split(fmt.field) if line else None

    def _open(self, text: str) -> bool:
        """Whether ``text`` ends inside a quoted field (an odd count of unescaped quote characters)."""
        quote, escape = self.fmt.quote, self.fmt.escape
        if escape and escape != quote:
            text = text.replace(escape + escape, "").replace(escape + quote, "")
        return text.count(quote) % 2 == 1


def first_rows(group: Rows) -> list[list[str]]:
    """A group's rows as lists (the header and the first record are read from them)."""
    rows: list[list[str]] = group.to_pylist() if isinstance(group, pa.Array) else group
    return rows


def csv_batches(groups: Iterator[Rows], width: int, counters: Counters) -> Iterator[pa.RecordBatch]:
    """Groups of rows as batches of c1..c<width> (short rows padded with nulls, longer ones cut)."""
    schema = pa.schema([(f"c{i}", pa.string()) for i in range(1, width + 1)])
    for group in groups:
        if not len(group):
            continue
        if isinstance(group, pa.Array):
            lengths = pc.min_max(pc.list_value_length(group)).as_py()
            if lengths["min"] == lengths["max"] == width:
                columns: list[Any] = [pc.list_element(group, i) for i in range(width)]
                for at in range(0, len(group), BATCH_ROWS):
                    yield pa.record_batch([col[at : at + BATCH_ROWS] for col in columns], schema=schema)
                if counters.cancelled:
                    raise _Cancelled()
                continue
        rows: list[list[Any]] = first_rows(group)
        if any(len(row) != width for row in rows):
            rows = [row[:width] if len(row) >= width else row + [None] * (width - len(row)) for row in rows]
        columns = list(zip(*rows, strict=True))
        for at in range(0, len(rows), BATCH_ROWS):
            yield pa.record_batch([pa.array(col[at : at + BATCH_ROWS], pa.string()) for col in columns], schema=schema)
        if counters.cancelled:
            raise _Cancelled()


def json_loads(text: str) -> Any:
    if depth(text) > MAX_DEPTH:
        raise select_error("JSONParsingError", "The JSON record is nested too deeply.")
    try:
        return json.loads(text)
    except ValueError:
        raise select_error(
            "JSONParsingError", "Encountered an error parsing the JSON file. Check the file and try again."
        ) from None


def json_documents(chunks: Iterator[bytes]) -> Iterator[Any]:
    """Top-level JSON values one after another (DOCUMENT: they may span lines), each at most 1 MiB."""
    buffer = ""
    tail = b""
    for chunk in chunks:
        data = tail + chunk
        try:
            text = data.decode("utf-8")
            tail = b""
        except UnicodeDecodeError as problem:
            if problem.start < len(data) - 4:
                raise select_error("InvalidTextEncoding", "Invalid encoding type. Only UTF-8 is supported.") from None
            text, tail = data[: problem.start].decode(), data[problem.start :]
        buffer += text
        buffer = yield from _drain(buffer, final=False)
        if len(buffer) > MAX_RECORD:
            raise _over_max()
    yield from _drain(buffer, final=True)


def _drain(buffer: str, final: bool) -> Generator[Any, None, str]:
    """The complete values at the buffer's start; returns what is left (an incomplete value)."""
    at = 0
    while True:
        while at < len(buffer) and buffer[at] in " \t\r\n,":
            at += 1
        if at >= len(buffer):
            return ""
        end = _value_end(buffer, at, final)
        if end is None:
            if final:
                raise select_error(
                    "JSONParsingError", "Encountered an error parsing the JSON file. Check the file and try again."
                )
            return buffer[at:]
        yield json_loads(buffer[at:end])
        at = end


def _value_end(text: str, at: int, final: bool = False) -> int | None:
    """The end of the JSON value starting at ``at`` (brackets counted outside strings; a scalar ends at white
    space, or at the end of the ``final`` text), None when the text ends first. No recursion."""
    c = text[at]
    if c not in "[{":
        end = at
        if c == '"':
            end += 1
            while end < len(text) and text[end] != '"':
                end += 2 if text[end] == "\\" else 1
            return end + 1 if end < len(text) else None
        while end < len(text) and text[end] not in " \t\r\n,[{":
            end += 1
        return end if end < len(text) or final else None
    level = 0
    i = at
    n = len(text)
    while i < n:
        ch = text[i]
        if ch == '"':
            i += 1
            while i < n and text[i] != '"':
                i += 2 if text[i] == "\\" else 1
        elif ch in "[{":
            level += 1
        elif ch in "]}":
            level -= 1
            if level == 0:
                return i + 1
        i += 1
    return None


def unnest(value: Any, path: list[str | int]) -> Iterator[Any]:
    """The records ``S3Object[*].path`` names in one document (``[*]`` steps iterate arrays)."""
    todo: list[tuple[Any, int]] = [(value, 0)]
    while todo:
        current, step = todo.pop(0)
        if step == len(path):
            yield current
            continue
        key = path[step]
        if key == "*":
            if isinstance(current, list):
                todo[0:0] = [(item, step + 1) for item in current]
        elif isinstance(key, int):
            if isinstance(current, list) and key < len(current):
                todo.insert(0, (current[key], step + 1))
        elif isinstance(current, dict) and key in current:
            todo.insert(0, (current[key], step + 1))


def json_batches(values: Iterator[Any], path: list[str | int], counters: Counters) -> Iterator[pa.RecordBatch]:
    schema = pa.schema([("j", pa.string())])
    column: list[str] = []
    size = 0
    for value in values:
        for record in unnest(value, path) if path else (value,):
            text = json.dumps(record, ensure_ascii=False, separators=(",", ":"))
            column.append(text)
            size += len(text)
        if len(column) >= BATCH_ROWS or size >= BATCH_BYTES:
            yield pa.record_batch([pa.array(column, pa.string())], schema=schema)
            column, size = [], 0
            if counters.cancelled:
                raise _Cancelled()
    if column:
        yield pa.record_batch([pa.array(column, pa.string())], schema=schema)


def json_line_batches(groups: Iterator[list[str]], counters: Counters) -> Iterator[pa.RecordBatch]:
    """JSON LINES records as their text (blank lines left out), for DuckDB to validate and read."""
    schema = pa.schema([("j", pa.string())])
    for group in groups:
        text = pc.utf8_trim_whitespace(pa.array(group, pa.string()))
        text = text.filter(pc.greater(pc.binary_length(text), 0))
        for at in range(0, len(text), BATCH_ROWS):
            yield pa.record_batch([text[at : at + BATCH_ROWS]], schema=schema)
        if counters.cancelled:
            raise _Cancelled()


def json_lines(lines: Iterator[bytes]) -> Iterator[Any]:
    for raw in lines:
        text = _text(raw).strip()
        if text:
            yield json_loads(text)


def parquet_file(source: Segments) -> pq.ParquetFile:
    try:
        return pq.ParquetFile(io.BufferedReader(source, CHUNK))
    except (pa.ArrowException, OSError, ValueError):
        raise select_error(
            "ParquetParsingError", "An error occurred while parsing the Parquet file. Check the file and try again."
        ) from None


def parquet_batches(parquet: pq.ParquetFile, counters: Counters) -> Iterator[pa.RecordBatch]:
    names = [f"c{i}" for i in range(1, len(parquet.schema_arrow) + 1)]
    try:
        for batch in parquet.iter_batches(batch_size=BATCH_ROWS):
            counters.processed += batch.nbytes
            yield pa.record_batch(batch.columns, names=names)
            if counters.cancelled:
                raise _Cancelled()
    except pa.ArrowException:
        raise select_error(
            "ParquetParsingError", "An error occurred while parsing the Parquet file. Check the file and try again."
        ) from None
