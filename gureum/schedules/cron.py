"""AWS's six-field cron: ``minutes hours day-of-month month day-of-week year``, evaluated on wall-clock time.

Fields and wildcards as EventBridge documents them (eb-scheduled-rule-pattern.html, and the same syntax in
EventBridge Scheduler): ``, - * /`` everywhere; ``?`` in exactly one of day-of-month and day-of-week;
``L`` and ``W`` in day-of-month (``L``, ``L-3``, ``15W``, ``LW``); ``L`` and ``#`` in day-of-week (``L`` is
Saturday, ``5L`` the month's last Thursday, ``2#1`` its first Monday). Day-of-week counts 1-7 from Sunday.
Pure logic on naive datetimes; imports nothing from gureum.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import datetime, timedelta

MONTHS = {
    name: i
    for i, name in enumerate(("JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"), 1)
}
WEEKDAYS = {name: i for i, name in enumerate(("SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"), 1)}
YEAR_MIN, YEAR_MAX = 1970, 2199
_STEP = re.compile(r"^(\*|\d+|[A-Z]{3})(?:-(\d+|[A-Z]{3}))?(?:/(\d+))?$")


class CronError(ValueError):
    """The expression is not one AWS accepts; the text says why (for logs and tests, not for clients)."""


def _number(token: str, names: dict[str, int] | None, low: int, high: int) -> int:
    if token.isdigit():
        value = int(token)
    elif names is not None and token in names:
        value = names[token]
    else:
        raise CronError(f"{token!r} is not a value of this field")
    if not low <= value <= high:
        raise CronError(f"{value} is outside {low}-{high}")
    return value


def _values(field: str, low: int, high: int, names: dict[str, int] | None = None) -> frozenset[int]:
    """A field of ``, - * /`` terms → the set of values it allows (a range may wrap: FRI-MON)."""
    out: set[int] = set()
    for term in field.upper().split(","):
        match = _STEP.match(term)
        if match is None:
            raise CronError(f"{term!r} is not a valid term")
        start_text, end_text, step_text = match.groups()
        step = int(step_text) if step_text else 1
        if step < 1:
            raise CronError("a step must be at least 1")
        if start_text == "*":
            if end_text:
                raise CronError("'*' cannot start a range")
            start, end = low, high
        else:
            start = _number(start_text, names, low, high)
            # "5/15" runs from 5 to the top of the field; a bare "5" is just 5
            end = _number(end_text, names, low, high) if end_text else (high if step_text else start)
        span = end - start if end >= start else end + (high - low + 1) - start
        for offset in range(0, span + 1, step):
            out.add(low + (start - low + offset) % (high - low + 1))
    return frozenset(out)


@dataclass(frozen=True, slots=True)
class _DayOfMonth:
    values: frozenset[int] = frozenset()
    last_offset: int | None = None  # "L" (0) or "L-n" (n)
    nearest_weekday: int | None = None  # "15W"
    last_weekday: bool = False  # "LW"

    def days(self, year: int, month: int) -> set[int]:
        length = calendar.monthrange(year, month)[1]
        days = {d for d in self.values if d <= length}
        if self.last_offset is not None and length - self.last_offset >= 1:
            days.add(length - self.last_offset)
        if self.last_weekday:
            days.add(_nearest_weekday(year, month, length, length))
        if self.nearest_weekday is not None and self.nearest_weekday <= length:
            days.add(_nearest_weekday(year, month, self.nearest_weekday, length))
        return days


def _nearest_weekday(year: int, month: int, day: int, length: int) -> int:
    """Quartz's W: the weekday nearest ``day`` without leaving the month."""
    weekday = calendar.weekday(year, month, day)  # Monday 0 … Sunday 6
    if weekday == 5:  # Saturday: Friday before, or Monday after when the 1st is a Saturday
        return day - 1 if day > 1 else day + 2
    if weekday == 6:  # Sunday: Monday after, or Friday before when the month ends on Sunday
        return day + 1 if day < length else day - 2
    return day


