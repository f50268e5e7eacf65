"""SesBackend, sending part: SendEmail, SendRawEmail, SMTP, templated and bulk sends. A send is one transaction:
the account's checks (sending enabled, verified identities, rate, daily quota), the record that counts towards the
quota, the captured message, its relay and its events in the delivery outbox; the answer goes out after it commits.
"""

from __future__ import annotations

import asyncio
import email.utils
import json
import logging
import secrets
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any, TypeVar

import dkim

from ...clock import Clock
from ...delivery import Delivery, DeliveryError
from ...policy import Principal
from ...store.base import Store, Tx
from . import (
    authorization,
    backend_extras,
    dkim_signing,
    events,
    limits,
    mime,
    notifications,
    relay,
    store,
    store_extras,
    templates,
    tracking,
)
from .account import AccountState, check_identities, check_quota, send_tokens
from .backend_options import DKIM, default_configuration_set
from .errors import (
    ConfigurationSetDoesNotExist,
    ConfigurationSetSendingPaused,
    InvalidParameterValue,
    MessageRejected,
    MissingRenderingAttribute,
    NotFound,
    ServiceError,
)
from .identities import SUCCESS, candidates, check_address, check_no_controls, is_simulator

T = TypeVar("T")
log = logging.getLogger("gureum.ses")
UNSUBSCRIBE = "unsubscribe"  # the kind of an unsubscribe link's row among the tracking links
UNSUBSCRIBE_PATH = "/_gureum/ses/unsubscribe"
# a template as stored: (subject, text, html)
Parts = tuple[str | None, str | None, str | None]


@dataclass(frozen=True, slots=True)
class Outgoing:
    """One message to send: built (SendEmail, templates) or raw (SendRawEmail, SMTP)."""

    source: str
    to: list[str]
    cc: list[str]
    bcc: list[str]
    reply_to: list[str]
    subject: str = ""
    text: str | None = None
    html: str | None = None
    raw: bytes | None = None
    source_arn: str | None = None  # SourceArn / FromEmailAddressIdentityArn / X-SES-SOURCE-ARN: a delegate sender's
    access_key: str = ""  # the caller's key: the principal an identity owner's sending policy names
    principal: str = ""  # that principal's ARN (SesBackend.send resolves it)
    base_url: str = ""  # gureum's own address, for open and click tracking links
    contact_list: str | None = None  # ListManagementOptions (SES v2)
    topic: str | None = None
    api: str = "v1"
    return_path: str | None = None  # ReturnPath / FeedbackForwardingEmailAddress: where forwarded feedback goes
    operation: str = "SendEmail"  # the operation that sent it, as the event's ses:operation tag names it
    source_ip: str = "127.0.0.1"  # the caller's address (the event's ses:source-ip, the notification's sourceIp)

    @property
    def recipients(self) -> list[str]:
        return [*self.to, *self.cc, *self.bcc]


@dataclass(frozen=True, slots=True)
class BulkEntry:
    to: list[str]
    cc: list[str]
    bcc: list[str]
    data: str | None  # ReplacementTemplateData
    tags: dict[str, str]


