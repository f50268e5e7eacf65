"""Targets: which delivery kind a target ARN is, what its payload holds, and PutTargets' checks.

Kinds are the delivery path's (gureum.delivery): "sqs", "sns", "lambda", "kinesis", "firehose", "logs", "states",
"ecs" (a cluster ARN: RunTask) and "batch" (a job queue ARN: SubmitJob) are offered by those services (a kind no
running service offers waits in the outbox); "events"
(another bus) and "events-http" (API destinations) are offered by this package. Pure logic: no SQL, no HTTP.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from ... import safejson
from ...aws.authorize import ORIGIN
from ...delivery import DeadLetter, RetryPolicy, ecs_task
from ...ids import unique_id
from . import limits
from .errors import ValidationException
from .transform import dumps, extract, invalid_placeholder, target_input

_ARN = re.compile(r"^arn:aws[\w-]*:([a-z0-9-]+):([^:]*):([^:]*):(.+)$")
_SERVICE_KINDS = {
    "sqs": "sqs",
    "sns": "sns",
    "lambda": "lambda",
    "kinesis": "kinesis",
    "firehose": "firehose",
    "logs": "logs",
    "states": "states",
}
DEAD_LETTER_KIND = "events-dlq"
HTTP_KIND = "events-http"
BUS_KIND = "events"


def target_kind(arn: str) -> str | None:
    """The delivery kind for a target ARN; None for services gureum does not deliver to."""
    match = _ARN.match(arn)
    if match is None:
        return None
    service, resource = match.group(1), match.group(4)
    if service == "ecs":
        return "ecs" if resource.startswith("cluster/") else None
    if service == "batch":
        return "batch" if resource.startswith("job-queue/") else None
    if service == "events":
        if resource.startswith("event-bus/"):
            return BUS_KIND
        if resource.startswith("api-destination/"):
            return HTTP_KIND
        return None
    return _SERVICE_KINDS.get(service)


def check_target(target: dict[str, Any]) -> None:
    """PutTargets' request-level checks of one target (AWS answers these with a ValidationException)."""
    target_id = target["Id"]
    if _ARN.match(target["Arn"]) is None:
        raise ValidationException(
            f"Parameter {target['Arn']} is not valid. Reason: Provided Arn is not in correct format."
        )
    given = [key for key in ("Input", "InputPath", "InputTransformer") if target.get(key) is not None]
    if len(given) > 1:
        raise ValidationException(
            f"Only one of Input, InputPath, or InputTransformer must be provided for target {target_id}."
        )
    transformer = target.get("InputTransformer")
    if transformer is not None:
        if len(transformer.get("InputPathsMap") or {}) > limits.INPUT_PATHS_MAX:
            raise ValidationException(
                f"InputPathsMap for target {target_id} can have at most {limits.INPUT_PATHS_MAX} entries."
            )
        bad = invalid_placeholder(transformer)
        if bad is not None:
            raise ValidationException(f"InputTemplate for target {target_id} contains invalid placeholder {bad}.")
    dead_letter = (target.get("DeadLetterConfig") or {}).get("Arn")
    if dead_letter is not None and not dead_letter.startswith("arn:aws:sqs:"):
        raise ValidationException(
            "Parameter DeadLetterConfig.Arn is not valid. Reason: Only SQS queues are supported as dead-letter targets."
        )
    if (
        target["Arn"].startswith("arn:aws:sqs:")
        and target["Arn"].endswith(".fifo")
        and not (target.get("SqsParameters") or {}).get("MessageGroupId")
    ):
        raise ValidationException(f"Parameter(s) SqsParameters must be specified for target: {target_id}.")
    kind = target_kind(target["Arn"])
    if kind == "ecs":
        _check_ecs(target_id, target)
    elif kind == "batch":
        _check_batch(target_id, target)


def _check_ecs(target_id: str, target: dict[str, Any]) -> None:
    """An ECS target runs a task as its role: RoleArn and EcsParameters are required, and the parameters are
    RunTask's (a launch type or a capacity provider strategy, not both)."""
    parameters = target.get("EcsParameters")
    if not parameters:
        raise ValidationException(f"Parameter(s) EcsParameters must be specified for target: {target_id}.")
    if not target.get("RoleArn"):
        raise ValidationException(f"Parameter(s) RoleArn must be specified for target: {target_id}.")
    if parameters.get("LaunchType") and parameters.get("CapacityProviderStrategy"):
        raise ValidationException(
            f"LaunchType and CapacityProviderStrategy cannot both be specified for target: {target_id}."
        )


