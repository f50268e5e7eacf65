"""Stack policies: which updates (Update:Modify, Update:Replace, Update:Delete) a stack's resources may take.
With a policy set, an update is denied unless a statement allows it and none denies it; Action / NotAction,
Resource / NotResource ("LogicalResourceId/Name", "*" wildcards) and the ResourceType condition (StringEquals,
StringLike) are honoured. Wildcards are matched without regular expressions. Pure."""

from __future__ import annotations

import json
from typing import Any

from .errors import TemplateError


def parse(text: str) -> dict[str, Any]:
    try:
        doc = json.loads(text)
    except ValueError:
        raise TemplateError("Error parsing stack policy: the policy is not valid JSON") from None
    statements = doc.get("Statement") if isinstance(doc, dict) else None
    if not isinstance(statements, list | dict):
        raise TemplateError("Error parsing stack policy: a stack policy must have a Statement")
    return dict(doc)


def glob(pattern: str, text: str) -> bool:
    """``*`` matches any run of characters; linear, no backtracking (literal parts found leftmost)."""
    parts = pattern.split("*")
    if len(parts) == 1:
        return pattern == text
    if not text.startswith(parts[0]) or not text.endswith(parts[-1]) or len(parts[0]) + len(parts[-1]) > len(text):
        return False
    at, end = len(parts[0]), len(text) - len(parts[-1])
    for middle in parts[1:-1]:
        found = text.find(middle, at, end)
        if found < 0:
            return False
        at = found + len(middle)
    return True


def _listed(value: Any) -> list[str]:
    return [str(v) for v in (value if isinstance(value, list) else [value])] if value is not None else []


def _matches(statement: dict[str, Any], action: str, logical: str, kind: str) -> bool:
    resource = f"LogicalResourceId/{logical}"
    if "Action" in statement and not any(glob(a, action) for a in _listed(statement["Action"])):
        return False
    if "NotAction" in statement and any(glob(a, action) for a in _listed(statement["NotAction"])):
        return False
    if "Resource" in statement and not any(glob(r, resource) for r in _listed(statement["Resource"])):
        return False
    if "NotResource" in statement and any(glob(r, resource) for r in _listed(statement["NotResource"])):
        return False
    for operator, tests in (statement.get("Condition") or {}).items():
        wanted = _listed((tests or {}).get("ResourceType"))
        if operator == "StringEquals" and wanted and kind not in wanted:
            return False
        if operator == "StringLike" and wanted and not any(glob(w, kind) for w in wanted):
            return False
    return True


def denial(doc: dict[str, Any] | None, action: str, logical: str, kind: str) -> str | None:
    """Why the policy denies ``action`` on the resource, or None when it allows it (or there is no policy)."""
    if doc is None:
        return None
    statements = doc.get("Statement")
    statements = statements if isinstance(statements, list) else [statements]
    allowed = False
    for statement in statements:
        if not isinstance(statement, dict) or not _matches(statement, action, logical, kind):
            continue
        if statement.get("Effect") == "Deny":
            return f"Action denied by stack policy: {action} on resource LogicalResourceId/{logical} is denied"
        if statement.get("Effect") == "Allow":
            allowed = True
    if allowed:
        return None
    return f"Action denied by stack policy: {action} on resource LogicalResourceId/{logical} is not allowed"
