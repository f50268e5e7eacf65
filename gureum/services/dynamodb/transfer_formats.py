"""The file formats of exports to and imports from S3, as AWS writes and reads them: DYNAMODB_JSON lines
({"Item": {…}} per line, binary base64), ION text (ion.py) and CSV (a header row or HeaderList; key attributes
typed by the table's AttributeDefinitions, every other column a string), compressed with GZIP, ZSTD or NONE.
Pure and synchronous: the backend runs these on a worker thread."""

from __future__ import annotations

import base64
import binascii
import csv
import gzip
import io
import json
import zlib
from collections.abc import Iterator
from typing import Any

import zstandard

from ... import safejson
from . import ion, limits, values
from .errors import ServiceError
from .values import Item, Value

DYNAMODB_JSON, ION, CSV = "DYNAMODB_JSON", "ION", "CSV"
MAX_OBJECT_BYTES = 2 * 1024**3  # an object's decompressed text read at most (larger: the rest is an error)


class RecordError(ValueError):
    """One record of an import source that cannot be an item (counted in ErrorCount, as AWS counts it)."""


# --- export ------------------------------------------------------------------------------------------------------


def export_line(item: Item, fmt: str) -> str:
    """One item of a full export as its line (with the newline)."""
    if fmt == ION:
        return ion.dump_item(item) + "\n"
    return json.dumps({"Item": values.wire_item(item)}, separators=(",", ":"), ensure_ascii=False) + "\n"


def change_line(micros: int, keys: Item, new: Item | None, old: Item | None, view: str, fmt: str) -> str:
    """One changed key of an incremental export: Metadata.WriteTimestampMicros, Keys, NewImage (absent for a
    deleted item) and, with NEW_AND_OLD_IMAGES, OldImage (absent for an item that did not exist before)."""
    record: dict[str, Any] = {"Metadata": {"WriteTimestampMicros": {"N": str(micros)}}, "Keys": keys}
    if new is not None:
        record["NewImage"] = new
    if old is not None and view == "NEW_AND_OLD_IMAGES":
        record["OldImage"] = old
    if fmt == ION:
        return ion.dump_record(record) + "\n"
    wire = {k: v if k == "Metadata" else values.wire_item(v) for k, v in record.items()}
    return json.dumps(wire, separators=(",", ":"), ensure_ascii=False) + "\n"


def data_suffix(fmt: str) -> str:
    return ".ion.gz" if fmt == ION else ".json.gz"


def gzipped(text: str) -> bytes:
    return gzip.compress(text.encode(), compresslevel=6, mtime=0)


# --- import ------------------------------------------------------------------------------------------------------


def decompress(data: bytes, compression: str) -> bytes:
    """An object's bytes uncompressed (raises RecordError for a body that is not what its compression says)."""
    try:
        if compression == "GZIP":
            out = zlib.decompressobj(16 + zlib.MAX_WBITS)
            text = out.decompress(data, MAX_OBJECT_BYTES)
            while out.unused_data and not out.unconsumed_tail:  # concatenated gzip members
                rest = out.unused_data
                out = zlib.decompressobj(16 + zlib.MAX_WBITS)
                text += out.decompress(rest, MAX_OBJECT_BYTES - len(text))
            return text
        if compression == "ZSTD":
            reader = zstandard.ZstdDecompressor().stream_reader(io.BytesIO(data), read_across_frames=True)
            return reader.read(MAX_OBJECT_BYTES)
    except (zlib.error, zstandard.ZstdError, EOFError) as error:
        raise RecordError(f"The object cannot be decompressed as {compression}: {error}") from None
    return data


