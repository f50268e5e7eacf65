"""The durable outbox: ``enqueue`` in the producer's transaction, a dispatcher on every node delivers.

A target that can deliver inside the producer's transaction does so at once (a publish to twenty SQS
queues commits all twenty messages with the publish); anything else, and any failure worth retrying,
becomes an outbox row that survives restarts.  Rows are claimed with row locks, so on PostgreSQL every
delivery is attempted by one node at a time; a node that dies mid-delivery loses its claim when it expires.
A row carries its producer's trace and each attempt records a segment with its fate (hops.py).
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .. import tracing
from . import hops
from .targets import DeadLetter, DeliveryError, RetryPolicy, Target

if TYPE_CHECKING:
    from ..runtime import Runtime
    from ..store.base import Tx

log = logging.getLogger("gureum.delivery")
MIGRATIONS = Path(__file__).parent / "migrations"
CHANNEL = "delivery"
_CLAIM_BATCH = 100
_COLUMNS = "id, kind, address, payload, policy, dead_letter, source, attempts, created_at, claim_ms"
DEFAULT_POLICY = RetryPolicy()


def release_claims(tx: Tx) -> None:
    """Void every claim (SQLite at start: one process owns the file, so claims of a killed predecessor are void)."""
    tx.execute("UPDATE delivery_outbox SET claimed_until = NULL WHERE claimed_until IS NOT NULL")


def _lock(tx: Tx) -> str:
    return " FOR UPDATE SKIP LOCKED" if tx.dialect == "postgresql" else ""


class Delivery:
    def __init__(self, runtime: Runtime, targets: dict[str, Target]) -> None:
        self.runtime = runtime
        self.targets = targets
        # told (on the producer's thread) of a row written for a kind no service here offers yet (gureum.loader)
        self.missing: Callable[[str], None] | None = None
        self._wake = asyncio.Event()
        self._inflight = 0

    def now_ms(self) -> int:
        return int(self.runtime.clock.now() * 1000)

    # --- producing (runs inside the producer's transaction, on the store thread) ----------------------

    def enqueue(
        self,
        tx: Tx,
        kind: str,
        address: str,
        payload: dict[str, Any],
        *,
        policy: RetryPolicy | None = None,
        dead_letter: DeadLetter | None = None,
        source: str | None = None,
        delay: float = 0.0,
        timeout: float | None = None,
        traced: bool = True,
    ) -> None:
        """Deliver ``payload`` to ``address`` through the target ``kind``; ``timeout`` (seconds) bounds one
        asynchronous attempt when it should be shorter than the kind's default (e.g. a function's own timeout);
        ``traced``: False for rows that are no hop of the producer's trace (log shipping), whether or not the
        target's service has loaded yet."""
        target = self.targets.get(kind)  # None: a kind no service here offers yet; the row waits for one
        now = self.now_ms()
        # made in the producer's transaction, a delivery is part of the producer's segment; a row records its own
        attempts = 0
        if target is not None and target.in_tx is not None and delay <= 0:
            try:
                target.in_tx(self.runtime, tx, address, payload)
                return
            except DeliveryError as error:
                if not error.retryable:
                    self._give_up(tx, error, 1, dead_letter, source, now)
                    return
                attempts = 1  # this try counts towards the policy's attempts
        elif target is None and self.missing is not None:
            self.missing(kind)
        tx.execute(
            "INSERT INTO delivery_outbox (kind, address, payload, policy, dead_letter, source, attempts, created_at,"
            " next_at, claim_ms) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                kind,
                address,
                json.dumps(hops.carry(payload, not traced or (target is not None and target.starts_trace))),
                (policy or DEFAULT_POLICY).to_json(),
                dead_letter.to_json() if dead_letter else None,
                source,
                attempts,
                now,
                now + int(delay * 1000),
                None if timeout is None else int(timeout * 1000),
            ),
        )
        tx.notify(CHANNEL, "")

    def _give_up(
        self,
        tx: Tx,
        error: DeliveryError,
        attempts: int,
        dead_letter: DeadLetter | None,
        source: str | None,
        now: int,
    ) -> None:
        if dead_letter is None:
            log.warning("delivery from %s dropped after %d attempt(s): %s", source, attempts, error.message)
            return
        self.enqueue(tx, dead_letter.kind, dead_letter.address, dead_letter.payload_for(error, attempts), source=source)

    # --- dispatching ------------------------------------------------------------------------------------

    def wake(self, _payload: str = "") -> None:
        self._wake.set()

    async def run(self) -> None:
        """The node's dispatcher: deliver what is due, sleep until the next row is due or a wake-up."""
        self.runtime.store.subscribe(CHANNEL, self.wake)
        while True:
            self._wake.clear()
            try:
                calls, next_at = await self.runtime.store.write(self._claim)
            except Exception:
                log.exception("delivery dispatcher failed to claim work")
                await asyncio.sleep(1.0)
                continue
            if calls:
                for row in calls:
                    self.runtime.spawn(self._call(row), f"delivery-{row[0]}")
                continue
            timeout = 60.0 if next_at is None else max(0.0, next_at / 1000 - self.runtime.clock.now())
            try:
                await asyncio.wait_for(self._wake.wait(), timeout)
            except TimeoutError:
                pass

    def _claim(self, tx: Tx) -> tuple[list[tuple[Any, ...]], int | None]:
        """Deliver due in-transaction rows right here; claim the rest for asynchronous calls."""
        now = self.now_ms()
        # only kinds this node offers: rows waiting for a service it does not run must neither fill the batch
        # nor count as due (they would make the dispatcher spin without sleeping)
        kinds = tuple(self.targets) or ("",)
        offered = f"kind IN ({','.join('?' * len(kinds))})"
        rows = tx.all(
            f"SELECT {_COLUMNS} FROM delivery_outbox WHERE next_at <= ?"
            f" AND (claimed_until IS NULL OR claimed_until <= ?) AND {offered} ORDER BY next_at LIMIT ?{_lock(tx)}",
            (now, now, *kinds, _CLAIM_BATCH),
        )
        calls = []
        for row in rows:
            row_id, kind, address, payload = row[0], row[1], row[2], json.loads(row[3])
            target = self.targets.get(kind)
            if target is None:
                continue  # offered by a service this node does not run: another node will
            if target.in_tx is not None:
                payload, header = hops.split(payload)
                span = hops.begin(self.runtime, kind, address, row[6], header, target.starts_trace)
                token = tracing.use(span.header if span is not None else header)
                tx.execute("SAVEPOINT delivery")
                try:
                    target.in_tx(self.runtime, tx, address, payload)
                except Exception as exc:  # a target's bug must not stall the rows behind this one
                    tx.execute("ROLLBACK TO SAVEPOINT delivery")
                    if isinstance(exc, DeliveryError):
                        error = exc
                    else:
                        log.exception("delivery target %s failed", kind)
                        error = DeliveryError(f"{type(exc).__name__}: {exc}", code="InternalError")
                    _ended(span, row, error, self._failed(tx, row, error, now))
                else:
                    tx.execute("DELETE FROM delivery_outbox WHERE id = ?", (row_id,))
                    _ended(span, row, None, "delivered")
                finally:
                    tracing.restore(token)
                tx.execute("RELEASE SAVEPOINT delivery")
            else:
                tx.execute(
                    "UPDATE delivery_outbox SET claimed_until = ? WHERE id = ?",
                    (now + _attempt_ms(target, row) + 5000, row_id),
                )
                calls.append(row)
        if len(rows) == _CLAIM_BATCH:
            return calls, now
        nxt = tx.one(
            "SELECT MIN(next_at) FROM delivery_outbox"
            f" WHERE (claimed_until IS NULL OR claimed_until <= ?) AND {offered}",
            (now, *kinds),
        )
        later = tx.one("SELECT MIN(claimed_until) FROM delivery_outbox WHERE claimed_until > ?", (now,))
        candidates = [v for v in ((nxt or [None])[0], (later or [None])[0]) if v is not None]
        return calls, min(candidates) if candidates else None

    def _failed(self, tx: Tx, row: tuple[Any, ...], error: DeliveryError, now: int) -> str:
        """Retry the row later or give it up; returns its fate (retried, dead-lettered, dropped)."""
        row_id, _kind, _address, _payload, policy_text, dead_text, source, attempts, created, _claim_ms = row
        attempts += 1
        policy = RetryPolicy.from_json(policy_text)
        wait = policy.delay(attempts)
        exhausted = (
            not error.retryable or attempts >= policy.attempts or now + wait * 1000 > created + policy.max_age * 1000
        )
        if exhausted:
            tx.execute("DELETE FROM delivery_outbox WHERE id = ?", (row_id,))
            self._give_up(tx, error, attempts, DeadLetter.from_json(dead_text) if dead_text else None, source, now)
            return "dead-lettered" if dead_text else "dropped"
        else:
            tx.execute(
                "UPDATE delivery_outbox SET attempts = ?, next_at = ?, claimed_until = NULL, last_error = ?"
                " WHERE id = ?",
                (attempts, now + int(wait * 1000), f"{error.code}: {error.message}"[:1000], row_id),
            )
            return "retried"

    async def _call(self, row: tuple[Any, ...]) -> None:
        row_id, kind, address = row[0], row[1], row[2]
        target = self.targets[kind]
        assert target.call is not None
        payload, header = hops.split(json.loads(row[3]))
        span = hops.begin(self.runtime, kind, address, row[6], header, target.starts_trace)
        tracing.use(span.header if span is not None else header)  # this task's: the call and the row's fate
        error: DeliveryError | None = None
        limit = _attempt_ms(target, row) / 1000
        try:
            await asyncio.wait_for(target.call(self.runtime, address, payload), limit)
        except DeliveryError as exc:
            error = exc
        except TimeoutError:
            error = DeliveryError(f"no answer within {limit:.0f} s", code="Timeout")
        except Exception as exc:  # a bug in the target: retry, and say so
            log.exception("delivery target %s failed", kind)
            error = DeliveryError(str(exc), code="InternalError")

        def finish(tx: Tx) -> str:
            fate = "delivered"
            if error is None:
                tx.execute("DELETE FROM delivery_outbox WHERE id = ?", (row_id,))
            else:
                fate = self._failed(tx, row, error, self.now_ms())
            tx.notify(CHANNEL, "")
            return fate

        fate = await self.runtime.store.write(finish)
        _ended(span, row, error, fate)

    async def pending(self) -> int:
        """Rows still waiting (for tests and health)."""
        row = await self.runtime.store.read(lambda tx: tx.one("SELECT COUNT(*) FROM delivery_outbox"))
        return int(row[0]) if row else 0


def _ended(span: tracing.Span | None, row: tuple[Any, ...], error: DeliveryError | None, fate: str) -> None:
    """Record the attempt's segment: its number, fate and error."""
    if span is not None:
        failed = error is not None
        span.end(
            status=500 if failed else 200,
            error=failed,
            cause=f"{error.code}: {error.message}" if error is not None else None,
            attempt=row[7] + 1,
            fate=fate,
        )


def _attempt_ms(target: Target, row: tuple[Any, ...]) -> int:
    """How long one attempt of this row may take: the producer's bound when it gave one, else the kind's."""
    return int(row[9]) if row[9] is not None else int(target.timeout * 1000)
