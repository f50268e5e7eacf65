"""Data format conversion (JSON → Apache Parquet or Apache ORC) for an S3 destination's
DataFormatConversionConfiguration: its rules at create/update time, the schema read from the Glue Data Catalog (the
GlueCatalog port), and one flush's records written as one columnar object through pyarrow, an optional dependency
(``pip install 'gureum[parquet]'``) imported only here and only in the worker thread that converts. Records that do
not fit the schema are returned with AWS's error document for the format-conversion-failed error prefix."""

from __future__ import annotations

import base64
import importlib.util
import io
import json
from dataclasses import dataclass
from typing import Any

from ... import safejson
from .errors import InvalidArgumentException
from .hive_types import HiveType, Reader, TimestampPattern, TypeError_, parse_type

EXTRA = "pip install 'gureum[parquet]'"
ERROR_TYPE = "format-conversion-failed"
MALFORMED = "DataFormatConversion.MalformedData"
PARQUET_DEFAULTS = {"BlockSizeBytes": 256 * 1024 * 1024, "PageSizeBytes": 1024 * 1024, "Compression": "SNAPPY"}
ORC_DEFAULTS = {
    "StripeSizeBytes": 64 * 1024 * 1024, "BlockSizeBytes": 256 * 1024 * 1024, "RowIndexStride": 10_000,
    "PaddingTolerance": 0.05, "Compression": "SNAPPY", "BloomFilterFalsePositiveProbability": 0.05,
    "DictionaryKeyThreshold": 0.0, "FormatVersion": "V0_12",
}  # fmt: skip
EXTENSIONS = {"parquet": ".parquet", "orc": ".orc"}


def available() -> bool:
    return importlib.util.find_spec("pyarrow") is not None


def enabled(description: dict[str, Any]) -> bool:
    dfc = description.get("DataFormatConversionConfiguration")
    return dfc is not None and bool(dfc.get("Enabled", True))


def check(description: dict[str, Any]) -> None:
    """AWS's rules over an ExtendedS3 destination that converts (InvalidArgumentException naming the member)."""
    if not enabled(description):
        return
    dfc = description["DataFormatConversionConfiguration"]
    if not available():
        raise InvalidArgumentException(
            f"DataFormatConversionConfiguration needs pyarrow, an optional extra of gureum: {EXTRA}"
        )
    schema = dfc.get("SchemaConfiguration") or {}
    for member in ("DatabaseName", "TableName", "RoleARN"):
        if not schema.get(member):
            raise InvalidArgumentException(f"SchemaConfiguration.{member} is required for data format conversion.")
    deserializer = (dfc.get("InputFormatConfiguration") or {}).get("Deserializer") or {}
    serializer = (dfc.get("OutputFormatConfiguration") or {}).get("Serializer") or {}
    if len([k for k in ("OpenXJsonSerDe", "HiveJsonSerDe") if deserializer.get(k) is not None]) != 1:
        raise InvalidArgumentException(
            "InputFormatConfiguration.Deserializer must have exactly one of OpenXJsonSerDe and HiveJsonSerDe."
        )
    if len([k for k in ("ParquetSerDe", "OrcSerDe") if serializer.get(k) is not None]) != 1:
        raise InvalidArgumentException(
            "OutputFormatConfiguration.Serializer must have exactly one of ParquetSerDe and OrcSerDe."
        )
    if (description.get("CompressionFormat") or "UNCOMPRESSED") != "UNCOMPRESSED":
        raise InvalidArgumentException(
            "CompressionFormat must be UNCOMPRESSED when data format conversion is enabled: set the compression in "
            "the serializer (ParquetSerDe / OrcSerDe) instead."
        )
    for text in (deserializer.get("HiveJsonSerDe") or {}).get("TimestampFormats") or []:
        try:
            TimestampPattern.compile(text)
        except TypeError_ as error:
            raise InvalidArgumentException(f"HiveJsonSerDe.TimestampFormats: {error}") from None


def output_kind(description: dict[str, Any]) -> str:
    serializer = description["DataFormatConversionConfiguration"]["OutputFormatConfiguration"]["Serializer"]
    return "parquet" if serializer.get("ParquetSerDe") is not None else "orc"


