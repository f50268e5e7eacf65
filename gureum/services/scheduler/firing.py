"""When schedules fire and what their targets receive, on the delivery path's delayed outbox rows.

"scheduler-fire": a schedule's next invocation. The row's payload holds the nominal time; a FLEXIBLE window
only delays the row (a random point in the window). Firing happens in the transaction that claims the row,
and only if the schedule still expects it (a conditional update), so it happens once across nodes and
restarts; the following firing becomes a new row, and a completed schedule with ActionAfterCompletion
DELETE is deleted there. "scheduler-dlq": the dead-letter message, with Scheduler's attributes.
Rate schedules start at StartDate, or at once without one ("your schedule starts invoking the target
immediately", schedule-types.html); cron and at() are evaluated in ScheduleExpressionTimezone.
"""

from __future__ import annotations

import logging
import random
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from ... import safejson
from ...delivery import DeadLetter, RetryPolicy, Target, ecs_task, guarded
from ...ids import unique_id
from ...schedules import At, Cron, Rate, next_cron, next_rate, parse, wall_to_epoch, zone
from . import store, universal
from .model import BATCH_SUBMIT_JOB, RETRY_DEFAULT, Schedule, submit_job_queue, target_arn_parts, target_kind

if TYPE_CHECKING:
    from ...runtime import Runtime
    from ...store.base import Tx

log = logging.getLogger("gureum.scheduler")
FIRE_KIND = "scheduler-fire"
DLQ_KIND = "scheduler-dlq"
_TIMER_POLICY = RetryPolicy(attempts=10, min_delay=1.0, max_delay=30.0)


def next_invocation(schedule: Schedule, after: int) -> int | None:
    """The schedule's first nominal invocation strictly after ``after`` (ms); None when it has no more."""
    expression = parse(schedule.expression, allow_at=True)
    tz = zone(schedule.timezone)
    if isinstance(expression, At):  # StartDate and EndDate do not apply to one-time schedules
        when = int(wall_to_epoch(expression.when, tz) * 1000)
        return when if when > after else None
    if schedule.start_date is not None:
        after = max(after, schedule.start_date - 1)
    if isinstance(expression, Rate):
        anchor = schedule.start_date if schedule.start_date is not None else schedule.created_at
        found: float | None = next_rate(expression, anchor / 1000, after / 1000)
    else:
        assert isinstance(expression, Cron)
        found = next_cron(expression, after / 1000, tz)
    if found is None:
        return None
    when = int(found * 1000)
    return None if schedule.end_date is not None and when > schedule.end_date else when


def _actual(schedule: Schedule, nominal: int) -> int:
    """When to invoke: the nominal time, or a random point of the flexible time window after it."""
    if schedule.flexible.get("Mode") == "FLEXIBLE":
        return nominal + int(random.uniform(0, schedule.flexible.get("MaximumWindowInMinutes", 1) * 60_000))
    return nominal


def _enqueue_firing(runtime: Runtime, tx: Tx, schedule: Schedule, nominal: int, now: int) -> None:
    delay = max(0.001, (_actual(schedule, nominal) - now) / 1000)
    runtime.delivery.enqueue(
        tx,
        FIRE_KIND,
        schedule.arn,
        {"schedule_id": schedule.id, "at": nominal},
        policy=_TIMER_POLICY,
        source=schedule.arn,
        delay=delay,
    )


def arm(runtime: Runtime, tx: Tx, schedule: Schedule, now: int) -> None:
    """Start the schedule's firing chain afresh (a new one strands any old row); the caller saves it."""
    schedule.next_fire_at = next_invocation(schedule, now - 1) if schedule.state == "ENABLED" else None
    if schedule.next_fire_at is not None:
        _enqueue_firing(runtime, tx, schedule, schedule.next_fire_at, now)


