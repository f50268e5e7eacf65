"""SnsBackend, SNS's one backend object: topics, subscriptions, publishing, HTTP/S deliveries, mobile push and SMS
(each part in its own module, on the per-node state of node.py), the captured-delivery outbox and housekeeping.
Made by ``start`` (the service's start hook) and kept with runtime.keep; reached with ``backend``."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from ...aws.context import RequestContext
from ...ports import SnsTopics
from ...runtime import Runtime
from . import iam, store
from .http_delivery import HttpDelivery
from .mobile import Mobile
from .port import SnsTopicsPort
from .publishing import Publishing
from .signing import Signer, generate
from .sms import Sms
from .subscriptions import Subscriptions
from .topics import Topics

log = logging.getLogger("gureum.sns")
_ROLE = "sns-maintenance"
_SWEEP_SECONDS = 60.0


class SnsBackend(Topics, Subscriptions, Publishing, HttpDelivery, Mobile, Sms):
    async def captured(self, filters: dict[str, str], limit: int) -> list[dict[str, Any]]:
        """Captured deliveries (e-mail, SMS, mobile push, verification codes) matching ``filters`` (column: value)."""
        return await self.store.read(lambda tx: store.captured(tx, filters, limit))

    async def clear_captured(self, filters: dict[str, str]) -> int:
        return await self.store.write(lambda tx: store.clear_captured(tx, filters))

    async def sweep(self) -> None:
        """Forget expired deduplication ids and unsubscribed endpoints whose resubscribe link has lapsed."""
        now_ms = self.now_ms()
        await self.store.write(lambda tx: store.sweep(tx, now_ms))

    async def maintain(self) -> None:
        """Leader-only housekeeping, every minute."""
        while True:
            await asyncio.sleep(_SWEEP_SECONDS)
            try:
                if await self.store.is_leader(_ROLE):
                    await self.sweep()
            except Exception:
                log.exception("SNS housekeeping failed")

    async def reset(self) -> None:
        """A reset empties every table: keep signing with the same key, so certificates already fetched stay
        valid."""
        key_pem, cert_pem = self.signer.key_pem, self.signer.cert_pem
        await self.store.write(lambda tx: store.save_signing_key(tx, key_pem, cert_pem))
        self.forget_throttles()


def backend(ctx: RequestContext | Runtime) -> SnsBackend:
    runtime = ctx.runtime if isinstance(ctx, RequestContext) else ctx
    return runtime.state(SnsBackend)


async def _signer(runtime: Runtime) -> Signer:
    stored = await runtime.store.read(store.signing_key)
    if stored is None:
        key_pem, cert_pem = await asyncio.to_thread(generate, runtime.clock.now())
        stored = await runtime.store.write(lambda tx: store.save_signing_key(tx, key_pem, cert_pem))
    return Signer.load(*stored)


async def start(runtime: Runtime) -> None:
    be = runtime.keep(SnsBackend(runtime, await _signer(runtime)))
    runtime.provide(SnsTopics, SnsTopicsPort(runtime.store))  # SES checks topics before publishing to them
    iam.register(runtime)  # IAM enforcement reads topic policies
    runtime.spawn(be.maintain(), "sns-maintenance")


async def stop(runtime: Runtime) -> None:
    be = runtime.state_or_none(SnsBackend)
    if be is not None:
        await be.close()


async def reset(runtime: Runtime) -> None:
    await backend(runtime).reset()
