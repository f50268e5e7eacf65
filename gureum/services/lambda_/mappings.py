"""Event source mappings as values: the Mapping as stored, the members each kind of source accepts (AWS's messages),
its settings' rules for an SQS queue or a Kinesis / DynamoDB stream, its filters, and AWS's states (Creating →
Enabled | Disabled, Enabling, Disabling, Updating, Deleting → gone). No SQL, no pollers (esm.py, esm_streams.py)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from ...patterns import EventPattern, PatternError, compile_event_pattern
from .errors import invalid

CHANNEL = "lambda-esm"  # a mapping changed: the leader looks again
MAX_BATCH_STANDARD, MAX_BATCH_FIFO = 10_000, 10
MAX_WINDOW = 300
MAX_FILTERS = 5
FILTER_MAX_LENGTH = 4096
# where a transitional state goes (None: Enabled or Disabled per the Enabled setting); Deleting goes away
TRANSITIONS = {"Creating": None, "Enabling": "Enabled", "Disabling": "Disabled", "Updating": None}
# settings whose change restarts a poller (LastProcessingResult and LastModified do not)
_SETTINGS = (
    "BatchSize", "MaximumBatchingWindowInSeconds", "FilterCriteria", "FunctionResponseTypes", "ScalingConfig",
    "MaximumRetryAttempts", "MaximumRecordAgeInSeconds", "BisectBatchOnFunctionError", "ParallelizationFactor",
    "DestinationConfig", "TumblingWindowInSeconds",
)  # fmt: skip
# what UpdateEventSourceMapping may change
SETTABLE = (
    "BatchSize",
    "MaximumBatchingWindowInSeconds",
    "FilterCriteria",
    "FunctionResponseTypes",
    "ScalingConfig",
    "Enabled",
    "MaximumRetryAttempts",
    "MaximumRecordAgeInSeconds",
    "BisectBatchOnFunctionError",
    "ParallelizationFactor",
    "DestinationConfig",
    "TumblingWindowInSeconds",
)
# the members a stream's mapping shows (and keeps) beyond an SQS mapping's
STREAM_MEMBERS = (
    "StartingPosition", "StartingPositionTimestamp", "MaximumRecordAgeInSeconds", "BisectBatchOnFunctionError",
    "MaximumRetryAttempts", "ParallelizationFactor", "DestinationConfig", "TumblingWindowInSeconds",
)  # fmt: skip
STREAM_BATCH_DEFAULT = 100
MAX_RETRIES = 10_000
MAX_RECORD_AGE = 604_800
MAX_PARALLELIZATION = 10
MAX_TUMBLING_WINDOW = 900
# members of the API that belong to other event sources (streams, Kafka, MQ, DocumentDB)
_NOT_FOR_SQS = (
    "ParallelizationFactor", "MaximumRecordAgeInSeconds", "BisectBatchOnFunctionError", "MaximumRetryAttempts",
    "TumblingWindowInSeconds", "Topics", "Queues", "DestinationConfig",
)  # fmt: skip
# members of the API that belong to queues and brokers, not to Kinesis or DynamoDB streams
_NOT_FOR_STREAMS = ("Topics", "Queues", "ScalingConfig")
STREAM_KINDS = ("kinesis", "dynamodb")
STARTING_POSITIONS = {"kinesis": ("TRIM_HORIZON", "LATEST", "AT_TIMESTAMP"), "dynamodb": ("TRIM_HORIZON", "LATEST")}


@dataclass(slots=True, frozen=True)
class Mapping:
    uuid: str
    account: str
    region: str
    function_arn: str
    source_arn: str
    state: str
    config: dict[str, Any]

    @property
    def arn(self) -> str:
        return f"arn:aws:lambda:{self.region}:{self.account}:event-source-mapping:{self.uuid}"

    def output(self) -> dict[str, Any]:
        """The EventSourceMappingConfiguration shape."""
        c = self.config
        out: dict[str, Any] = {
            "UUID": self.uuid,
            "BatchSize": c["BatchSize"],
            "MaximumBatchingWindowInSeconds": c["MaximumBatchingWindowInSeconds"],
            "EventSourceArn": self.source_arn,
            "FunctionArn": self.function_arn,
            "LastModified": c["LastModified"],
            "LastProcessingResult": c.get("LastProcessingResult") or "No records processed",
            "State": self.state,
            "StateTransitionReason": "USER_INITIATED",
            "FunctionResponseTypes": list(c.get("FunctionResponseTypes") or []),
            "EventSourceMappingArn": self.arn,
        }
        for member in ("FilterCriteria", "ScalingConfig"):
            if c.get(member):
                out[member] = c[member]
        if source_kind(self.source_arn) in STREAM_KINDS:
            for member in STREAM_MEMBERS:
                if c.get(member) is not None:
                    out[member] = c[member]
        return out

    @property
    def kind(self) -> str:
        return source_kind(self.source_arn)

    def settings_key(self) -> str:
        return json.dumps(
            [self.function_arn, self.source_arn, *(self.config.get(k) for k in _SETTINGS)], sort_keys=True
        )

    def settled(self) -> str:
        """The state a transitional state moves to."""
        return TRANSITIONS.get(self.state) or ("Enabled" if self.config.get("Enabled", True) else "Disabled")


def compile_filters(criteria: dict[str, Any] | None) -> list[EventPattern]:
    """FilterCriteria.Filters[].Pattern as event patterns (raises the patterns package's PatternError)."""
    return [
        compile_event_pattern(f.get("Pattern") or "", max_length=FILTER_MAX_LENGTH)
        for f in (criteria or {}).get("Filters") or []
    ]


def source_kind(arn: str) -> str:
    """The kind of event source an EventSourceArn names: sqs, kinesis, dynamodb (a table's stream) or the ARN's
    service (Kafka, MQ, DocumentDB: not served)."""
    if not arn:
        raise invalid("Unrecognized event source, must be kinesis, dynamodb stream, sqs, kafka, mq or documentdb.")
    parts = arn.split(":")
    return parts[2] if len(parts) >= 6 and parts[0] == "arn" else ""


def _given(value: Any) -> bool:
    """Whether a member carries a setting: empty or false values (Terraform sends some) mean "not set"."""
    if isinstance(value, dict):
        return any(_given(v) for v in value.values())
    if isinstance(value, list):
        return any(_given(v) for v in value)
    return bool(value)


def _unsupported(member: str) -> Exception:
    return invalid(f"Unsupported {member} parameter for given event source mapping type.")


def check_members(kind: str, arn: str, settings: dict[str, Any], create: bool) -> None:
    """The members CreateEventSourceMapping (``create``) or UpdateEventSourceMapping accept for this kind of source,
    with AWS's messages (https://docs.aws.amazon.com/lambda/latest/dg/invocation-eventsourcemapping.html)."""
    if _given((settings.get("DestinationConfig") or {}).get("OnSuccess")):
        raise _unsupported("DestinationConfig")
    if kind == "sqs":
        if settings.get("StartingPosition") or settings.get("StartingPositionTimestamp"):
            raise invalid("StartingPosition is not valid for SQS event sources.")
        for member in _NOT_FOR_SQS:
            if _given(settings.get(member)):
                raise _unsupported(member)
        return
    if kind not in STREAM_KINDS:
        return
    position = settings.get("StartingPosition")
    if create and not position:
        raise invalid(
            "1 validation error detected: Value null at 'startingPosition' failed to satisfy constraint: Member must "
            "not be null."
        )
    if position and position not in STARTING_POSITIONS[kind]:
        raise invalid(f"Unsupported starting position for arn type: {arn}")
    if settings.get("StartingPositionTimestamp") is not None and position != "AT_TIMESTAMP":
        raise invalid("Timestamp only valid with StartingPosition AT_TIMESTAMP")
    for member in _NOT_FOR_STREAMS:
        if _given(settings.get(member)):
            raise _unsupported(member)


def _constraint(value: Any, member: str, rule: str) -> Exception:
    return invalid(
        f"1 validation error detected: Value '{value}' at '{member}' failed to satisfy constraint: Member must {rule}"
    )


def check(config: dict[str, Any], fifo: bool) -> None:
    """The settings' rules for an SQS queue
    (https://docs.aws.amazon.com/lambda/latest/api/API_CreateEventSourceMapping.html)."""
    size, window = config["BatchSize"], config["MaximumBatchingWindowInSeconds"]
    most = MAX_BATCH_FIFO if fifo else MAX_BATCH_STANDARD
    if size > most:
        raise _constraint(size, "batchSize", f"have value less than or equal to {most}")
    if size < 1:
        raise _constraint(size, "batchSize", "have value greater than or equal to 1")
    if not 0 <= window <= MAX_WINDOW:
        raise _constraint(window, "maximumBatchingWindowInSeconds", f"have value between 0 and {MAX_WINDOW}")
    if fifo and window:
        raise invalid("Batching window is not supported for FIFO queues")
    if size > 10 and window < 1:
        raise invalid("Maximum batch window in seconds must be greater than 0 if maximum batch size is greater than 10")
    for kind in config.get("FunctionResponseTypes") or []:
        if kind != "ReportBatchItemFailures":
            raise _constraint(f"[{kind}]", "functionResponseTypes", "satisfy enum value set: [ReportBatchItemFailures]")
    concurrency = (config.get("ScalingConfig") or {}).get("MaximumConcurrency")
    if concurrency is not None and concurrency < 2:
        raise _constraint(concurrency, "scalingConfig.maximumConcurrency", "have value greater than or equal to 2")
    if concurrency is not None and concurrency > 1000:
        raise _constraint(concurrency, "scalingConfig.maximumConcurrency", "have value less than or equal to 1000")
    filters = (config.get("FilterCriteria") or {}).get("Filters") or []
    if len(filters) > MAX_FILTERS:
        raise invalid(f"The number of filters ({len(filters)}) exceeds the limit of {MAX_FILTERS}.")
    try:
        compile_filters(config.get("FilterCriteria"))
    except PatternError:
        raise invalid("Invalid filter pattern definition.") from None


def check_stream(config: dict[str, Any]) -> None:
    """The settings' rules for a Kinesis or DynamoDB stream
    (https://docs.aws.amazon.com/lambda/latest/api/API_CreateEventSourceMapping.html)."""
    size, window = config["BatchSize"], config["MaximumBatchingWindowInSeconds"]
    if size > MAX_BATCH_STANDARD:
        raise _constraint(size, "batchSize", f"have value less than or equal to {MAX_BATCH_STANDARD}")
    if size < 1:
        raise _constraint(size, "batchSize", "have value greater than or equal to 1")
    if not 0 <= window <= MAX_WINDOW:
        raise _constraint(window, "maximumBatchingWindowInSeconds", f"have value between 0 and {MAX_WINDOW}")
    retries = config["MaximumRetryAttempts"]
    if retries < -1:
        raise _constraint(retries, "maximumRetryAttempts", "have value greater than or equal to -1")
    if retries > MAX_RETRIES:
        raise _constraint(retries, "maximumRetryAttempts", f"have value less than or equal to {MAX_RETRIES}")
    age = config["MaximumRecordAgeInSeconds"]
    if age < -1:
        raise _constraint(age, "maximumRecordAgeInSeconds", "have value greater than or equal to -1")
    if age > MAX_RECORD_AGE:
        raise _constraint(age, "maximumRecordAgeInSeconds", f"have value less than or equal to {MAX_RECORD_AGE}")
    if 0 <= age < 60:
        raise invalid("MaximumRecordAgeInSeconds must be -1 or between 60 and 604800 seconds.")
    factor = config["ParallelizationFactor"]
    if not 1 <= factor <= MAX_PARALLELIZATION:
        rule = "greater than or equal to 1" if factor < 1 else f"less than or equal to {MAX_PARALLELIZATION}"
        raise _constraint(factor, "parallelizationFactor", f"have value {rule}")
    tumbling = config.get("TumblingWindowInSeconds") or 0
    if not 0 <= tumbling <= MAX_TUMBLING_WINDOW:
        raise _constraint(tumbling, "tumblingWindowInSeconds", f"have value between 0 and {MAX_TUMBLING_WINDOW}")
    target = ((config.get("DestinationConfig") or {}).get("OnFailure") or {}).get("Destination")
    if target and source_kind(target) not in ("sqs", "sns"):
        raise invalid(f"Unsupported destination type: {target}. Use an Amazon SQS queue or Amazon SNS topic.")
    for kind in config.get("FunctionResponseTypes") or []:
        if kind != "ReportBatchItemFailures":
            raise _constraint(f"[{kind}]", "functionResponseTypes", "satisfy enum value set: [ReportBatchItemFailures]")
    filters = (config.get("FilterCriteria") or {}).get("Filters") or []
    if len(filters) > MAX_FILTERS:
        raise invalid(f"The number of filters ({len(filters)}) exceeds the limit of {MAX_FILTERS}.")
    try:
        compile_filters(config.get("FilterCriteria"))
    except PatternError:
        raise invalid("Invalid filter pattern definition.") from None


def new_stream_config(settings: dict[str, Any], now: float) -> dict[str, Any]:
    """A new stream mapping's settings from CreateEventSourceMapping's members, AWS's defaults filled in."""
    config = new_config(settings, now)
    config["BatchSize"] = settings.get("BatchSize") or STREAM_BATCH_DEFAULT
    for member, default in (
        ("MaximumRetryAttempts", -1),
        ("MaximumRecordAgeInSeconds", -1),
        ("BisectBatchOnFunctionError", False),
        ("ParallelizationFactor", 1),
        ("TumblingWindowInSeconds", 0),
    ):
        config[member] = default if settings.get(member) is None else settings[member]
    config["StartingPosition"] = settings["StartingPosition"]
    if settings.get("StartingPositionTimestamp") is not None:
        stamp = settings["StartingPositionTimestamp"]
        config["StartingPositionTimestamp"] = stamp.timestamp() if hasattr(stamp, "timestamp") else float(stamp)
    on_failure = ((settings.get("DestinationConfig") or {}).get("OnFailure") or {}).get("Destination")
    config["DestinationConfig"] = {"OnFailure": {"Destination": on_failure} if on_failure else {}}
    return config


def new_config(settings: dict[str, Any], now: float) -> dict[str, Any]:
    """A new mapping's settings from CreateEventSourceMapping's members, defaults filled in."""
    config: dict[str, Any] = {
        "BatchSize": settings.get("BatchSize") or 10,
        "MaximumBatchingWindowInSeconds": settings.get("MaximumBatchingWindowInSeconds") or 0,
        "FunctionResponseTypes": list(settings.get("FunctionResponseTypes") or []),
        "Enabled": settings.get("Enabled") is not False,
        "LastModified": now,
    }
    for member in ("FilterCriteria", "ScalingConfig"):
        if settings.get(member):
            config[member] = settings[member]
    if settings.get("Tags"):  # TagResource / ListTags on the mapping's ARN
        config["Tags"] = dict(settings["Tags"])
    return config


def changed_config(current: dict[str, Any], settings: dict[str, Any], now: float) -> dict[str, Any]:
    """A mapping's settings after UpdateEventSourceMapping: an empty FilterCriteria or ScalingConfig removes it, as
    in AWS."""
    changes = {member: settings[member] for member in SETTABLE if settings.get(member) is not None}
    config = {**current, **changes, "LastModified": now}
    for member, inner in (("FilterCriteria", "Filters"), ("ScalingConfig", "MaximumConcurrency")):
        if member in changes and not (changes[member] or {}).get(inner):
            config.pop(member)
    if "DestinationConfig" in changes:  # an empty OnFailure removes the destination
        target = ((changes["DestinationConfig"] or {}).get("OnFailure") or {}).get("Destination")
        config["DestinationConfig"] = {"OnFailure": {"Destination": target} if target else {}}
    return config


def updated_state(was: dict[str, Any], now: dict[str, Any]) -> str:
    """The state an update moves a mapping to: Enabling, Disabling or Updating."""
    before, after = was.get("Enabled", True), now.get("Enabled", True)
    return "Enabling" if after and not before else "Disabling" if before and not after else "Updating"
