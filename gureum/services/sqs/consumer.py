"""The SqsConsumer port (gureum.ports): the few in-process calls another service needs to consume a queue (Lambda's
event source mappings), each one SqsBackend method, so receive counts, redrive to the dead-letter queue, FIFO group
blocking and long-poll wake-ups are exactly what ReceiveMessage does.

Queues are named by ARN. Messages come back in ReceiveMessage's shape (MessageId, ReceiptHandle, Body,
MD5OfBody, Attributes with every system attribute, MessageAttributes with bytes for binary values,
MD5OfMessageAttributes when there are attributes). A queue that does not exist raises LookupError.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any

from .backend import SqsBackend
from .errors import QueueDoesNotExist
from .messages import render
from .queues import parse_arn

_ALL = ("All",)


def _where(arn: str) -> tuple[str, str, str]:
    """(account, region, '/account/name') for an ARN; LookupError for anything else."""
    parts = parse_arn(arn)
    if parts is None:
        raise LookupError(arn)
    region, account, name = parts
    return account, region, f"/{account}/{name}"


@contextlib.contextmanager
def _missing_as_lookup(arn: str) -> Iterator[None]:
    """The port's callers know a missing queue as LookupError, not as SQS's API error."""
    try:
        yield
    except QueueDoesNotExist:
        raise LookupError(arn) from None


class SqsConsumer:
    def __init__(self, be: SqsBackend) -> None:
        self._be = be

    async def queue(self, arn: str) -> dict[str, Any] | None:
        """{"QueueArn", "FifoQueue": bool, "VisibilityTimeout": int, "Attributes": {...}} or None."""
        queue = await self._be.queue_by_arn(arn) if parse_arn(arn) else None
        if queue is None:
            return None
        return {
            "QueueArn": queue.arn,
            "FifoQueue": queue.fifo,
            "VisibilityTimeout": queue.int_attr("VisibilityTimeout"),
            "Attributes": dict(queue.attributes),
        }

    async def receive(
        self, arn: str, count: int, *, wait: float, visibility: int | None = None
    ) -> list[dict[str, Any]]:
        """Up to ``count`` messages, long-polling up to ``wait`` seconds (woken by sends, never a busy loop);
        ``visibility`` None uses the queue's VisibilityTimeout."""
        account, region, url = _where(arn)
        with _missing_as_lookup(arn):
            queue, received = await self._be.receive(account, region, url, count, visibility, wait, None)
        return [render(queue.fifo, item, _ALL, _ALL) for item in received]

    async def delete(self, arn: str, handles: list[str]) -> int:
        """Delete by receipt handle in one transaction; returns how many were deleted (as DeleteMessage: a
        standard queue's message goes whichever of its handles is given; a FIFO handle that expired deletes
        nothing)."""
        if not handles:
            return 0
        account, region, url = _where(arn)
        with _missing_as_lookup(arn):
            return await self._be.delete_received(account, region, url, handles)

    async def change_visibility(self, arn: str, handles: list[str], timeout: int) -> None:
        """Set the visibility timeout of received messages (0: visible again at once); stale handles are skipped."""
        if not handles:
            return
        account, region, url = _where(arn)
        with _missing_as_lookup(arn):
            await self._be.change_received_visibility(account, region, url, handles, timeout)