class SendingBackend:
    """Mixed into SesBackend (which sets these attributes and defines the methods below that raise)."""

    store: Store
    clock: Clock
    delivery: Delivery
    smarthost: relay.Relay | None
    quota_window: float
    bucket_width: float

    async def _write(self, fn: Callable[[Tx], T]) -> T:
        return await self.store.write(fn)

    async def principal_arn(self, account: str, access_key: str) -> str:
        raise NotImplementedError  # SesBackend's

    async def _with_principal(self, account: str, message: Outgoing) -> Outgoing:
        """``message`` with the caller's IAM identity (events' ses:caller-identity, sending authorization)."""
        if message.principal:
            return message
        return replace(message, principal=await self.principal_arn(account, message.access_key))

    @staticmethod
    def _account(tx: Tx, account: str, region: str, cached: bool = False) -> AccountState:
        raise NotImplementedError  # SesBackend's

    async def get_template(self, account: str, region: str, name: str) -> Parts:
        raise NotImplementedError  # SesBackend's

    async def get_configuration_set(self, account: str, region: str, name: str) -> tuple[bool, float]:
        raise NotImplementedError  # SesBackend's

    async def send(
        self,
        account: str,
        region: str,
        message: Outgoing,
        configuration_set: str | None,
        tags: dict[str, str],
        origin: str = "api",
        max_bytes: int = limits.MAX_MESSAGE_BYTES_V1,
    ) -> str:
        """SendEmail / SendRawEmail / SMTP: the message id of the accepted message."""
        message = await self._with_principal(account, message)
        prebuilt: tuple[str, mime.Mail] | None = None
        if message.raw is not None or not configuration_set or message.html is None:
            # no tracking to add: the MIME work is done here, not on the store's one writer thread
            now = self.clock.now()
            ses_id = mime.message_id(int(now * 1000))
            if message.raw is not None and len(message.raw) > limits.INLINE_PARSE_BYTES:
                mail = await asyncio.to_thread(self._mail, message, ses_id, now, max_bytes)
            else:
                mail = self._mail(message, ses_id, now, max_bytes)
            prebuilt = (ses_id, mail)
        return await self._write(
            lambda tx: self._accept(
                tx, account, region, message, configuration_set, tags, origin, max_bytes, prebuilt=prebuilt
            )
        )

    async def send_templated(
        self,
        account: str,
        region: str,
        message: Outgoing,
        template: str,
        data: str | None,
        configuration_set: str | None,
        tags: dict[str, str],
    ) -> str:
        parts = await self.get_template(account, region, template)
        try:
            rendered = templates.render_parts(*parts, templates.template_data(data))
        except MissingRenderingAttribute as error:
            # as AWS: accepted with a message id, nothing sent, a Rendering Failure event instead
            message = await self._with_principal(account, message)
            unrendered = (template, error.message)
            return await self._write(
                lambda tx: self._accept(
                    tx, account, region, message, configuration_set, tags, "api", 0, unrendered=unrendered
                )
            )
        filled = replace(message, subject=rendered.subject, text=rendered.text, html=rendered.html)
        return await self.send(account, region, filled, configuration_set, tags)

    async def send_bulk(
        self,
        account: str,
        region: str,
        base: Outgoing,
        template: str,
        default_data: str | None,
        entries: list[BulkEntry],
        configuration_set: str | None,
        default_tags: dict[str, str],
    ) -> list[tuple[str, str | None, str | None]]:
        """SendBulkTemplatedEmail / SendBulkEmail: (status code, error message, message id) per destination, in
        order; errors of the whole call (unknown template or configuration set) raise. ``base``: the sender's parts
        every message shares (source, reply-to, SourceArn, Return-Path, the caller)."""
        if not entries or len(entries) > limits.MAX_BULK_DESTINATIONS:
            raise InvalidParameterValue(f"Destinations must contain between 1 and {limits.MAX_BULK_DESTINATIONS}.")
        base = await self._with_principal(account, base)
        parts = await self.get_template(account, region, template)
        defaults = templates.template_data(default_data)
        if configuration_set:
            await self.get_configuration_set(account, region, configuration_set)
        # each destination's message, with (template, error) when it cannot be rendered (accepted, not sent)
        prepared: list[tuple[Outgoing, tuple[str, str] | None] | ServiceError] = []
        for entry in entries:
            try:
                data = {**defaults, **templates.template_data(entry.data)}
                rendered = templates.render_parts(*parts, data)
                prepared.append((
                    replace(
                        base, to=entry.to, cc=entry.cc, bcc=entry.bcc, subject=rendered.subject, text=rendered.text,
                        html=rendered.html,
                    ),
                    None,
                ))  # fmt: skip
            except MissingRenderingAttribute as error:
                prepared.append((replace(base, to=entry.to, cc=entry.cc, bcc=entry.bcc), (template, error.message)))
            except ServiceError as error:
                prepared.append(error)

        def run(tx: Tx) -> list[tuple[str, str | None, str | None]]:
            out: list[tuple[str, str | None, str | None]] = []
            for entry, made in zip(entries, prepared, strict=True):
                if isinstance(made, ServiceError):
                    out.append((made.code, made.message, None))
                    continue
                message, unrendered = made
                try:
                    tags = {**default_tags, **entry.tags}
                    ses_id = self._accept(
                        tx, account, region, message, configuration_set, tags, "api", 0, bulk=True,
                        unrendered=unrendered,
                    )  # fmt: skip
                    out.append(("Success", None, ses_id))
                except ServiceError as error:
                    out.append((error.code, error.message, None))
            return out

        return await self._write(run)

    def _accept(
        self,
        tx: Tx,
        account: str,
        region: str,
        message: Outgoing,
        configuration_set: str | None,
        tags: dict[str, str],
        origin: str,
        max_bytes: int,
        bulk: bool = False,
        prebuilt: tuple[str, mime.Mail] | None = None,
        unrendered: tuple[str, str] | None = None,
    ) -> str:
        """Check one message against the account and keep it, with its events (all or nothing: the checks come
        before the first write). ``prebuilt``: (message id, mail) made before the transaction. ``unrendered``:
        (template, error) of a templated message its data could not render — checked as any send, then neither
        kept nor counted: only its Rendering Failure event is published, as AWS does."""
        now = self.clock.now()
        ses_id = prebuilt[0] if prebuilt else mime.message_id(int(now * 1000))
        state = self._account(tx, account, region, cached=True)
        destinations: list[dict[str, Any]] = []
        if not configuration_set:  # the sending identity's default set (PutEmailIdentityConfigurationSetAttributes)
            sender = mime.bare(message.source or (prebuilt[1].source if prebuilt else ""))
            configuration_set = default_configuration_set(tx, account, region, sender) if sender else None
            if configuration_set and prebuilt and message.raw is None:
                prebuilt = None  # made again below, with the set's tracking
        if configuration_set:
            found = store.get_configuration_set(tx, account, region, configuration_set)
            if found is None:
                raise ConfigurationSetDoesNotExist(f"Configuration set <{configuration_set}> does not exist.")
            if not found[0]:
                raise ConfigurationSetSendingPaused(
                    f"Sending is paused for this configuration set: {configuration_set}"
                )
            destinations = [d for d in store.event_destinations(tx, account, region, configuration_set) if d["enabled"]]
        tracked = self._tracking(tx, account, region, configuration_set, destinations, message)
        if tracked is not None and tracked[0] is not None:  # a raw message's HTML parts: its mail made again
            message = replace(message, raw=tracked[0])
            prebuilt = None
        elif tracked is not None:
            message = replace(message, html=tracked[1].html)
        mail = prebuilt[1] if prebuilt else self._mail(message, ses_id, now, max_bytes)
        recipients = [mime.bare(r) for r in mail.recipients]
        if len(recipients) > limits.MAX_RECIPIENTS:
            raise InvalidParameterValue(f"Recipient count exceeds {limits.MAX_RECIPIENTS}.")
        source = mime.bare(mail.source)
        for address in recipients:
            check_address(address)
        names = list(dict.fromkeys(n for a in [source, *recipients] for n in candidates(a)))
        statuses = store.identity_statuses(tx, account, region, names, cached=True)
        owner = (account, region, next((n for n in candidates(source) if statuses.get(n) == "Success"), source))
        if message.source_arn:
            owner = self._delegate(tx, account, region, message, source, recipients, mail)
            statuses = {**statuses, source: "Success"}
        check_identities(state, source, recipients, statuses, region)
        return_path = authorization.mail_from_check(store_extras.mail_from(tx, *owner, cached=True))
        tokens = send_tokens(state, None if bulk else store.send_tokens(tx, account, region), now)
        in_window = store.recipients_since(tx, account, region, now - self.quota_window, self.bucket_width)
        check_quota(state, tokens, in_window, len(recipients))
        kept = self._listed(tx, account, region, message, recipients)
        if unrendered is not None:
            if destinations:
                sent = events.Sent(
                    account, region, ses_id, mail.source, authorization.identity_arn(owner[1], owner[0], owner[2]),
                    kept, [], "", mail.to, mail.from_, configuration_set, {k: [v] for k, v in tags.items()}, now,
                    message.operation, _caller(message), message.source_ip,
                )  # fmt: skip
                record = events.rendering_failure(sent, *unrendered)
                self._publish(tx, account, region, destinations, [(events.RENDERING_FAILURE, record)], now)
            return ses_id
        outcome = events.fates(kept, self._suppressed(tx, account, region, configuration_set, kept))
        unsubscribe = secrets.token_urlsafe(18) if _unsubscribes(message, kept) else None
        raw = _list_unsubscribe(message.base_url, unsubscribe) + mail.raw
        raw = self._dkim_signed(tx, account, region, source, statuses, raw)
        raw = raw if return_path is None else f"Return-Path: <{ses_id}@{return_path}>\r\n".encode() + raw
        store.add_sent(
            tx, account, region, now, len(recipients), len(outcome.bounced), len(outcome.complained),
            self.bucket_width,
        )  # fmt: skip
        if not bulk:
            # each recipient counts against the rate, as AWS counts them: a send to five at a rate of one a second
            # passes, and the next is refused for about five seconds
            store.draw_send_token(tx, account, region, tokens - len(recipients), now)
        store.add_message(tx, ses_id, account, region, source, kept, mail.subject, origin, raw, now)
        self._relay(tx, ses_id, f"{ses_id}@{return_path}" if return_path else source, outcome.delivered)
        details = events.details(now, outcome)
        scope = notifications.identity_scope(owner[2])
        settings = notifications.Settings.of(
            store_extras.setting(tx, owner[0], owner[1], scope, notifications.SETTING, cached=True)
        )
        sent = events.Sent(
            account, region, ses_id, mail.source, authorization.identity_arn(owner[1], owner[0], owner[2]),
            kept, mail.headers, mail.subject, mail.to, mail.from_, configuration_set,
            {k: [v] for k, v in tags.items()}, now, message.operation, _caller(message), message.source_ip,
        )  # fmt: skip
        if unsubscribe is not None:
            # the link's row: who unsubscribes from what, and the mail object of its Subscription event
            row: dict[str, Any] = {"address": kept[0], "topic": message.topic}
            if configuration_set:
                row["mail"] = events.mail_object(sent)
            store_extras.add_tracking(
                tx, unsubscribe, account, region, configuration_set or "", UNSUBSCRIBE, message.contact_list, row,
                now,
            )  # fmt: skip
        if outcome.out_of_office:
            self._auto_replies(tx, account, region, sent, outcome.out_of_office, message, mail)
        if not destinations and not settings.topics and not outcome.bounced and not outcome.complained:
            return ses_id
        self._notify(tx, account, region, sent, details, settings, destinations, message, mail)
        if destinations:
            self._publish(tx, account, region, destinations, events.events_for(sent, details), now)
            for token, kind, link in tracked[1].tokens if tracked is not None else ():
                store_extras.add_tracking(
                    tx, token, account, region, configuration_set or "", kind, link,
                    {"mail": events.mail_object(sent)}, now,
                )  # fmt: skip
        return ses_id

    @staticmethod
    def _dkim_signed(tx: Tx, account: str, region: str, source: str, statuses: dict[str, str], raw: bytes) -> bytes:
        """The message with the DKIM signature of the sender's domain, when that verified domain signs with its own
        key (BYODKIM, dkim_signing); as it is otherwise."""
        domain = source.rpartition("@")[2].lower()
        if statuses.get(domain) != SUCCESS:
            return raw  # not a verified domain identity: nothing to look up
        scope = notifications.identity_scope(domain)
        by = dkim_signing.signer(store.get_identity(tx, account, region, domain, cached=True), store_extras.setting(
            tx, account, region, scope, DKIM, cached=True))  # fmt: skip
        if by is None:
            return raw
        try:
            return dkim_signing.signature(raw, by) + raw
        except dkim.DKIMException as refused:  # a raw message DKIM cannot sign (no From header, …): sent unsigned
            log.warning("SES: %s's DKIM signature was not added: %s", domain, refused)
            return raw

    def _notify(
        self,
        tx: Tx,
        account: str,
        region: str,
        sent: events.Sent,
        found: list[tuple[str, dict[str, Any]]],
        settings: notifications.Settings,
        destinations: list[dict[str, Any]],
        message: Outgoing,
        mail: mime.Mail,
    ) -> None:
        """The sending identity's notifications: each Bounce / Complaint / Delivery to its SNS topic (the outbox),
        and bounces and complaints mailed to the Return-Path as feedback (kept, and relayed) when forwarded."""
        caller = _caller(message)
        for topic, note in notifications.notifications(sent, found, settings, caller):
            self.delivery.enqueue(tx, "sns", topic, {"message": json.dumps(note)}, source="ses")
        forwarded = notifications.forwarded_types(settings, {t for d in destinations for t in d["types"]})
        if not forwarded:
            return
        recipient = _feedback_address(message, mail, sent)
        for kind, detail in found:
            if kind == events.BOUNCE and notifications.BOUNCE in forwarded:
                builder = notifications.bounce_message
            elif kind == events.COMPLAINT and notifications.COMPLAINT in forwarded:
                builder = notifications.complaint_message
            else:
                continue
            feedback_id = mime.message_id(int(sent.at * 1000))
            feedback = builder(sent, detail, recipient, feedback_id, sent.at)
            origin = "bounce" if kind == events.BOUNCE else "complaint"
            store.add_message(
                tx, feedback_id, account, region, feedback.sender, [feedback.recipient], feedback.subject, origin,
                feedback.raw, sent.at,
            )  # fmt: skip
            self._relay(tx, feedback_id, feedback.sender, [feedback.recipient])

    def _auto_replies(
        self,
        tx: Tx,
        account: str,
        region: str,
        sent: events.Sent,
        repliers: list[str],
        message: Outgoing,
        mail: mime.Mail,
    ) -> None:
        """The mailbox simulator's ooto@ delivers the message and answers out of the office: SES forwards the
        auto-reply to the sender (the Return-Path, as it does feedback), kept in the mailbox (``Origin``
        "auto-reply") and relayed."""
        recipient = _feedback_address(message, mail, sent)
        for replier in repliers:
            reply_id = mime.message_id(int(sent.at * 1000))
            reply = notifications.auto_reply_message(sent, replier, recipient, reply_id, sent.at)
            store.add_message(
                tx, reply_id, account, region, reply.sender, [reply.recipient], reply.subject, "auto-reply",
                reply.raw, sent.at,
            )  # fmt: skip
            self._relay(tx, reply_id, reply.sender, [reply.recipient])

    def _relay(self, tx: Tx, ses_id: str, sender: str, recipients: list[str]) -> None:
        """The message to the smarthost too, when one is configured (durably, through the outbox)."""
        real = [r for r in recipients if not is_simulator(r)]
        if self.smarthost is not None and real:
            payload = {"message_id": ses_id, "sender": sender, "recipients": real}
            self.delivery.enqueue(tx, relay.KIND, "smarthost", payload, policy=relay.RETRY, source="ses")

    async def relay_message(self, payload: dict[str, Any]) -> None:
        """One attempt of a "ses-relay" delivery: the kept message handed to the smarthost."""
        if self.smarthost is None:
            raise DeliveryError("no smarthost is configured (GUREUM_SES_RELAY)", retryable=False)
        filters = {"message_id": str(payload["message_id"])}
        found = await self.store.read(lambda tx: store.messages(tx, filters, 1, True))
        if not found:
            raise DeliveryError(f"message {payload['message_id']} is no longer kept", retryable=False)
        await self.smarthost.send(str(payload["sender"]), list(payload["recipients"]), found[0]["raw"])

    def _delegate(
        self,
        tx: Tx,
        account: str,
        region: str,
        message: Outgoing,
        source: str,
        recipients: list[str],
        mail: mime.Mail,
    ) -> tuple[str, str, str]:
        """A send naming an identity by ARN (sending authorization): its (account, region, name)."""
        assert message.source_arn is not None
        action = "ses:SendRawEmail" if message.raw is not None else "ses:SendEmail"
        display = email.utils.parseaddr(mail.source)[0]
        context = authorization.sending_context(source, recipients, display, "2" if message.api == "v2" else "1")
        ref = delegated_identity(
            tx, account, region, message.source_arn, source, "Source", message.principal, action, context
        )
        return ref.account, ref.region, ref.name

    def _tracking(
        self,
        tx: Tx,
        account: str,
        region: str,
        configuration_set: str | None,
        destinations: list[dict[str, Any]],
        message: Outgoing,
    ) -> tuple[bytes | None, tracking.Tracked] | None:
        """Open and click tracking when the configuration set's destinations take OPEN or CLICK events: of a built
        message's HTML, or of a raw message's HTML parts ((the rewritten raw message or None, what was tracked))."""
        if not configuration_set or not message.base_url or (message.html is None and message.raw is None):
            return None
        kinds = {t for d in destinations for t in d["types"]}
        opens, clicks = events.OPEN in kinds, events.CLICK in kinds
        if not opens and not clicks:
            return None
        options = store_extras.setting(tx, account, region, backend_extras.config_scope(configuration_set), "tracking")
        base = message.base_url
        if options and options.get("CustomRedirectDomain"):
            scheme = "https" if options.get("HttpsPolicy") == "REQUIRE" else "http"
            base = f"{scheme}://{options['CustomRedirectDomain']}"
        if message.raw is not None:
            return tracking.track_raw(message.raw, base, opens, clicks)
        assert message.html is not None
        return None, tracking.track(message.html, base, opens, clicks)

    @staticmethod
    def _listed(tx: Tx, account: str, region: str, message: Outgoing, recipients: list[str]) -> list[str]:
        """ListManagementOptions: the recipients the contact list (and topic) lets the message reach."""
        if not message.contact_list:
            return recipients
        found = store_extras.contact_list(tx, account, region, message.contact_list)
        if found is None:
            raise NotFound(f"List with name {message.contact_list} does not exist.")
        if message.topic and message.topic not in {t["TopicName"] for t in found["topics"]}:
            raise NotFound(f"Topic {message.topic} does not exist in list {message.contact_list}.")
        return [
            r
            for r in recipients
            if not authorization.opted_out(
                store_extras.contact(tx, account, region, message.contact_list, r), message.topic, found["topics"]
            )
        ]

    @staticmethod
    def _suppressed(
        tx: Tx, account: str, region: str, configuration_set: str | None, recipients: list[str]
    ) -> set[str]:
        """Recipients on the account's suppression list (a configuration set whose suppression options name no
        reason does not use the list)."""
        if configuration_set:
            options = store_extras.setting(
                tx, account, region, backend_extras.config_scope(configuration_set), "suppression"
            )
            if options is not None and not options:
                return set()
        return {a.lower() for a in store_extras.suppressed(tx, account, region, recipients)}

    @staticmethod
    def _mail(message: Outgoing, ses_id: str, now: float, max_bytes: int) -> mime.Mail:
        if message.raw is not None:
            if max_bytes and len(message.raw) > max_bytes:
                raise MessageRejected(f"Message length is more than {max_bytes} bytes long: '{len(message.raw)}'.")
            return mime.parse_raw(message.raw, message.source or None, message.recipients or None, ses_id)
        check_address(mime.bare(message.source))
        for address in (message.source, *message.recipients, *message.reply_to):
            check_no_controls(address)
        if not message.recipients:
            raise InvalidParameterValue("Missing final '@domain'")
        raw, headers = mime.compose(
            message.source, message.to, message.cc, message.reply_to, message.subject, message.text, message.html,
            ses_id, now,
        )  # fmt: skip
        if max_bytes and len(raw) > max_bytes:
            raise MessageRejected(f"Message length is more than {max_bytes} bytes long: '{len(raw)}'.")
        return mime.Mail(
            raw, message.source, message.recipients, message.subject, headers, message.to, [message.source]
        )

    def _publish(
        self,
        tx: Tx,
        account: str,
        region: str,
        destinations: list[dict[str, Any]],
        records: list[tuple[str, dict[str, Any]]],
        now: float,
    ) -> None:
        """Each event to each destination that takes its type, through the durable outbox."""
        for kind, record in records:
            for dest in destinations:
                if kind not in dest["types"]:
                    continue
                if dest.get("sns_topic"):
                    self.delivery.enqueue(tx, "sns", dest["sns_topic"], {"message": json.dumps(record)}, source="ses")
                if dest.get("event_bus"):
                    event = events.eventbridge_event(kind, record, account, region, now)
                    self.delivery.enqueue(tx, "events", dest["event_bus"], {"event": event, "hops": 1}, source="ses")
                if dest.get("firehose"):  # one JSON record followed by a newline, as SES writes to Firehose
                    stream = dest["firehose"]
                    payload = {"data": json.dumps(record) + "\n", "role_arn": stream["role"]}
                    self.delivery.enqueue(tx, "firehose", stream["stream"], payload, source="ses")


