"""Event source mapping operations (SQS queues): Create, Get, Update, Delete, List.

Answers carry the state AWS answers with (Creating, Enabling, Disabling, Updating, Deleting); the leader's
pollers (esm.py) move the mapping on within a moment.
"""

from __future__ import annotations

import uuid
from dataclasses import replace
from typing import Any

from ...aws.context import RequestContext
from ...patterns import PatternError
from ...ports import SqsConsumer
from ...store.base import Tx
from . import SERVICE
from .errors import ResourceConflictException, ResourceNotFoundException, ServiceError, invalid
from .esm import Mapping, compile_filters, find_mapping, get_mapping, insert_mapping, list_mappings, update_mapping
from .functions import function_arn, parse_function_name
from .ops_functions import load_function

MAX_BATCH_STANDARD, MAX_BATCH_FIFO = 10_000, 10
MAX_WINDOW = 300
MAX_FILTERS = 5
_SETTABLE = (
    "BatchSize",
    "MaximumBatchingWindowInSeconds",
    "FilterCriteria",
    "FunctionResponseTypes",
    "ScalingConfig",
    "Enabled",
)
# members of the API that belong to other event sources (streams, Kafka, MQ, DocumentDB)
_NOT_FOR_SQS = ("StartingPosition", "StartingPositionTimestamp", "ParallelizationFactor", "MaximumRecordAgeInSeconds", "BisectBatchOnFunctionError",
                "MaximumRetryAttempts", "TumblingWindowInSeconds", "Topics", "Queues", "DestinationConfig")  # fmt: skip


def _not_found() -> ServiceError:
    return ResourceNotFoundException("The resource you requested does not exist.", fields={"Type": "User"})


def _check_sqs_members(req: dict[str, Any]) -> None:
    for member in _NOT_FOR_SQS:
        if req.get(member):  # empty or false values (Terraform sends some) mean "not set"
            raise invalid(f"Unsupported parameter for SQS event sources: {member}")


def _check(config: dict[str, Any], fifo: bool) -> None:
    """The settings' rules for an SQS queue (https://docs.aws.amazon.com/lambda/latest/api/API_CreateEventSourceMapping.html)."""
    size, window = config["BatchSize"], config["MaximumBatchingWindowInSeconds"]
    most = MAX_BATCH_FIFO if fifo else MAX_BATCH_STANDARD
    if not 1 <= size <= most:
        raise invalid(f"1 validation error detected: Value '{size}' at 'batchSize' failed to satisfy constraint: Member must have value less than or equal to {most}"
                      if size > most else f"1 validation error detected: Value '{size}' at 'batchSize' failed to satisfy constraint: Member must have value greater than or equal to 1")  # fmt: skip
    if not 0 <= window <= MAX_WINDOW:
        raise invalid(
            f"1 validation error detected: Value '{window}' at 'maximumBatchingWindowInSeconds' failed to satisfy constraint: Member must have value between 0 and {MAX_WINDOW}"
        )
    if fifo and window:
        raise invalid("Batching window is not supported for FIFO queues")
    if size > 10 and window < 1:
        raise invalid("Maximum batch window in seconds must be greater than 0 if maximum batch size is greater than 10")
    for kind in config.get("FunctionResponseTypes") or []:
        if kind != "ReportBatchItemFailures":
            raise invalid(
                f"1 validation error detected: Value '[{kind}]' at 'functionResponseTypes' failed to satisfy constraint: Member must satisfy enum value set: [ReportBatchItemFailures]"
            )
    concurrency = (config.get("ScalingConfig") or {}).get("MaximumConcurrency")
    if concurrency is not None and not 2 <= concurrency <= 1000:
        raise invalid(f"1 validation error detected: Value '{concurrency}' at 'scalingConfig.maximumConcurrency' failed to satisfy constraint: Member must have value "
                      + ("greater than or equal to 2" if concurrency < 2 else "less than or equal to 1000"))  # fmt: skip
    filters = (config.get("FilterCriteria") or {}).get("Filters") or []
    if len(filters) > MAX_FILTERS:
        raise invalid(f"The number of filters ({len(filters)}) exceeds the limit of {MAX_FILTERS}.")
    try:
        compile_filters(config.get("FilterCriteria"))
    except PatternError:
        raise invalid("Invalid filter pattern definition.") from None


async def _queue(ctx: RequestContext, arn: str) -> dict[str, Any]:
    parts = arn.split(":")
    if len(parts) != 6 or parts[0] != "arn" or parts[2] != "sqs":
        raise invalid(
            f"Unrecognized event source: gureum serves event source mappings for Amazon SQS queues only ({arn})."
        )
    queue = await ctx.runtime.port(SqsConsumer).queue(arn)
    if queue is None:
        raise invalid(
            "Error occurred while ReceiveMessage. SQS Error Code: AWS.SimpleQueueService.NonExistentQueue. SQS Error Message: The specified queue does not exist for this wsdl version."
        )
    return queue  # type: ignore[no-any-return]


async def _function(ctx: RequestContext, name: str, queue: dict[str, Any]) -> str:
    """The FunctionArn a FunctionName names (qualified when it has a qualifier); checks the function exists and
    that the queue hides a message at least as long as the function may run."""
    ref = parse_function_name(name)
    account, region = ref.account or ctx.account, ref.region or ctx.region
    fn = await load_function(ctx.runtime, account, region, ref.name, ref.qualifier)
    if queue["VisibilityTimeout"] < fn.timeout:
        raise invalid(
            f"Queue visibility timeout: {queue['VisibilityTimeout']} seconds is less than Function timeout: {fn.timeout} seconds"
        )
    return function_arn(region, account, ref.name, ref.qualifier)


