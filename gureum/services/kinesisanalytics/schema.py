"""Input and reference schemas: SQL column types, turning a record into rows (JSON with mapping paths, CSV with
delimiters), and DiscoverInputSchema's inference from sampled records. Pure; client JSON is read with safejson."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from ...safejson import loads as safe_loads
from .errors import InvalidArgumentException

# AWS's SQL types (the Amazon Kinesis Data Analytics SQL Reference, "Data Types") → DuckDB's
_TYPES = {
    "CHAR": "VARCHAR",
    "VARCHAR": "VARCHAR",
    "CHARACTER": "VARCHAR",
    "INTEGER": "INTEGER",
    "INT": "INTEGER",
    "SMALLINT": "SMALLINT",
    "TINYINT": "TINYINT",
    "BIGINT": "BIGINT",
    "DOUBLE": "DOUBLE",
    "REAL": "REAL",
    "FLOAT": "DOUBLE",
    "DECIMAL": "DECIMAL",
    "NUMERIC": "DECIMAL",
    "BOOLEAN": "BOOLEAN",
    "TIMESTAMP": "TIMESTAMP",
    "DATE": "DATE",
    "TIME": "TIME",
    "VARBINARY": "BLOB",
    "BINARY": "BLOB",
}
MAX_DEPTH = 64


class RowError(Exception):
    """A record (or one of its rows) that does not fit the schema: AWS's error stream gets it."""


@dataclass(frozen=True, slots=True)
class Column:
    name: str
    sql_type: str  # as given ("VARCHAR(16)")
    duck_type: str  # DuckDB's spelling
    base: str  # the type's name, upper case
    path: tuple[str | int, ...]  # JSON mapping steps (keys, indexes); empty for CSV
    convert: Callable[[Any], Any]


def parse_type(text: str) -> tuple[str, str]:
    """(base name, DuckDB type) of an AWS SQL type such as "VARCHAR(16)" or "DECIMAL(10,2)"."""
    spec = text.strip()
    head, _, rest = spec.partition("(")
    base = " ".join(head.split()).upper()
    if base == "CHARACTER VARYING":
        base = "VARCHAR"
    if base == "DOUBLE PRECISION":
        base = "DOUBLE"
    duck = _TYPES.get(base)
    if duck is None:
        raise InvalidArgumentException(f"Unsupported SQL type {text!r}; supported: {', '.join(sorted(_TYPES))}")
    if rest:
        args = rest.rstrip().removesuffix(")")
        parts = [p.strip() for p in args.split(",")]
        if not parts or not all(p.isdigit() for p in parts) or len(parts) > 2:
            raise InvalidArgumentException(f"Invalid SQL type {text!r}")
        if duck == "DECIMAL":
            duck = f"DECIMAL({','.join(parts)})"
    return base, duck


def _path(mapping: str) -> tuple[str | int, ...]:
    """Steps of a mapping such as $.a.b or $.items[0] (no regex: a small scanner)."""
    text = mapping.strip()
    if not text.startswith("$"):
        raise InvalidArgumentException(f"Invalid mapping {mapping!r}: a JSON mapping starts with $")
    steps: list[str | int] = []
    i, n = 1, len(text)
    while i < n:
        ch = text[i]
        if ch == ".":
            j = i + 1
            while j < n and text[j] not in ".[":
                j += 1
            key = text[i + 1 : j]
            if not key:
                raise InvalidArgumentException(f"Invalid mapping {mapping!r}")
            steps.append(key.strip('"'))
            i = j
        elif ch == "[":
            j = text.find("]", i)
            inner = text[i + 1 : j] if j > 0 else ""
            if j < 0 or not inner:
                raise InvalidArgumentException(f"Invalid mapping {mapping!r}")
            if inner.isdigit():
                steps.append(int(inner))
            else:
                steps.append(inner.strip("'\""))
            i = j + 1
        else:
            raise InvalidArgumentException(f"Invalid mapping {mapping!r}")
        if len(steps) > MAX_DEPTH:
            raise InvalidArgumentException(f"Mapping {mapping!r} is too deep")
    return tuple(steps)


