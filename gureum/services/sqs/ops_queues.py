"""SQS queue operations: create, delete, look up, list, attributes, purge, tags, permissions."""

from __future__ import annotations

import base64
import json
import re
from typing import Any

from ...aws.context import RequestContext
from ...aws.specs import load_spec
from ...runtime import Runtime
from ...store.base import Tx
from . import SERVICE, limits, store
from .backend import SqsBackend
from .errors import (
    InvalidAttributeName,
    InvalidParameterValue,
    PurgeQueueInProgress,
    QueueDeletedRecently,
    QueueNameExists,
    invalid_value,
    no_such_queue,
)
from .queues import Queue, check_queue_name, default_attributes, normalise_attributes, queue_arn

_LABEL = re.compile(r"^[A-Za-z0-9_-]{1,80}$")
_PERMISSION_ACTIONS = {
    "*", "SendMessage", "ReceiveMessage", "DeleteMessage", "ChangeMessageVisibility", "GetQueueAttributes", "GetQueueUrl",
    "ListDeadLetterSourceQueues", "PurgeQueue", "ListQueueTags",
}  # fmt: skip
_ALL_ATTRIBUTE_NAMES = set(load_spec(SERVICE.name).model.shape_for("QueueAttributeName").enum)


def backend(ctx: RequestContext) -> SqsBackend:
    return ctx.runtime.state(SqsBackend)


@SERVICE.on_start
async def _start(runtime: Runtime) -> None:
    runtime.keep(SqsBackend(runtime))


@SERVICE.on_reset
async def _reset(runtime: Runtime) -> None:
    runtime.state(SqsBackend)._queue_ids.clear()


def _check_tags(tags: dict[str, str]) -> None:
    if len(tags) > limits.MAX_TAGS:
        raise InvalidParameterValue(f"Too many tags added for queue. Maximum is {limits.MAX_TAGS}.")
    for key, value in tags.items():
        if not 1 <= len(key) <= 128 or len(value or "") > 256:
            raise InvalidParameterValue(
                f"Tag key must be 1 to 128 characters and tag value at most 256 characters: {key}"
            )


def _merge(queue_attrs: dict[str, str], changes: dict[str, str]) -> dict[str, str]:
    merged = {**queue_attrs, **changes}
    for key in ("Policy", "RedrivePolicy", "RedriveAllowPolicy", "KmsMasterKeyId"):
        if merged.get(key) == "":
            merged.pop(key)
    if changes.get("KmsMasterKeyId"):
        if "SqsManagedSseEnabled" not in changes:
            merged["SqsManagedSseEnabled"] = "false"
        merged.setdefault(
            "KmsDataKeyReusePeriodSeconds", str(limits.INTEGER_ATTRIBUTES["KmsDataKeyReusePeriodSeconds"][0])
        )
    elif changes.get("SqsManagedSseEnabled") == "true":
        merged.pop("KmsMasterKeyId", None)
    if "KmsMasterKeyId" not in merged:
        merged.pop("KmsDataKeyReusePeriodSeconds", None)  # AWS shows the reuse period only while a KMS key is set
    return merged