def _iso(ms: int) -> str:
    return datetime.fromtimestamp(ms / 1000, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _input(schedule: Schedule, nominal: int, execution_id: str) -> str:
    """The target's Input with Scheduler's context attributes filled in (managing-schedule-context-attributes.html)."""
    text = schedule.target.get("Input") or "{}"
    for name, value in (
        ("schedule-arn", schedule.arn),
        ("scheduled-time", _iso(nominal)),
        ("execution-id", execution_id),
        ("attempt-number", "1"),
    ):
        text = text.replace(f"<aws.scheduler.{name}>", value)
    return text


def _object(text: str) -> dict[str, Any]:
    try:
        value = safejson.loads(text)
    except ValueError:
        return {"_raw": text}
    return value if isinstance(value, dict) else {"_raw": text}


def _payload(kind: str, schedule: Schedule, text: str, nominal: int, execution_id: str) -> dict[str, Any]:
    target = schedule.target
    if kind == "sqs":
        return {
            "body": text,
            "group_id": (target.get("SqsParameters") or {}).get("MessageGroupId"),
            "dedup_id": execution_id,
        }
    if kind == "sns":
        return {
            "message": text,
            "group_id": (target.get("SqsParameters") or {}).get("MessageGroupId"),
            "dedup_id": execution_id,
        }
    if kind == "lambda":
        return _object(text)
    if kind == "events":
        bus = target_arn_parts(target["Arn"])
        parameters = target.get("EventBridgeParameters") or {}
        detail = _object(text)
        event = {
            "version": "0",
            "id": unique_id(),
            "detail-type": parameters.get("DetailType"),
            "source": parameters.get("Source"),
            "account": bus.group(3) if bus else schedule.account,
            "time": _iso(nominal),
            "region": bus.group(2) if bus else schedule.region,
            "resources": [schedule.arn],
            "detail": {} if "_raw" in detail else detail,
        }
        return {"event": event, "hops": 1}
    if kind == "kinesis":
        return {
            "data": text,
            "partition_key": (target.get("KinesisParameters") or {}).get("PartitionKey") or execution_id,
        }
    if kind == "states":
        return {"input": text}
    if kind == "ecs":
        return _ecs_payload(schedule, text)
    if kind == "batch":
        request = _object(text)
        return {
            "job_queue": submit_job_queue(request, schedule.account, schedule.region),
            "job_definition": request.get("JobDefinition"),
            "job_name": request.get("JobName"),
            "array_size": (request.get("ArrayProperties") or {}).get("Size"),
            "attempts": (request.get("RetryStrategy") or {}).get("Attempts"),
            "input": text,
            "origin": {"service": "scheduler.amazonaws.com", "arn": schedule.arn},
        }
    return {"data": text}


def _ecs_tags(given: list[dict[str, str]]) -> list[dict[str, str]]:
    """Scheduler's ECS tags are maps: {"key": k, "value": v} as RunTask writes them, or {k: v, ...}."""
    out = []
    for item in given:
        if set(item) == {"key", "value"}:
            out.append({"key": item["key"], "value": item["value"]})
        else:
            out.extend({"key": key, "value": value} for key, value in item.items())
    return out


def _ecs_payload(schedule: Schedule, text: str) -> dict[str, Any]:
    parameters = schedule.target.get("EcsParameters") or {}
    origin = {"service": "scheduler.amazonaws.com", "arn": schedule.arn}
    tags = _ecs_tags(parameters.get("Tags") or [])
    # the target's RoleArn: the role Scheduler runs the task as
    return ecs_task.run_task(
        schedule.target["Arn"], parameters, _object(text), tags, origin, schedule.target.get("RoleArn")
    )


def delivery(schedule: Schedule, nominal: int, execution_id: str) -> tuple[str, str, dict[str, Any]] | None:
    """(kind, address, payload) of the invocation nominally due at ``nominal``; None for a target gureum does not
    deliver to. The batch:submitJob universal target is delivered to its request's job queue."""
    target = schedule.target
    if target["Arn"].startswith(universal.PREFIX) and target["Arn"] != BATCH_SUBMIT_JOB:
        text = _input(schedule, nominal, execution_id)
        return (
            universal.KIND,
            target["Arn"],
            universal.payload(text, schedule.account, schedule.region, target.get("RoleArn")),
        )
    kind = "batch" if target["Arn"] == BATCH_SUBMIT_JOB else target_kind(target["Arn"])
    if kind is None:
        return None
    payload = _payload(kind, schedule, _input(schedule, nominal, execution_id), nominal, execution_id)
    return kind, payload["job_queue"] if kind == "batch" else target["Arn"], payload


def invoke(runtime: Runtime, tx: Tx, schedule: Schedule, nominal: int) -> None:
    """Enqueue the target's delivery for the invocation nominally due at ``nominal``."""
    target = schedule.target
    execution_id = unique_id()
    found = delivery(schedule, nominal, execution_id)
    if found is None:
        log.info("schedule %s: target %s is a service gureum does not deliver to; skipped", schedule.arn, target["Arn"])
        return
    kind, address, payload = found
    text = _input(schedule, nominal, execution_id)
    retry = {**RETRY_DEFAULT, **(target.get("RetryPolicy") or {})}
    policy = RetryPolicy(
        attempts=retry["MaximumRetryAttempts"] + 1,
        min_delay=1.0,
        max_delay=300.0,
        max_age=float(retry["MaximumEventAgeInSeconds"]),
    )
    dead_letter = None
    dlq = (target.get("DeadLetterConfig") or {}).get("Arn")
    if dlq:
        context = {
            "body": text,
            "schedule_arn": schedule.arn,
            "target_arn": target["Arn"],
            "execution_id": execution_id,
        }
        dead_letter = DeadLetter(
            DLQ_KIND,
            dlq,
            context,
            error_attributes={"ERROR_CODE": "code", "ERROR_MESSAGE": "message", "RETRY_ATTEMPTS": "attempts"},
        )
    runtime.delivery.enqueue(tx, kind, address, payload, policy=policy, dead_letter=dead_letter, source=schedule.arn)


def _fire(runtime: Runtime, tx: Tx, address: str, payload: dict[str, Any]) -> None:
    schedule = store.get_schedule_by_id(tx, int(payload["schedule_id"]))
    due = int(payload["at"])
    if schedule is None or schedule.next_fire_at != due or schedule.state != "ENABLED":
        return  # changed, disabled or deleted after this firing was planned
    now = runtime.delivery.now_ms()
    # invocations missed while no node ran collapse into this one
    following = next_invocation(schedule, max(now, due))
    if not store.take_firing(tx, schedule.id, due, following):
        return
    invoke(runtime, tx, schedule, due)
    if following is not None:
        _enqueue_firing(runtime, tx, schedule, following, now)
    elif schedule.after_completion == "DELETE":
        store.delete_schedule(tx, schedule.id)


def _dead_letter(runtime: Runtime, tx: Tx, address: str, payload: dict[str, Any]) -> None:
    """The invocation a target never received goes to the schedule's SQS dead-letter queue, with the
    attributes Scheduler adds (configuring-schedule-dlq.html)."""
    given = {name: value.get("StringValue", "") for name, value in (payload.get("message_attributes") or {}).items()}
    attributes = {
        "ERROR_CODE": given.get("ERROR_CODE", ""),
        "ERROR_MESSAGE": given.get("ERROR_MESSAGE", ""),
        "EXECUTION_ID": payload["execution_id"],
        "RETRY_ATTEMPTS": str(max(0, int(given.get("RETRY_ATTEMPTS") or 1) - 1)),
        "SCHEDULE_ARN": payload["schedule_arn"],
        "TARGET_ARN": payload["target_arn"],
    }
    message_attributes = {
        name: {"DataType": "String", "StringValue": value} for name, value in attributes.items() if value
    }
    runtime.delivery.enqueue(
        tx,
        "sqs",
        address,
        {"body": payload["body"], "message_attributes": message_attributes},
        source=payload["schedule_arn"],
    )


TARGETS = [
    Target(FIRE_KIND, in_tx=guarded(_fire, "Scheduler"), starts_trace=True),  # each firing is a trace
    Target(DLQ_KIND, in_tx=guarded(_dead_letter, "Scheduler")),
    universal.TARGET,
]