def _converter(base: str) -> Callable[[Any], Any]:
    def text(v: Any) -> Any:
        return v if isinstance(v, str) else json.dumps(v, separators=(",", ":"))

    def integer(v: Any) -> Any:
        if isinstance(v, bool):
            return int(v)
        if isinstance(v, int):
            return v
        if isinstance(v, float) and v.is_integer():
            return int(v)
        return int(str(v).strip())

    def number(v: Any) -> Any:
        if isinstance(v, (int, float)) and not isinstance(v, bool):
            return float(v)
        return float(str(v).strip())

    def boolean(v: Any) -> Any:
        if isinstance(v, bool):
            return v
        s = str(v).strip().lower()
        if s in ("true", "1"):
            return True
        if s in ("false", "0"):
            return False
        raise ValueError(f"not a boolean: {v!r}")

    def timestamp(v: Any) -> Any:
        if isinstance(v, (int, float)) and not isinstance(v, bool):
            return dt.datetime.fromtimestamp(v / 1000, dt.UTC).replace(tzinfo=None)
        parsed = dt.datetime.fromisoformat(str(v).strip().replace("Z", "+00:00"))
        return parsed.astimezone(dt.UTC).replace(tzinfo=None) if parsed.tzinfo else parsed

    def date(v: Any) -> Any:
        return dt.date.fromisoformat(str(v).strip()[:10])

    def time_(v: Any) -> Any:
        return dt.time.fromisoformat(str(v).strip())

    def binary(v: Any) -> Any:
        return v if isinstance(v, bytes) else str(v).encode()

    table: dict[str, Callable[[Any], Any]] = {
        "VARCHAR": text,
        "CHAR": text,
        "CHARACTER": text,
        "INTEGER": integer,
        "INT": integer,
        "SMALLINT": integer,
        "TINYINT": integer,
        "BIGINT": integer,
        "DOUBLE": number,
        "REAL": number,
        "FLOAT": number,
        "DECIMAL": number,
        "NUMERIC": number,
        "BOOLEAN": boolean,
        "TIMESTAMP": timestamp,
        "DATE": date,
        "TIME": time_,
        "VARBINARY": binary,
        "BINARY": binary,
    }
    return table.get(base, text)


def check_source_schema(source: dict[str, Any], what: str) -> None:
    """AWS's checks of a SourceSchema (InvalidArgumentException)."""
    fmt = source.get("RecordFormat") or {}
    kind = fmt.get("RecordFormatType")
    params = fmt.get("MappingParameters") or {}
    if kind == "JSON" and not params.get("JSONMappingParameters"):
        raise InvalidArgumentException(f"{what}: JSON record format requires JSONMappingParameters")
    if kind == "CSV" and not params.get("CSVMappingParameters"):
        raise InvalidArgumentException(f"{what}: CSV record format requires CSVMappingParameters")
    names: set[str] = set()
    for col in source.get("RecordColumns") or []:
        name = str(col["Name"])
        if not name or name.upper() in names:
            raise InvalidArgumentException(f"{what}: duplicate or empty column name {name!r}")
        if name.upper() == "ROWTIME":
            raise InvalidArgumentException(f"{what}: ROWTIME is a reserved column name")
        names.add(name.upper())
        parse_type(str(col["SqlType"]))
        if kind == "JSON" and col.get("Mapping"):
            _path(str(col["Mapping"]))


class RecordParser:
    """Turns one record's bytes into rows of column values, as the input (or reference) schema says."""

    def __init__(self, source: dict[str, Any]) -> None:
        fmt = source["RecordFormat"]
        self.kind = fmt["RecordFormatType"]
        params = fmt.get("MappingParameters") or {}
        self.columns: list[Column] = []
        for col in source["RecordColumns"]:
            base, duck = parse_type(str(col["SqlType"]))
            mapping = col.get("Mapping")
            path = _path(str(mapping)) if self.kind == "JSON" and mapping else (str(col["Name"]),)
            if self.kind == "CSV":
                path = ()
            self.columns.append(Column(str(col["Name"]), str(col["SqlType"]), duck, base, path, _converter(base)))
        if self.kind == "JSON":
            row_path = str((params.get("JSONMappingParameters") or {}).get("RecordRowPath") or "$")
            steps = _path(row_path.replace("[0:]", "").replace("[*]", ""))
            self.row_path = steps
            self.row_array = row_path.endswith("[0:]") or row_path.endswith("[*]")
        else:
            csv = params.get("CSVMappingParameters") or {}
            self.row_delimiter = _unescape(str(csv.get("RecordRowDelimiter") or "\n"))
            self.column_delimiter = _unescape(str(csv.get("RecordColumnDelimiter") or ","))

    def rows(self, data: bytes) -> list[tuple[Any, ...]]:
        """The record's rows; RowError when it does not parse or a value does not convert."""
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError as error:
            raise RowError(f"Record is not UTF-8: {error}") from None
        if self.kind == "JSON":
            return self._json(text)
        return self._csv(text)

    def _json(self, text: str) -> list[tuple[Any, ...]]:
        try:
            doc = json.loads(text) if len(text) < 65536 else safe_loads(text)
        except ValueError as error:
            raise RowError(f"Unable to parse JSON record: {error}") from None
        node = _walk(doc, self.row_path)
        items = node if self.row_array and isinstance(node, list) else [node]
        out = []
        for item in items:
            values = []
            for col in self.columns:
                value = _walk(item, col.path)
                values.append(self._convert(col, value))
            out.append(tuple(values))
        return out

    def _csv(self, text: str) -> list[tuple[Any, ...]]:
        out = []
        for line in text.split(self.row_delimiter):
            if not line.strip():
                continue
            fields = line.split(self.column_delimiter)
            values = []
            for i, col in enumerate(self.columns):
                raw = fields[i] if i < len(fields) else None
                values.append(self._convert(col, raw if raw != "" else None))
            out.append(tuple(values))
        return out

    @staticmethod
    def _convert(col: Column, value: Any) -> Any:
        if value is None:
            return None
        try:
            return col.convert(value)
        except (ValueError, TypeError, OverflowError) as error:
            raise RowError(f"Unable to convert {value!r} to {col.sql_type} for column {col.name}: {error}") from None


