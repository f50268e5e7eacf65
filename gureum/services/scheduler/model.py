"""EventBridge Scheduler's values and rules: schedule groups and schedules, the checks CreateSchedule and
UpdateSchedule make beyond the model's constraints, target kinds, and the AWS output shapes. Pure: no SQL, no
HTTP, no clock (callers pass the time)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from ... import safejson
from ...schedules import At, ScheduleExpressionError, parse, zone
from . import universal
from .errors import ValidationException

DEFAULT_GROUP = "default"
PAGE = 100  # ListSchedules / ListScheduleGroups page size when MaxResults is not given
NAME = re.compile(r"^[0-9a-zA-Z-_.]+$")  # the model's Name / ScheduleGroupName pattern
_GROUP_ARN = re.compile(r"^arn:aws[\w-]*:scheduler:([^:]*):(\d{12}):schedule-group/([0-9a-zA-Z-_.]+)$")
_TARGET_ARN = re.compile(r"^arn:aws[\w-]*:([a-z0-9-]+):([^:]*):([^:]*):(.+)$")
_START_GRACE_MS = 5 * 60_000  # "The StartDate you specify cannot be earlier than 5 minutes ago."
_KINDS = {
    "sqs": "sqs",
    "sns": "sns",
    "lambda": "lambda",
    "kinesis": "kinesis",
    "firehose": "firehose",
    "states": "states",
}
RETRY_DEFAULT = {"MaximumEventAgeInSeconds": 86400, "MaximumRetryAttempts": 185}
BATCH_SUBMIT_JOB = "arn:aws:scheduler:::aws-sdk:batch:submitJob"  # delivered to the job queue (universal.py: the rest)


@dataclass(slots=True)
class Group:
    account: str
    region: str
    name: str
    tags: dict[str, str] = field(default_factory=dict)
    created_at: int | None = None
    modified_at: int | None = None

    @property
    def arn(self) -> str:
        return f"arn:aws:scheduler:{self.region}:{self.account}:schedule-group/{self.name}"


@dataclass(slots=True)
class Schedule:
    id: int
    account: str
    region: str
    group_name: str
    name: str
    expression: str
    timezone: str | None
    start_date: int | None
    end_date: int | None
    description: str | None
    state: str
    kms_key: str | None
    target: dict[str, Any]
    flexible: dict[str, Any]
    after_completion: str
    client_token: str | None
    created_at: int
    modified_at: int
    next_fire_at: int | None

    @property
    def arn(self) -> str:
        return f"arn:aws:scheduler:{self.region}:{self.account}:schedule/{self.group_name}/{self.name}"


def target_arn_parts(arn: str) -> re.Match[str] | None:
    """(service, region, account, resource) groups of a target ARN."""
    return _TARGET_ARN.match(arn)


def target_kind(arn: str) -> str | None:
    """The delivery kind a target ARN is delivered through; None for services gureum does not deliver to."""
    match = _TARGET_ARN.match(arn)
    if match is None:
        return None
    service, resource = match.group(1), match.group(4)
    if service == "events":
        return "events" if resource.startswith("event-bus/") else None
    if service == "ecs":
        return "ecs" if resource.startswith("cluster/") else None
    if service == "batch":
        return "batch" if resource.startswith("job-queue/") else None
    return _KINDS.get(service)


def group_of_arn(arn: str) -> tuple[str, str, str]:
    """(account, region, name) of a schedule group ARN, the only resource Scheduler tags."""
    match = _GROUP_ARN.match(arn)
    if match is None:
        raise ValidationException(f"Invalid ARN {arn}: tags are kept on schedule groups only.")
    return match.group(2), match.group(1), match.group(3)


def check_name(value: str | None, member: str = "name") -> None:
    """The model's pattern, which the engine's validation does not check yet (AWS's message)."""
    if value is not None and NAME.match(value) is None:
        raise ValidationException(
            f"1 validation error detected: Value '{value}' at '{member}' failed to satisfy constraint: "
            "Member must satisfy regular expression pattern: ^[0-9a-zA-Z-_.]+$"
        )


def ms(value: datetime | None) -> int | None:
    return None if value is None else int(value.timestamp() * 1000)


def seconds(value: int | None) -> float | None:
    return None if value is None else value / 1000


def tag_dict(tags: list[dict[str, str]] | None) -> dict[str, str]:
    """Scheduler's [{Key, Value}] tag list as a mapping."""
    return {tag["Key"]: tag["Value"] for tag in tags or []}


def check_schedule(members: Mapping[str, Any], now: int) -> None:
    """What CreateSchedule and UpdateSchedule refuse beyond the model's constraints."""
    check_name(members["Name"])
    check_name(members.get("GroupName"), "groupName")
    try:
        expression = parse(members["ScheduleExpression"], allow_at=True)
    except ScheduleExpressionError:
        raise ValidationException(f"Invalid Schedule Expression {members['ScheduleExpression']}.") from None
    try:
        zone(members.get("ScheduleExpressionTimezone"))
    except ScheduleExpressionError:
        raise ValidationException(f"Invalid time zone {members.get('ScheduleExpressionTimezone')}.") from None
    window = members["FlexibleTimeWindow"]
    if window["Mode"] == "FLEXIBLE" and not window.get("MaximumWindowInMinutes"):
        raise ValidationException(
            "MaximumWindowInMinutes must be provided when the FlexibleTimeWindow Mode is FLEXIBLE."
        )
    if window["Mode"] == "OFF" and window.get("MaximumWindowInMinutes"):
        raise ValidationException(
            "MaximumWindowInMinutes must not be provided when the FlexibleTimeWindow Mode is OFF."
        )
    start, end = ms(members.get("StartDate")), ms(members.get("EndDate"))
    if not isinstance(expression, At):
        if start is not None and start < now - _START_GRACE_MS:
            raise ValidationException("The StartDate you specify cannot be earlier than 5 minutes ago.")
        if end is not None and end <= now:
            raise ValidationException("The EndDate you specify cannot be earlier than the current time.")
        if start is not None and end is not None and end <= start:
            raise ValidationException("The EndDate you specify cannot be earlier than the StartDate.")
    _check_target(members["Target"])


def _check_target(target: Mapping[str, Any]) -> None:
    if target["Arn"] == BATCH_SUBMIT_JOB:
        _check_submit_job(target.get("Input"))
    elif target["Arn"].startswith(universal.PREFIX):
        universal.check(target["Arn"], target.get("Input"))
    kind = target_kind(target["Arn"])
    if kind == "ecs" and not target.get("EcsParameters"):
        raise ValidationException("EcsParameters must be provided for an Amazon ECS cluster target.")
    if kind == "batch":  # Scheduler's templated targets have no Batch parameters: AWS Batch is a universal target
        raise ValidationException(
            f"A job queue is not a templated target: submit Batch jobs through the universal target {BATCH_SUBMIT_JOB} "
            "with SubmitJob's parameters (JobName, JobQueue, JobDefinition) as the Input."
        )
    if target_kind(target["Arn"]) == "events" and not target.get("EventBridgeParameters"):
        raise ValidationException("EventBridgeParameters must be provided for an event bus target.")
    if (
        target["Arn"].startswith("arn:aws:sqs:")
        and target["Arn"].endswith(".fifo")
        and not (target.get("SqsParameters") or {}).get("MessageGroupId")
    ):
        raise ValidationException("SqsParameters.MessageGroupId must be provided for a FIFO queue target.")
    dlq = (target.get("DeadLetterConfig") or {}).get("Arn")
    if dlq is not None and not dlq.startswith("arn:aws:sqs:"):
        raise ValidationException("DeadLetterConfig.Arn must be the ARN of an Amazon SQS queue.")


def _check_submit_job(text: str | None) -> None:
    """The batch:submitJob universal target's Input is SubmitJob's request: JobName, JobQueue and JobDefinition."""
    try:
        request = safejson.loads(text or "")
    except ValueError:
        request = None
    if not isinstance(request, dict):
        raise ValidationException(f"Input for {BATCH_SUBMIT_JOB} must be a JSON object of SubmitJob's parameters.")
    for member in ("JobName", "JobQueue", "JobDefinition"):
        if not isinstance(request.get(member), str) or not request[member]:
            raise ValidationException(f"Input for {BATCH_SUBMIT_JOB} is missing required parameter {member}.")


def submit_job_queue(request: Mapping[str, Any], account: str, region: str) -> str:
    """The job queue ARN of a SubmitJob request (JobQueue is a queue's name or its ARN)."""
    queue = str(request.get("JobQueue") or "")
    return queue if queue.startswith("arn:") else f"arn:aws:batch:{region}:{account}:job-queue/{queue}"


def new_schedule(account: str, region: str, members: Mapping[str, Any], now: int, created_at: int) -> Schedule:
    """The schedule CreateSchedule or UpdateSchedule (which replaces every setting) describes; id 0 until saved."""
    target = dict(members["Target"])
    target["RetryPolicy"] = {**RETRY_DEFAULT, **(target.get("RetryPolicy") or {})}
    return Schedule(
        id=0,
        account=account,
        region=region,
        group_name=members.get("GroupName") or DEFAULT_GROUP,
        name=members["Name"],
        expression=members["ScheduleExpression"],
        timezone=members.get("ScheduleExpressionTimezone"),
        start_date=ms(members.get("StartDate")),
        end_date=ms(members.get("EndDate")),
        description=members.get("Description"),
        state=members.get("State") or "ENABLED",
        kms_key=members.get("KmsKeyArn"),
        target=target,
        flexible=members["FlexibleTimeWindow"],
        after_completion=members.get("ActionAfterCompletion") or "NONE",
        client_token=members.get("ClientToken"),
        created_at=created_at,
        modified_at=now,
        next_fire_at=None,
    )


# --- AWS output shapes ----------------------------------------------------------------------------------


def group_summary(group: Group) -> dict[str, Any]:
    """GetScheduleGroup's output, and one ScheduleGroupSummary."""
    return {
        "Arn": group.arn,
        "Name": group.name,
        "State": "ACTIVE",
        "CreationDate": seconds(group.created_at),
        "LastModificationDate": seconds(group.modified_at),
    }


def schedule_detail(s: Schedule) -> dict[str, Any]:
    """GetSchedule's output."""
    return {
        "Arn": s.arn,
        "Name": s.name,
        "GroupName": s.group_name,
        "ScheduleExpression": s.expression,
        "ScheduleExpressionTimezone": s.timezone or "UTC",
        "StartDate": seconds(s.start_date),
        "EndDate": seconds(s.end_date),
        "Description": s.description,
        "State": s.state,
        "KmsKeyArn": s.kms_key,
        "Target": s.target,
        "FlexibleTimeWindow": s.flexible,
        "ActionAfterCompletion": s.after_completion,
        "CreationDate": seconds(s.created_at),
        "LastModificationDate": seconds(s.modified_at),
    }


def schedule_summary(s: Schedule) -> dict[str, Any]:
    """One ScheduleSummary of ListSchedules."""
    return {
        "Arn": s.arn,
        "Name": s.name,
        "GroupName": s.group_name,
        "State": s.state,
        "CreationDate": seconds(s.created_at),
        "LastModificationDate": seconds(s.modified_at),
        "Target": {"Arn": s.target["Arn"]},
    }
