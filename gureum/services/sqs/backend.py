"""SqsBackend: every SQS behaviour over the store, one method per operation with plain arguments, called alike by
the operations (ops_*.py), the "sqs" delivery target and the SqsConsumer port; kept by the start hook and
reached with backend(ctx).

Long polls wait on a per-queue asyncio.Event; a write that can make messages available calls store.wake(tx, …),
which the store delivers at commit to this node and (PostgreSQL) to every other node. A waiter also wakes when the
next delayed or in-flight message becomes visible. No polling loop, no thread parked.

Operations take the Caller (access.py): a call on another account's queue must be allowed by the queue's Policy.
The delivery target, the SqsConsumer port and maintenance pass no caller and are not checked.
"""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from ...aws.authorize import ResourceFacts
from ...aws.context import RequestContext
from ...aws.errors import ServiceError
from ...clock import Clock
from ...policy import Caller, Principal, call_context
from ...store.base import Store, Tx
from . import limits, move_tasks, permissions, receiving, store, store_moves
from .access import Access, Origin
from .errors import (
    InvalidParameterValue,
    MissingParameter,
    PurgeQueueInProgress,
    QueueDeletedRecently,
    QueueNameExists,
    no_such_queue,
)
from .messages import Received, render
from .queues import (
    Queue,
    canonical_attribute,
    check_attribute_names,
    check_queue_name,
    check_tags,
    given_attributes,
    merge_attributes,
    new_queue_attributes,
    normalise_attributes,
    page,
    page_fetch,
    page_start,
    parse_arn,
    parse_queue_url,
    queue_arn,
    queue_attributes,
)
from .sending import (
    Outgoing,
    Prepared,
    Sent,
    check_batch,
    check_batch_size,
    check_fifo_batch,
    fit_to_queue,
    prepare,
    store_in_tx,
)
from .store_moves import MoveTask

T = TypeVar("T")
# an entry of a batch: its Id, and the error that failed it (None: it succeeded)
Outcome = tuple[str, ServiceError | None]


def backend(ctx: RequestContext) -> SqsBackend:
    """The backend of the running server (kept by the service's start hook)."""
    return ctx.runtime.state(SqsBackend)


