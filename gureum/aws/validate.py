"""Input validation against the model's constraints (required, length, range, enum, pattern).

Two styles, as AWS has them: "coral" (``ValidationException`` / ``ValidationError`` with the
"N validation errors detected: ..." message) and "params" (query-era services such as SQS:
``MissingParameter`` / ``InvalidParameterValue`` naming the first bad parameter). What differs between services
is data (Rules): whether the model's ``pattern`` constraints are checked, for which operations not, and the error
code constraint failures are answered with.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from typing import Any

from botocore.model import Shape

from .errors import ServiceError

log = logging.getLogger("gureum.validate")
_MAX_REPORTED = 10


@dataclass(frozen=True, slots=True)
class Rules:
    """How one service validates input."""

    style: str = "coral"  # or "params" (MissingParameter / InvalidParameterValue)
    # the model's ``pattern`` constraints (AWS checks them; services that were verified against them turn them on)
    patterns: bool = False
    # operations whose patterns the service reports itself (e.g. per entry of a batch, not for the whole request)
    pattern_exempt: frozenset[str] = frozenset()
    # only the patterns of these members (by model member name, at any depth); None: every member's
    pattern_members: frozenset[str] | None = None
    # the code constraint failures are answered with, where the service has its own (Logs: InvalidParameterException)
    code: str | None = None


# Unicode category Z (Zs, Zl, Zp): what Java's \p{Z} matches
_SPACE_SEPARATORS = "\\u0020\\u00a0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000"


@cache
def model_pattern(text: str) -> re.Pattern[str] | None:
    """The model's (Java) pattern as a Python regex matched with fullmatch; None when it cannot be expressed."""
    python, flags = text, int(re.ASCII)  # Java's \w, \d and \s are ASCII-only
    if "\\p{" in text:
        # the models' one use of Unicode classes: [\p{L}\p{Z}\p{N}…] = letters, space separators, numbers (and …);
        # \w is letters, numbers and "_" in Unicode mode; \p{Z} is spelled out (\s would also take tabs and newlines)
        python, flags = text.replace("\\p{L}\\p{Z}\\p{N}", "\\w" + _SPACE_SEPARATORS), 0
        if "\\p{" in python:
            return None
    try:
        return re.compile(python, flags)
    except re.error:
        log.debug("model pattern %r is not a Python regex: not checked", text)
        return None


def _camel(name: str) -> str:
    return name[:1].lower() + name[1:]


# whose model patterns are checked: nobody (False), every member (True), or the members named
Patterns = bool | frozenset[str]


def _checks_pattern(patterns: Patterns, name: str) -> bool:
    return patterns is True or (not isinstance(patterns, bool) and name in patterns)


class _Collector:
    def __init__(self, style: str, patterns: Patterns) -> None:
        self.style = style
        self.patterns = patterns
        # kind, path (coral: camelCase members, "entries.1.member.id"), value, message, the path as the client sent it
        self.errors: list[tuple[str, str, Any, str, str]] = []

    def add(self, kind: str, path: str, value: Any, message: str, params_path: str = "") -> None:
        self.errors.append((kind, path, value, message, params_path))


