"""Glue (Hive) column types and JSON values read into them, as Firehose's JSON deserializers read records for data
format conversion: the type grammar (boolean, tinyint … bigint, float, double, decimal(p,s), string, char(n),
varchar(n), binary, date, timestamp, array<…>, map<…,…>, struct<…>), the OpenX JSON SerDe's and the Hive JSON SerDe's
key matching (case insensitivity, dots to underscores, column-to-key mappings) and their timestamp formats (Joda-style
patterns, "millis"). Pure: no pyarrow (conversion.py builds the columns), no regex built from user text."""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import decimal
import json
from dataclasses import dataclass, field
from typing import Any

MAX_DEPTH = 32  # nesting of a column type
_INT_BITS = {"tinyint": 8, "smallint": 16, "int": 32, "integer": 32, "bigint": 64}
_PRIMITIVES = frozenset({*_INT_BITS, "boolean", "float", "double", "string", "binary", "date", "timestamp"})
_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
_MILLIS_FROM = 100_000_000_000  # an epoch number this large is milliseconds (as seconds it is past the year 5000)


class TypeError_(ValueError):
    """A column type gureum cannot read (the message names it)."""


@dataclass(frozen=True, slots=True)
class HiveType:
    kind: str  # a primitive name, "decimal", "char", "varchar", "array", "map" or "struct"
    params: tuple[int, ...] = ()
    children: tuple[HiveType, ...] = ()
    names: tuple[str, ...] = ()  # a struct's field names (lower case)


def parse_type(text: str) -> HiveType:
    """A Glue column type such as "array<struct<a:int,b:map<string,double>>>"; TypeError_ when it is not one."""
    parser = _TypeParser(text)
    out = parser.parse(0)
    parser.skip()
    if parser.pos != len(parser.text):
        raise TypeError_(f"Unexpected text after the type at {parser.pos}: {text!r}")
    return out


class _TypeParser:
    def __init__(self, text: str) -> None:
        self.text, self.pos = text, 0

    def skip(self) -> None:
        while self.pos < len(self.text) and self.text[self.pos] in " \t\n":
            self.pos += 1

    def word(self) -> str:
        self.skip()
        start = self.pos
        while self.pos < len(self.text) and (self.text[self.pos].isalnum() or self.text[self.pos] in "_$"):
            self.pos += 1
        if start == self.pos:
            raise TypeError_(f"A type name was expected at {start}: {self.text!r}")
        return self.text[start : self.pos]

    def expect(self, char: str) -> None:
        self.skip()
        if not self.text.startswith(char, self.pos):
            raise TypeError_(f"{char!r} was expected at {self.pos}: {self.text!r}")
        self.pos += 1

    def peek(self, char: str) -> bool:
        self.skip()
        return self.text.startswith(char, self.pos)

    def number(self) -> int:
        word = self.word()
        if not word.isdigit():
            raise TypeError_(f"A number was expected: {self.text!r}")
        return int(word)

    def parse(self, depth: int) -> HiveType:
        if depth > MAX_DEPTH:
            raise TypeError_("The column type is nested too deeply.")
        name = self.word().lower()
        if name == "array":
            self.expect("<")
            element = self.parse(depth + 1)
            self.expect(">")
            return HiveType("array", children=(element,))
        if name == "map":
            self.expect("<")
            key = self.parse(depth + 1)
            self.expect(",")
            value = self.parse(depth + 1)
            self.expect(">")
            return HiveType("map", children=(key, value))
        if name == "struct":
            self.expect("<")
            names: list[str] = []
            children: list[HiveType] = []
            while not self.peek(">"):
                if names:
                    self.expect(",")
                names.append(self.word().lower())
                self.expect(":")
                children.append(self.parse(depth + 1))
            self.expect(">")
            return HiveType("struct", children=tuple(children), names=tuple(names))
        if name in ("decimal", "char", "varchar"):
            params: tuple[int, ...] = ()
            if self.peek("("):
                self.expect("(")
                values = [self.number()]
                while self.peek(","):
                    self.expect(",")
                    values.append(self.number())
                self.expect(")")
                params = tuple(values)
            if name == "decimal":
                precision, scale = (params + (10, 0)[len(params) :])[:2] if params else (10, 0)
                if not 1 <= precision <= 38 or not 0 <= scale <= precision:
                    raise TypeError_(f"Invalid decimal precision or scale: {self.text!r}")
                return HiveType("decimal", (precision, scale))
            return HiveType(name, params)
        if name not in _PRIMITIVES:
            raise TypeError_(f"Unsupported column type {name!r} (supported: the Hive types Glue tables hold).")
        return HiveType("int" if name == "integer" else name)


# --- timestamps ---------------------------------------------------------------------------------------------------

_PATTERN_LETTERS = frozenset("yMdHmsSZX")


