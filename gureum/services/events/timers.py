"""Scheduled rules and replays, advanced as delayed outbox rows of this package's own delivery kinds.

"events-schedule": a rule's next firing; "events-replay": one step of a replay (a batch of archived events).
This module plans them (schedule arithmetic, the rows to enqueue, the events they produce); the backend runs
them inside the transaction that claims the row (EventsBackend.fire_schedule, EventsBackend.replay_step), so a
firing happens once even with several nodes claiming rows and survives a restart.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ...delivery import RetryPolicy
from ...ids import unique_id
from ...schedules import Cron, Rate, next_cron, next_rate, parse, zone
from .fanout import iso_time
from .store import Rule

if TYPE_CHECKING:
    from ...delivery import Delivery
    from ...store.base import Tx

SCHEDULE_KIND = "events-schedule"
REPLAY_KIND = "events-replay"
_TIMER_POLICY = RetryPolicy(attempts=10, min_delay=1.0, max_delay=30.0)
_UTC = zone("UTC")  # scheduled rules run on UTC


def next_firing(rule: Rule, after_ms: int) -> int | None:
    """The rule's first firing strictly after ``after_ms`` (a rate counts from the rule's anchor)."""
    assert rule.schedule is not None
    expression = parse(rule.schedule)
    if isinstance(expression, Rate):
        anchor = rule.schedule_anchor if rule.schedule_anchor is not None else after_ms
        return int(next_rate(expression, anchor / 1000, after_ms / 1000) * 1000)
    assert isinstance(expression, Cron)
    found = next_cron(expression, after_ms / 1000, _UTC)
    return None if found is None else int(found * 1000)


def enqueue_firing(delivery: Delivery, tx: Tx, rule: Rule, at: int, now: int) -> None:
    """The delayed row that fires ``rule`` at ``at`` (epoch ms)."""
    delivery.enqueue(
        tx,
        SCHEDULE_KIND,
        rule.arn,
        {"rule_id": rule.id, "at": at},
        policy=_TIMER_POLICY,
        source=rule.arn,
        delay=max(0.001, (at - now) / 1000),
    )


def reschedule(delivery: Delivery, tx: Tx, rule: Rule, schedule: str | None, now: int) -> None:
    """Give the rule its new schedule: keep a live firing chain, start a new one (a new or changed schedule,
    a rule enabled again), or stop it. The caller saves the rule."""
    changed = schedule != rule.schedule
    rule.schedule = schedule
    if not schedule or not rule.enabled:
        rule.next_fire_at = rule.schedule_anchor = None
        return
    if not changed and rule.next_fire_at is not None:
        return
    # "A rate expression starts when you create the scheduled event rule" (eb-rate-expressions.html):
    # the first firing is one period after (re)arming
    rule.schedule_anchor = now
    rule.next_fire_at = next_firing(rule, now)
    if rule.next_fire_at is not None:
        enqueue_firing(delivery, tx, rule, rule.next_fire_at, now)


def scheduled_event(rule: Rule, at: int) -> dict[str, Any]:
    """The event a scheduled rule sends its targets (source aws.events, detail-type "Scheduled Event")."""
    return {
        "version": "0",
        "id": unique_id(),
        "detail-type": "Scheduled Event",
        "source": "aws.events",
        "account": rule.account,
        "time": iso_time(at),
        "region": rule.region,
        "resources": [rule.arn],
        "detail": {},
    }


# --- replays -----------------------------------------------------------------------------------------


def enqueue_replay_step(delivery: Delivery, tx: Tx, replay_id: int, arn: str) -> None:
    """The row that runs the replay's next step as soon as this transaction commits."""
    delivery.enqueue(tx, REPLAY_KIND, arn, {"replay_id": replay_id}, policy=_TIMER_POLICY, source=arn, delay=0.001)


def with_replay_name(event: dict[str, Any], name: str) -> dict[str, Any]:
    """The archived event as replayed: ``replay-name`` added after ``region``, as AWS places it."""
    out: dict[str, Any] = {}
    for key, value in event.items():
        out[key] = value
        if key == "region":
            out["replay-name"] = name
    out.setdefault("replay-name", name)
    return out
