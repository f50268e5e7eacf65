"""Deliveries to HTTP/S endpoints (the "sns-http" delivery target): one attempt plus the delivery policy's
immediate retries, spaced by the subscription's throttle policy on this node.  The HttpDelivery part of
SnsBackend."""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, Any

from ... import tracing
from ...delivery import DeliveryError
from . import limits, store
from .node import SnsNode

if TYPE_CHECKING:
    import httpx

HTTP_TIMEOUT = 15.0  # seconds an endpoint has to answer (as AWS waits)


class HttpDelivery(SnsNode):
    @property
    def http(self) -> httpx.AsyncClient:
        """The client for endpoint deliveries, made on the first one (httpx costs start-up time and memory)."""
        if self._http is None:
            import httpx

            self._http = httpx.AsyncClient(timeout=HTTP_TIMEOUT, follow_redirects=False)
        return self._http

    async def throttle(self, key: str, per_second: int | None) -> None:
        """Space deliveries to one subscription per its throttlePolicy.maxReceivesPerSecond (on this node)."""
        if not per_second:
            return
        now = self.clock.monotonic()
        slot = max(now, self._next_send.get(key, now))
        self._next_send[key] = slot + 1.0 / per_second
        if slot > now:
            await asyncio.sleep(slot - now)

    async def post_to_endpoint(self, address: str, payload: dict[str, Any]) -> None:
        """One delivery attempt (plus the policy's immediate retries).  2xx is delivered; 4xx other than 429 is a
        client error (not retried: straight to the dead-letter queue); anything else, or no answer, is retried."""
        import httpx  # imported on first use: it costs start-up time

        kind, arn = payload["kind"], payload["subscription"]
        if kind != "UnsubscribeConfirmation":
            live = await self.store.read(lambda tx: store.get_subscription(tx, arn))
            if live is None or live.confirmed != (kind == "Notification"):
                return  # unsubscribed (or already confirmed) since the delivery was queued: nothing to send
        headers = {"User-Agent": limits.HTTP_USER_AGENT, "Accept-Encoding": "gzip,deflate", **payload["headers"]}
        trace = tracing.current_text()  # the delivery attempt's trace (gureum.delivery runs it under its segment)
        if trace:
            headers["X-Amzn-Trace-Id"] = trace
        body = payload["body"].encode()
        error = DeliveryError("not attempted")
        client = self.http  # made (and httpx imported) before a throttle slot is taken, not inside the first one
        for _ in range(1 + int(payload.get("immediate") or 0)):
            await self.throttle(arn, payload.get("max_per_second"))
            try:
                response = await client.post(address, content=body, headers=headers)
            except httpx.HTTPError as exc:
                error = DeliveryError(f"{type(exc).__name__}: {exc}", code="EndpointUnreachable")
                continue
            if 200 <= response.status_code < 300:
                return
            client_error = 400 <= response.status_code < 500 and response.status_code != 429
            error = DeliveryError(
                f"The endpoint answered HTTP {response.status_code}",
                code=str(response.status_code),
                retryable=not client_error,
            )
            if client_error:
                break
        raise error