@dataclass(frozen=True, slots=True)
class TimestampPattern:
    """A Joda-style pattern (yyyy-MM-dd'T'HH:mm:ss.SSSZ …) matched by hand, or "millis" (epoch milliseconds)."""

    text: str
    tokens: tuple[tuple[str, int], ...] = field(default=())  # (letter, count) or ("'", literal text as count=0)
    literals: tuple[str, ...] = ()

    @classmethod
    def compile(cls, text: str) -> TimestampPattern:
        if text == "millis":
            return cls(text)
        tokens: list[tuple[str, int]] = []
        literals: list[str] = []
        i = 0
        while i < len(text):
            char = text[i]
            if char == "'":
                end = text.find("'", i + 1)
                if end < 0:
                    raise TypeError_(f"Unterminated quote in timestamp format {text!r}")
                literal = text[i + 1 : end] or "'"
                tokens.append(("'", len(literals)))
                literals.append(literal)
                i = end + 1
            elif char.isalpha():
                if char not in _PATTERN_LETTERS:
                    raise TypeError_(
                        f"Unsupported letter {char!r} in timestamp format {text!r} (supported: y M d H m s S Z X)."
                    )
                count = 1
                while i + count < len(text) and text[i + count] == char:
                    count += 1
                tokens.append((char, count))
                i += count
            else:
                tokens.append(("'", len(literals)))
                literals.append(char)
                i += 1
        return cls(text, tuple(tokens), tuple(literals))

    def parse(self, value: Any) -> dt.datetime | None:
        if self.text == "millis":
            if isinstance(value, bool) or not isinstance(value, (int, float, str)):
                return None
            try:
                return _EPOCH + dt.timedelta(milliseconds=float(value))
            except (ValueError, OverflowError):
                return None
        return _match_pattern(self, value) if isinstance(value, str) else None


def _digits(text: str, pos: int, least: int, most: int) -> tuple[int, int] | None:
    end = pos
    while end < len(text) and end - pos < most and text[end].isdigit():
        end += 1
    return None if end - pos < least else (int(text[pos:end]), end)


def _match_pattern(pattern: TimestampPattern, text: str) -> dt.datetime | None:
    parts = {"y": 1970, "M": 1, "d": 1, "H": 0, "m": 0, "s": 0}
    micros = 0
    zone: dt.tzinfo = dt.UTC
    pos = 0
    for letter, count in pattern.tokens:
        if letter == "'":
            literal = pattern.literals[count]
            if not text.startswith(literal, pos):
                return None
            pos += len(literal)
        elif letter == "S":
            got = _digits(text, pos, 1, max(count, 9) if count == 1 else count)
            if got is None:
                return None
            digits = text[pos : got[1]]
            micros = int((digits + "000000")[:6])
            pos = got[1]
        elif letter in ("Z", "X"):
            if text.startswith("Z", pos):
                pos += 1
                continue
            if pos >= len(text) or text[pos] not in "+-":
                return None
            sign = -1 if text[pos] == "-" else 1
            hours = _digits(text, pos + 1, 2, 2)
            if hours is None:
                return None
            pos = hours[1] + (1 if text.startswith(":", hours[1]) else 0)
            minutes = _digits(text, pos, 2, 2)
            if minutes is None:
                return None
            pos = minutes[1]
            zone = dt.timezone(sign * dt.timedelta(hours=hours[0], minutes=minutes[0]))
        else:
            least, most = (count, count) if count >= 2 else (1, 2)
            if letter == "y":
                least, most = (2, 2) if count == 2 else (4, 4) if count == 4 else (1, 9)
            got = _digits(text, pos, least, most)
            if got is None:
                return None
            parts[letter] = got[0] + (2000 if letter == "y" and count == 2 else 0)
            pos = got[1]
    if pos != len(text):
        return None
    try:
        return dt.datetime(parts["y"], parts["M"], parts["d"], parts["H"], parts["m"], parts["s"], micros, zone)
    except ValueError:
        return None


# OpenX JSON SerDe: yyyy-MM-dd'T'HH:mm:ss[.S]'Z' (up to 9 fraction digits), yyyy-[M]M-[d]d HH:mm:ss[.S], and epoch
# seconds, milliseconds or fractional seconds (record-format-conversion.html, "Choose the JSON deserializer")
_OPENX_FORMATS = (
    TimestampPattern.compile("yyyy-MM-dd'T'HH:mm:ss'Z'"),
    TimestampPattern.compile("yyyy-MM-dd'T'HH:mm:ss.S'Z'"),
    TimestampPattern.compile("yyyy-M-d HH:mm:ss"),
    TimestampPattern.compile("yyyy-M-d HH:mm:ss.S"),
)
_HIVE_FORMATS = _OPENX_FORMATS[2:]  # java.sql.Timestamp's text: yyyy-MM-dd HH:mm:ss[.fffffffff]


