"""ECS account settings: the names, the values each takes, and AWS's defaults; a principal's own setting overrides
the account's default (PutAccountSettingDefault), which overrides AWS's."""

from __future__ import annotations

from .errors import InvalidParameterException

_ON_OFF = ("enabled", "disabled")
VALUES: dict[str, tuple[str, ...]] = {
    "serviceLongArnFormat": _ON_OFF,
    "taskLongArnFormat": _ON_OFF,
    "containerInstanceLongArnFormat": _ON_OFF,
    "awsvpcTrunking": _ON_OFF,
    "containerInsights": ("enabled", "disabled", "enhanced"),
    "fargateFIPSMode": _ON_OFF,
    "tagResourceAuthorization": ("on", "off"),
    "fargateTaskRetirementWaitPeriod": ("0", "7", "14"),
    "guardDutyActivate": _ON_OFF,
    "defaultLogDriverMode": ("blocking", "non-blocking"),
    "fargateEventWindows": _ON_OFF,
}
DEFAULTS = {
    "serviceLongArnFormat": "enabled",
    "taskLongArnFormat": "enabled",
    "containerInstanceLongArnFormat": "enabled",
    "awsvpcTrunking": "disabled",
    "containerInsights": "disabled",
    "fargateFIPSMode": "disabled",
    "tagResourceAuthorization": "on",
    "fargateTaskRetirementWaitPeriod": "7",
    "guardDutyActivate": "disabled",
    "defaultLogDriverMode": "non-blocking",
    "fargateEventWindows": "disabled",
}
# settings AWS lets only the account's root (or the default) change
ACCOUNT_ONLY = frozenset({"fargateFIPSMode", "fargateTaskRetirementWaitPeriod", "guardDutyActivate"})


def check(name: str, value: str) -> None:
    allowed = VALUES.get(name)
    if allowed is None:
        raise InvalidParameterException(f"Invalid setting name: {name}")
    if value not in allowed:
        raise InvalidParameterException(
            f"Invalid value '{value}' for setting {name}. Valid values: {', '.join(allowed)}."
        )


def setting(name: str, value: str, principal: str, kind: str = "user") -> dict[str, str]:
    return {"name": name, "value": value, "principalArn": principal, "type": kind}
