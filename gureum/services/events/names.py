"""EventBridge names and ARNs.

ARN shapes: ``event-bus/<name>``, ``rule/<name>`` on the default bus and ``rule/<bus>/<name>`` elsewhere,
``archive/<name>``, ``replay/<name>``, ``connection/<name>/<uuid>``, ``api-destination/<name>/<uuid>``,
``endpoint/<name>``.
"""

from __future__ import annotations

import re

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
