"""SesBackend, SES v1's SendBounce: a bounce message for mail gureum received (within 24 hours), from an identity
the caller may send from, to the message's envelope sender — kept in the mailbox (Origin "bounce") and relayed."""

from __future__ import annotations

import email.utils
from collections.abc import Callable
from typing import Any, TypeVar

from ...clock import Clock
from ...delivery import Delivery
from ...store.base import Store, Tx
from . import authorization, bounces, mime, relay, store
from .backend_sending import delegated_identity
from .errors import InvalidParameterValue, MessageRejected
from .identities import candidates, check_address, check_no_controls, is_simulator

T = TypeVar("T")


class BounceBackend:
    """Mixed into SesBackend (which sets these attributes and defines principal_arn)."""

    store: Store
    clock: Clock
    delivery: Delivery
    smarthost: relay.Relay | None

    async def _write(self, fn: Callable[[Tx], T]) -> T:
        return await self.store.write(fn)

    async def principal_arn(self, account: str, access_key: str) -> str:
        raise NotImplementedError  # SesBackend's

    async def send_bounce(
        self,
        account: str,
        region: str,
        original_id: str,
        sender: str,
        infos: list[dict[str, Any]],
        explanation: str | None = None,
        message_dsn: dict[str, Any] | None = None,
        sender_arn: str | None = None,
        access_key: str = "",
    ) -> str:
        """SendBounce: the bounce message's id. MessageRejected when the message is not one received in this
        account and Region in the last 24 hours, or the sender is not an identity the caller may use."""
        principal = await self.principal_arn(account, access_key) if sender_arn else ""
        check_no_controls(sender)
        address = mime.bare(sender)
        check_address(address)
        if explanation is not None and "\x00" in explanation:
            raise InvalidParameterValue("Explanation must not contain NUL characters.")
        now = self.clock.now()

        def run(tx: Tx) -> str:
            filters = {"message_id": original_id, "account": account, "region": region}
            found = store.messages(tx, filters, 1, True) if original_id else []  # (no id would match any message)
            found = [m for m in found if m["origin"] == "received"]
            if not found:
                raise MessageRejected(f"Could not find message with ID {original_id} received by Amazon SES.")
            original = found[0]
            if now - original["sent_at"] > bounces.BOUNCE_WINDOW:
                raise MessageRejected(
                    f"Message {original_id} was received more than 24 hours ago: it can no longer be bounced."
                )
            self._bounce_sender(tx, account, region, sender, sender_arn, principal, original["source"])
            bounced = bounces.recipients(infos, original["destinations"])
            reporting = bounces.message_fields(message_dsn, region, original["sent_at"])
            ses_id = mime.message_id(int(now * 1000))
            to = original["source"]
            subject, raw = bounces.dsn_message(
                sender, to, bounces.original_headers(original["raw"]), explanation, reporting, bounced, ses_id, now
            )
            store.add_message(tx, ses_id, account, region, address, [to], subject, "bounce", raw, now)
            if self.smarthost is not None and to and not is_simulator(to):
                payload = {"message_id": ses_id, "sender": address, "recipients": [to]}
                self.delivery.enqueue(tx, relay.KIND, "smarthost", payload, policy=relay.RETRY, source="ses")
            return ses_id

        return await self._write(run)

    @staticmethod
    def _bounce_sender(
        tx: Tx,
        account: str,
        region: str,
        sender: str,
        sender_arn: str | None,
        principal: str,
        to: str,
    ) -> None:
        """BounceSender must be an identity verified in the account; with BounceSenderArn, another account's
        identity whose policies let the caller ses:SendBounce."""
        address = mime.bare(sender)
        if sender_arn:
            context = authorization.sending_context(address, [to], email.utils.parseaddr(sender)[0], "1")
            delegated_identity(
                tx, account, region, sender_arn, address, "BounceSender", principal, "ses:SendBounce", context
            )
            return
        statuses = store.identity_statuses(tx, account, region, candidates(address))
        if not any(status == "Success" for status in statuses.values()):
            raise MessageRejected(
                "Email address is not verified. The following identities failed the check in region "
                f"{region.upper()}: {address}"
            )