def reader(description: dict[str, Any]) -> Reader:
    deserializer = description["DataFormatConversionConfiguration"]["InputFormatConfiguration"]["Deserializer"]
    openx = deserializer.get("OpenXJsonSerDe")
    if openx is not None:
        return Reader(
            openx=True,
            case_insensitive=bool(openx.get("CaseInsensitive", True)),
            dots_to_underscores=bool(openx.get("ConvertDotsInJsonKeysToUnderscores", False)),
            mappings={k.lower(): v for k, v in (openx.get("ColumnToJsonKeyMappings") or {}).items()},
        )
    hive = deserializer.get("HiveJsonSerDe") or {}
    formats = tuple(TimestampPattern.compile(t) for t in hive.get("TimestampFormats") or [])
    return Reader(openx=False, formats=formats)


@dataclass(frozen=True, slots=True)
class Schema:
    """A Glue table's columns as the conversion reads them, and the dataCatalogTable of its error documents."""

    names: tuple[str, ...]
    types: tuple[HiveType, ...]
    catalog: dict[str, str]


def schema_of(table: dict[str, Any], config: dict[str, Any], account: str, region: str) -> Schema:
    """The schema of a GetTable-shaped table; ValueError when a column's type cannot be read."""
    columns = (table.get("StorageDescriptor") or {}).get("Columns") or []
    if not columns:
        raise ValueError(f"The table {table.get('Name')} has no columns (StorageDescriptor.Columns).")
    names, types = [], []
    for column in columns:
        try:
            types.append(parse_type(str(column.get("Type") or "")))
        except TypeError_ as error:
            raise ValueError(f"Column {column.get('Name')}: {error}") from None
        names.append(str(column["Name"]).lower())
    catalog_id = config.get("CatalogId") or account
    where = config.get("Region") or region
    catalog = {
        "catalogId": catalog_id,
        "databaseName": config["DatabaseName"],
        "tableName": config["TableName"],
        "region": where,
        "versionId": config.get("VersionId") or "LATEST",
        "catalogArn": f"arn:aws:glue:{where}:{catalog_id}:catalog",
    }
    return Schema(tuple(names), tuple(types), catalog)


def error_document(
    raw: bytes, arrived_ms: int, message: str, now_ms: int, schema: Schema, meta: dict[str, Any] | None
) -> dict[str, Any]:
    """AWS's document for a record that failed conversion (record-format-conversion-error-handling.html)."""
    doc: dict[str, Any] = {
        "attemptsMade": 1,
        "arrivalTimestamp": arrived_ms,
        "lastErrorCode": MALFORMED,
        "lastErrorMessage": message,
        "attemptEndingTimestamp": now_ms,
        "rawData": base64.b64encode(raw).decode(),
    }
    if meta:
        doc["sequenceNumber"] = meta.get("sequenceNumber")
        doc["subSequenceNumber"] = meta.get("subsequenceNumber", 0)
    doc["dataCatalogTable"] = dict(schema.catalog)
    return doc


def _rows(data: bytes, schema: Schema, read: Reader) -> list[list[Any]]:
    """The rows of one record: each JSON object in it (several may follow each other); ValueError if any is not."""
    text = data.decode()
    safejson.check(text)
    decoder = json.JSONDecoder()
    rows: list[list[Any]] = []
    pos = 0
    while True:
        while pos < len(text) and text[pos] in " \t\r\n":
            pos += 1
        if pos >= len(text):
            break
        doc, pos = decoder.raw_decode(text, pos)
        if not isinstance(doc, dict):
            raise ValueError("A record must hold JSON objects ({...}{...}), not an array or a scalar.")
        values = read.fields(doc, schema.names, top=True)
        rows.append([read.value(v, t) for v, t in zip(values, schema.types, strict=True)])
    if not rows:
        raise ValueError("The record holds no JSON object.")
    return rows