def _check_batch(target_id: str, target: dict[str, Any]) -> None:
    """A Batch target submits a job as its role: RoleArn and BatchParameters are required; an array job has 2 to
    10,000 children and a job 1 to 10 attempts (Batch's SubmitJob limits)."""
    parameters = target.get("BatchParameters")
    if not parameters:
        raise ValidationException(f"Parameter(s) BatchParameters must be specified for target: {target_id}.")
    if not target.get("RoleArn"):
        raise ValidationException(f"Parameter(s) RoleArn must be specified for target: {target_id}.")
    size = (parameters.get("ArrayProperties") or {}).get("Size")
    if size is not None and not 2 <= size <= limits.BATCH_ARRAY_SIZE_MAX:
        raise ValidationException(
            f"ArrayProperties.Size for target {target_id} must be between 2 and {limits.BATCH_ARRAY_SIZE_MAX}."
        )
    attempts = (parameters.get("RetryStrategy") or {}).get("Attempts")
    if attempts is not None and not 1 <= attempts <= limits.BATCH_ATTEMPTS_MAX:
        raise ValidationException(
            f"RetryStrategy.Attempts for target {target_id} must be between 1 and {limits.BATCH_ATTEMPTS_MAX}."
        )


@dataclass(frozen=True, slots=True)
class Outgoing:
    """One delivery to enqueue: gureum.delivery's enqueue arguments."""

    kind: str
    address: str
    payload: dict[str, Any]
    policy: RetryPolicy
    dead_letter: DeadLetter | None


def retry_policy(target: dict[str, Any]) -> RetryPolicy:
    given = target.get("RetryPolicy") or {}
    attempts = given.get("MaximumRetryAttempts", limits.RETRY_ATTEMPTS_DEFAULT)
    age = given.get("MaximumEventAgeInSeconds", limits.EVENT_AGE_DEFAULT)
    return RetryPolicy(
        attempts=attempts + 1, min_delay=limits.RETRY_MIN_DELAY, max_delay=limits.RETRY_MAX_DELAY, max_age=float(age)
    )


def dead_letter(target: dict[str, Any], rule_arn: str, event: dict[str, Any], policy: RetryPolicy) -> DeadLetter | None:
    """The DLQ delivery: the event, with AWS's attributes (RULE_ARN, TARGET_ARN, ERROR_CODE, ...) added by
    the "events-dlq" target once the error is known (eb-rule-dlq.html)."""
    arn = (target.get("DeadLetterConfig") or {}).get("Arn")
    if not arn:
        return None
    payload = {"body": dumps(event), "rule_arn": rule_arn, "target_arn": target["Arn"], "max_attempts": policy.attempts}
    return DeadLetter(
        DEAD_LETTER_KIND,
        arn,
        payload,
        error_attributes={"ERROR_CODE": "code", "ERROR_MESSAGE": "message", "RETRY_ATTEMPTS": "attempts"},
    )


def _payload(
    kind: str, target: dict[str, Any], text: str, event: dict[str, Any], event_time_ms: int, hops: int, rule_arn: str
) -> dict[str, Any]:
    if kind == "sqs":
        return {
            "body": text,
            "group_id": (target.get("SqsParameters") or {}).get("MessageGroupId"),
            "dedup_id": event.get("id"),
            "origin": {"service": "events.amazonaws.com", "arn": rule_arn},  # another account's queue checks it
        }
    if kind == "sns":  # a FIFO topic takes its message group from SqsParameters too
        return {
            "message": text,
            "group_id": (target.get("SqsParameters") or {}).get("MessageGroupId"),
            "dedup_id": event.get("id"),
            "origin": {"service": "events.amazonaws.com", "arn": rule_arn},  # the topic's policy is checked
        }
    if kind == "lambda":  # the function's policy is checked for the rule (IAM enforcement), then the origin dropped
        return {**_as_object(text), ORIGIN: {"service": "events.amazonaws.com", "arn": rule_arn}}
    if kind == BUS_KIND:
        return {"event": event, "hops": hops + 1}
    if kind == "kinesis":
        key_path = (target.get("KinesisParameters") or {}).get("PartitionKeyPath")
        key = extract(event, key_path) if key_path else None
        return {"data": text, "partition_key": key if isinstance(key, str) else str(event.get("id"))}
    if kind == "logs":  # the log group's resource policies are checked for the rule (IAM enforcement)
        return {**log_event(text, event_time_ms), "origin": {"service": "events.amazonaws.com", "arn": rule_arn}}
    if kind == HTTP_KIND:
        http = target.get("HttpParameters") or {}
        return {
            "body": text,
            "path": http.get("PathParameterValues") or [],
            "headers": http.get("HeaderParameters") or {},
            "query": http.get("QueryStringParameters") or {},
        }
    if kind == "states":
        return {"input": text}
    if kind == "ecs":
        parameters = target.get("EcsParameters") or {}
        tags = [{"key": tag["Key"], "value": tag.get("Value", "")} for tag in parameters.get("Tags") or []]
        origin = {"service": "events.amazonaws.com", "arn": rule_arn}
        # the target's RoleArn: the role EventBridge runs the task as
        return ecs_task.run_task(target["Arn"], parameters, _as_object(text), tags, origin, target.get("RoleArn"))
    if kind == "batch":
        return batch_payload(target["Arn"], target.get("BatchParameters") or {}, text, rule_arn)
    return {"data": text}  # firehose