def _walk(node: Any, steps: tuple[str | int, ...]) -> Any:
    for step in steps:
        if isinstance(step, int):
            node = node[step] if isinstance(node, list) and -len(node) <= step < len(node) else None
        else:
            node = node.get(step) if isinstance(node, dict) else None
        if node is None:
            return None
    return node


def _unescape(text: str) -> str:
    return text.replace("\\n", "\n").replace("\\t", "\t").replace("\\r", "\r")


# --- DiscoverInputSchema ---------------------------------------------------------------------------------------


def _varchar(length: int) -> str:
    size = 1
    while size < max(length, 1):
        size *= 2
    return f"VARCHAR({size})"


def _looks_like_timestamp(value: str) -> bool:
    if len(value) < 10 or value[4:5] != "-" or value[7:8] != "-":
        return False
    try:
        dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return False
    return True


def _infer(values: list[Any]) -> str:
    seen = [v for v in values if v is not None]
    if not seen:
        return "VARCHAR(1)"
    if all(isinstance(v, bool) for v in seen):
        return "BOOLEAN"
    if all(isinstance(v, int) and not isinstance(v, bool) for v in seen):
        return "INTEGER" if all(-(2**31) <= v < 2**31 for v in seen) else "BIGINT"
    if all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in seen):
        return "REAL"
    if all(isinstance(v, str) and _looks_like_timestamp(v) for v in seen):
        return "TIMESTAMP"
    return _varchar(max(len(v if isinstance(v, str) else json.dumps(v)) for v in seen))


def _flatten(doc: dict[str, Any], prefix: str, out: dict[str, tuple[str, list[Any]]], depth: int = 0) -> None:
    for key, value in doc.items():
        mapping = f"{prefix}.{key}"
        if isinstance(value, dict) and value and depth < 8:
            _flatten(value, mapping, out, depth + 1)
            continue
        name = key if key not in {v[0] for v in out.values()} else mapping[2:].replace(".", "_")
        out.setdefault(mapping, (name, []))[1].append(value)


def discover(samples: list[bytes]) -> tuple[dict[str, Any], list[list[str]]] | None:
    """(the SourceSchema, the parsed rows as text) inferred from sampled records as AWS does (JSON objects: one
    column per leaf; otherwise CSV with the delimiter found); None when no schema fits."""
    texts = []
    for data in samples:
        try:
            texts.append(data.decode("utf-8"))
        except UnicodeDecodeError:
            return None
    if not texts:
        return None
    docs: list[dict[str, Any]] = []
    for text in texts:
        try:
            doc = safe_loads(text)
        except ValueError:
            break
        if not isinstance(doc, dict) or not doc:
            break
        docs.append(doc)
    if len(docs) == len(texts):
        leaves: dict[str, tuple[str, list[Any]]] = {}
        for doc in docs:
            _flatten(doc, "$", leaves)
        columns = [
            {"Name": name, "Mapping": mapping, "SqlType": _infer(values)} for mapping, (name, values) in leaves.items()
        ]
        source = {
            "RecordFormat": {
                "RecordFormatType": "JSON",
                "MappingParameters": {"JSONMappingParameters": {"RecordRowPath": "$"}},
            },
            "RecordEncoding": "UTF-8",
            "RecordColumns": columns,
        }
        parsed = [[_text(_walk(doc, _path(c["Mapping"]))) for c in columns] for doc in docs]
        return source, parsed
    return _discover_csv(texts)


def _text(value: Any) -> str:
    if value is None:
        return ""
    return value if isinstance(value, str) else json.dumps(value)


def _discover_csv(texts: list[str]) -> tuple[dict[str, Any], list[list[str]]] | None:
    lines = [line for text in texts for line in text.splitlines() if line.strip()]
    if not lines:
        return None
    for delimiter in (",", "|", "\t", ";"):
        counts = {line.count(delimiter) for line in lines}
        if len(counts) == 1 and counts != {0}:
            break
    else:
        return None
    rows = [line.split(delimiter) for line in lines]
    width = len(rows[0])
    columns = []
    for i in range(width):
        values: list[Any] = []
        for row in rows:
            values.append(_scalar(row[i]))
        columns.append({"Name": f"COL_{i + 1}", "SqlType": _infer(values)})
    source = {
        "RecordFormat": {
            "RecordFormatType": "CSV",
            "MappingParameters": {
                "CSVMappingParameters": {"RecordRowDelimiter": "\n", "RecordColumnDelimiter": delimiter}
            },
        },
        "RecordEncoding": "UTF-8",
        "RecordColumns": columns,
    }
    return source, rows


def _scalar(text: str) -> Any:
    s = text.strip()
    if s.lower() in ("true", "false"):
        return s.lower() == "true"
    try:
        return int(s)
    except ValueError:
        pass
    try:
        return float(s)
    except ValueError:
        return s
