"""EventBridge names and ARNs, and the model's ``pattern`` constraints the engine does not check yet.

ARN shapes: ``event-bus/<name>``, ``rule/<name>`` on the default bus and ``rule/<bus>/<name>`` elsewhere,
``archive/<name>``, ``replay/<name>``, ``connection/<name>/<uuid>``, ``api-destination/<name>/<uuid>``,
``endpoint/<name>``.
"""

from __future__ import annotations

import re
from functools import cache
from typing import Any

from botocore.model import Shape

from .errors import ValidationException

DEFAULT_BUS = "default"
_ARN = re.compile(r"^arn:aws[\w-]*:events:([^:]*):(\d{12}|):(.+)$")


def bus_arn(region: str, account: str, name: str) -> str:
    return f"arn:aws:events:{region}:{account}:event-bus/{name}"


def rule_arn(region: str, account: str, bus: str, name: str) -> str:
    return (
        f"arn:aws:events:{region}:{account}:rule/{name}"
        if bus == DEFAULT_BUS
        else f"arn:aws:events:{region}:{account}:rule/{bus}/{name}"
    )


def resource_arn(region: str, account: str, kind: str, name: str) -> str:
    return f"arn:aws:events:{region}:{account}:{kind}/{name}"


def parse_arn(arn: str) -> tuple[str, str, str] | None:
    """An events ARN → (region, account, resource), e.g. ("us-east-1", "000000000000", "rule/bus/name")."""
    match = _ARN.match(arn)
    return (match.group(1), match.group(2), match.group(3)) if match else None


def resolve_bus(account: str, region: str, name_or_arn: str | None) -> tuple[str, str, str]:
    """EventBusName (a name or an ARN; default when absent) → (account, region, bus name)."""
    if not name_or_arn:
        return account, region, DEFAULT_BUS
    if name_or_arn.startswith("arn:"):
        parts = parse_arn(name_or_arn)
        if parts is None or not parts[2].startswith("event-bus/"):
            raise ValidationException(
                f"Parameter {name_or_arn} is not valid. Reason: Provided Arn is not in correct format."
            )
        return parts[1] or account, parts[0] or region, parts[2][len("event-bus/") :]
    return account, region, name_or_arn


def rule_from_arn(arn: str) -> tuple[str, str, str, str] | None:
    """A rule ARN → (account, region, bus, rule name)."""
    parts = parse_arn(arn)
    if parts is None or not parts[2].startswith("rule/"):
        return None
    path = parts[2][len("rule/") :].split("/")
    if len(path) == 1:
        return parts[1], parts[0], DEFAULT_BUS, path[0]
    return parts[1], parts[0], "/".join(path[:-1]), path[-1]


# --- model patterns ----------------------------------------------------------------------------------


def _camel(name: str) -> str:
    return name[:1].lower() + name[1:]


@cache
def _compiled(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern)


def _pattern_errors(shape: Shape, value: Any, path: str, out: list[str]) -> None:
    kind = shape.type_name
    if kind == "structure" and isinstance(value, dict) and not shape.is_document_type:
        for name, item in value.items():
            member = shape.members.get(name)
            if member is not None and item is not None:
                _pattern_errors(member, item, f"{path}.{_camel(name)}" if path else _camel(name), out)
    elif kind == "list" and isinstance(value, list):
        for index, item in enumerate(value, 1):
            _pattern_errors(shape.member, item, f"{path}.{index}.member", out)
    elif kind == "map" and isinstance(value, dict):
        for key, item in value.items():
            _pattern_errors(shape.key, key, f"{path}.key", out)
            if item is not None:
                _pattern_errors(shape.value, item, f"{path}.{key}.member", out)
    elif kind == "string" and isinstance(value, str) and "pattern" in shape.metadata:
        if _compiled(shape.metadata["pattern"]).fullmatch(value) is None:
            out.append(
                f"Value '{value}' at '{path}' failed to satisfy constraint: Member must satisfy regular expression pattern: {shape.metadata['pattern']}"
            )


def check_patterns(shape: Shape | None, params: dict[str, Any]) -> None:
    """Raise AWS's ValidationException for strings that do not match their model pattern."""
    if shape is None:
        return
    errors: list[str] = []
    _pattern_errors(shape, params, "", errors)
    if errors:
        count = len(errors)
        raise ValidationException(
            f"{count} validation error{'s' if count > 1 else ''} detected: " + "; ".join(errors[:10])
        )
