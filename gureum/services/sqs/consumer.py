"""The "sqs.consumer" port: the few in-process calls another service needs to consume a queue (Lambda's event
source mappings), built on SqsBackend so receive counts, redrive to the dead-letter queue, FIFO group blocking
and long-poll wake-ups are exactly what ReceiveMessage does.

Queues are named by ARN. Messages come back in ReceiveMessage's shape (MessageId, ReceiptHandle, Body,
MD5OfBody, Attributes with every system attribute, MessageAttributes with bytes for binary values,
MD5OfMessageAttributes when there are attributes). A queue that does not exist raises LookupError.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any

from ... import ports
from ...aws.errors import ServiceError
from ...runtime import Runtime
from ...store.base import Tx
from . import SERVICE, store
from .backend import SqsBackend
from .errors import QueueDoesNotExist
from .queues import Queue, parse_arn


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
    def __init__(self, runtime: Runtime) -> None:
        self.runtime = runtime

    @property
    def _be(self) -> SqsBackend:
        return self.runtime.state(SqsBackend)

    async def _in_queue(self, arn: str, fn: Any) -> Any:
        account, region, url = _where(arn)
        with _missing_as_lookup(arn):
            return await self._be.in_queue(account, region, url, fn)

    async def queue(self, arn: str) -> dict[str, Any] | None:
        """{"QueueArn", "FifoQueue": bool, "VisibilityTimeout": int, "Attributes": {...}} or None."""

        def read(tx: Tx) -> Queue | None:
            return store.get_queue_by_arn(tx, arn)

        queue = await self.runtime.store.read(read) if parse_arn(arn) else None
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
        be = self._be
        with _missing_as_lookup(arn):
            queue, received = await be.receive(account, region, url, count, visibility, wait, None)  # type: ignore[arg-type]
        return [be.render(queue, item, {"All"}, ["All"]) for item in received]

    async def delete(self, arn: str, handles: list[str]) -> int:
        """Delete by receipt handle in one transaction; returns how many were deleted (a handle whose message
        was received again since, or that expired on a FIFO queue, deletes nothing)."""
        if not handles:
            return 0
        be = self._be
        now = be.now_ms()

        def run(tx: Tx, queue: Queue) -> int:
            done = 0
            for handle in handles:
                try:
                    done += bool(be.delete_in_tx(tx, queue, handle, now))
                except ServiceError:
                    continue
            return done

        return int(await self._in_queue(arn, run))

    async def change_visibility(self, arn: str, handles: list[str], timeout: int) -> None:
        """Set the visibility timeout of received messages (0: visible again at once); stale handles are skipped."""
        if not handles:
            return
        be = self._be
        now = be.now_ms()

        def run(tx: Tx, queue: Queue) -> None:
            for handle in handles:
                try:
                    be.change_visibility_in_tx(tx, queue, handle, timeout, now)
                except ServiceError:
                    continue

        await self._in_queue(arn, run)


@SERVICE.on_start
async def _provide(runtime: Runtime) -> None:
    runtime.provide(ports.SqsConsumer, SqsConsumer(runtime))
