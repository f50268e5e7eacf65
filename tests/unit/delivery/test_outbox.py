"""The outbox (gureum/delivery): in-transaction delivery, claims, backoff and dead letters, driven step by step.

A real store (SQLite in memory) and a FakeClock: each test claims with ``store.write(delivery._claim)``, calls with
``delivery._call(row)`` and moves the clock between the steps, so nothing sleeps and nothing depends on the
dispatcher loop's own timing.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Awaitable, Callable
from typing import Any

import pytest

from gureum.clock import FakeClock
from gureum.config import Config
from gureum.delivery import (
    MIGRATIONS,
    DeadLetter,
    Delivery,
    DeliveryError,
    RetryPolicy,
    Target,
    attributes_from_payload,
    attributes_to_payload,
    guarded,
    release_claims,
)
from gureum.runtime import Runtime
from gureum.store import Store, Tx, open_store

Row = tuple[Any, ...]
ERROR_ATTRIBUTES = {"ErrorCode": "code", "ErrorMessage": "message", "Attempts": "attempts"}


class World:
    """A store, a fake clock and recording targets; ``node(*kinds)`` is one node's delivery path offering those kinds.

    "box" delivers in the transaction (a row in ``received``; raises ``box_fails`` when set, before writing),
    "half" writes a row and then fails (what a savepoint must undo), "dead" is an in-transaction dead-letter target,
    "http" is an asynchronous call that records what it is called with and answers from ``outcomes``
    (None: success), "hang" is a call that never answers.
    """

    def __init__(self, store: Store, clock: FakeClock) -> None:
        self.store = store
        self.clock = clock
        self.called: list[tuple[str, dict[str, Any]]] = []
        self.outcomes: list[BaseException | None] = []
        self.box_fails: DeliveryError | None = None
        self.targets = {
            "box": Target("box", in_tx=self._box),
            "half": Target("half", in_tx=self._half),
            "dead": Target("dead", in_tx=self._dead),
            "http": Target("http", call=self._http, timeout=30.0),
            "hang": Target("hang", call=self._hang, timeout=30.0),
        }
        self.delivery = self.node(*self.targets)

    def node(self, *kinds: str) -> Delivery:
        runtime = Runtime(Config(), self.store, clock=self.clock)
        runtime.delivery = Delivery(runtime, {kind: self.targets[kind] for kind in kinds})
        return runtime.delivery

    # --- targets -------------------------------------------------------------------------------------------------

    @staticmethod
    def _record(tx: Tx, kind: str, address: str, payload: dict[str, Any]) -> None:
        tx.execute(
            "INSERT INTO received (kind, address, payload) VALUES (?, ?, ?)", (kind, address, json.dumps(payload))
        )

    def _box(self, _runtime: Runtime, tx: Tx, address: str, payload: dict[str, Any]) -> None:
        if self.box_fails is not None:
            raise self.box_fails
        self._record(tx, "box", address, payload)

    def _half(self, _runtime: Runtime, tx: Tx, address: str, payload: dict[str, Any]) -> None:
        self._record(tx, "half", address, payload)
        raise DeliveryError("failed after writing", code="Half")

    def _dead(self, _runtime: Runtime, tx: Tx, address: str, payload: dict[str, Any]) -> None:
        self._record(tx, "dead", address, payload)

    async def _http(self, _runtime: Runtime, address: str, payload: dict[str, Any]) -> None:
        self.called.append((address, payload))
        outcome = self.outcomes.pop(0) if self.outcomes else None
        if outcome is not None:
            raise outcome

    async def _hang(self, _runtime: Runtime, address: str, payload: dict[str, Any]) -> None:
        self.called.append((address, payload))
        await asyncio.Event().wait()

    # --- steps ---------------------------------------------------------------------------------------------------

    def now_ms(self) -> int:
        return self.delivery.now_ms()

    async def enqueue(self, kind: str, address: str, payload: dict[str, Any], **options: Any) -> None:
        await self.store.write(lambda tx: self.delivery.enqueue(tx, kind, address, payload, **options))

    async def claim(self, node: Delivery | None = None) -> tuple[list[Row], int | None]:
        calls, next_at = await self.store.write((node or self.delivery)._claim)
        return calls, next_at

    async def outbox(self) -> list[dict[str, Any]]:
        rows = await self.store.read(
            lambda tx: tx.all(
                "SELECT kind, address, attempts, created_at, next_at, claimed_until, last_error, claim_ms"
                " FROM delivery_outbox ORDER BY id"
            )
        )
        names = ("kind", "address", "attempts", "created_at", "next_at", "claimed_until", "last_error", "claim_ms")
        return [dict(zip(names, row)) for row in rows]

    async def received(self, kind: str) -> list[tuple[str, dict[str, Any]]]:
        rows = await self.store.read(
            lambda tx: tx.all("SELECT address, payload FROM received WHERE kind = ? ORDER BY id", (kind,))
        )
        return [(address, json.loads(payload)) for address, payload in rows]


def run(scenario: Callable[[World], Awaitable[None]]) -> None:
    async def main() -> None:
        store = open_store(None, None)
        try:
            await store.migrate("delivery", MIGRATIONS)
            await store.write(
                lambda tx: tx.execute(
                    "CREATE TABLE received (id INTEGER PRIMARY KEY, kind TEXT, address TEXT, payload TEXT)"
                )
            )
            await scenario(World(store, FakeClock()))
        finally:
            await store.close()

    asyncio.run(main())


# --- in-transaction delivery ------------------------------------------------------------------------------------


def test_an_in_transaction_target_delivers_at_enqueue_with_the_producers_transaction() -> None:
    async def scenario(w: World) -> None:
        def produce(tx: Tx) -> list[tuple[Any, ...]]:
            w.delivery.enqueue(tx, "box", "queue-a", {"body": "hello"})
            # visible inside the producer's own transaction: the delivery is part of it
            return tx.all("SELECT address, payload FROM received")

        assert await w.store.write(produce) == [("queue-a", '{"body": "hello"}')]
        assert await w.outbox() == []
        assert await w.received("box") == [("queue-a", {"body": "hello"})]

    run(scenario)


def test_an_in_transaction_delivery_is_undone_with_a_producer_that_fails() -> None:
    async def scenario(w: World) -> None:
        def produce_then_fail(tx: Tx) -> None:
            w.delivery.enqueue(tx, "box", "queue-a", {"body": "lost"})
            w.delivery.enqueue(tx, "http", "https://example.test/", {"body": "lost too"})
            raise RuntimeError("the producer's change failed")

        with pytest.raises(RuntimeError):
            await w.store.write(produce_then_fail)
        assert await w.received("box") == [] and await w.outbox() == []

    run(scenario)


def test_an_asynchronous_kind_becomes_a_row_due_now() -> None:
    async def scenario(w: World) -> None:
        now = w.now_ms()
        await w.enqueue("http", "https://example.test/", {"body": "x"}, source="arn:src")
        assert await w.outbox() == [
            {
                "kind": "http",
                "address": "https://example.test/",
                "attempts": 0,
                "created_at": now,
                "next_at": now,
                "claimed_until": None,
                "last_error": None,
                "claim_ms": None,
            }
        ]
        assert w.called == []  # nothing is called inside the producer's transaction

    run(scenario)


def test_a_retryable_in_transaction_failure_at_enqueue_leaves_a_row_for_the_dispatcher() -> None:
    async def scenario(w: World) -> None:
        w.box_fails = DeliveryError("busy", code="Busy")
        now = w.now_ms()
        await w.enqueue("box", "queue-a", {"body": "x"})
        assert [(r["kind"], r["next_at"], r["claimed_until"]) for r in await w.outbox()] == [("box", now, None)]
        w.box_fails = None
        calls, next_at = await w.claim()  # the dispatcher delivers it in its own transaction
        assert calls == [] and next_at is None
        assert await w.received("box") == [("queue-a", {"body": "x"})] and await w.outbox() == []

    run(scenario)


def test_the_attempt_at_enqueue_counts_towards_the_policys_attempts() -> None:
    async def scenario(w: World) -> None:
        w.box_fails = DeliveryError("busy", code="Busy")
        dead = DeadLetter("dead", "dlq", {"body": "x"}, error_attributes={"Attempts": "attempts"})
        await w.enqueue("box", "queue-a", {"body": "x"}, policy=RetryPolicy(attempts=2), dead_letter=dead)
        await w.claim()  # the second try: RetryPolicy(attempts=2) is two tries in all
        assert await w.outbox() == []
        [(_, payload)] = await w.received("dead")
        assert payload["message_attributes"]["Attempts"]["StringValue"] == "2"

    run(scenario)


def test_a_non_retryable_failure_at_enqueue_goes_straight_to_the_dead_letter() -> None:
    async def scenario(w: World) -> None:
        w.box_fails = DeliveryError("no such queue", code="NonExistentQueue", retryable=False)
        dead = DeadLetter("dead", "dlq", {"body": "x"}, error_attributes=ERROR_ATTRIBUTES)
        await w.enqueue("box", "queue-a", {"body": "x"}, dead_letter=dead, source="arn:src")
        assert await w.outbox() == [] and await w.received("box") == []
        assert await w.received("dead") == [
            (
                "dlq",
                {
                    "body": "x",
                    "message_attributes": {
                        "ErrorCode": {"DataType": "String", "StringValue": "NonExistentQueue"},
                        "ErrorMessage": {"DataType": "String", "StringValue": "no such queue"},
                        "Attempts": {"DataType": "String", "StringValue": "1"},
                    },
                },
            )
        ]

    run(scenario)


def test_a_delayed_row_is_not_due_before_its_time_and_is_due_after() -> None:
    async def scenario(w: World) -> None:
        start = w.now_ms()
        await w.enqueue("http", "https://example.test/", {"body": "later"}, delay=10)
        [row] = await w.outbox()
        assert row["next_at"] == start + 10_000
        w.clock.advance(9.999)
        assert await w.claim() == ([], start + 10_000)  # not yet: the dispatcher sleeps until it is due
        w.clock.advance(0.001)
        calls, _ = await w.claim()
        assert [(c[1], c[2], json.loads(c[3])) for c in calls] == [("http", "https://example.test/", {"body": "later"})]

    run(scenario)


def test_a_delayed_in_transaction_row_is_delivered_by_the_claim_when_due() -> None:
    async def scenario(w: World) -> None:
        await w.enqueue("box", "queue-a", {"body": "later"}, delay=5)
        assert await w.received("box") == []  # a delay defers even an in-transaction target
        w.clock.advance(4)
        await w.claim()
        assert await w.received("box") == []
        w.clock.advance(1)
        assert await w.claim() == ([], None)
        assert await w.received("box") == [("queue-a", {"body": "later"})] and await w.outbox() == []

    run(scenario)


# --- asynchronous calls -----------------------------------------------------------------------------------------


def test_a_successful_call_deletes_the_row() -> None:
    async def scenario(w: World) -> None:
        await w.enqueue("http", "https://example.test/", {"body": "x"})
        calls, _ = await w.claim()
        assert len(calls) == 1
        await w.delivery._call(calls[0])
        assert w.called == [("https://example.test/", {"body": "x"})]
        assert await w.outbox() == []
        assert await w.claim() == ([], None)

    run(scenario)


@pytest.mark.parametrize(
    ("policy", "waits"),
    [
        (RetryPolicy(attempts=6, min_delay=2.0, max_delay=60.0), [2.0, 4.0, 8.0, 16.0, 32.0]),
        (RetryPolicy(attempts=6, min_delay=10.0, max_delay=25.0), [10.0, 20.0, 25.0, 25.0, 25.0]),
        (RetryPolicy(attempts=5, min_delay=1.0, max_delay=9.0, backoff="linear"), [1.0, 3.0, 5.0, 7.0]),
    ],
    ids=["exponential", "exponential-capped", "linear"],
)
def test_a_retryable_failure_backs_off_per_the_policy(policy: RetryPolicy, waits: list[float]) -> None:
    async def scenario(w: World) -> None:
        assert [policy.delay(attempt) for attempt in range(1, len(waits) + 1)] == waits
        await w.enqueue("http", "https://example.test/", {"body": "x"}, policy=policy)
        for attempt, wait in enumerate(waits, 1):
            w.outcomes.append(DeliveryError(f"refused {attempt}", code="Refused"))
            calls, _ = await w.claim()
            assert len(calls) == 1, f"attempt {attempt} was not due"
            failed_at = w.now_ms()
            await w.delivery._call(calls[0])
            [row] = await w.outbox()
            assert row["attempts"] == attempt
            assert row["next_at"] == failed_at + int(wait * 1000)
            assert row["claimed_until"] is None and row["last_error"] == f"Refused: refused {attempt}"
            assert await w.claim() == ([], row["next_at"])  # not due again before the backoff is over
            w.clock.advance(wait)
        assert len(w.called) == len(waits)

    run(scenario)


def test_a_row_that_succeeds_on_a_retry_is_gone() -> None:
    async def scenario(w: World) -> None:
        await w.enqueue("http", "https://example.test/", {"body": "x"}, policy=RetryPolicy(attempts=3))
        w.outcomes += [DeliveryError("refused"), None]
        for _ in range(2):
            calls, _ = await w.claim()
            await w.delivery._call(calls[0])
            w.clock.advance(60)
        assert await w.outbox() == [] and len(w.called) == 2 and await w.received("dead") == []

    run(scenario)


def test_exhausted_attempts_send_the_payload_to_the_dead_letter_with_the_error() -> None:
    async def scenario(w: World) -> None:
        base = {"body": "x", "message_attributes": {"kept": {"DataType": "String", "StringValue": "yes"}}}
        dead = DeadLetter("dead", "dlq", base, error_attributes=ERROR_ATTRIBUTES)
        policy = RetryPolicy(attempts=3, min_delay=1.0)
        await w.enqueue("http", "https://example.test/", {"body": "x"}, policy=policy, dead_letter=dead)
        for attempt in (1, 2, 3):
            w.outcomes.append(DeliveryError(f"refused {attempt}", code="Refused"))
            calls, _ = await w.claim()
            assert len(calls) == 1
            await w.delivery._call(calls[0])
            w.clock.advance(policy.delay(attempt))
        assert await w.outbox() == []
        assert await w.received("dead") == [
            (
                "dlq",
                {
                    "body": "x",
                    "message_attributes": {
                        "kept": {"DataType": "String", "StringValue": "yes"},
                        "ErrorCode": {"DataType": "String", "StringValue": "Refused"},
                        "ErrorMessage": {"DataType": "String", "StringValue": "refused 3"},
                        "Attempts": {"DataType": "String", "StringValue": "3"},
                    },
                },
            )
        ]
        assert base["message_attributes"] == {"kept": {"DataType": "String", "StringValue": "yes"}}  # not mutated

    run(scenario)


def test_a_retry_that_would_pass_max_age_dead_letters_instead() -> None:
    async def scenario(w: World) -> None:
        dead = DeadLetter("dead", "dlq", {"body": "x"}, error_attributes={"Attempts": "attempts"})
        # 100 attempts allowed, but the second would be 40 s after creation, past max_age = 30 s
        policy = RetryPolicy(attempts=100, min_delay=20.0, max_delay=20.0, max_age=30.0)
        await w.enqueue("http", "https://example.test/", {"body": "x"}, policy=policy, dead_letter=dead)
        w.outcomes += [DeliveryError("refused"), DeliveryError("refused")]
        calls, _ = await w.claim()
        await w.delivery._call(calls[0])
        [row] = await w.outbox()
        assert row["attempts"] == 1  # 0 + 20 s is within 30 s of creation: retried
        w.clock.advance(20)
        calls, _ = await w.claim()
        await w.delivery._call(calls[0])  # 20 + 20 s would be past it
        assert await w.outbox() == []
        [(_, payload)] = await w.received("dead")
        assert payload["message_attributes"]["Attempts"]["StringValue"] == "2"

    run(scenario)


def test_max_age_counts_from_creation_not_from_a_delayed_start() -> None:
    async def scenario(w: World) -> None:
        policy = RetryPolicy(attempts=10, min_delay=5.0, max_age=60.0)
        dead = DeadLetter("dead", "dlq", {"body": "x"})
        await w.enqueue("http", "https://example.test/", {}, policy=policy, dead_letter=dead, delay=58)
        w.clock.advance(58)
        w.outcomes.append(DeliveryError("refused"))
        calls, _ = await w.claim()
        await w.delivery._call(calls[0])  # first failure at 58 s: a retry at 63 s would be past 60 s
        assert await w.outbox() == [] and len(await w.received("dead")) == 1

    run(scenario)


def test_a_non_retryable_call_failure_goes_straight_to_the_dead_letter() -> None:
    async def scenario(w: World) -> None:
        dead = DeadLetter("dead", "dlq", {"body": "x"}, error_attributes=ERROR_ATTRIBUTES)
        await w.enqueue(
            "http", "https://example.test/", {"body": "x"}, policy=RetryPolicy(attempts=5), dead_letter=dead
        )
        w.outcomes.append(DeliveryError("gone", code="Gone", retryable=False))
        calls, _ = await w.claim()
        await w.delivery._call(calls[0])
        assert await w.outbox() == []
        [(_, payload)] = await w.received("dead")
        attributes = {name: value["StringValue"] for name, value in payload["message_attributes"].items()}
        assert attributes == {"ErrorCode": "Gone", "ErrorMessage": "gone", "Attempts": "1"}

    run(scenario)


def test_without_a_dead_letter_an_exhausted_delivery_is_dropped_and_logged(caplog: pytest.LogCaptureFixture) -> None:
    async def scenario(w: World) -> None:
        await w.enqueue("http", "https://example.test/", {}, policy=RetryPolicy(attempts=1), source="arn:src")
        w.outcomes.append(DeliveryError("refused"))
        calls, _ = await w.claim()
        await w.delivery._call(calls[0])
        assert await w.outbox() == [] and await w.received("dead") == []

    with caplog.at_level(logging.WARNING, logger="gureum.delivery"):
        run(scenario)
    assert any("arn:src" in r.getMessage() and "dropped" in r.getMessage() for r in caplog.records)


def test_a_dead_letter_to_an_asynchronous_kind_is_itself_an_outbox_row() -> None:
    async def scenario(w: World) -> None:
        dead = DeadLetter("http", "https://dlq.example.test/", {"body": "failed"}, error_attributes={"Why": "code"})
        w.box_fails = DeliveryError("no", code="No", retryable=False)
        await w.enqueue("box", "queue-b", {}, dead_letter=dead, source="arn:src")
        [row] = await w.outbox()
        assert (row["kind"], row["address"], row["attempts"]) == ("http", "https://dlq.example.test/", 0)
        calls, _ = await w.claim()
        await w.delivery._call(calls[0])
        assert w.called == [
            (
                "https://dlq.example.test/",
                {"body": "failed", "message_attributes": {"Why": {"DataType": "String", "StringValue": "No"}}},
            )
        ]

    run(scenario)


def test_an_unexpected_exception_in_a_call_is_a_retryable_internal_error() -> None:
    async def scenario(w: World) -> None:
        await w.enqueue("http", "https://example.test/", {}, policy=RetryPolicy(attempts=3))
        w.outcomes.append(ValueError("a bug in the target"))
        calls, _ = await w.claim()
        await w.delivery._call(calls[0])
        [row] = await w.outbox()
        assert (row["attempts"], row["last_error"]) == (1, "InternalError: a bug in the target")

    run(scenario)


def test_a_call_that_does_not_answer_within_its_timeout_is_retried() -> None:
    async def scenario(w: World) -> None:
        # the attempt's bound is real time (asyncio.wait_for): 10 ms, the enqueue's own timeout
        await w.enqueue("hang", "fn", {}, timeout=0.01, policy=RetryPolicy(attempts=3, min_delay=7.0))
        calls, _ = await w.claim()
        failed_at = w.now_ms()
        await w.delivery._call(calls[0])
        [row] = await w.outbox()
        assert row["attempts"] == 1 and row["last_error"].startswith("Timeout: no answer within")
        assert row["next_at"] == failed_at + 7000 and row["claimed_until"] is None

    run(scenario)


def test_an_in_transaction_failure_in_the_claim_is_undone_and_retried() -> None:
    async def scenario(w: World) -> None:
        await w.enqueue("half", "queue-a", {"body": "x"}, delay=1, policy=RetryPolicy(attempts=3, min_delay=4.0))
        w.clock.advance(1)
        claimed_at = w.now_ms()
        assert await w.claim() == ([], claimed_at + 4000)
        assert await w.received("half") == []  # the partial write rolled back to the claim's savepoint
        [row] = await w.outbox()
        assert (row["attempts"], row["next_at"], row["last_error"]) == (
            1,
            claimed_at + 4000,
            "Half: failed after writing",
        )

    run(scenario)


def test_in_transaction_rows_of_one_claim_do_not_share_a_failure() -> None:
    async def scenario(w: World) -> None:
        await w.enqueue("half", "queue-a", {"n": 1}, delay=1)
        await w.enqueue("box", "queue-b", {"n": 2}, delay=1)
        await w.enqueue("half", "queue-c", {"n": 3}, delay=1)
        await w.enqueue("box", "queue-d", {"n": 4}, delay=1)
        w.clock.advance(1)
        await w.claim()
        assert await w.received("box") == [("queue-b", {"n": 2}), ("queue-d", {"n": 4})]
        assert await w.received("half") == []
        assert [(r["address"], r["attempts"]) for r in await w.outbox()] == [("queue-a", 1), ("queue-c", 1)]

    run(scenario)


def test_an_unexpected_error_in_an_unguarded_target_does_not_block_the_outbox() -> None:
    def buggy(_runtime: Runtime, _tx: Tx, _address: str, _payload: dict[str, Any]) -> None:
        raise KeyError("a bug in the target")

    async def scenario(w: World) -> None:
        w.targets["buggy"] = Target("buggy", in_tx=buggy)
        w.delivery = w.node("buggy", "box")
        await w.enqueue("buggy", "first", {}, delay=1)
        await w.enqueue("box", "second", {"body": "x"}, delay=2)
        w.clock.advance(2)
        await w.claim()
        assert await w.received("box") == [("second", {"body": "x"})]
        assert [(r["address"], r["attempts"]) for r in await w.outbox()] == [("first", 1)]

    run(scenario)


# --- claims -----------------------------------------------------------------------------------------------------


def test_a_claimed_row_is_not_claimed_again_until_the_targets_timeout_plus_five_seconds() -> None:
    async def scenario(w: World) -> None:
        await w.enqueue("http", "https://example.test/", {})
        claimed_at = w.now_ms()
        calls, next_at = await w.claim()
        assert len(calls) == 1
        until = claimed_at + 30_000 + 5_000  # Target.timeout 30 s, plus 5 s
        assert next_at == until  # the dispatcher wakes when the claim runs out
        [row] = await w.outbox()
        assert row["claimed_until"] == until
        other = w.node("http")  # another node sees the claim too
        w.clock.advance(34)
        assert await w.claim() == ([], until) and await w.claim(other) == ([], until)
        w.clock.advance(1)  # the claimer died mid-call: the row is anyone's again
        calls, _ = await w.claim(other)
        assert len(calls) == 1
        [row] = await w.outbox()
        assert row["claimed_until"] == w.now_ms() + 35_000 and row["attempts"] == 0

    run(scenario)


def test_the_enqueue_timeout_bounds_the_claim_instead_of_the_targets() -> None:
    async def scenario(w: World) -> None:
        await w.enqueue("http", "fn", {}, timeout=2.5)
        claimed_at = w.now_ms()
        calls, next_at = await w.claim()
        assert len(calls) == 1 and next_at == claimed_at + 2_500 + 5_000
        [row] = await w.outbox()
        assert (row["claim_ms"], row["claimed_until"]) == (2_500, claimed_at + 7_500)
        w.clock.advance(7)
        assert (await w.claim())[0] == []
        w.clock.advance(0.5)
        assert len((await w.claim())[0]) == 1

    run(scenario)


def test_release_claims_makes_claimed_rows_due_at_once() -> None:
    async def scenario(w: World) -> None:
        await w.enqueue("http", "https://example.test/", {})
        assert len((await w.claim())[0]) == 1
        assert (await w.claim())[0] == []
        await w.store.write(release_claims)  # SQLite at start: the predecessor's claims are void
        [row] = await w.outbox()
        assert row["claimed_until"] is None
        assert len((await w.claim())[0]) == 1

    run(scenario)


def test_the_next_due_time_is_the_earliest_row_or_claim_expiry() -> None:
    async def scenario(w: World) -> None:
        start = w.now_ms()
        await w.enqueue("http", "a", {}, delay=50)
        await w.enqueue("http", "b", {}, delay=20)
        assert await w.claim() == ([], start + 20_000)
        await w.enqueue("http", "c", {}, timeout=1)  # due now; its claim runs out at +6 s
        calls, next_at = await w.claim()
        assert [c[2] for c in calls] == ["c"] and next_at == start + 6_000
        await w.delivery._call(calls[0])
        assert await w.claim() == ([], start + 20_000)

    run(scenario)


def test_rows_of_kinds_this_node_does_not_offer_are_neither_claimed_nor_due() -> None:
    async def scenario(w: World) -> None:
        here = w.node("box", "dead")  # a node that runs no service offering "http"
        await w.enqueue("http", "https://example.test/", {})
        assert await w.claim(here) == ([], None)  # not claimed, and nothing due: the dispatcher may sleep
        [row] = await w.outbox()
        assert row["claimed_until"] is None
        calls, _ = await w.claim()  # a node offering "http" claims it
        assert len(calls) == 1

    run(scenario)


def test_rows_of_kinds_not_offered_do_not_fill_the_claim_batch() -> None:
    async def scenario(w: World) -> None:
        here = w.node("http")
        for n in range(120):  # more than one claim batch (100) of rows nobody here can deliver …
            await w.enqueue("elsewhere", f"x{n}", {})
        w.clock.advance(1)
        await w.enqueue("http", "mine", {})  # … ahead of one it can
        calls, next_at = await w.claim(here)
        assert [c[2] for c in calls] == ["mine"] and next_at is not None and next_at > w.now_ms()

    run(scenario)


def test_a_kind_no_node_offers_yet_waits_in_the_outbox() -> None:
    async def scenario(w: World) -> None:
        early = w.node("http")  # the producer's node does not run the service offering "box"
        await w.store.write(lambda tx: early.enqueue(tx, "box", "queue-a", {"body": "x"}))
        assert [r["kind"] for r in await w.outbox()] == ["box"]
        assert await w.claim() == ([], None)  # a node offering it delivers it in the claim
        assert await w.received("box") == [("queue-a", {"body": "x"})]

    run(scenario)


def test_a_full_batch_asks_to_claim_again_at_once() -> None:
    async def scenario(w: World) -> None:
        def produce(tx: Tx) -> None:
            for n in range(101):
                w.delivery.enqueue(tx, "http", f"u{n}", {})

        await w.store.write(produce)
        calls, next_at = await w.claim()
        assert len(calls) == 100 and next_at == w.now_ms()  # more may be due: no sleeping
        calls, _ = await w.claim()
        assert [c[2] for c in calls] == ["u100"]

    run(scenario)


# --- guarded ----------------------------------------------------------------------------------------------------


def test_guarded_rolls_back_the_targets_writes_and_keeps_the_producers() -> None:
    async def scenario(w: World) -> None:
        w.targets["half"] = Target("half", in_tx=guarded(w._half, "Test"))
        w.delivery = w.node("half", "dead")
        dead = DeadLetter("dead", "dlq", {"body": "x"})

        def produce(tx: Tx) -> None:
            World._record(tx, "producer", "own", {"mine": True})
            w.delivery.enqueue(tx, "half", "queue-a", {}, dead_letter=dead)  # retryable: a row for later

        await w.store.write(produce)
        assert await w.received("producer") == [("own", {"mine": True})]
        assert await w.received("half") == []
        assert [r["kind"] for r in await w.outbox()] == ["half"]

    run(scenario)


def test_guarded_turns_an_unexpected_error_into_a_retryable_internal_error() -> None:
    def broken(_runtime: Runtime, tx: Tx, address: str, _payload: dict[str, Any]) -> None:
        World._record(tx, "broken", address, {})
        raise KeyError("missing")

    async def scenario(w: World) -> None:
        run_in_tx = guarded(broken, "Test")
        runtime = w.delivery.runtime

        def attempt(tx: Tx) -> DeliveryError:
            with pytest.raises(DeliveryError) as caught:
                run_in_tx(runtime, tx, "addr", {})
            return caught.value

        error = await w.store.write(attempt)
        assert (error.code, error.retryable) == ("InternalError", True)
        assert error.message == "KeyError: 'missing'"
        assert await w.received("broken") == []

        def clean(_runtime: Runtime, tx: Tx, address: str, _payload: dict[str, Any]) -> None:
            World._record(tx, "clean", address, {})

        await w.store.write(lambda tx: guarded(clean, "Test")(runtime, tx, "addr", {}))
        assert await w.received("clean") == [("addr", {})]

    run(scenario)


def test_guarded_passes_a_delivery_error_through_unchanged() -> None:
    gone = DeliveryError("gone", code="Gone", retryable=False)

    def refuses(_runtime: Runtime, tx: Tx, address: str, _payload: dict[str, Any]) -> None:
        World._record(tx, "refuses", address, {})
        raise gone

    async def scenario(w: World) -> None:
        runtime = w.delivery.runtime

        def attempt(tx: Tx) -> BaseException | None:
            try:
                guarded(refuses, "Test")(runtime, tx, "addr", {})
            except DeliveryError as error:
                return error
            return None

        assert await w.store.write(attempt) is gone
        assert await w.received("refuses") == []

    run(scenario)


# --- the delivery contract's values -----------------------------------------------------------------------------


def test_retry_policy_and_dead_letter_survive_their_json_form() -> None:
    policy = RetryPolicy(attempts=7, min_delay=0.5, max_delay=90.0, backoff="linear", max_age=3600.0)
    assert RetryPolicy.from_json(policy.to_json()) == policy
    dead = DeadLetter("sqs", "arn:aws:sqs:us-east-1:000000000000:dlq", {"body": "b"}, {"ERROR": "code"})
    assert DeadLetter.from_json(dead.to_json()) == dead
    plain = DeadLetter("sqs", "arn", {"body": "b"})
    assert DeadLetter.from_json(plain.to_json()) == plain
    assert plain.payload_for(DeliveryError("x"), 3) == {"body": "b"}  # no error attributes asked for


def test_linear_backoff_with_one_attempt_does_not_divide_by_zero() -> None:
    assert RetryPolicy(attempts=1, min_delay=2.0, max_delay=9.0, backoff="linear").delay(1) == 2.0


def test_message_attributes_round_trip_through_a_json_payload() -> None:
    attributes: dict[str, dict[str, Any]] = {
        "bin": {"DataType": "Binary", "BinaryValue": b"\x00\xff\x10bytes"},
        "custom": {"DataType": "Binary.png", "BinaryValue": bytearray(b"\x89PNG")},
        "text": {"DataType": "String", "StringValue": "h\u00e9llo"},
        "number": {"DataType": "Number", "StringValue": "12.5"},
    }
    payload = attributes_to_payload(attributes)
    assert payload["bin"] == {"DataType": "Binary", "BinaryValue": "AP8QYnl0ZXM="}
    back = attributes_from_payload(json.loads(json.dumps(payload)))
    assert back == {**attributes, "custom": {"DataType": "Binary.png", "BinaryValue": b"\x89PNG"}}
    assert isinstance(back["bin"]["BinaryValue"], bytes)
    assert attributes_to_payload(None) == {} and attributes_from_payload(None) == {}


def test_binary_attributes_survive_a_trip_through_the_outbox() -> None:
    async def scenario(w: World) -> None:
        attributes = {"raw": {"DataType": "Binary", "BinaryValue": bytes(range(256))}}
        await w.enqueue("http", "u", {"message_attributes": attributes_to_payload(attributes)})
        calls, _ = await w.claim()
        await w.delivery._call(calls[0])
        [(_, payload)] = w.called
        assert attributes_from_payload(payload["message_attributes"]) == attributes

    run(scenario)
