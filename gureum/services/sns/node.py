"""What every part of SNS's backend shares on one node: the runtime (its store and clock), the deployment's
signing key, the HTTP client and throttles of endpoint deliveries, and the lookup of a topic by ARN.  SnsBackend
(backend.py) is this plus each part's behaviour (topics, subscriptions, publishing, HTTP/S, mobile push, SMS).
Imports no other part."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, TypeVar

from ...runtime import Runtime
from ...store.base import Tx
from . import arns, store
from .errors import no_topic
from .signing import Signer
from .store import Topic

if TYPE_CHECKING:
    import httpx

T = TypeVar("T")


class SnsNode:
    def __init__(self, runtime: Runtime, signer: Signer) -> None:
        self.runtime = runtime
        self.store = runtime.store
        self.clock = runtime.clock
        self.signer = signer
        self._http: httpx.AsyncClient | None = None  # made on first use (http_delivery.py)
        self._next_send: dict[str, float] = {}  # subscription ARN -> monotonic time of its next delivery slot

    def now(self) -> float:
        return self.clock.now()

    def now_ms(self) -> int:
        return self.clock.now_ms()

    def default_base_url(self) -> str:
        """Where SubscribeURL/UnsubscribeURL/SigningCertURL point when no request tells us the host we are
        called by."""
        host = self.runtime.config.host
        if host in ("0.0.0.0", "::", ""):
            host = "127.0.0.1"
        return f"http://{host}:{self.runtime.config.port}"

    async def in_topic(
        self,
        region: str,
        arn: str | None,
        fn: Callable[[Tx, Topic], T],
        *,
        write: bool = True,
        member: str = "TopicArn",
    ) -> T:
        """Run fn(tx, topic) in one transaction with the topic the ARN names (in the caller's region)."""
        topic_arn = arns.topic(arn, region, member=member).text

        def run(tx: Tx) -> T:
            topic = store.get_topic(tx, topic_arn)
            if topic is None:
                raise no_topic()
            return fn(tx, topic)

        return await (self.store.write(run) if write else self.store.read(run))

    def forget_throttles(self) -> None:
        self._next_send.clear()

    async def close(self) -> None:
        if self._http is not None:
            await self._http.aclose()