def _unsubscribes(message: Outgoing, kept: list[str]) -> bool:
    """ListManagementOptions (SES v2): whether SES adds a List-Unsubscribe link, which unsubscribes the recipient
    from the topic (or the whole list). The link names one recipient: a message to several recipients has none."""
    return bool(message.contact_list and len(kept) == 1 and message.base_url)


def _list_unsubscribe(base_url: str, token: str | None) -> bytes:
    """The List-Unsubscribe and one-click List-Unsubscribe-Post headers (RFC 8058) of a link on gureum."""
    if token is None:
        return b""
    link = f"{base_url}{UNSUBSCRIBE_PATH}?t={token}"
    return f"List-Unsubscribe: <{link}>\r\nList-Unsubscribe-Post: List-Unsubscribe=One-Click\r\n".encode()


def _feedback_address(message: Outgoing, mail: mime.Mail, sent: events.Sent) -> str:
    """Where SES mails what comes back for a message (feedback, auto-replies): ReturnPath /
    FeedbackForwardingEmailAddress, else the message's Return-Path header, else its source."""
    headers = {k.lower(): v for k, v in mail.headers}
    return mime.bare(message.return_path or headers.get("return-path") or sent.source)


def _caller(message: Outgoing) -> str:
    """The IAM identity name of the caller ("root" for the account's own keys)."""
    return notifications.caller_identity(message.principal) if message.principal else "root"


def delegated_identity(
    tx: Tx,
    account: str,
    region: str,
    identity_arn: str,
    address: str,
    field: str,
    principal: str | None,
    action: str,
    context: dict[str, Any],
) -> authorization.IdentityRef:
    """An identity named by ARN to send as (SourceArn, BounceSenderArn; ``field`` names the address in errors): it
    must cover ``address`` and be verified in its owner's account; another account's identity needs a policy that
    lets the caller (``principal``, else the account's root) do ``action`` with SES's condition keys ``context``."""
    ref = authorization.parse_identity_arn(identity_arn)
    if ref.name not in candidates(address):
        raise InvalidParameterValue(f"{field} {address} does not match the identity of {identity_arn}.")
    found = store.get_identity(tx, ref.account, ref.region, ref.name)
    if found is None or not found.verified:
        raise MessageRejected(
            "Email address is not verified. The following identities failed the check in region "
            f"{ref.region.upper()}: {identity_arn}"
        )
    if (ref.account, ref.region) != (account, region):
        authorization.authorize(
            store_extras.policies(tx, ref.account, ref.region, ref.name),
            Principal(account, principal or f"arn:aws:iam::{account}:root"),
            action,
            identity_arn,
            context,
        )
    return ref
