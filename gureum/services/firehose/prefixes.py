"""S3 object keys as Firehose names them (developer guide, "Custom Prefixes for Amazon S3 Objects" and "Amazon S3
Object Name Format"): ``<evaluated prefix><stream>-<version>-<yyyy-MM-dd-HH-mm-ss>-<uuid><extension>``.

Prefixes hold literal text and ``!{namespace:value}`` expressions: ``timestamp`` (a Java DateTimeFormatter pattern,
evaluated at the arrival of the oldest record in the object, UTC or CustomTimeZone), ``firehose`` (random-string,
error-output-type), ``partitionKeyFromQuery`` and ``partitionKeyFromLambda`` (dynamic partitioning). Prefixes are
scanned by hand (never a regular expression over user text)."""

from __future__ import annotations

import datetime as dt
import secrets
import string
import uuid
import zoneinfo
from dataclasses import dataclass

from .errors import InvalidArgumentException

NAMESPACES = ("timestamp", "firehose", "partitionKeyFromQuery", "partitionKeyFromLambda")
ERROR_TYPES = ("processing-failed", "http-endpoint-failed", "format-conversion-failed", "partitioning-failed")
DEFAULT_TIME = "yyyy/MM/dd/HH/"
_RANDOM_ALPHABET = string.ascii_letters + string.digits
_JAVA_LETTERS = set("GuyDMLdQqYwWEecFaBhKkHmsSAnNVvzOXxZp")
_SUPPORTED = set("yMdHhmsSaEDuk")


@dataclass(frozen=True, slots=True)
class Part:
    """Literal text (namespace None) or one expression."""

    namespace: str | None
    value: str


def parse(text: str, field: str) -> list[Part]:
    """The prefix's parts; InvalidArgumentException for a malformed or unknown expression."""
    parts: list[Part] = []
    i, literal = 0, list[str]()
    while i < len(text):
        if text.startswith("!{", i):
            end = text.find("}", i + 2)
            if end < 0:
                raise InvalidArgumentException(f"{field} has an unterminated expression: {text[i:]!r}.")
            inner = text[i + 2 : end]
            if "!{" in inner:
                raise InvalidArgumentException(f"{field} may not nest expressions: {text[i : end + 1]!r}.")
            namespace, sep, value = inner.partition(":")
            if not sep or namespace not in NAMESPACES or not value:
                raise InvalidArgumentException(
                    f"{field} has an invalid expression {text[i : end + 1]!r}: the namespaces are "
                    f"{', '.join(NAMESPACES)}, as !{{namespace:value}}."
                )
            if namespace == "firehose" and value not in ("random-string", "error-output-type"):
                raise InvalidArgumentException(
                    f"{field}: the firehose namespace takes random-string or error-output-type, not {value!r}."
                )
            if namespace == "timestamp":
                check_timestamp(value, field)
            if literal:
                parts.append(Part(None, "".join(literal)))
                literal = []
            parts.append(Part(namespace, value))
            i = end + 1
        else:
            literal.append(text[i])
            i += 1
    if literal:
        parts.append(Part(None, "".join(literal)))
    return parts


def has(parts: list[Part], namespace: str, value: str | None = None) -> bool:
    return any(p.namespace == namespace and (value is None or p.value == value) for p in parts)


def validate(prefix: str | None, error_prefix: str | None, partitioned: bool) -> None:
    """AWS's rules for Prefix and ErrorOutputPrefix (create and update time)."""
    parts = parse(prefix or "", "Prefix")
    errors = parse(error_prefix or "", "ErrorOutputPrefix")
    if has(parts, "firehose", "error-output-type"):
        raise InvalidArgumentException("Prefix may not contain !{firehose:error-output-type}.")
    expressions = any(p.namespace for p in parts)
    if expressions and not error_prefix:
        raise InvalidArgumentException("ErrorOutputPrefix cannot be null or empty when Prefix contains expressions.")
    if any(p.namespace for p in errors) and not has(errors, "firehose", "error-output-type"):
        raise InvalidArgumentException(
            "ErrorOutputPrefix must contain !{firehose:error-output-type} when it contains expressions."
        )
    if has(errors, "partitionKeyFromQuery") or has(errors, "partitionKeyFromLambda"):
        raise InvalidArgumentException("ErrorOutputPrefix may not contain partition key expressions.")
    keyed = has(parts, "partitionKeyFromQuery") or has(parts, "partitionKeyFromLambda")
    if keyed and not partitioned:
        raise InvalidArgumentException(
            "Prefix may contain partitionKeyFromQuery or partitionKeyFromLambda expressions only when dynamic "
            "partitioning is enabled."
        )
    if partitioned and not keyed:
        raise InvalidArgumentException(
            "Prefix must contain at least one partitionKeyFromQuery or partitionKeyFromLambda expression when "
            "dynamic partitioning is enabled."
        )
    if partitioned and not error_prefix:
        raise InvalidArgumentException("ErrorOutputPrefix is required when dynamic partitioning is enabled.")


# --- timestamps (Java DateTimeFormatter patterns) ------------------------------------------------------------------


