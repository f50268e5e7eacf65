"""A resource policy document read into statements: Effect, Principal/NotPrincipal, Action/NotAction,
Resource/NotResource and Condition blocks (operator, IfExists, ForAnyValue/ForAllValues, key, values), each
element in AWS's single-value-or-list forms. Malformed documents raise PolicyError; ``load`` caches documents by
their text and reads a malformed or hostile one (deep nesting included) as granting nothing. Imports nothing from
gureum.
"""

from __future__ import annotations

import functools
import json
from dataclasses import dataclass, field
from typing import Any

VERSION_2008 = "2008-10-17"
VERSION_2012 = "2012-10-17"
_MAX_TEXT = 1 << 20  # larger than any service's policy quota (SQS/SNS 20-30 KB, Lambda 20 KB)


class PolicyError(ValueError):
    """A policy document that cannot be read; ``message`` says which element."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True, slots=True)
class Condition:
    operator: str  # the base operator, lower case: "stringequals", "arnlike", "ipaddress", "null", ...
    key: str  # the context key, lower case (condition key names are case-insensitive)
    values: tuple[str, ...]
    if_exists: bool = False
    qualifier: str | None = None  # "forallvalues" | "foranyvalue"


@dataclass(frozen=True, slots=True)
class Statement:
    sid: str | None
    allow: bool
    principals: tuple[tuple[str, str], ...] | None  # (type lower case: "aws" | "service" | ..., value); "*" is ("*",)
    not_principal: bool
    actions: tuple[str, ...]
    not_action: bool
    resources: tuple[str, ...] | None  # None: no Resource element (the resource the policy is attached to)
    not_resource: bool
    conditions: tuple[Condition, ...]


@dataclass(frozen=True, slots=True)
class Policy:
    version: str
    statements: tuple[Statement, ...]
    # the literal characters of condition values that hold a "?": matching such a value costs work in proportion
    # to them times the length of the request's value (wildcard.Segment.find)
    single_wildcard_cost: int = 0
    # the request context keys (lower case) the policy reads: its condition keys and the keys of the variables in
    # its Resource/NotResource and condition values; a decision depends on the request only through these
    reads: frozenset[str] = field(init=False, compare=False, repr=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "reads", _reads(self.statements))


def _variables(text: str) -> list[str]:
    """The context keys of the policy variables in ``text`` ("${aws:username}", "${key, 'default'}")."""
    out: list[str] = []
    start = text.find("${")
    while start >= 0:
        close = text.find("}", start + 2)
        if close < 0:
            break
        inner = text[start + 2 : close]
        if inner not in ("*", "?", "$"):
            out.append(inner.partition(",")[0].strip().lower())
        start = text.find("${", close + 1)
    return out


def _reads(statements: tuple[Statement, ...]) -> frozenset[str]:
    keys: set[str] = set()
    for statement in statements:
        for resource in statement.resources or ():
            keys.update(_variables(resource))
        for condition in statement.conditions:
            keys.add(condition.key)
            for value in condition.values:
                keys.update(_variables(value))
    return frozenset(keys)


EMPTY = Policy(VERSION_2008, ())


def _scalar(value: Any, where: str) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return str(value)
    if isinstance(value, str):
        return value
    raise PolicyError(f"{where} must be a string or a list of strings")


def _strings(value: Any, where: str) -> tuple[str, ...]:
    if isinstance(value, list):
        return tuple(_scalar(v, where) for v in value)
    return (_scalar(value, where),)


def _field(doc: dict[str, Any], name: str) -> Any:
    """An element by name; element names are matched without regard to case, as AWS reads them."""
    if name in doc:
        return doc[name]
    lowered = name.lower()
    for key, value in doc.items():
        if key.lower() == lowered:
            return value
    return None


def _principals(value: Any, where: str) -> tuple[tuple[str, str], ...]:
    if value == "*":
        return (("aws", "*"),)
    if not isinstance(value, dict) or not value:
        raise PolicyError(f'{where} must be "*" or an object such as {{"AWS": ...}} or {{"Service": ...}}')
    out: list[tuple[str, str]] = []
    for kind, names in value.items():
        out += [(str(kind).lower(), name) for name in _strings(names, f"{where}.{kind}")]
    return tuple(out)


def _conditions(value: Any) -> tuple[Condition, ...]:
    if value is None:
        return ()
    if not isinstance(value, dict):
        raise PolicyError("Condition must be an object")
    out: list[Condition] = []
    for operator, block in value.items():
        if not isinstance(block, dict):
            raise PolicyError(f"Condition {operator} must be an object of condition keys")
        name = str(operator).lower()
        qualifier, _, base = name.rpartition(":")
        if qualifier not in ("", "forallvalues", "foranyvalue"):
            raise PolicyError(f"Condition operator {operator} is not supported")
        if_exists = base.endswith("ifexists") and base != "ifexists"
        if if_exists:
            base = base[: -len("ifexists")]
        for key, values in block.items():
            out.append(
                Condition(
                    base, str(key).lower(), _strings(values, f"Condition {operator}"), if_exists, qualifier or None
                )
            )
    return tuple(out)


def _statement(raw: Any) -> Statement:
    if not isinstance(raw, dict):
        raise PolicyError("Statement must be an object or a list of objects")
    effect = _field(raw, "Effect")
    if effect not in ("Allow", "Deny"):
        raise PolicyError('Effect must be "Allow" or "Deny"')
    principal, not_principal = _field(raw, "Principal"), _field(raw, "NotPrincipal")
    action, not_action = _field(raw, "Action"), _field(raw, "NotAction")
    resource, not_resource = _field(raw, "Resource"), _field(raw, "NotResource")
    if (action is None) == (not_action is None):
        raise PolicyError("A statement needs exactly one of Action and NotAction")
    if principal is not None and not_principal is not None:
        raise PolicyError("A statement cannot have both Principal and NotPrincipal")
    if resource is not None and not_resource is not None:
        raise PolicyError("A statement cannot have both Resource and NotResource")
    sid = _field(raw, "Sid")
    who = principal if principal is not None else not_principal
    what = resource if resource is not None else not_resource
    return Statement(
        sid=str(sid) if sid is not None else None,
        allow=effect == "Allow",
        principals=_principals(who, "Principal") if who is not None else None,
        not_principal=not_principal is not None,
        actions=_strings(action if action is not None else not_action, "Action"),
        not_action=not_action is not None,
        resources=_strings(what, "Resource") if what is not None else None,
        not_resource=not_resource is not None,
        conditions=_conditions(_field(raw, "Condition")),
    )


def parse(document: str | dict[str, Any]) -> Policy:
    """A policy from its JSON text or its parsed document; raises PolicyError."""
    if isinstance(document, str):
        if len(document) > _MAX_TEXT:
            raise PolicyError("The policy document is too large")
        try:
            document = json.loads(document)
        except (ValueError, RecursionError):
            raise PolicyError("The policy document is not valid JSON") from None
    if not isinstance(document, dict):
        raise PolicyError("The policy document must be a JSON object")
    version = _field(document, "Version")
    statements = _field(document, "Statement")
    if statements is None:
        raise PolicyError("The policy document has no Statement")
    raw = statements if isinstance(statements, list) else [statements]
    read = tuple(_statement(s) for s in raw)
    cost = sum(
        len(value) - value.count("*") - value.count("?")
        for statement in read
        for condition in statement.conditions
        for value in condition.values
        if "?" in value
    )
    return Policy(str(version) if version is not None else VERSION_2008, read, cost)


@functools.lru_cache(maxsize=1024)
def load(text: str | None) -> Policy:
    """A stored policy; no policy, or one that cannot be read, grants nothing."""
    if not text:
        return EMPTY
    try:
        return parse(text)
    except (PolicyError, RecursionError):
        return EMPTY
