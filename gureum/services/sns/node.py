"""What every part of SNS's backend shares on one node: the runtime (its store and clock), the deployment's
signing key, the HTTP client and throttles of endpoint deliveries, the caller's principal and the cross-account
check (access.py), and the lookup of a topic by ARN.  SnsBackend (backend.py) is this plus each part's behaviour
(topics, subscriptions, publishing, HTTP/S, mobile push, SMS).  Imports no other part."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, TypeVar

from ...policy import Caller, Principal
from ...runtime import Runtime
from ...store.base import Tx
from . import arns, store
from .access import Access, account_of, request_context
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

    async def principal(self, account: str, access_key: str) -> str:
        """The IAM principal an access key acts as: an IAM user's key names the user (through IAM's KeyOwner port),
        any other key the account's root (as STS GetCallerIdentity answers)."""
        return await self.runtime.principal_arn(account, access_key)

    async def access(self, who: Caller, arn: str, action: str, extra: Mapping[str, str] | None = None) -> Access | None:
        """What to check before ``who`` may perform ``action`` on the resource ``arn``: None when it is in the
        caller's own account (or the ARN names none, which the operation's own checks refuse)."""
        owner = account_of(arn)
        if owner is None or owner == who.account or self.runtime.config.enforce_iam:
            return None  # under IAM enforcement the dispatcher's authorizer decided, with the topic's policy
        principal = await self.principal(who.account, who.access_key)
        return Access(Principal(who.account, principal), action, request_context(who, principal, self.now(), extra))

    async def refuse_other_account(self, who: Caller, arn: str, action: str) -> None:
        """Platform applications and endpoints have no policy: another account's are never reachable."""
        access = await self.access(who, arn, action)
        if access is not None:
            access.check(arn, None)

    async def in_topic(
        self,
        region: str,
        arn: str | None,
        fn: Callable[[Tx, Topic], T],
        *,
        write: bool = True,
        member: str = "TopicArn",
        who: Caller | None = None,
        action: str = "",
    ) -> T:
        """Run fn(tx, topic) in one transaction with the topic the ARN names (in the caller's region); with
        ``who``, a caller of another account must be allowed ``action`` by the topic's policy (a topic that does not
        exist allows nothing)."""
        topic_arn = arns.topic(arn, region, member=member).text
        access = await self.access(who, topic_arn, action) if who is not None else None

        def run(tx: Tx) -> T:
            if write:  # fn changes the topic from what it read: writers of one topic take turns
                tx.lock("sns", topic_arn)
            topic = store.get_topic(tx, topic_arn)
            if access is not None:
                access.check(topic_arn, topic.attributes.get("Policy") if topic is not None else None)
            if topic is None:
                raise no_topic()
            return fn(tx, topic)

        return await (self.store.write(run) if write else self.store.read(run))

    def forget_throttles(self) -> None:
        self._next_send.clear()

    async def close(self) -> None:
        if self._http is not None:
            await self._http.aclose()
