"""AWS schedule expressions shared by EventBridge scheduled rules and EventBridge Scheduler.

    parse("rate(5 minutes)") -> Rate(300)       parse("cron(0 12 ? * MON-FRI *)") -> Cron
    parse("at(2030-01-01T00:00:00)", allow_at=True) -> At
    next_cron(cron, after_epoch, zone("Europe/Paris")) -> epoch | None
    next_rate(rate, anchor_epoch, after_epoch) -> epoch

Pure logic (no clock, no I/O); imports nothing from the rest of gureum.
"""

from .cron import Cron, CronError
from .expressions import At, Expression, Rate, ScheduleExpressionError, next_cron, next_rate, parse, wall_to_epoch, zone

__all__ = [
    "At",
    "Cron",
    "CronError",
    "Expression",
    "Rate",
    "ScheduleExpressionError",
    "next_cron",
    "next_rate",
    "parse",
    "wall_to_epoch",
    "zone",
]