def convert(
    records: list[bytes], schema: Schema, read: Reader, description: dict[str, Any]
) -> tuple[bytes | None, dict[int, str]]:
    """One columnar object of every record that reads (None when none does), and why the others did not (by index).
    Blocking and CPU-bound: run in a worker thread."""
    import pyarrow as pa

    rows: list[list[Any]] = []
    failed: dict[int, str] = {}
    for index, data in enumerate(records):
        try:
            rows += _rows(data, schema, read)
        except (ValueError, UnicodeDecodeError, RecursionError, TypeError, OverflowError) as error:
            failed[index] = str(error) or type(error).__name__
    if not rows:
        return None, failed
    types = [_arrow_type(pa, t) for t in schema.types]
    columns = [pa.array([row[i] for row in rows], type=types[i]) for i in range(len(types))]
    table = pa.Table.from_arrays(columns, names=list(schema.names))
    serializer = description["DataFormatConversionConfiguration"]["OutputFormatConfiguration"]["Serializer"]
    out = io.BytesIO()
    if serializer.get("ParquetSerDe") is not None:
        _parquet(table, out, {**PARQUET_DEFAULTS, **serializer["ParquetSerDe"]})
    else:
        _orc(table, out, {**ORC_DEFAULTS, **serializer["OrcSerDe"]})
    return out.getvalue(), failed


def _arrow_type(pa: Any, kind: HiveType) -> Any:
    k = kind.kind
    simple = {
        "boolean": pa.bool_(), "tinyint": pa.int8(), "smallint": pa.int16(), "int": pa.int32(),
        "bigint": pa.int64(), "float": pa.float32(), "double": pa.float64(), "string": pa.string(),
        "char": pa.string(), "varchar": pa.string(), "binary": pa.binary(), "date": pa.date32(),
        "timestamp": pa.timestamp("ms", tz="UTC"),
    }  # fmt: skip
    if k in simple:
        return simple[k]
    if k == "decimal":
        return pa.decimal128(*kind.params)
    if k == "array":
        return pa.list_(_arrow_type(pa, kind.children[0]))
    if k == "map":
        return pa.map_(_arrow_type(pa, kind.children[0]), _arrow_type(pa, kind.children[1]))
    return pa.struct([pa.field(n, _arrow_type(pa, c)) for n, c in zip(kind.names, kind.children, strict=True)])


def _parquet(table: Any, out: io.BytesIO, options: dict[str, Any]) -> None:
    import pyarrow.parquet as pq

    codec = {"UNCOMPRESSED": "NONE", "GZIP": "GZIP", "SNAPPY": "SNAPPY"}[options["Compression"]]
    # BlockSizeBytes is the row group's size in bytes (Parquet's HDFS block): rows per group from the row width
    width = max(1, table.nbytes // max(1, table.num_rows))
    pq.write_table(
        table, out, compression=codec, data_page_size=int(options["PageSizeBytes"]),
        row_group_size=max(1, int(options["BlockSizeBytes"]) // width),
        use_dictionary=bool(options.get("EnableDictionaryCompression", True)),
        data_page_version="2.0" if options.get("WriterVersion") == "V2" else "1.0",
    )  # fmt: skip


def _orc(table: Any, out: io.BytesIO, options: dict[str, Any]) -> None:
    import pyarrow.orc as orc

    codec = {"NONE": "UNCOMPRESSED", "ZLIB": "ZLIB", "SNAPPY": "SNAPPY"}[options["Compression"]]
    names = list(table.column_names)
    bloom = [names.index(c.lower()) for c in options.get("BloomFilterColumns") or [] if c.lower() in names]
    orc.write_table(
        table, out, file_version="0.11" if options["FormatVersion"] == "V0_11" else "0.12",
        stripe_size=int(options["StripeSizeBytes"]), compression=codec,
        row_index_stride=int(options["RowIndexStride"]),
        padding_tolerance=float(options["PaddingTolerance"]) if options.get("EnablePadding") else 0.0,
        dictionary_key_size_threshold=float(options["DictionaryKeyThreshold"]),
        bloom_filter_columns=bloom or None, bloom_filter_fpp=float(options["BloomFilterFalsePositiveProbability"]),
    )  # fmt: skip