def _check(shape: Shape, value: Any, path: str, params_path: str, out: _Collector, name: str = "") -> None:
    kind = shape.type_name
    meta = shape.metadata
    if kind == "structure":
        if not isinstance(value, dict):
            return
        for name in shape.required_members:
            if value.get(name) is None:
                out.add(
                    "missing",
                    f"{path}.{_camel(name)}" if path else _camel(name),
                    None,
                    f"{params_path}.{name}" if params_path else name,
                )
        for name, item in value.items():
            member = shape.members.get(name)
            if member is None or item is None:
                continue
            _check(
                member,
                item,
                f"{path}.{_camel(name)}" if path else _camel(name),
                f"{params_path}.{name}" if params_path else name,
                out,
                name,
            )
        return
    if kind == "list":
        if not isinstance(value, list):
            return
        _length(meta, len(value), value, path, params_path, out)
        for index, item in enumerate(value, 1):
            _check(shape.member, item, f"{path}.{index}.member", f"{params_path}.{index}", out, name)
        return
    if kind == "map":
        if not isinstance(value, dict):
            return
        _length(meta, len(value), value, path, params_path, out)
        for key, item in value.items():
            _check(shape.key, key, f"{path}.key", f"{params_path}.key", out)
            if item is not None:
                _check(shape.value, item, f"{path}.{key}.member", f"{params_path}.{key}", out, name)
        return
    if kind == "string" and isinstance(value, str):
        _length(meta, len(value), value, path, params_path, out)
        enum = shape.enum
        if enum and out.style == "coral" and value not in enum:
            out.add("enum", path, value, f"Member must satisfy enum value set: [{', '.join(enum)}]", params_path)
        if _checks_pattern(out.patterns, name) and value and "pattern" in meta:
            pattern = model_pattern(meta["pattern"])
            if pattern is not None and pattern.fullmatch(value) is None:
                out.add(
                    "pattern",
                    path,
                    value,
                    f"Member must satisfy regular expression pattern: {meta['pattern']}",
                    params_path,
                )
    elif (
        kind in ("integer", "long", "float", "double")
        and isinstance(value, (int, float))
        and not isinstance(value, bool)
    ):
        if "min" in meta and value < meta["min"]:
            out.add("range", path, value, f"Member must have value greater than or equal to {meta['min']}", params_path)
        if "max" in meta and value > meta["max"]:
            out.add("range", path, value, f"Member must have value less than or equal to {meta['max']}", params_path)
    elif kind == "blob" and isinstance(value, (bytes, bytearray)):
        _length(meta, len(value), value, path, params_path, out)


def _length(meta: dict[str, Any], size: int, value: Any, path: str, params_path: str, out: _Collector) -> None:
    if "min" in meta and size < meta["min"]:
        out.add("length", path, value, f"Member must have length greater than or equal to {meta['min']}", params_path)
    if "max" in meta and size > meta["max"]:
        out.add("length", path, value, f"Member must have length less than or equal to {meta['max']}", params_path)


def _show(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, (bytes, bytearray)):
        return "java.nio.HeapByteBuffer"
    if isinstance(value, str):
        return f"'{value}'"
    return str(value)


Check = Callable[[Any], bool]


def _always(value: Any) -> bool:
    """The check of a shape without constraints."""
    return True


_compiled: dict[tuple[int, str, str, Patterns, str], Check] = {}
# the resolvers of the shapes compiled, so their ids in _compiled's keys stay theirs
_resolvers: dict[int, Any] = {}