class SqsBackend:
    """SQS over one store and clock. Methods named for an operation check and do what it does (the operations
    only shape the answer); the others serve the delivery target, the SqsConsumer port and maintenance."""

    def __init__(self, store_: Store, clock: Clock, principal_arn: Callable[[str, str], Awaitable[str]]) -> None:
        self.store = store_
        self.clock = clock
        self._principal_arn = principal_arn  # (account, access key) -> the IAM principal the key acts as
        self._events: dict[int, asyncio.Event] = {}  # long polls' wake-ups, by queue id
        self._queue_ids: dict[tuple[str, str], int] = {}  # (region, QueueUrl) → queue id, for taking its event
        # IAM enforcement (or its learn mode): a check of deliveries within an account too (access.same_account)
        self.same_account_deliveries: Callable[[Origin, str, str | None], None] | None = None
        self.checked_by_iam = False  # IAM enforcement authorises every call (the queue's Policy included)
        self.store.subscribe(store.WAKE_CHANNEL, lambda payload: self._notify(int(payload)))

    def forget(self) -> None:
        """After every table was emptied (POST /_gureum/reset): drop what this node remembers of queues."""
        self._queue_ids.clear()

    async def queue_facts(self, arn: str) -> ResourceFacts:
        """A queue's Policy and tags (IAM enforcement evaluates them with the caller's identity policies)."""
        queue = await self.store.read(lambda tx: store.get_queue_by_arn(tx, arn))
        if queue is None:
            return ResourceFacts()
        return ResourceFacts(queue.attributes.get("Policy"), dict(queue.tags))

    # --- wake-ups and queue resolution ---------------------------------------------------------------------

    def _notify(self, queue_id: int) -> None:
        """Wake this node's long polls on the queue (the store calls it for every committed store.wake)."""
        event = self._events.pop(queue_id, None)
        if event is not None:
            event.set()

    def _event(self, queue_id: int) -> asyncio.Event:
        event = self._events.get(queue_id)
        if event is None:
            event = self._events[queue_id] = asyncio.Event()
        return event

    async def _access(self, who: Caller | None, owner: str, action: str) -> Access | None:
        """What to check before `who` may perform `action` on a queue of `owner`: None for no caller (a call
        inside gureum) and for a caller of the owner's account."""
        if who is None or owner == who.account or self.checked_by_iam:
            return None  # under IAM enforcement the dispatcher's authorizer decided, with the queue's Policy
        principal = await self._principal_arn(who.account, who.access_key)
        return Access(Principal(who.account, principal), action, call_context(who, principal, self.clock.now()))

    async def _in_queue(
        self,
        account: str,
        region: str,
        url: str,
        fn: Callable[[Tx, Queue], T],
        *,
        write: bool = True,
        who: Caller | None = None,
        action: str = "",
        lock: bool = False,
    ) -> T:
        """Run fn(tx, queue) in one transaction with the queue the URL names (in `region` when the URL names
        no Region). With `who`, a caller of another account must be allowed `action` by the queue's Policy, read
        in that transaction; a queue that does not exist allows nothing (no probing other accounts' names).
        `lock`: fn changes the queue's row from what it read (attributes, tags): writers of one queue take turns."""
        where = parse_queue_url(url)
        if where is None and (limits.QUEUE_NAME.match(url) or limits.FIFO_QUEUE_NAME.match(url)):
            where = (None, account, url)  # AWS also takes a bare queue name of the caller's account for QueueUrl
        if where is None:
            raise no_such_queue()
        named, owner, name = where
        in_region = named or region
        access = await self._access(who, owner, action)
        arn = queue_arn(in_region, owner, name)

        def run(tx: Tx) -> T:
            if lock:
                tx.lock("sqs", arn)
            queue = store.get_queue(tx, owner, in_region, name)
            if access is not None:
                access.check(arn, queue.attributes.get("Policy") if queue is not None else None)
            if queue is None:
                raise no_such_queue()
            return fn(tx, queue)

        return await (self.store.write(run) if write else self.store.read(run))

    # --- queues ----------------------------------------------------------------------------------------------

    async def create_queue(
        self, account: str, region: str, name: str, attributes: dict[str, Any] | None, tags: dict[str, str] | None
    ) -> Queue:
        """The new queue, or the existing one of that name when the attributes given match it."""
        given = given_attributes(attributes)
        tags = dict(tags or {})
        fifo = check_queue_name(name, given.get("FifoQueue", "false").lower() == "true")
        check_tags(tags, name)
        now = self.clock.now()

        def run(tx: Tx) -> Queue:
            changes = normalise_attributes(
                given,
                fifo,
                source_arn=queue_arn(region, account, name),
                lookup=lambda arn: store.get_queue_by_arn(tx, arn),
            )
            existing = store.get_queue(tx, account, region, name)
            if existing is None:
                if store.deleted_recently(tx, account, region, name, now - limits.QUEUE_DELETE_GRACE_SECONDS):
                    raise QueueDeletedRecently(
                        "You must wait 60 seconds after deleting a queue "
                        "before you can create another with the same name."
                    )
                created = store.insert_queue(
                    tx, account, region, name, fifo, new_queue_attributes(fifo, changes), tags, now
                )
                if created is not None:
                    return created
                existing = store.get_queue(tx, account, region, name)  # a concurrent create won the name
                assert existing is not None
            for key, value in changes.items():
                if canonical_attribute(key, existing.attributes.get(key, "")) != value:
                    raise QueueNameExists(
                        f"A queue already exists with the same name and a different value for attribute {key}"
                    )
            return existing

        return await self.store.write(run)

    async def delete_queue(self, who: Caller, region: str, url: str) -> None:
        now = self.clock.now()

        def run(tx: Tx, queue: Queue) -> None:
            store.delete_queue(tx, queue, now)
            store.wake(tx, queue.id)  # long polls on it answer at once

        await self._in_queue(who.account, region, url, run, who=who, action="DeleteQueue")

    async def get_queue_url(self, who: Caller, region: str, name: str, owner: str | None) -> Queue:
        """The queue `name` of `owner` (default: the caller's account); another account's queue when its Policy
        allows the caller sqs:GetQueueUrl."""
        owner = owner or who.account
        access = await self._access(who, owner, "GetQueueUrl")
        arn = queue_arn(region, owner, name)

        def run(tx: Tx) -> Queue | None:
            queue = store.get_queue(tx, owner, region, name)
            if access is not None:
                access.check(arn, queue.attributes.get("Policy") if queue is not None else None)
            return queue

        queue = await self.store.read(run)
        if queue is None:
            raise no_such_queue()
        return queue

    async def list_queues(
        self, account: str, region: str, prefix: str | None, limit: int | None, token: str | None
    ) -> tuple[list[Queue], str | None]:
        """One page of the account's queues whose name starts with `prefix`, and the next page's token."""
        after = page_start(limit, token)
        fetch = page_fetch(limit)
        queues = await self.store.read(lambda tx: store.list_queues(tx, account, region, prefix or "", after, fetch))
        return page(queues, limit)

    async def list_dead_letter_source_queues(
        self, who: Caller, region: str, url: str, limit: int | None, token: str | None
    ) -> tuple[list[Queue], str | None]:
        """One page of the queues whose RedrivePolicy names this queue, and the next page's token."""
        after = page_start(limit, token)
        fetch = page_fetch(limit)
        queues = await self._in_queue(
            who.account,
            region,
            url,
            lambda tx, q: store.dead_letter_sources(tx, q.account, q.region, q.arn, after, fetch),
            write=False,
            who=who,
            action="ListDeadLetterSourceQueues",
        )
        return page(queues, limit)

    async def get_queue_attributes(self, who: Caller, region: str, url: str, names: list[str]) -> dict[str, str]:
        wanted = check_attribute_names(names)
        now_ms = self.clock.now_ms()

        def run(tx: Tx, queue: Queue) -> dict[str, str]:
            if not wanted:
                return {}
            counts = store.counts(tx, queue.id, now_ms) if wanted & limits.COUNT_ATTRIBUTES else None
            return queue_attributes(queue, wanted, counts)

        return await self._in_queue(who.account, region, url, run, write=False, who=who, action="GetQueueAttributes")

    async def set_queue_attributes(self, who: Caller, region: str, url: str, attributes: dict[str, Any]) -> None:
        given = given_attributes(attributes)
        now = self.clock.now()

        def run(tx: Tx, queue: Queue) -> None:
            changes = normalise_attributes(
                given, queue.fifo, source_arn=queue.arn, lookup=lambda arn: store.get_queue_by_arn(tx, arn)
            )
            queue.attributes = merge_attributes(queue.attributes, changes)
            store.update_queue(tx, queue, now)
            store.wake(tx, queue.id)  # waiters re-read delays and timeouts

        await self._in_queue(who.account, region, url, run, who=who, action="SetQueueAttributes", lock=True)

    async def purge_queue(self, who: Caller, region: str, url: str) -> None:
        now = self.clock.now()

        def run(tx: Tx, queue: Queue) -> None:
            if queue.purged_at is not None and now - queue.purged_at < limits.PURGE_INTERVAL_SECONDS:
                raise PurgeQueueInProgress(
                    f"Only one PurgeQueue operation on {queue.name} is allowed every 60 seconds."
                )
            store.purge(tx, queue.id, int(now * 1000))
            queue.purged_at = now
            store.update_queue(tx, queue, queue.modified_at)

        await self._in_queue(who.account, region, url, run, who=who, action="PurgeQueue", lock=True)

    async def tag_queue(self, who: Caller, region: str, url: str, tags: dict[str, str]) -> None:
        if not tags:
            raise MissingParameter("The request must contain the parameter Tags.")

        def run(tx: Tx, queue: Queue) -> None:
            queue.tags.update(tags)
            check_tags(queue.tags, queue.name)
            store.update_tags(tx, queue)

        await self._in_queue(who.account, region, url, run, who=who, action="TagQueue", lock=True)

    async def untag_queue(self, who: Caller, region: str, url: str, keys: list[str]) -> None:
        if not keys:
            raise InvalidParameterValue("Tag keys must be between 1 and 128 characters in length.")

        def run(tx: Tx, queue: Queue) -> None:
            for key in keys:
                queue.tags.pop(key, None)
            store.update_tags(tx, queue)

        await self._in_queue(who.account, region, url, run, who=who, action="UntagQueue", lock=True)

    async def list_queue_tags(self, who: Caller, region: str, url: str) -> dict[str, str]:
        return await self._in_queue(
            who.account, region, url, lambda tx, q: q.tags, write=False, who=who, action="ListQueueTags"
        )

    async def add_permission(
        self, who: Caller, region: str, url: str, label: str, accounts: list[str], actions: list[str]
    ) -> None:
        permissions.check_permission(label, accounts, actions)
        now = self.clock.now()

        def run(tx: Tx, queue: Queue) -> None:
            policy = queue.attributes.get("Policy")
            queue.attributes["Policy"] = permissions.add_statement(policy, queue.arn, label, accounts, actions)
            store.update_queue(tx, queue, now)

        await self._in_queue(who.account, region, url, run, who=who, action="AddPermission", lock=True)

    async def remove_permission(self, who: Caller, region: str, url: str, label: str) -> None:
        now = self.clock.now()

        def run(tx: Tx, queue: Queue) -> None:
            policy = permissions.remove_statement(queue.attributes.get("Policy"), label)
            if policy is None:
                queue.attributes.pop("Policy", None)
            else:
                queue.attributes["Policy"] = policy
            store.update_queue(tx, queue, now)

        await self._in_queue(who.account, region, url, run, who=who, action="RemovePermission", lock=True)

    async def queue_by_arn(self, arn: str) -> Queue | None:
        return await self.store.read(lambda tx: store.get_queue_by_arn(tx, arn))

    # --- send ------------------------------------------------------------------------------------------------

    async def send_message(
        self,
        who: Caller,
        region: str,
        url: str,
        body: str | None,
        *,
        attributes: dict[str, dict[str, Any]] | None = None,
        system_attributes: dict[str, dict[str, Any]] | None = None,
        delay: int | None = None,
        group_id: str | None = None,
        dedup_id: str | None = None,
        trace_header: str | None = None,
        sender: str,
    ) -> Sent:
        """SendMessage; `trace_header` is the request's X-Amzn-Trace-Id (see sending.Outgoing)."""
        prepared = prepare(Outgoing(body, attributes, system_attributes, delay, group_id, dedup_id, trace_header))

        def run(tx: Tx, queue: Queue) -> Sent:
            fit_to_queue(prepared, queue)
            return store_in_tx(tx, queue, [prepared], sender, self.clock.now_ms())[0]

        return await self._in_queue(who.account, region, url, run, who=who, action="SendMessage")

    async def send_message_batch(
        self,
        who: Caller,
        region: str,
        url: str,
        entries: list[dict[str, Any]],
        sender: str,
        trace_header: str | None = None,
    ) -> list[tuple[str, Sent | ServiceError]]:
        """SendMessageBatch (entries with AWS member names): each entry's Id with what was sent, or the error that
        failed it; a FIFO entry without its group or deduplication id fails the whole batch. `trace_header` is the
        request's X-Amzn-Trace-Id, for every entry (see sending.Outgoing)."""
        check_batch([entry.get("Id") or "" for entry in entries], "SendMessageBatchRequestEntry")
        prepared: list[tuple[str, Prepared | ServiceError]] = []
        total = 0
        for entry in entries:
            try:
                item = prepare(Outgoing.from_entry(entry, trace_header))
                total += item.size
                prepared.append((entry["Id"], item))
            except ServiceError as error:
                prepared.append((entry["Id"], error))
        check_batch_size(total)

        def run(tx: Tx, queue: Queue) -> list[tuple[str, Sent | ServiceError]]:
            if queue.fifo:
                check_fifo_batch([item for _, item in prepared if not isinstance(item, ServiceError)], queue)
            outcome: dict[str, Sent | ServiceError] = {}
            ready: list[tuple[str, Prepared]] = []
            for entry_id, item in prepared:
                if isinstance(item, ServiceError):
                    outcome[entry_id] = item
                    continue
                try:
                    fit_to_queue(item, queue, batch=True)
                    ready.append((entry_id, item))
                except ServiceError as error:
                    outcome[entry_id] = error
            results = store_in_tx(tx, queue, [item for _, item in ready], sender, self.clock.now_ms())
            outcome.update((entry_id, result) for (entry_id, _), result in zip(ready, results))
            return [(entry_id, outcome[entry_id]) for entry_id, _ in prepared]

        return await self._in_queue(who.account, region, url, run, who=who, action="SendMessage")

    def deliver_in_tx(self, tx: Tx, arn: str, message: Outgoing, sender: str, origin: Origin | None = None) -> Sent:
        """Another service's delivery to the queue `arn`, in the producer's transaction (the "sqs" target): the
        checks and storing SendMessage makes, except that a standard queue ignores a deduplication id. A delivery
        from another account's resource (`origin`: an SNS topic, an EventBridge rule) must be allowed by the
        queue's Policy, as on AWS."""
        queue = store.get_queue_by_arn(tx, arn)
        if queue is None:
            raise no_such_queue()
        if origin is not None and origin.account != queue.account:
            origin.check(queue.arn, queue.attributes.get("Policy"))
        elif origin is not None and self.same_account_deliveries is not None:
            self.same_account_deliveries(origin, queue.arn, queue.attributes.get("Policy"))
        prepared = prepare(message if queue.fifo else dataclasses.replace(message, dedup_id=None))
        fit_to_queue(prepared, queue)
        return store_in_tx(tx, queue, [prepared], sender, self.clock.now_ms())[0]

    # --- receive ---------------------------------------------------------------------------------------------

    async def receive_message(
        self,
        who: Caller,
        region: str,
        url: str,
        *,
        count: int | None,
        wait: int | None,
        visibility: int | None,
        attempt_id: str | None,
        system_attributes: list[str],
        message_attributes: list[str] | None,
    ) -> list[dict[str, Any]]:
        """ReceiveMessage: the messages taken, rendered with the system and message attributes asked for."""
        receiving.check_receive(count, wait, visibility, attempt_id)
        queue, received = await self.receive(who.account, region, url, count or 1, visibility, wait, attempt_id, who)
        return [render(queue.fifo, item, system_attributes, message_attributes) for item in received]

    async def receive(
        self,
        account: str,
        region: str,
        url: str,
        count: int,
        visibility: int | None,
        wait: float | None,
        attempt_id: str | None,
        who: Caller | None = None,
    ) -> tuple[Queue, list[Received]]:
        """Take up to `count` messages, long-polling up to `wait` seconds (None: the queue's
        ReceiveMessageWaitTimeSeconds); `visibility` None uses the queue's VisibilityTimeout. Unchecked arguments
        (receive_message checks them). A caller `who` of another account is checked once, at the first look."""
        key = (region, url)
        started = self.clock.monotonic()  # WaitTimeSeconds runs from the request, not from the first look
        deadline: float | None = None
        # after a wait that ended without a wake-up (the deadline, or when a message was due to become visible),
        # a long poll looks on the reader first and goes to the writer only if a message is visible: the look
        # that ends a poll of an empty queue never queues behind a slow commit, so the poll answers on time
        peek_after_timeout = attempt_id is None
        peek = False
        while True:
            known = self._queue_ids.get(key)
            # take the wake-up event before looking, so a send that commits after the look still wakes us
            event = self._event(known) if known is not None else None
            got: list[Received] = []
            visible = True
            if peek:
                queue, visible, next_at = await self._in_queue(
                    account, region, url, self._peek_once, write=False, who=who, action="ReceiveMessage"
                )
                who = None  # allowed: the long poll's later looks are the same call
            if visible:
                queue, got, next_at = await self._in_queue(
                    account,
                    region,
                    url,
                    lambda tx, q: self._receive_once(tx, q, count, visibility, attempt_id),
                    who=who,
                    action="ReceiveMessage",
                )
                who = None
            self._queue_ids[key] = queue.id
            if deadline is None:
                seconds = queue.int_attr("ReceiveMessageWaitTimeSeconds") if wait is None else wait
                deadline = started + seconds
            remaining = deadline - self.clock.monotonic()
            if got or remaining <= 0:
                return queue, got
            if event is None or known != queue.id:
                continue  # now that the queue's id is known, look once more with its event held
            timeout = remaining
            if next_at is not None:
                timeout = min(timeout, max(0.0, next_at / 1000 - self.clock.now()) + 0.005)
            try:
                await asyncio.wait_for(event.wait(), timeout)
                peek = False  # woken by a commit that may have made a message visible: take at once
            except TimeoutError:
                peek = peek_after_timeout

    def _peek_once(self, tx: Tx, queue: Queue) -> tuple[Queue, bool, int | None]:
        """A look that takes nothing (a read): whether a message is visible, else when the next one will be."""
        now = self.clock.now_ms()
        if store.any_visible(tx, queue.id, now):
            return queue, True, None
        return queue, False, store.next_visible_at(tx, queue.id, now)

    def _receive_once(
        self, tx: Tx, queue: Queue, count: int, visibility: int | None, attempt_id: str | None
    ) -> tuple[Queue, list[Received], int | None]:
        """One look: the messages taken, or else when the next one becomes visible (milliseconds)."""
        now = self.clock.now_ms()
        vt = queue.int_attr("VisibilityTimeout") if visibility is None else visibility
        got = receiving.take(tx, queue, count, vt, attempt_id, now)
        return queue, got, None if got else store.next_visible_at(tx, queue.id, now)

    # --- visibility and delete -------------------------------------------------------------------------------

    async def delete_message(self, who: Caller, region: str, url: str, handle: str) -> None:
        now = self.clock.now_ms()
        await self._in_queue(
            who.account,
            region,
            url,
            lambda tx, q: receiving.delete_in_tx(tx, q, handle, now),
            who=who,
            action="DeleteMessage",
        )

    async def delete_message_batch(
        self, who: Caller, region: str, url: str, entries: list[dict[str, Any]]
    ) -> list[Outcome]:
        """DeleteMessageBatch: each entry's outcome (a message already gone also succeeds, as on AWS). A standard
        queue deletes every valid handle in one statement (see receiving.delete_in_tx for what a handle deletes)."""
        check_batch([entry.get("Id") or "" for entry in entries], "DeleteMessageBatchRequestEntry")
        now = self.clock.now_ms()

        def run(tx: Tx, queue: Queue) -> list[Outcome]:
            outcomes: list[Outcome] = []
            messages: list[tuple[int, str]] = []  # (row id, message id): any handle of the message
            receipts: list[tuple[int, str]] = []  # (row id, token): handles that do not name their message
            for entry in entries:
                try:
                    if queue.fifo:
                        receiving.delete_in_tx(tx, queue, entry["ReceiptHandle"], now)
                    else:
                        h = receiving.handle_for(queue, entry["ReceiptHandle"])
                        if h.message_id is None:
                            receipts.append((h.row_id, h.token))
                        else:
                            messages.append((h.row_id, h.message_id))
                    outcomes.append((entry["Id"], None))
                except ServiceError as error:
                    outcomes.append((entry["Id"], error))
            store.delete_messages(tx, queue.id, messages, receipts)
            return outcomes

        return await self._in_queue(who.account, region, url, run, who=who, action="DeleteMessage")

    async def change_message_visibility(
        self, who: Caller, region: str, url: str, handle: str, timeout: int | None
    ) -> None:
        now = self.clock.now_ms()
        await self._in_queue(
            who.account,
            region,
            url,
            lambda tx, q: receiving.change_visibility_in_tx(tx, q, handle, timeout, now),
            who=who,
            action="ChangeMessageVisibility",
        )

    async def change_message_visibility_batch(
        self, who: Caller, region: str, url: str, entries: list[dict[str, Any]]
    ) -> list[Outcome]:
        check_batch([entry.get("Id") or "" for entry in entries], "ChangeMessageVisibilityBatchRequestEntry")
        now = self.clock.now_ms()

        def run(tx: Tx, queue: Queue) -> list[Outcome]:
            outcomes: list[Outcome] = []
            for entry in entries:
                try:
                    receiving.change_visibility_in_tx(
                        tx, queue, entry["ReceiptHandle"], entry.get("VisibilityTimeout"), now
                    )
                    outcomes.append((entry["Id"], None))
                except ServiceError as error:
                    outcomes.append((entry["Id"], error))
            return outcomes

        return await self._in_queue(who.account, region, url, run, who=who, action="ChangeMessageVisibility")

    async def delete_received(self, account: str, region: str, url: str, handles: list[str]) -> int:
        """Delete by receipt handle in one transaction; how many were deleted (a handle whose message is gone, or a
        FIFO handle that expired, deletes nothing)."""
        now = self.clock.now_ms()

        def run(tx: Tx, queue: Queue) -> int:
            done = 0
            for handle in handles:
                try:
                    done += receiving.delete_in_tx(tx, queue, handle, now)
                except ServiceError:
                    continue
            return done

        return await self._in_queue(account, region, url, run)

    async def change_received_visibility(
        self, account: str, region: str, url: str, handles: list[str], timeout: int
    ) -> None:
        """Set the visibility timeout of received messages in one transaction; handles that cannot (their message
        is gone, or a FIFO receive is over) are skipped."""
        now = self.clock.now_ms()

        def run(tx: Tx, queue: Queue) -> None:
            for handle in handles:
                try:
                    receiving.change_visibility_in_tx(tx, queue, handle, timeout, now)
                except ServiceError:
                    continue

        await self._in_queue(account, region, url, run)

    # --- message move tasks and retention ---------------------------------------------------------------------

    async def _source_access(self, who: Caller, source_arn: str, action: str) -> Access | None:
        """What to check before `who` may perform a message move task `action` on the dead-letter queue
        `source_arn` (see _source)."""
        parsed = parse_arn(source_arn)
        return await self._access(who, parsed[1], action) if parsed is not None else None

    @staticmethod
    def _source(tx: Tx, source_arn: str, access: Access | None) -> Queue:
        """The move task's source queue; another account's is refused (no queue policy grants the move tasks).
        A source that does not exist answers ResourceNotFoundException first, as recorded on AWS for a task handle
        naming another account's missing queue."""
        source = move_tasks.source_queue(tx, source_arn)
        if access is not None:
            access.check(source_arn, None)
        return source

    async def start_message_move_task(
        self, who: Caller, region: str, source_arn: str, destination_arn: str | None, rate: int | None
    ) -> str:
        """Start moving the dead-letter queue's messages (to `destination_arn`, else back to their sources);
        the task's handle. The moves send with the caller's rights: another account's destination must allow it
        sqs:SendMessage (the sources a dead-letter queue returns messages to are of its own account)."""
        move_tasks.check_rate(rate)
        access = await self._source_access(who, source_arn, "StartMessageMoveTask")
        destination = parse_arn(destination_arn) if destination_arn is not None else None
        send = await self._access(who, destination[1], "SendMessage") if destination is not None else None
        now = self.clock.now_ms()

        def run(tx: Tx) -> str:
            self._source(tx, source_arn, access)
            if send is not None and destination_arn is not None:
                target = store.get_queue_by_arn(tx, destination_arn)
                send.check(destination_arn, target.attributes.get("Policy") if target is not None else None)
            return move_tasks.start_in_tx(tx, who.account, region, source_arn, destination_arn, rate, now)

        return await self.store.write(run)

    async def cancel_message_move_task(self, who: Caller, handle: str) -> int:
        """Cancel a running task; how many messages it had moved."""
        source_arn = move_tasks.handle_source(handle)
        access = await self._source_access(who, source_arn, "CancelMessageMoveTask")

        def run(tx: Tx) -> int:
            self._source(tx, source_arn, access)
            return move_tasks.cancel_in_tx(tx, handle, source_arn)

        return await self.store.write(run)

    async def list_message_move_tasks(self, who: Caller, source_arn: str, limit: int | None) -> list[MoveTask]:
        """The source queue's most recent tasks, newest first."""
        count = move_tasks.check_list_limit(limit)
        access = await self._source_access(who, source_arn, "ListMessageMoveTasks")

        def run(tx: Tx) -> list[MoveTask]:
            self._source(tx, source_arn, access)
            return store_moves.list_tasks(tx, source_arn, count)

        return await self.store.read(run)

    async def running_move_tasks(self) -> list[str]:
        return await self.store.read(store_moves.running_handles)

    async def move_step(self, handle: str) -> float | None:
        """One step of a running task; the pause before the next, or None when the task is over."""
        return await self.store.write(lambda tx: move_tasks.step_in_tx(tx, handle, self.clock.now_ms()))

    async def sweep(self) -> None:
        """Retention: delete messages older than their queue's MessageRetentionPeriod; expire deduplication ids,
        receive attempts and deleted queues' names."""

        def run(tx: Tx) -> None:
            now = self.clock.now_ms()
            for queue in store.all_queues(tx):
                store.delete_expired(tx, queue.id, now - queue.int_attr("MessageRetentionPeriod") * 1000)
            store.sweep_tables(tx, now, now / 1000 - limits.QUEUE_DELETE_GRACE_SECONDS)

        await self.store.write(run)