def _decode(value: Any, depth: int = 0) -> Value:
    """A DynamoDB JSON AttributeValue (binary base64) as a value, its types checked strictly."""
    if depth > limits.MAX_DEPTH:
        raise RecordError("Nesting Levels have exceeded supported limits")
    if not isinstance(value, dict) or len(value) != 1:
        raise RecordError("An AttributeValue must have exactly one of the supported datatypes")
    ((kind, inner),) = value.items()
    ok = {
        "S": isinstance(inner, str),
        "N": isinstance(inner, str),
        "B": isinstance(inner, str),
        "BOOL": isinstance(inner, bool),
        "NULL": inner is True,
        "SS": isinstance(inner, list) and all(isinstance(v, str) for v in inner),
        "NS": isinstance(inner, list) and all(isinstance(v, str) for v in inner),
        "BS": isinstance(inner, list) and all(isinstance(v, str) for v in inner),
        "L": isinstance(inner, list),
        "M": isinstance(inner, dict),
    }.get(kind)
    if not ok:
        raise RecordError(f"Unsupported or malformed AttributeValue type: {kind}")
    try:
        if kind == "B":
            return {"B": base64.b64decode(inner, validate=True)}
        if kind == "BS":
            return {"BS": [base64.b64decode(v, validate=True) for v in inner]}
    except (binascii.Error, ValueError):
        raise RecordError("Invalid base64 in a binary value") from None
    if kind == "L":
        return {"L": [_decode(v, depth + 1) for v in inner]}
    if kind == "M":
        return {"M": {str(k): _decode(v, depth + 1) for k, v in inner.items()}}
    return {kind: inner}


def checked(item: Item) -> Item:
    """An item from a source, normalised and checked as PutItem checks it (RecordError otherwise)."""
    try:
        return values.check_item(item)
    except ServiceError as error:
        raise RecordError(error.message) from None


def _json_records(text: str) -> Iterator[Item | RecordError]:
    for line in text.splitlines():
        if not line.strip():
            continue
        try:
            doc = safejson.loads(line)
            if not isinstance(doc, dict) or not isinstance(doc.get("Item"), dict):
                raise RecordError('A DYNAMODB_JSON line must be an object with an "Item" map')
            yield checked({str(k): _decode(v) for k, v in doc["Item"].items()})
        except RecordError as error:
            yield error
        except ValueError as error:
            yield RecordError(f"Invalid JSON: {error}")


def _ion_records(text: str) -> Iterator[Item | RecordError]:
    for found in ion.items(text):
        if isinstance(found, ion.IonError):
            yield RecordError(f"Invalid Ion: {found}")
            continue
        try:
            yield checked(found)
        except RecordError as error:
            yield error


def _csv_value(text: str, kind: str) -> Value:
    if kind == "N":
        try:
            return {"N": values.normalise_number(text)}
        except ServiceError as error:
            raise RecordError(error.message) from None
    if kind == "B":
        try:
            return {"B": base64.b64decode(text, validate=True)}
        except (binascii.Error, ValueError):
            raise RecordError("Invalid base64 in a binary key value") from None
    return {"S": text}


def _csv_records(
    text: str, delimiter: str, header: list[str] | None, types: dict[str, str]
) -> Iterator[Item | RecordError]:
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    columns = header
    while True:
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as error:
            yield RecordError(f"Invalid CSV: {error}")
            return
        if columns is None:
            columns = row
            continue
        if not row:
            continue
        if len(row) != len(columns):
            yield RecordError(f"The row has {len(row)} columns, the header {len(columns)}")
            continue
        try:
            item = {name: _csv_value(cell, types.get(name, "S")) for name, cell in zip(columns, row)
                    if cell != "" or name in types}  # fmt: skip
            yield checked(item)
        except RecordError as error:
            yield error


def records(
    data: bytes, fmt: str, compression: str, csv_options: dict[str, Any] | None, types: dict[str, str]
) -> Iterator[Item | RecordError]:
    """The items (or per-record errors) of one source object; ``types``: the key attributes' types (CSV)."""
    try:
        raw = decompress(data, compression)
        text = raw.decode("utf-8")
    except RecordError as error:
        yield error
        return
    except UnicodeDecodeError:
        yield RecordError("The object is not UTF-8 text")
        return
    if text.startswith("\ufeff"):
        text = text[1:]
    if fmt == ION:
        yield from _ion_records(text)
    elif fmt == CSV:
        options = csv_options or {}
        yield from _csv_records(text, options.get("Delimiter") or ",", options.get("HeaderList"), types)
    else:
        yield from _json_records(text)
