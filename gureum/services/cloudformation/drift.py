"""Drift: a resource's template properties (as CloudFormation last applied them) against its live values read back
through its service. Only the properties the template sets are compared (as AWS does); values are compared as
text (a template's "30" is the service's 30), policy documents as documents."""

from __future__ import annotations

import json
from typing import Any

_MAX_DEPTH = 32


def _plain(value: Any) -> Any:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return str(int(value)) if isinstance(value, float) and value.is_integer() else str(value)
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


def _document(expected: Any, actual: Any) -> Any:
    """An actual value written as JSON text where the template has a document."""
    if isinstance(expected, dict | list) and isinstance(actual, str):
        try:
            return json.loads(actual)
        except ValueError:
            return actual
    return actual


def differences(expected: dict[str, Any], actual: dict[str, Any], names: frozenset[str]) -> list[dict[str, str]]:
    """PropertyDifferences between the template's values of ``names`` and the live ones."""
    out: list[dict[str, str]] = []
    for name in sorted(names & set(expected)):
        live = _document(expected[name], actual.get(name))
        _compare(f"/{name}", _plain(expected[name]), _plain(live) if name in actual else None, out, 0)
    return out


def _compare(path: str, expected: Any, actual: Any, out: list[dict[str, str]], depth: int) -> None:
    if expected == actual:
        return
    if depth < _MAX_DEPTH and isinstance(expected, dict) and isinstance(actual, dict):
        for key in sorted(set(expected) | set(actual)):
            where = f"{path}/{key}"
            if key not in actual:
                out.append(_difference(where, expected[key], None, "REMOVE"))
            elif key not in expected:
                out.append(_difference(where, None, actual[key], "ADD"))
            else:
                _compare(where, expected[key], actual[key], out, depth + 1)
        return
    if depth < _MAX_DEPTH and isinstance(expected, list) and isinstance(actual, list) and len(expected) == len(actual):
        for i, (e, a) in enumerate(zip(expected, actual, strict=True)):
            _compare(f"{path}/{i}", e, a, out, depth + 1)
        return
    kind = "REMOVE" if actual is None else "NOT_EQUAL"
    out.append(_difference(path, expected, actual, kind))


def _difference(path: str, expected: Any, actual: Any, kind: str) -> dict[str, str]:
    def text(value: Any) -> str:
        return "null" if value is None else value if isinstance(value, str) else json.dumps(value)

    return {"PropertyPath": path, "ExpectedValue": text(expected), "ActualValue": text(actual), "DifferenceType": kind}