@SERVICE.op("CreateEventSourceMapping")
async def create_event_source_mapping(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    _check_sqs_members(req)
    source = req.get("EventSourceArn") or ""
    if not source:
        raise invalid("Unrecognized event source, must be kinesis, dynamodb stream, sqs, kafka, mq or documentdb.")
    queue = await _queue(ctx, source)
    config: dict[str, Any] = {
        "BatchSize": req.get("BatchSize") or 10,
        "MaximumBatchingWindowInSeconds": req.get("MaximumBatchingWindowInSeconds") or 0,
        "FunctionResponseTypes": list(req.get("FunctionResponseTypes") or []),
        "Enabled": req.get("Enabled") is not False,
        "LastModified": ctx.runtime.clock.now(),
    }
    for member in ("FilterCriteria", "ScalingConfig"):
        if req.get(member):
            config[member] = req[member]
    _check(config, queue["FifoQueue"])
    fn_arn = await _function(ctx, req["FunctionName"], queue)
    mapping = Mapping(str(uuid.uuid4()), ctx.account, ctx.region, fn_arn, queue["QueueArn"], "Creating", config)

    def create(tx: Tx) -> None:
        existing = find_mapping(tx, fn_arn, mapping.source_arn)
        if existing is not None:
            name = fn_arn.split(":function:", 1)[1]
            raise ResourceConflictException(
                f'The event source arn (" {mapping.source_arn} ") and function (" {name} ") provided mapping already exists. '
                f"Please update or delete the existing mapping with UUID {existing.uuid}",
                fields={"Type": "User"},
            )
        insert_mapping(tx, mapping)

    await ctx.runtime.store.write(create)
    return mapping.output()


def _owned(tx: Tx, ctx: RequestContext, ident: str) -> Mapping:
    m = get_mapping(tx, ident)
    if m is None or m.account != ctx.account or m.region != ctx.region:
        raise _not_found()
    return m


@SERVICE.op("GetEventSourceMapping")
async def get_event_source_mapping(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return (await ctx.runtime.store.read(lambda tx: _owned(tx, ctx, req["UUID"]))).output()


@SERVICE.op("UpdateEventSourceMapping")
async def update_event_source_mapping(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    _check_sqs_members(req)
    current = await ctx.runtime.store.read(lambda tx: _owned(tx, ctx, req["UUID"]))
    queue = await _queue(ctx, current.source_arn)
    fn_arn = await _function(ctx, req["FunctionName"], queue) if req.get("FunctionName") else current.function_arn
    changes = {member: req[member] for member in _SETTABLE if req.get(member) is not None}
    config = {**current.config, **changes, "LastModified": ctx.runtime.clock.now()}
    for member in ("FilterCriteria", "ScalingConfig"):
        if member in changes and not (changes[member] or {}).get(
            "Filters" if member == "FilterCriteria" else "MaximumConcurrency"
        ):
            config.pop(member)  # an empty FilterCriteria or ScalingConfig removes it, as in AWS
    _check(config, queue["FifoQueue"])

    def update(tx: Tx) -> Mapping:
        m = _owned(tx, ctx, req["UUID"])
        if m.state == "Deleting":
            raise ServiceError(
                "Cannot update the event source mapping because it is in use.",
                code="ResourceInUseException",
                fields={"Type": "User"},
            )
        if fn_arn != m.function_arn and find_mapping(tx, fn_arn, m.source_arn) is not None:
            raise ResourceConflictException(
                f"An event source mapping for {fn_arn} and {m.source_arn} already exists.", fields={"Type": "User"}
            )
        was, now = m.config.get("Enabled", True), config.get("Enabled", True)
        state = "Enabling" if now and not was else "Disabling" if was and not now else "Updating"
        updated = replace(m, function_arn=fn_arn, state=state, config=config)
        update_mapping(tx, updated)
        return updated

    return (await ctx.runtime.store.write(update)).output()


@SERVICE.op("DeleteEventSourceMapping")
async def delete_event_source_mapping(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    def delete(tx: Tx) -> Mapping:
        m = replace(_owned(tx, ctx, req["UUID"]), state="Deleting")
        update_mapping(tx, m)
        return m

    return (await ctx.runtime.store.write(delete)).output()


@SERVICE.op("ListEventSourceMappings")
async def list_event_source_mappings(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    limit = req.get("MaxItems") or 100
    if not 1 <= limit <= 10_000:
        raise invalid(
            f"1 validation error detected: Value '{limit}' at 'maxItems' failed to satisfy constraint: Member must have value between 1 and 10000"
        )
    fn_arn = None
    if req.get("FunctionName"):
        ref = parse_function_name(req["FunctionName"])
        fn_arn = function_arn(ref.region or ctx.region, ref.account or ctx.account, ref.name, ref.qualifier)
    source = req.get("EventSourceArn") or None
    rows = await ctx.runtime.store.read(
        lambda tx: list_mappings(tx, ctx.account, ctx.region, fn_arn, source, req.get("Marker") or "", limit + 1)
    )
    out: dict[str, Any] = {"EventSourceMappings": [m.output() for m in rows[:limit]]}
    if len(rows) > limit:
        out["NextMarker"] = rows[limit - 1].uuid
    return out