def _compile(shape: Shape, style: str, patterns: Patterns, name: str = "") -> Check:
    """A predicate that says quickly whether a value breaks no constraint (built once per shape and member name).
    A shape is known by its model's resolver and its name: botocore makes a new Shape object at every level of a
    recursive shape (DynamoDB's AttributeValue), so the object itself cannot be the key."""
    resolver = shape._shape_resolver
    _resolvers.setdefault(id(resolver), resolver)
    key = (id(resolver), shape.name, style, patterns, name)
    found = _compiled.get(key)
    if found is not None:
        return found
    # recursive shapes: the slot is filled before the members are compiled
    _compiled[key] = lambda value: _compiled[key](value)
    meta = shape.metadata
    low, high = meta.get("min"), meta.get("max")
    kind = shape.type_name
    unsized = low is None and high is None

    def sized(n: int) -> bool:
        return (low is None or n >= low) and (high is None or n <= high)

    # a shape with nothing to check is _always, and its parents skip it (most members of most inputs)
    check: Check = _always
    if kind == "structure":
        required = tuple(shape.required_members)
        compiled = (
            (member_name, _compile(member, style, patterns, member_name))
            for member_name, member in shape.members.items()
        )
        members = tuple((member_name, inner) for member_name, inner in compiled if inner is not _always)
        if required or members:

            def check(value: Any) -> bool:
                if not isinstance(value, dict):
                    return True
                for name in required:
                    if value.get(name) is None:
                        return False
                for name, inner in members:
                    item = value.get(name)
                    if item is not None and not inner(item):
                        return False
                return True

    elif kind == "list":
        element = _compile(shape.member, style, patterns, name)
        if not unsized or element is not _always:

            def check(value: Any) -> bool:
                if not isinstance(value, list):
                    return True
                if not unsized and not sized(len(value)):
                    return False
                if element is not _always:
                    for item in value:
                        if not element(item):
                            return False
                return True

    elif kind == "map":
        key_check, value_check = _compile(shape.key, style, patterns), _compile(shape.value, style, patterns, name)
        if not unsized or key_check is not _always or value_check is not _always:

            def check(value: Any) -> bool:
                return not isinstance(value, dict) or (
                    sized(len(value)) and all(key_check(k) and (v is None or value_check(v)) for k, v in value.items())
                )

    elif kind == "string":
        enum = frozenset(shape.enum) if shape.enum and style == "coral" else None
        pattern = model_pattern(meta["pattern"]) if _checks_pattern(patterns, name) and "pattern" in meta else None
        if not unsized or enum is not None or pattern is not None:

            def check(value: Any) -> bool:
                return not isinstance(value, str) or (
                    (unsized or sized(len(value)))
                    and (enum is None or value in enum)
                    and (pattern is None or not value or pattern.fullmatch(value) is not None)
                )

    elif kind in ("integer", "long", "float", "double"):
        if not unsized:

            def check(value: Any) -> bool:
                return (
                    isinstance(value, bool)
                    or not isinstance(value, (int, float))
                    or ((low is None or value >= low) and (high is None or value <= high))
                )

    elif kind == "blob":
        if not unsized:

            def check(value: Any) -> bool:
                return not isinstance(value, (bytes, bytearray)) or sized(len(value))

    _compiled[key] = check
    return check


_DEFAULT = Rules()


def validate(
    shape: Shape | None, params: dict[str, Any], *, rules: Rules = _DEFAULT, protocol: str = "json", operation: str = ""
) -> None:
    """Raise the service's AWS-shaped error when ``params`` breaks a constraint of ``shape``."""
    style = rules.style
    patterns: Patterns = False
    if rules.patterns and operation not in rules.pattern_exempt:
        patterns = True if rules.pattern_members is None else rules.pattern_members
    if shape is None or _compile(shape, style, patterns)(params):
        return
    out = _Collector(style, patterns)
    _check(shape, params, "", "", out)
    if not out.errors:
        return
    if style == "params":
        kind, _path, value, message, params_path = out.errors[0]
        # query-era codes; JSON clients of query-compatible services see these shape names in __type
        if kind == "missing":
            raise ServiceError(
                f"The request must contain the parameter {message}.",
                code="MissingParameter",
                type_name="MissingRequiredParameterException",
            )
        raise ServiceError(
            f"Value {_show(value)} for parameter {params_path} is invalid. Reason: {message}.",
            code="InvalidParameterValue",
            type_name="InvalidParameterValueException",
        )
    lines = []
    for kind, path, value, message, _params_path in out.errors[:_MAX_REPORTED]:
        if kind == "missing":
            lines.append(f"Value null at '{path}' failed to satisfy constraint: Member must not be null")
        else:
            lines.append(f"Value {_show(value)} at '{path}' failed to satisfy constraint: {message}")
    count = len(out.errors)
    text = f"{count} validation error{'s' if count > 1 else ''} detected: " + "; ".join(lines)
    if rules.code is not None:
        raise ServiceError(text, code=rules.code)
    raise ServiceError(text, code="ValidationError" if protocol == "query" else "ValidationException")