def batch_payload(queue: str, parameters: dict[str, Any], text: str, rule_arn: str) -> dict[str, Any]:
    """The "batch" target's payload (the Batch service's SubmitJob on the job queue)."""
    return {
        "job_queue": queue,
        "job_definition": parameters.get("JobDefinition"),
        "job_name": parameters.get("JobName"),
        "array_size": (parameters.get("ArrayProperties") or {}).get("Size"),
        "attempts": (parameters.get("RetryStrategy") or {}).get("Attempts"),
        "input": text,
        "origin": {"service": "events.amazonaws.com", "arn": rule_arn},
    }


def log_event(text: str, event_time_ms: int) -> dict[str, Any]:
    """The "logs" target's payload: one log event in a stream of its own, named like the streams EventBridge
    creates (a UUID per delivery), stamped with the event's time. Input in the log event form CDK's
    LogGroupTargetInput writes, {"timestamp": <time>, "message": <text>}, gives both (the time as ISO 8601 or epoch
    milliseconds); any other input is the message as it is."""
    message, timestamp = text, event_time_ms
    try:
        given = safejson.loads(text)
    except ValueError:
        given = None
    if isinstance(given, dict) and set(given) == {"timestamp", "message"}:
        message = given["message"] if isinstance(given["message"], str) else dumps(given["message"])
        timestamp = _epoch_ms(given["timestamp"], event_time_ms)
    # AWS does not create a missing group: the event fails to its dead-letter queue without retries
    return {"stream": unique_id(), "events": [{"timestamp": timestamp, "message": message}], "create_group": False}


def _epoch_ms(value: Any, default: int) -> int:
    if isinstance(value, int | float) and not isinstance(value, bool):
        return int(value)
    if isinstance(value, str):
        try:
            parsed = datetime.fromisoformat(value)
        except ValueError:
            return default
        return int((parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)).timestamp() * 1000)
    return default


def _as_object(text: str) -> dict[str, Any]:
    """Lambda's payload is the event object it is invoked with; input that is not a JSON object travels as
    {"_raw": text} (the Lambda target passes that text through as the invocation payload)."""
    try:
        value = safejson.loads(text)
    except ValueError:
        return {"_raw": text}
    return value if isinstance(value, dict) else {"_raw": text}


def outgoing(
    target: dict[str, Any],
    event: dict[str, Any],
    rule_arn: str,
    rule_name: str,
    ingestion_time: str,
    event_time_ms: int,
    hops: int = 0,
) -> Outgoing | None:
    """The delivery for ``event`` matched by the rule; None for a target gureum cannot deliver to."""
    kind = target_kind(target["Arn"])
    if kind is None:
        return None
    text = "" if kind == BUS_KIND else target_input(target, event, rule_arn, rule_name, ingestion_time)
    policy = retry_policy(target)
    return Outgoing(
        kind,
        target["Arn"],
        _payload(kind, target, text, event, event_time_ms, hops, rule_arn),
        policy,
        dead_letter(target, rule_arn, event, policy),
    )


_ERROR_CODES = {
    "AWS.SimpleQueueService.NonExistentQueue": "RESOURCE_NOT_FOUND",
    "ResourceNotFoundException": "RESOURCE_NOT_FOUND",
    "Timeout": "TIMEOUT",
    "AccessDenied": "NO_PERMISSIONS",  # a resource policy that does not let EventBridge deliver (IAM enforcement)
    "AccessDeniedException": "NO_PERMISSIONS",
    "AuthorizationError": "NO_PERMISSIONS",
}


def dead_letter_attributes(
    given: dict[str, dict[str, Any]], rule_arn: str, target_arn: str, max_attempts: int
) -> dict[str, dict[str, str]]:
    """The SQS message attributes AWS puts on an event a target never received (eb-rule-dlq.html), from the error
    attributes the delivery path gave the dead letter (ERROR_CODE, ERROR_MESSAGE, RETRY_ATTEMPTS)."""
    text = {name: value.get("StringValue", "") for name, value in given.items()}
    attempts = int(text.get("RETRY_ATTEMPTS") or 1)
    exhausted = "MaximumRetryAttempts" if attempts >= max_attempts else "MaximumEventAgeInSeconds"
    attributes = {
        "RULE_ARN": rule_arn,
        "TARGET_ARN": target_arn,
        "ERROR_CODE": _ERROR_CODES.get(text.get("ERROR_CODE", ""), text.get("ERROR_CODE") or "UNKNOWN"),
        "ERROR_MESSAGE": text.get("ERROR_MESSAGE") or "",
        "EXHAUSTED_RETRY_CONDITION": exhausted,
        "RETRY_ATTEMPTS": str(attempts - 1),
    }
    return {name: {"DataType": "String", "StringValue": value} for name, value in attributes.items() if value}