# --- reading values -----------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Reader:
    """How a deserializer reads a JSON document into the table's columns."""

    openx: bool
    case_insensitive: bool = True
    dots_to_underscores: bool = False
    mappings: dict[str, str] = field(default_factory=dict)  # column → JSON key (OpenX ColumnToJsonKeyMappings)
    formats: tuple[TimestampPattern, ...] = ()  # Hive TimestampFormats, tried before the defaults

    def key(self, name: str) -> str:
        if self.dots_to_underscores:
            name = name.replace(".", "_")
        return name.lower() if self.case_insensitive else name

    def fields(self, doc: dict[str, Any], names: tuple[str, ...], top: bool) -> list[Any]:
        """The values of ``names`` (column or struct field names) in ``doc``; a missing key is null."""
        found: dict[str, Any] = {}
        for key, value in doc.items():
            found.setdefault(self.key(key), value)
        out = []
        for name in names:
            wanted = self.mappings.get(name) if top else None
            out.append(found.get(self.key(wanted if wanted is not None else name)))
        return out

    def timestamp(self, value: Any) -> dt.datetime:
        for pattern in self.formats:
            parsed = pattern.parse(value)
            if parsed is not None:
                return parsed
        if self.openx and not isinstance(value, bool) and isinstance(value, (int, float)):
            return _EPOCH + (
                dt.timedelta(milliseconds=value) if abs(value) >= _MILLIS_FROM else dt.timedelta(seconds=value)
            )
        for pattern in _OPENX_FORMATS if self.openx else _HIVE_FORMATS:
            parsed = pattern.parse(value)
            if parsed is not None:
                return parsed
        raise ValueError(f"Cannot parse {value!r} as a timestamp")

    def value(self, value: Any, kind: HiveType) -> Any:
        """``value`` read as ``kind`` (None stays None); ValueError when it cannot be."""
        if value is None:
            return None
        k = kind.kind
        if k in _INT_BITS or k == "int":
            number = _integer(value)
            bits = _INT_BITS.get(k, 32)
            if not -(2 ** (bits - 1)) <= number < 2 ** (bits - 1):
                raise ValueError(f"{value!r} is out of range for {k}")
            return number
        if k in ("float", "double"):
            if isinstance(value, bool) or not isinstance(value, (int, float, str)):
                raise ValueError(f"{value!r} is not a number")
            return float(value)
        if k == "boolean":
            if isinstance(value, bool):
                return value
            if isinstance(value, str) and value.lower() in ("true", "false"):
                return value.lower() == "true"
            raise ValueError(f"{value!r} is not a boolean")
        if k == "decimal":
            return _decimal(value, *kind.params)
        if k in ("string", "char", "varchar"):
            text = value if isinstance(value, str) else json.dumps(value, separators=(",", ":"))
            return text[: kind.params[0]] if kind.params and k != "string" else text
        if k == "binary":
            if not isinstance(value, str):
                raise ValueError(f"{value!r} is not binary data (a base64 string)")
            try:
                return base64.b64decode(value, validate=True)
            except (binascii.Error, ValueError):
                return value.encode()
        if k == "date":
            if isinstance(value, str):
                return dt.date.fromisoformat(value[:10])
            raise ValueError(f"{value!r} is not a date (yyyy-MM-dd)")
        if k == "timestamp":
            return self.timestamp(value)
        if k == "array":
            if not isinstance(value, list):
                raise ValueError(f"{_short(value)} is not an array")
            return [self.value(v, kind.children[0]) for v in value]
        if k == "map":
            if not isinstance(value, dict):
                raise ValueError(f"{_short(value)} is not an object")
            return [(self.value(key, kind.children[0]), self.value(v, kind.children[1])) for key, v in value.items()]
        if k == "struct":
            if not isinstance(value, dict):
                raise ValueError(f"{_short(value)} is not an object")
            values = self.fields(value, kind.names, top=False)
            return {n: self.value(v, c) for n, v, c in zip(kind.names, values, kind.children, strict=True)}
        raise ValueError(f"Unsupported type {k}")


def _short(value: Any) -> str:
    text = json.dumps(value)
    return text if len(text) <= 64 else text[:61] + "..."


def _integer(value: Any) -> int:
    if isinstance(value, bool):
        raise ValueError(f"{value!r} is not an integer")
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str):
        text = value.strip()
        if text.lstrip("+-").isdigit():
            return int(text)
    raise ValueError(f"{_short(value)} is not an integer")


def _decimal(value: Any, precision: int, scale: int) -> decimal.Decimal:
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        raise ValueError(f"{_short(value)} is not a decimal")
    try:
        context = decimal.Context(prec=80)
        number = decimal.Decimal(str(value)).quantize(decimal.Decimal(1).scaleb(-scale), context=context)
    except (decimal.InvalidOperation, ValueError):
        raise ValueError(f"{_short(value)} is not a decimal") from None
    if len(number.as_tuple().digits) > precision:
        raise ValueError(f"{value!r} does not fit decimal({precision},{scale})")
    return number
