"""The Rules section: each rule whose RuleCondition holds (or that has none) must have every assertion hold for the
parameter values given, else the operation is refused with the assertion's AssertDescription. Rule functions:
Fn::Equals, Fn::Not, Fn::And, Fn::Or, Fn::Contains, Fn::EachMemberEquals, Fn::EachMemberIn, Ref (parameters and
pseudo parameters); Fn::RefAll / Fn::ValueOf / Fn::ValueOfAll read EC2 and SSM facts gureum does not have and are
refused by name. Pure."""

from __future__ import annotations

from typing import Any

from . import intrinsics
from .errors import TemplateError

_UNAVAILABLE = ("Fn::RefAll", "Fn::ValueOf", "Fn::ValueOfAll")


def _value(value: Any, scope: intrinsics.Scope) -> Any:
    fn = next(iter(value)) if isinstance(value, dict) and len(value) == 1 else None
    if fn in _UNAVAILABLE:
        raise TemplateError(f"Template error: {fn} is not supported by gureum in Rules")
    if fn in ("Fn::Contains", "Fn::EachMemberEquals", "Fn::EachMemberIn", "Fn::Equals", "Fn::Not", "Fn::And", "Fn::Or"):
        return holds(value, scope)
    return intrinsics.resolve(value, scope)


def _texts(value: Any) -> list[str]:
    items = value if isinstance(value, list) else [value]
    return [intrinsics.text(i) for i in items]


def holds(value: Any, scope: intrinsics.Scope) -> bool:
    """A rule condition or assertion evaluated for the parameter values in ``scope``."""
    if not isinstance(value, dict) or len(value) != 1:
        if isinstance(value, bool):
            return value
        raise TemplateError("Template format error: every Rules assertion must be a rule-specific function")
    fn, args = next(iter(value.items()))
    if fn == "Fn::Not":
        return not holds(args[0] if isinstance(args, list) else args, scope)
    if fn in ("Fn::And", "Fn::Or"):
        results = [holds(a, scope) for a in args or []]
        return all(results) if fn == "Fn::And" else any(results)
    if not isinstance(args, list) or len(args) != 2:
        raise TemplateError(f"Template error: {fn} requires two arguments")
    left, right = _value(args[0], scope), _value(args[1], scope)
    if fn == "Fn::Equals":
        return _texts(left) == _texts(right)
    if fn == "Fn::Contains":
        return intrinsics.text(right) in _texts(left)
    if fn == "Fn::EachMemberEquals":
        return all(item == intrinsics.text(right) for item in _texts(left))
    if fn == "Fn::EachMemberIn":
        allowed = set(_texts(right))
        return all(item in allowed for item in _texts(left))
    raise TemplateError(f"Template error: {fn} is not a rule function")


def check(doc: dict[str, Any], scope: intrinsics.Scope) -> None:
    """TemplateError with the first failing assertion's description."""
    for name, rule in (doc.get("Rules") or {}).items():
        if not isinstance(rule, dict):
            raise TemplateError(f"Template format error: rule {name} must be an object")
        if "RuleCondition" in rule and not holds(rule["RuleCondition"], scope):
            continue
        for assertion in rule.get("Assertions") or []:
            if not isinstance(assertion, dict) or "Assert" not in assertion:
                raise TemplateError(f"Template format error: every assertion of rule {name} needs an Assert")
            if not holds(assertion["Assert"], scope):
                raise TemplateError(
                    str(assertion.get("AssertDescription") or f"Template error: assertion of rule {name} failed")
                )
