"""Schedule expressions: ``rate(value unit)``, ``cron(fields)`` and (EventBridge Scheduler only) ``at(time)``.

``parse`` validates the text the way AWS does (a rate's unit agrees in number with its value: ``rate(1 hour)``,
``rate(5 hours)``); ``next_cron`` evaluates a cron in a time zone and answers UTC epoch seconds. When a
wall-clock minute does not exist (the hour skipped by daylight saving) the instant it maps to is used; when it
exists twice, the first one. Pure logic; imports nothing from gureum outside this package.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from .cron import Cron, CronError

_RATE = re.compile(r"^rate\((\d+) (minute|minutes|hour|hours|day|days)\)$")
_CRON = re.compile(r"^cron\((.*)\)$")
_AT = re.compile(r"^at\((\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})\)$")
_UNIT_SECONDS = {"minute": 60, "hour": 3600, "day": 86400}


class ScheduleExpressionError(ValueError):
    """Not an expression AWS accepts."""


@dataclass(frozen=True, slots=True)
class Rate:
    seconds: int


@dataclass(frozen=True, slots=True)
class At:
    when: datetime  # naive wall-clock time in the schedule's time zone


Expression = Rate | Cron | At


def parse(text: str, *, allow_at: bool = False) -> Expression:
    """``rate(...)``/``cron(...)`` (and ``at(...)`` when allowed) → the parsed expression."""
    match = _RATE.match(text)
    if match:
        value, unit = int(match.group(1)), match.group(2)
        if value < 1:
            raise ScheduleExpressionError("a rate must be a positive number")
        if (value == 1) != (not unit.endswith("s")):
            raise ScheduleExpressionError("a rate of 1 takes a singular unit, any other value a plural one")
        return Rate(value * _UNIT_SECONDS[unit.rstrip("s")])
    match = _CRON.match(text)
    if match:
        try:
            return Cron.parse(match.group(1))
        except CronError as error:
            raise ScheduleExpressionError(str(error)) from None
    match = _AT.match(text) if allow_at else None
    if match:
        try:
            year, month, day, hour, minute, second = (int(part) for part in match.groups())
            return At(datetime(year, month, day, hour, minute, second))
        except ValueError as error:
            raise ScheduleExpressionError(str(error)) from None
    raise ScheduleExpressionError(f"{text!r} is not a schedule expression")


def zone(name: str | None) -> ZoneInfo:
    """An IANA time zone (UTC when None); ScheduleExpressionError when unknown."""
    try:
        return ZoneInfo(name or "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        raise ScheduleExpressionError(f"unknown time zone {name!r}") from None


def wall_to_epoch(when: datetime, tz: ZoneInfo) -> float:
    """A naive wall-clock time in ``tz`` → UTC epoch seconds (the earlier instant of an ambiguous time)."""
    return when.replace(tzinfo=tz, fold=0).timestamp()


def next_cron(cron: Cron, after: float, tz: ZoneInfo) -> float | None:
    """The first firing of ``cron`` (wall-clock in ``tz``) strictly after epoch ``after``; None when none is left."""
    local = datetime.fromtimestamp(after, UTC).astimezone(tz).replace(tzinfo=None)
    while True:
        candidate = cron.next_after(local)
        if candidate is None:
            return None
        epoch = wall_to_epoch(candidate, tz)
        if epoch > after:
            return epoch
        local = candidate  # a wall-clock minute repeated by a backward clock change: look further


def next_rate(rate: Rate, anchor: float, after: float) -> float:
    """The first ``anchor + k * period`` (k >= 0) strictly after ``after``."""
    if after < anchor:
        return anchor
    periods = int((after - anchor) // rate.seconds) + 1
    return anchor + periods * rate.seconds
