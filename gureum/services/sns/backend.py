"""SNS's per-node state: the deployment's signing key, one HTTP client for endpoint deliveries, per-subscription
throttles, and the leader-only housekeeping loop.  Created by ``start`` (the service's start hook); operations reach it via ``backend``."""

from __future__ import annotations

import asyncio
import logging
from typing import TYPE_CHECKING

from ...aws.context import RequestContext
from ...runtime import Runtime
from . import store
from .signing import Signer, generate

if TYPE_CHECKING:
    import httpx

log = logging.getLogger("gureum.sns")
_ROLE = "sns-maintenance"
_SWEEP_SECONDS = 60.0
HTTP_TIMEOUT = 15.0  # seconds an endpoint has to answer (as AWS waits)


class SnsBackend:
    def __init__(self, runtime: Runtime, signer: Signer) -> None:
        self.runtime = runtime
        self.store = runtime.store
        self.clock = runtime.clock
        self.signer = signer
        self._http: httpx.AsyncClient | None = None
        self._next_send: dict[str, float] = {}

    @property
    def http(self) -> httpx.AsyncClient:
        """The client for endpoint deliveries, made on the first one (httpx costs start-up time and memory)."""
        if self._http is None:
            import httpx

            self._http = httpx.AsyncClient(timeout=HTTP_TIMEOUT, follow_redirects=False)
        return self._http

    def now(self) -> float:
        return self.clock.now()

    def now_ms(self) -> int:
        return int(self.clock.now() * 1000)

    def default_base_url(self) -> str:
        """Where SubscribeURL/UnsubscribeURL/SigningCertURL point when no request tells us the host we are called by."""
        host = self.runtime.config.host
        if host in ("0.0.0.0", "::", ""):
            host = "127.0.0.1"
        return f"http://{host}:{self.runtime.config.port}"

    async def throttle(self, key: str, per_second: int | None) -> None:
        """Space deliveries to one subscription per its throttlePolicy.maxReceivesPerSecond (on this node)."""
        if not per_second:
            return
        now = self.clock.monotonic()
        slot = max(now, self._next_send.get(key, now))
        self._next_send[key] = slot + 1.0 / per_second
        if slot > now:
            await asyncio.sleep(slot - now)

    async def close(self) -> None:
        if self._http is not None:
            await self._http.aclose()


def backend(ctx: RequestContext | Runtime) -> SnsBackend:
    runtime = ctx.runtime if isinstance(ctx, RequestContext) else ctx
    return runtime.state(SnsBackend)


async def _signer(runtime: Runtime) -> Signer:
    stored = await runtime.store.read(store.signing_key)
    if stored is None:
        key_pem, cert_pem = await asyncio.to_thread(generate, runtime.clock.now())
        stored = await runtime.store.write(lambda tx: store.save_signing_key(tx, key_pem, cert_pem))
    return Signer.load(*stored)


async def _maintain(runtime: Runtime) -> None:
    """Leader-only housekeeping: expired deduplication ids and lapsed resubscribe links."""
    while True:
        await asyncio.sleep(_SWEEP_SECONDS)
        try:
            if await runtime.store.is_leader(_ROLE):
                now_ms = int(runtime.clock.now() * 1000)
                await runtime.store.write(lambda tx: store.sweep(tx, now_ms))
        except Exception:
            log.exception("SNS housekeeping failed")


async def start(runtime: Runtime) -> None:
    runtime.keep(SnsBackend(runtime, await _signer(runtime)))
    runtime.spawn(_maintain(runtime), "sns-maintenance")


async def stop(runtime: Runtime) -> None:
    be = runtime.state_or_none(SnsBackend)
    if be is not None:
        await be.close()


async def reset(runtime: Runtime) -> None:
    """A reset empties every table: keep signing with the same key, so certificates already fetched stay valid."""
    be = backend(runtime)
    await runtime.store.write(lambda tx: store.save_signing_key(tx, be.signer.key_pem, be.signer.cert_pem))
    be._next_send.clear()