@dataclass(frozen=True, slots=True)
class _DayOfWeek:
    values: frozenset[int] = frozenset()  # 1 = Sunday … 7 = Saturday
    last_of_month: int | None = None  # "5L": the month's last Thursday
    nth: tuple[int, int] | None = None  # "2#1": the month's first Monday

    def days(self, year: int, month: int) -> set[int]:
        length = calendar.monthrange(year, month)[1]
        out = set()
        for day in range(1, length + 1):
            aws_weekday = (calendar.weekday(year, month, day) + 1) % 7 + 1  # Sunday 1 … Saturday 7
            if aws_weekday in self.values:
                out.add(day)
            if self.last_of_month == aws_weekday and day + 7 > length:
                out.add(day)
            if self.nth is not None and self.nth[0] == aws_weekday and (day - 1) // 7 + 1 == self.nth[1]:
                out.add(day)
        return out


def _day_of_month(field: str) -> _DayOfMonth:
    field = field.upper()
    if field == "L":
        return _DayOfMonth(last_offset=0)
    if field == "LW":
        return _DayOfMonth(last_weekday=True)
    match = re.match(r"^L-(\d+)$", field)
    if match:
        offset = int(match.group(1))
        if not 0 <= offset <= 30:
            raise CronError("L-n needs n between 0 and 30")
        return _DayOfMonth(last_offset=offset)
    match = re.match(r"^(\d+)W$", field)
    if match:
        return _DayOfMonth(nearest_weekday=_number(match.group(1), None, 1, 31))
    return _DayOfMonth(values=_values(field, 1, 31))


def _day_of_week(field: str) -> _DayOfWeek:
    field = field.upper()
    if field == "L":
        return _DayOfWeek(values=frozenset({7}))
    match = re.match(r"^(\d|[A-Z]{3})L$", field)
    if match:
        return _DayOfWeek(last_of_month=_number(match.group(1), WEEKDAYS, 1, 7))
    match = re.match(r"^(\d|[A-Z]{3})#(\d)$", field)
    if match:
        nth = int(match.group(2))
        if not 1 <= nth <= 5:
            raise CronError("the n in day#n must be 1-5")
        return _DayOfWeek(nth=(_number(match.group(1), WEEKDAYS, 1, 7), nth))
    return _DayOfWeek(values=_values(field, 1, 7, WEEKDAYS))


@dataclass(frozen=True, slots=True)
class Cron:
    """A parsed AWS cron expression (the text between the parentheses of ``cron(...)``)."""

    minutes: frozenset[int]
    hours: frozenset[int]
    months: frozenset[int]
    years: frozenset[int]
    day_of_month: _DayOfMonth | None  # None: "?"
    day_of_week: _DayOfWeek | None  # None: "?"

    @classmethod
    def parse(cls, text: str) -> Cron:
        fields = text.split()
        if len(fields) != 6:
            raise CronError(f"a cron expression has 6 fields, not {len(fields)}")
        minute, hour, dom, month, dow, year = fields
        if (dom == "?") == (dow == "?"):
            raise CronError("exactly one of day-of-month and day-of-week must be '?'")
        return cls(
            minutes=_values(minute, 0, 59),
            hours=_values(hour, 0, 23),
            months=_values(month, 1, 12, MONTHS),
            years=_values(year, YEAR_MIN, YEAR_MAX),
            day_of_month=None if dom == "?" else _day_of_month(dom),
            day_of_week=None if dow == "?" else _day_of_week(dow),
        )

    def _days(self, year: int, month: int) -> set[int]:
        if self.day_of_month is not None:
            return self.day_of_month.days(year, month)
        assert self.day_of_week is not None
        return self.day_of_week.days(year, month)

    def next_after(self, after: datetime) -> datetime | None:
        """The first matching minute strictly after ``after`` (naive wall-clock time); None when none is left."""
        start = after.replace(second=0, microsecond=0) + timedelta(minutes=1)
        for year in sorted(y for y in self.years if y >= start.year):
            for month in sorted(self.months):
                if (year, month) < (start.year, start.month):
                    continue
                for day in sorted(self._days(year, month)):
                    if (year, month, day) < (start.year, start.month, start.day):
                        continue
                    same_day = (year, month, day) == (start.year, start.month, start.day)
                    for hour in sorted(self.hours):
                        if same_day and hour < start.hour:
                            continue
                        same_hour = same_day and hour == start.hour
                        for minute in sorted(self.minutes):
                            if same_hour and minute < start.minute:
                                continue
                            return datetime(year, month, day, hour, minute)
        return None