def _runs(pattern: str, field: str) -> list[tuple[str, int] | str]:
    """Letter runs (letter, count) and literal text; quoted text is literal ('' is a quote)."""
    out: list[tuple[str, int] | str] = []
    i = 0
    while i < len(pattern):
        c = pattern[i]
        if c == "'":
            end = pattern.find("'", i + 1)
            if end < 0:
                raise InvalidArgumentException(f"{field}: unterminated quote in timestamp pattern {pattern!r}.")
            out.append(pattern[i + 1 : end] if end > i + 1 else "'")
            i = end + 1
        elif c in _JAVA_LETTERS or c.isalpha():
            j = i
            while j < len(pattern) and pattern[j] == c:
                j += 1
            out.append((c, j - i))
            i = j
        else:
            out.append(c)
            i += 1
    return out


def check_timestamp(pattern: str, field: str) -> None:
    for run in _runs(pattern, field):
        if isinstance(run, tuple) and run[0] not in _SUPPORTED:
            raise InvalidArgumentException(
                f"{field}: timestamp pattern {pattern!r} uses {run[0]!r}; supported pattern letters are "
                f"{''.join(sorted(_SUPPORTED))} (Java DateTimeFormatter)."
            )


def format_time(pattern: str, when: dt.datetime) -> str:
    out: list[str] = []
    for run in _runs(pattern, "timestamp"):
        if isinstance(run, str):
            out.append(run)
            continue
        letter, n = run
        if letter in "yu":
            out.append(f"{when.year % 100:02d}" if n == 2 else f"{when.year:0{n}d}")
        elif letter == "M":
            out.append(when.strftime("%B") if n >= 4 else when.strftime("%b") if n == 3 else f"{when.month:0{n}d}")
        elif letter == "d":
            out.append(f"{when.day:0{n}d}")
        elif letter == "D":
            out.append(f"{when.timetuple().tm_yday:0{n}d}")
        elif letter == "H":
            out.append(f"{when.hour:0{n}d}")
        elif letter == "k":
            out.append(f"{when.hour or 24:0{n}d}")
        elif letter == "h":
            out.append(f"{(when.hour % 12) or 12:0{n}d}")
        elif letter == "m":
            out.append(f"{when.minute:0{n}d}")
        elif letter == "s":
            out.append(f"{when.second:0{n}d}")
        elif letter == "S":
            out.append(f"{when.microsecond:06d}"[:n].ljust(n, "0"))
        elif letter == "a":
            out.append("AM" if when.hour < 12 else "PM")
        elif letter == "E":
            out.append(when.strftime("%A") if n >= 4 else when.strftime("%a"))
    return "".join(out)


def zone(name: str | None) -> dt.tzinfo:
    if not name:
        return dt.UTC
    try:
        return zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        raise InvalidArgumentException(f"CustomTimeZone {name!r} is not a supported time zone.") from None


def check_zone(name: str | None) -> None:
    zone(name)


# --- keys ----------------------------------------------------------------------------------------------------------


def evaluate(
    prefix: str | None,
    when: dt.datetime,
    *,
    error_type: str | None = None,
    query_keys: dict[str, str] | None = None,
    lambda_keys: dict[str, str] | None = None,
    append_time: bool = True,
) -> str:
    """The evaluated prefix. A prefix without a timestamp expression gets yyyy/MM/dd/HH/ appended (unless
    ``append_time`` is False: dynamic partitioning); an error prefix that is empty is "<error type>/yyyy/MM/dd/HH/"
    after the literal Prefix. A partition key missing from the record raises KeyError."""
    parts = parse(prefix or "", "Prefix")
    out: list[str] = []
    for part in parts:
        if part.namespace is None:
            out.append(part.value)
        elif part.namespace == "timestamp":
            out.append(format_time(part.value, when))
        elif part.namespace == "firehose":
            if part.value == "random-string":
                out.append("".join(secrets.choice(_RANDOM_ALPHABET) for _ in range(11)))
            else:
                out.append(error_type or "")
        elif part.namespace == "partitionKeyFromQuery":
            out.append((query_keys or {})[part.value])
        else:
            out.append((lambda_keys or {})[part.value])
    if append_time and not has(parts, "timestamp"):
        out.append(format_time(DEFAULT_TIME, when))
    return "".join(out)


def error_prefix(prefix: str | None, error_output_prefix: str | None, error_type: str, when: dt.datetime) -> str:
    """Where failed records go: ErrorOutputPrefix evaluated, else "<Prefix><error type>/yyyy/MM/dd/HH/" (AWS's
    layout before custom error prefixes: the literal Prefix, then the error type folder)."""
    if error_output_prefix:
        return evaluate(error_output_prefix, when, error_type=error_type)
    literal = "".join(p.value for p in parse(prefix or "", "Prefix") if p.namespace is None)
    return f"{literal}{error_type}/{format_time(DEFAULT_TIME, when)}"


def object_name(stream: str, version: int, when: dt.datetime, extension: str) -> str:
    return f"{stream}-{version}-{format_time('yyyy-MM-dd-HH-mm-ss', when)}-{uuid.uuid4()}{extension}"
