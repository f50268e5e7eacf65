"""AWS cron and rate/at expressions: validation and next firing times (pure logic, fixed dates)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from gureum.schedules import At, Cron, CronError, Rate, ScheduleExpressionError, next_cron, next_rate, parse, zone


def nxt(expr: str, after: str) -> datetime | None:
    return Cron.parse(expr).next_after(datetime.fromisoformat(after))


def epoch(text: str) -> float:
    return datetime.fromisoformat(text).replace(tzinfo=UTC).timestamp()


@pytest.mark.parametrize(
    "expr, after, expected",
    [
        ("* * * * ? *", "2024-01-01T10:00:30", "2024-01-01T10:01:00"),
        ("* * * * ? *", "2024-01-01T10:00:00", "2024-01-01T10:01:00"),  # strictly after
        ("0 12 * * ? *", "2024-01-01T12:00:00", "2024-01-02T12:00:00"),
        ("0/15 * * * ? *", "2024-01-01T10:16:00", "2024-01-01T10:30:00"),
        ("5/15 * * * ? *", "2024-01-01T10:51:00", "2024-01-01T11:05:00"),
        ("0 18 ? * MON-FRI *", "2024-01-05T19:00:00", "2024-01-08T18:00:00"),  # Friday evening → Monday
        ("0 8 1 * ? *", "2024-01-31T00:00:00", "2024-02-01T08:00:00"),
        ("0 0 L * ? *", "2024-02-01T00:00:00", "2024-02-29T00:00:00"),  # leap year
        ("0 0 L-2 * ? *", "2023-02-01T00:00:00", "2023-02-26T00:00:00"),
        ("0 0 15W * ? *", "2024-06-01T00:00:00", "2024-06-14T00:00:00"),  # 15 June 2024 is a Saturday
        ("0 0 1W * ? *", "2024-05-31T00:00:00", "2024-06-03T00:00:00"),  # 1 June is a Saturday → Monday 3rd
        ("0 0 LW * ? *", "2024-03-01T00:00:00", "2024-03-29T00:00:00"),  # 31 March 2024 is a Sunday
        ("0 10 ? * 6L *", "2024-01-01T00:00:00", "2024-01-26T10:00:00"),  # last Friday of January
        ("0 10 ? * 2#1 *", "2024-01-01T11:00:00", "2024-02-05T10:00:00"),  # first Monday
        ("0 10 ? * MON#3 *", "2024-01-01T00:00:00", "2024-01-15T10:00:00"),
        ("0 0 ? * L *", "2024-01-01T00:00:00", "2024-01-06T00:00:00"),  # L alone: Saturday
        ("0 0 ? * 1 *", "2024-01-01T00:00:00", "2024-01-07T00:00:00"),  # 1 is Sunday
        ("0 0 ? * FRI-MON *", "2024-01-02T00:00:00", "2024-01-05T00:00:00"),  # a range wrapping the week
        ("0 0 29 2 ? *", "2024-03-01T00:00:00", "2028-02-29T00:00:00"),
        ("30 9 * JAN,JUL ? 2030", "2024-01-01T00:00:00", "2030-01-01T09:30:00"),
        ("0 0 1 1 ? 2020-2021", "2024-01-01T00:00:00", None),  # nothing left
        ("15,45 */6 * * ? *", "2024-01-01T06:20:00", "2024-01-01T06:45:00"),
    ],
)
def test_next_after(expr: str, after: str, expected: str | None) -> None:
    got = nxt(expr, after)
    assert got == (datetime.fromisoformat(expected) if expected else None)


@pytest.mark.parametrize(
    "expr",
    [
        "* * * * * *",  # both day fields given
        "* * ? * ? *",  # neither
        "* * * *",  # too few fields
        "60 * * * ? *",
        "* 24 * * ? *",
        "* * 32 * ? *",
        "* * * 13 ? *",
        "* * ? * 8 *",
        "* * * * ? 1969",
        "* * * * ? 2200",
        "* * 3#1 * ? *",  # '#' only in day-of-week
        "*/0 * * * ? *",
        "* * * FOO ? *",
        "? * * * ? *",
    ],
)
def test_invalid(expr: str) -> None:
    with pytest.raises(CronError):
        Cron.parse(expr)


@pytest.mark.parametrize(
    "text, expected",
    [
        ("rate(1 minute)", Rate(60)),
        ("rate(5 minutes)", Rate(300)),
        ("rate(1 hour)", Rate(3600)),
        ("rate(2 days)", Rate(172800)),
    ],
)
def test_rate(text: str, expected: Rate) -> None:
    assert parse(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "rate(1 minutes)",
        "rate(5 minute)",
        "rate(0 minutes)",
        "rate(1 second)",
        "rate(1  minute)",
        "rate(-1 minutes)",
        "cron(* * * * * *)",
        "nope",
        "at(2030-01-01T00:00:00)",
    ],
)
def test_invalid_expressions(text: str) -> None:
    with pytest.raises(ScheduleExpressionError):
        parse(text)


def test_at_only_when_allowed() -> None:
    assert parse("at(2030-01-02T03:04:05)", allow_at=True) == At(datetime(2030, 1, 2, 3, 4, 5))
    with pytest.raises(ScheduleExpressionError):
        parse("at(2030-02-30T00:00:00)", allow_at=True)


def test_next_rate() -> None:
    anchor = epoch("2024-01-01T00:00:00")
    assert next_rate(Rate(300), anchor, anchor - 10) == anchor
    assert next_rate(Rate(300), anchor, anchor) == anchor + 300
    assert next_rate(Rate(300), anchor, anchor + 301) == anchor + 600


def test_next_cron_in_time_zone() -> None:
    cron = parse("cron(0 9 * * ? *)")
    assert isinstance(cron, Cron)
    # 09:00 in Seoul is 00:00 UTC
    assert next_cron(cron, epoch("2024-01-01T12:00:00"), zone("Asia/Seoul")) == epoch("2024-01-02T00:00:00")
    assert next_cron(cron, epoch("2024-01-01T12:00:00"), zone(None)) == epoch("2024-01-02T09:00:00")


def test_next_cron_across_daylight_saving() -> None:
    cron = parse("cron(30 1 * * ? *)")
    assert isinstance(cron, Cron)
    paris = zone("Europe/Paris")
    # 27 October 2024: 01:30 happens once before the change (02:00 → 03:00 CEST → CET happens at 03:00)
    first = next_cron(cron, epoch("2024-10-26T12:00:00"), paris)
    assert first == epoch("2024-10-26T23:30:00")  # 01:30 CEST
    # New York, 3 November 2024: 01:30 happens twice; it fires once (the first)
    ny = zone("America/New_York")
    once = next_cron(cron, epoch("2024-11-03T04:00:00"), ny)
    assert once == epoch("2024-11-03T05:30:00")  # 01:30 EDT
    assert next_cron(cron, once, ny) == epoch("2024-11-04T06:30:00")  # not 01:30 EST the same night


def test_unknown_zone() -> None:
    with pytest.raises(ScheduleExpressionError):
        zone("Mars/Olympus")