@SERVICE.op("CreateQueue")
async def create_queue(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    name = req["QueueName"]
    given = {k: ("" if v is None else str(v)) for k, v in (req.get("Attributes") or {}).items()}
    tags = req.get("tags") or {}
    fifo = check_queue_name(name, given.get("FifoQueue", "false").lower() == "true")
    _check_tags(tags)
    be = backend(ctx)
    now = be.clock.now()

    def run(tx: Tx) -> Queue:
        source_arn = queue_arn(ctx.region, ctx.account, name)
        changes = normalise_attributes(
            given, fifo, source_arn=source_arn, lookup=lambda arn: store.get_queue_by_arn(tx, arn)
        )
        existing = store.get_queue(tx, ctx.account, ctx.region, name)
        if existing is None:
            if store.deleted_recently(tx, ctx.account, ctx.region, name, now - limits.QUEUE_DELETE_GRACE_SECONDS):
                raise QueueDeletedRecently(
                    "You must wait 60 seconds after deleting a queue before you can create another with the same name."
                )
            attributes = _merge(default_attributes(fifo), changes)
            if not fifo:
                attributes.pop("FifoQueue", None)
            created = store.insert_queue(tx, ctx.account, ctx.region, name, fifo, attributes, dict(tags), now)
            if created is not None:
                return created
            existing = store.get_queue(tx, ctx.account, ctx.region, name)  # a concurrent create won the name
            assert existing is not None
        for key, value in changes.items():
            if existing.attributes.get(key, "") != value:
                raise QueueNameExists(
                    f"A queue already exists with the same name and a different value for attribute {key}"
                )
        return existing

    queue = await be.store.write(run)
    return {"QueueUrl": queue.url(ctx.request.base_url)}


@SERVICE.op("DeleteQueue")
async def delete_queue(ctx: RequestContext, req: dict[str, Any]) -> None:
    be = backend(ctx)
    now = be.clock.now()

    def run(tx: Tx, queue: Queue) -> None:
        store.delete_queue(tx, queue, now)
        be.wake(tx, queue.id)  # long polls on it answer at once

    await be.in_queue(ctx.account, ctx.region, req["QueueUrl"], run)


@SERVICE.op("GetQueueUrl")
async def get_queue_url(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    owner = req.get("QueueOwnerAWSAccountId") or ctx.account
    queue = await backend(ctx).store.read(lambda tx: store.get_queue(tx, owner, ctx.region, req["QueueName"]))
    if queue is None:
        raise no_such_queue()
    return {"QueueUrl": queue.url(ctx.request.base_url)}


def _page_args(req: dict[str, Any]) -> tuple[int | None, str]:
    limit = req.get("MaxResults")
    if limit is not None and not 1 <= limit <= limits.MAX_LIST_QUEUES:
        raise invalid_value("MaxResults", limit, "MaxResults must be an integer between 1 and 1000.")
    token = req.get("NextToken")
    after = ""
    if token:
        try:
            after = json.loads(base64.b64decode(token))["after"]
        except (ValueError, KeyError, TypeError):
            raise InvalidParameterValue("Invalid NextToken value.") from None
    return limit, after


def _page(queues: list[Queue], limit: int | None) -> tuple[list[Queue], str | None]:
    if limit is not None and len(queues) > limit:
        queues = queues[:limit]
        token = base64.b64encode(json.dumps({"after": queues[-1].name}).encode()).decode()
        return queues, token
    return queues, None


@SERVICE.op("ListQueues")
async def list_queues(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    limit, after = _page_args(req)
    prefix = req.get("QueueNamePrefix") or ""
    fetch = (limit or limits.MAX_LIST_QUEUES) + (1 if limit else 0)
    queues = await backend(ctx).store.read(
        lambda tx: store.list_queues(tx, ctx.account, ctx.region, prefix, after, fetch)
    )
    queues, token = _page(queues, limit)
    out: dict[str, Any] = {}
    if queues:
        out["QueueUrls"] = [q.url(ctx.request.base_url) for q in queues]
    if token:
        out["NextToken"] = token
    return out


@SERVICE.op("ListDeadLetterSourceQueues")
async def list_dead_letter_source_queues(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    limit, after = _page_args(req)
    fetch = (limit or limits.MAX_LIST_QUEUES) + (1 if limit else 0)
    queues = await backend(ctx).in_queue(
        ctx.account,
        ctx.region,
        req["QueueUrl"],
        lambda tx, q: store.dead_letter_sources(tx, q.account, q.region, q.arn, after, fetch),
        write=False,
    )
    queues, token = _page(queues, limit)
    out: dict[str, Any] = {"queueUrls": [q.url(ctx.request.base_url) for q in queues]}
    if token:
        out["NextToken"] = token
    return out


@SERVICE.op("GetQueueAttributes")
async def get_queue_attributes(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    names = req.get("AttributeNames") or []
    for name in names:
        if name not in _ALL_ATTRIBUTE_NAMES:
            raise InvalidAttributeName(f"Unknown Attribute {name}.")
    be = backend(ctx)
    if not names:
        await be.in_queue(ctx.account, ctx.region, req["QueueUrl"], lambda tx, q: None, write=False)
        return {}
    wanted = set(_ALL_ATTRIBUTE_NAMES) if "All" in names else set(names)
    now_ms = be.now_ms()

    def run(tx: Tx, queue: Queue) -> dict[str, str]:
        attrs = {k: v for k, v in queue.attributes.items() if v != ""}
        attrs["QueueArn"] = queue.arn
        attrs["CreatedTimestamp"] = str(int(queue.created_at))
        attrs["LastModifiedTimestamp"] = str(int(queue.modified_at))
        if wanted & {
            "ApproximateNumberOfMessages",
            "ApproximateNumberOfMessagesNotVisible",
            "ApproximateNumberOfMessagesDelayed",
        }:
            visible, hidden, delayed = store.counts(tx, queue.id, now_ms)
            attrs["ApproximateNumberOfMessages"] = str(visible)
            attrs["ApproximateNumberOfMessagesNotVisible"] = str(hidden)
            attrs["ApproximateNumberOfMessagesDelayed"] = str(delayed)
        return {k: v for k, v in attrs.items() if k in wanted}

    attrs = await be.in_queue(ctx.account, ctx.region, req["QueueUrl"], run, write=False)
    return {"Attributes": attrs} if attrs else {}


@SERVICE.op("SetQueueAttributes")
async def set_queue_attributes(ctx: RequestContext, req: dict[str, Any]) -> None:
    given = {k: ("" if v is None else str(v)) for k, v in (req.get("Attributes") or {}).items()}
    be = backend(ctx)
    now = be.clock.now()

    def run(tx: Tx, queue: Queue) -> None:
        changes = normalise_attributes(
            given, queue.fifo, source_arn=queue.arn, lookup=lambda arn: store.get_queue_by_arn(tx, arn)
        )
        queue.attributes = _merge(queue.attributes, changes)
        store.update_queue(tx, queue, now)
        be.wake(tx, queue.id)  # waiters re-read delays and timeouts

    await be.in_queue(ctx.account, ctx.region, req["QueueUrl"], run)


@SERVICE.op("PurgeQueue")
async def purge_queue(ctx: RequestContext, req: dict[str, Any]) -> None:
    be = backend(ctx)
    now = be.clock.now()

    def run(tx: Tx, queue: Queue) -> None:
        if queue.purged_at is not None and now - queue.purged_at < limits.PURGE_INTERVAL_SECONDS:
            raise PurgeQueueInProgress(f"Only one PurgeQueue operation on {queue.name} is allowed every 60 seconds.")
        store.purge(tx, queue.id, int(now * 1000))
        queue.purged_at = now
        store.update_queue(tx, queue, queue.modified_at)

    await be.in_queue(ctx.account, ctx.region, req["QueueUrl"], run)


@SERVICE.op("TagQueue")
async def tag_queue(ctx: RequestContext, req: dict[str, Any]) -> None:
    def run(tx: Tx, queue: Queue) -> None:
        queue.tags.update(req.get("Tags") or {})
        _check_tags(queue.tags)
        store.update_tags(tx, queue)

    await backend(ctx).in_queue(ctx.account, ctx.region, req["QueueUrl"], run)


@SERVICE.op("UntagQueue")
async def untag_queue(ctx: RequestContext, req: dict[str, Any]) -> None:
    def run(tx: Tx, queue: Queue) -> None:
        for key in req.get("TagKeys") or []:
            queue.tags.pop(key, None)
        store.update_tags(tx, queue)

    await backend(ctx).in_queue(ctx.account, ctx.region, req["QueueUrl"], run)


@SERVICE.op("ListQueueTags")
async def list_queue_tags(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    tags = await backend(ctx).in_queue(ctx.account, ctx.region, req["QueueUrl"], lambda tx, q: q.tags, write=False)
    return {"Tags": tags} if tags else {}


@SERVICE.op("AddPermission")
async def add_permission(ctx: RequestContext, req: dict[str, Any]) -> None:
    label = req["Label"]
    if not _LABEL.match(label):
        raise invalid_value(
            "Label", label, "Can only include alphanumeric characters, hyphens, or underscores. 1 to 80 in length"
        )
    accounts = req.get("AWSAccountIds") or []
    actions = req.get("Actions") or []
    if not accounts:
        raise InvalidParameterValue(
            "Value [] for parameter PrincipalId is invalid. Reason: Please specify at least one principal."
        )
    if not actions:
        raise InvalidParameterValue(
            "Value [] for parameter ActionName is invalid. Reason: Please specify at least one action."
        )
    for action in actions:
        if action not in _PERMISSION_ACTIONS:
            raise invalid_value("ActionName", action, "Only the queue owner is allowed to invoke this action.")
    be = backend(ctx)
    now = be.clock.now()

    def run(tx: Tx, queue: Queue) -> None:
        policy = json.loads(queue.attributes.get("Policy") or "null") or {
            "Version": "2008-10-17",
            "Id": f"{queue.arn}/SQSDefaultPolicy",
            "Statement": [],
        }
        if any(s.get("Sid") == label for s in policy.get("Statement", [])):
            raise invalid_value("Label", label, "Already exists.")
        principals = [f"arn:aws:iam::{a}:root" for a in accounts]
        sqs_actions = [f"SQS:{a}" for a in actions]
        policy["Statement"].append(
            {
                "Sid": label,
                "Effect": "Allow",
                "Principal": {"AWS": principals[0] if len(principals) == 1 else principals},
                "Action": sqs_actions[0] if len(sqs_actions) == 1 else sqs_actions,
                "Resource": queue.arn,
            }
        )
        queue.attributes["Policy"] = json.dumps(policy, separators=(",", ":"))
        store.update_queue(tx, queue, now)

    await be.in_queue(ctx.account, ctx.region, req["QueueUrl"], run)


@SERVICE.op("RemovePermission")
async def remove_permission(ctx: RequestContext, req: dict[str, Any]) -> None:
    label = req["Label"]
    be = backend(ctx)
    now = be.clock.now()

    def run(tx: Tx, queue: Queue) -> None:
        policy = json.loads(queue.attributes.get("Policy") or "null") or {"Statement": []}
        statements = [s for s in policy.get("Statement", []) if s.get("Sid") != label]
        if len(statements) == len(policy.get("Statement", [])):
            raise invalid_value("Label", label, "can't find label.")
        if statements:
            policy["Statement"] = statements
            queue.attributes["Policy"] = json.dumps(policy, separators=(",", ":"))
        else:
            queue.attributes.pop("Policy", None)
        store.update_queue(tx, queue, now)

    await be.in_queue(ctx.account, ctx.region, req["QueueUrl"], run)
