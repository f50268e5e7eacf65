"""What SES keeps of each send is pruned: sends older than GetSendStatistics' two weeks and quota buckets past the
quota window go (the leader does it every hour), so a long-running gateway's store does not grow with every message.
Driven with a real store (SQLite in memory), a FakeClock and the backend itself."""

from __future__ import annotations

import asyncio

from gureum.clock import FakeClock
from gureum.config import Config
from gureum.delivery import Delivery
from gureum.runtime import Runtime
from gureum.services.ses import SERVICE, limits
from gureum.services.ses.backend import SesBackend
from gureum.services.ses.backend_sending import Outgoing
from gureum.store import open_store
from gureum.store.base import Store

ACCOUNT, REGION = "000000000000", "us-east-1"


def test_old_sends_and_buckets_are_pruned() -> None:
    asyncio.run(_pruned())


async def _count(store: Store, table: str) -> int:
    row = await store.read(lambda tx: tx.one(f"SELECT COUNT(*) FROM {table}"))
    return int(row[0]) if row else 0


async def _pruned() -> None:
    store = open_store(None, None)
    clock = FakeClock()
    try:
        assert SERVICE.migrations is not None
        await store.migrate("ses", SERVICE.migrations)
        be = SesBackend(store, clock, Delivery(Runtime(Config(), store, clock=clock), {}))
        be.auto_verify = True
        await be.verify_email(ACCOUNT, REGION, "sender@example.com", "http://localhost")
        message = Outgoing(
            source="sender@example.com",
            to=["success@simulator.amazonses.com"],
            cc=[],
            bcc=[],
            reply_to=[],
            subject="hello",
            text="a message",
            access_key="test",
            principal=f"arn:aws:iam::{ACCOUNT}:root",
        )
        for _ in range(3):
            await be.send(ACCOUNT, REGION, message, None, {})
            clock.advance(2.0)  # the sandbox's rate: one a second
        clock.advance(limits.STATISTICS_SPAN - 60)  # the three are within two weeks still
        await be.send(ACCOUNT, REGION, message, None, {})
        assert await be.prune_sent() == 0
        assert await _count(store, "ses_sent") == 4
        assert await _count(store, "ses_sent_buckets") == 1  # the first three's bucket is past the quota window
        clock.advance(120)  # now they are not
        assert await be.prune_sent() == 3
        assert await _count(store, "ses_sent") == 1
        points = await be.send_statistics(ACCOUNT, REGION)
        assert sum(p["DeliveryAttempts"] for p in points) == 1
        assert (await be.account(ACCOUNT, REGION))[1] == 1  # SentLast24Hours: the one kept
    finally:
        await store.close()
