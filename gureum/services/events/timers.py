"""Scheduled rules and replays, advanced as delayed outbox rows of this package's own delivery kinds.

"events-schedule": a rule's next firing. Firing happens inside the transaction that claims the row: the
rule moves on to its following firing only if it still expects this one (a conditional update), its targets'
deliveries are enqueued, and the following firing becomes a new delayed row. So a firing happens once even
with several nodes claiming rows, survives a restart (a firing missed while down happens once, late), and a
PutRule/DisableRule/DeleteRule simply strands the old row, which then does nothing.
"events-replay": one step of a replay (a batch of archived events), enqueueing the next step until done.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from ...delivery import RetryPolicy, Target
from ...ids import unique_id
from ...schedules import Cron, Rate, next_cron, next_rate, parse, zone
from . import limits, store, store_archives
from .fanout import Fanout, event_size, guarded, iso_time
from .names import parse_arn
from .store import Rule

if TYPE_CHECKING:
    from ...runtime import Runtime
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


def _enqueue_firing(runtime: Runtime, tx: Tx, rule: Rule, at: int, now: int) -> None:
    runtime.delivery.enqueue(
        tx,
        SCHEDULE_KIND,
        rule.arn,
        {"rule_id": rule.id, "at": at},
        policy=_TIMER_POLICY,
        source=rule.arn,
        delay=max(0.001, (at - now) / 1000),
    )


def reschedule(runtime: Runtime, tx: Tx, rule: Rule, schedule: str | None, now: int) -> None:
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
        _enqueue_firing(runtime, tx, rule, rule.next_fire_at, now)


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


def _fire(runtime: Runtime, tx: Tx, address: str, payload: dict[str, Any]) -> None:
    rule = store.get_rule_by_id(tx, int(payload["rule_id"]))
    due = int(payload["at"])
    if rule is None or rule.next_fire_at != due or not rule.schedule or not rule.enabled:
        return  # the schedule changed (or the rule went) after this firing was planned
    now = runtime.delivery.now_ms()
    following = next_firing(rule, max(now, due))  # firings missed while no node ran collapse into this one
    if not store.take_firing(tx, rule.id, due, following):
        return
    if following is not None:
        _enqueue_firing(runtime, tx, rule, following, now)
    targets = [config for _, config in store.targets(tx, rule.id)]
    Fanout(runtime, tx).deliver(targets, scheduled_event(rule, due), rule.arn, rule.name, iso_time(now), due)


# --- replays -----------------------------------------------------------------------------------------


def start_replay(runtime: Runtime, tx: Tx, replay_id: int, arn: str) -> None:
    runtime.delivery.enqueue(
        tx, REPLAY_KIND, arn, {"replay_id": replay_id}, policy=_TIMER_POLICY, source=arn, delay=0.001
    )


def _with_replay_name(event: dict[str, Any], name: str) -> dict[str, Any]:
    """The archived event as replayed: ``replay-name`` added after ``region``, as AWS places it."""
    out: dict[str, Any] = {}
    for key, value in event.items():
        out[key] = value
        if key == "region":
            out["replay-name"] = name
    out.setdefault("replay-name", name)
    return out


def _replay_step(runtime: Runtime, tx: Tx, address: str, payload: dict[str, Any]) -> None:
    replay = store_archives.get_replay_by_id(tx, int(payload["replay_id"]))
    if replay is None or replay.state not in ("STARTING", "RUNNING", "CANCELLING"):
        return
    now = runtime.delivery.now_ms()
    if replay.state == "CANCELLING":
        replay.state, replay.ended_at = "CANCELLED", now
        store_archives.save_replay_progress(tx, replay)
        return
    archive_parts = parse_arn(replay.archive_arn)
    archive = (
        store_archives.get_archive(tx, replay.account, replay.region, archive_parts[2].split("/", 1)[1])
        if archive_parts
        else None
    )
    bus_parts = parse_arn(replay.destination["Arn"])
    if archive is None or bus_parts is None:
        replay.state, replay.state_reason, replay.ended_at = (
            "FAILED",
            "The archive or the destination no longer exists.",
            now,
        )
        store_archives.save_replay_progress(tx, replay)
        return
    bus = bus_parts[2][len("event-bus/") :]
    only = set(replay.destination.get("FilterArns") or []) or None
    rows = store_archives.archived_after(
        tx, archive.id, replay.event_start, replay.event_end, replay.cursor_at, replay.cursor_id, limits.REPLAY_BATCH
    )
    fanout = Fanout(runtime, tx)
    for row_id, received_at, text in rows:
        event = _with_replay_name(json.loads(text), replay.name)
        fanout.put(
            bus_parts[1] or replay.account,
            bus_parts[0] or replay.region,
            bus,
            event,
            size=event_size(event),
            only_rules=only,
        )
        replay.cursor_at, replay.cursor_id, replay.last_replayed = received_at, row_id, received_at
    replay.state = "RUNNING"
    if len(rows) < limits.REPLAY_BATCH:
        replay.state, replay.ended_at = "COMPLETED", now
    else:
        start_replay(runtime, tx, replay.id, replay.arn)
    store_archives.save_replay_progress(tx, replay)


TARGETS = [Target(SCHEDULE_KIND, in_tx=guarded(_fire)), Target(REPLAY_KIND, in_tx=guarded(_replay_step))]
