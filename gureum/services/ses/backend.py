"""SesBackend: every SES behaviour over the store, one method per operation with plain arguments. SES v1's
operations (ops_*.py), SES v2's (through the SesMail port), the SMTP listener and the admin routes all call it.

A send is one transaction: the account's checks (sending enabled, verified identities, rate, daily quota), the
record that counts towards the quota, the captured message and its events in the delivery outbox; the answer goes
out after it commits.
"""

from __future__ import annotations

import asyncio
import email.utils
import json
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, replace
from typing import Any, TypeVar

from ...aws.context import RequestContext
from ...clock import Clock
from ...delivery import Delivery, DeliveryError
from ...policy import Principal
from ...ports import LambdaInvoker, S3Objects
from ...runtime import Runtime
from ...store.base import Store, Tx
from . import authorization, backend_extras, events, limits, mime, relay, store, store_extras, templates, tracking
from .account import AccountState, check_identities, check_quota, statistics
from .backend_extras import ExtrasBackend
from .backend_receipt import ReceivingBackend
from .errors import (
    AlreadyExists,
    ConfigurationSetAlreadyExists,
    ConfigurationSetDoesNotExist,
    ConfigurationSetSendingPaused,
    EventDestinationAlreadyExists,
    EventDestinationDoesNotExist,
    InvalidParameterValue,
    MessageRejected,
    NotFound,
    ServiceError,
    TemplateDoesNotExist,
)
from .identities import DOMAIN, EMAIL, Identity, candidates, check_address, is_simulator, kind_of, new_identity

T = TypeVar("T")
VERIFY_PATH = "/_gureum/ses/verify"
NO_REPLY = "no-reply-aws@amazon.com"
# a template as stored: (subject, text, html)
Parts = tuple[str | None, str | None, str | None]


def backend(ctx_or_runtime: RequestContext | Runtime) -> SesBackend:
    runtime = ctx_or_runtime.runtime if isinstance(ctx_or_runtime, RequestContext) else ctx_or_runtime
    return runtime.state(SesBackend)


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


class SesBackend(ReceivingBackend, ExtrasBackend):
    def __init__(
        self,
        store_: Store,
        clock: Clock,
        delivery: Delivery,
        lambda_invoker: Callable[[], LambdaInvoker | None] = lambda: None,
        principal_arn: Callable[[str, str], Awaitable[str]] | None = None,
        smarthost: relay.Relay | None = None,
        s3_objects: Callable[[], S3Objects | None] = lambda: None,
    ) -> None:
        self.store = store_
        self.clock = clock
        self.delivery = delivery
        self.lambda_invoker = lambda_invoker
        self._principal_arn = principal_arn
        self.smarthost = smarthost
        self.s3_objects = s3_objects
        self.quota_window = limits.quota_window()
        self.bucket_width = self.quota_window / limits.QUOTA_BUCKETS
        self.auto_verify = limits.auto_verify()

    async def principal_arn(self, account: str, access_key: str) -> str:
        """The IAM principal a key acts as (the account's root when gureum cannot tell)."""
        if self._principal_arn is None:
            return f"arn:aws:iam::{account}:root"
        return await self._principal_arn(account, access_key)

    # --- identities -------------------------------------------------------------------------------------------

    async def verify_email(self, account: str, region: str, address: str, base_url: str) -> None:
        """VerifyEmailIdentity / VerifyEmailAddress: (re)start verification and mail the link."""
        check_address(address)
        await self._write(lambda tx: self._start_identity(tx, account, region, address, EMAIL, base_url, False))

    async def verify_domain(self, account: str, region: str, domain: str) -> Identity:
        """VerifyDomainIdentity / VerifyDomainDkim: the domain's verification token and DKIM tokens."""
        if kind_of(domain) != DOMAIN:
            raise InvalidParameterValue(f"Invalid domain name {domain}.")
        return await self._write(lambda tx: self._start_identity(tx, account, region, domain, DOMAIN, "", False))

    async def create_identity(self, account: str, region: str, name: str, base_url: str) -> Identity:
        """SES v2 CreateEmailIdentity: AlreadyExists when the identity is there."""
        kind = kind_of(name)
        return await self._write(lambda tx: self._start_identity(tx, account, region, name, kind, base_url, True))

    def _start_identity(
        self, tx: Tx, account: str, region: str, name: str, kind: str, base_url: str, new_only: bool
    ) -> Identity:
        now = self.clock.now()
        existing = store.get_identity(tx, account, region, name)
        if existing is not None and new_only:
            raise AlreadyExists(f"Email identity {name} already exist.")
        if existing is not None and existing.verified:
            return existing
        identity = new_identity(account, region, name, kind, now, self.auto_verify)
        if existing is not None and kind == DOMAIN:  # a domain keeps its tokens (the DNS records already made)
            identity = existing
        store.put_identity(tx, identity)
        if kind == EMAIL and not identity.verified:
            self._mail_verification(tx, identity, base_url, now)
        return identity

    def _mail_verification(self, tx: Tx, identity: Identity, base_url: str, now: float) -> None:
        link = f"{base_url}{VERIFY_PATH}?token={identity.token}"
        subject = f"Amazon Web Services \u2013 Email Address Verification Request in region {identity.region}"
        text = (
            "Dear Amazon Web Services Customer,\n\n"
            "We have received a request to authorize this email address for use with Amazon SES and Amazon "
            f"Pinpoint in region {identity.region}. If you requested this verification, please go to the following "
            "URL to confirm that you are authorized to use this email address:\n\n"
            f"{link}\n\n"
            "Your request will not be processed unless you confirm the address using this URL. This link expires "
            "24 hours after your original verification request.\n\n"
            "If you did NOT request to verify this email address, do not click on the link.\n\n"
            "Sincerely,\n\nThe Amazon Web Services Team\n"
        )
        ses_id = mime.message_id(int(now * 1000))
        msg = mime.build(NO_REPLY, [identity.name], [], [], subject, text, None, ses_id, now)
        store.add_message(
            tx, ses_id, identity.account, identity.region, NO_REPLY, [identity.name], subject, "verification",
            mime.serialise(msg), now,
        )  # fmt: skip
        self._relay(tx, ses_id, NO_REPLY, [identity.name])

    async def verify_token(self, token: str) -> Identity | None:
        """The verification link was opened: its address is verified (None: no such link)."""

        def run(tx: Tx) -> Identity | None:
            identity = store.identity_by_token(tx, token)
            if identity is None or identity.kind != EMAIL:
                return None
            identity = identity.verified_now()
            store.put_identity(tx, identity)
            return identity

        return await self._write(run)

    async def confirm_domain(self, account: str, region: str, domain: str) -> Identity | None:
        """Stands in for SES's DNS lookup of the TXT, DKIM and MAIL FROM MX records: the domain is verified, and the
        MAIL FROM domain of the identity (a domain's or an address's) found (None: unknown)."""

        def run(tx: Tx) -> Identity | None:
            identity = store.get_identity(tx, account, region, domain)
            if identity is None:
                return None
            store_extras.confirm_mail_from(tx, account, region, domain)
            if identity.kind != DOMAIN:
                return identity
            identity = identity.verified_now()
            store.put_identity(tx, identity)
            return identity

        return await self._write(run)

    async def identity_view(
        self, account: str, region: str, name: str
    ) -> tuple[Identity, dict[str, str], tuple[str, str, str] | None]:
        """(the identity, its policies, its MAIL FROM (domain, behavior, status) or None); NotFound."""

        def run(tx: Tx) -> tuple[Identity, dict[str, str], tuple[str, str, str] | None]:
            found = store.get_identity(tx, account, region, name)
            if found is None:
                raise NotFound(f"Email identity {name} does not exist.")
            return (
                found,
                store_extras.policies(tx, account, region, name),
                store_extras.mail_from(tx, account, region, name),
            )

        return await self.store.read(run)

    async def get_identity(self, account: str, region: str, name: str) -> Identity:
        found = await self.store.read(lambda tx: store.get_identity(tx, account, region, name))
        if found is None:
            raise NotFound(f"Email identity {name} does not exist.")
        return found

    async def list_identities(self, account: str, region: str, kind: str | None = None) -> list[Identity]:
        found = await self.store.read(lambda tx: store.list_identities(tx, account, region))
        return [i for i in found if kind is None or i.kind == kind]

    async def identities(self, account: str, region: str, names: list[str]) -> dict[str, Identity]:
        """Those of ``names`` that exist."""

        def run(tx: Tx) -> dict[str, Identity]:
            out = {}
            for name in names:
                found = store.get_identity(tx, account, region, name)
                if found is not None:
                    out[name] = found
            return out

        return await self.store.read(run)

    async def delete_identity(self, account: str, region: str, name: str, must_exist: bool) -> None:
        def run(tx: Tx) -> bool:
            store_extras.forget_identity(tx, account, region, name)
            return store.delete_identity(tx, account, region, name)

        deleted = await self._write(run)
        if must_exist and not deleted:
            raise NotFound(f"Email identity {name} does not exist.")

    # --- account ----------------------------------------------------------------------------------------------

    @staticmethod
    def _account(tx: Tx, account: str, region: str) -> AccountState:
        row = store.get_account(tx, account, region)
        state = AccountState(*row) if row else AccountState()
        reasons = store_extras.setting(tx, account, region, backend_extras.ACCOUNT, "suppression")
        return state if reasons is None else replace(state, suppressed_reasons=tuple(reasons))

    async def account(self, account: str, region: str) -> tuple[AccountState, int]:
        """The account's state and the recipients it sent to in the quota window (SentLast24Hours)."""
        since = self.clock.now() - self.quota_window

        def run(tx: Tx) -> tuple[AccountState, int]:
            return self._account(tx, account, region), store.recipients_since(
                tx, account, region, since, self.bucket_width
            )

        return await self.store.read(run)

    async def set_sending_enabled(self, account: str, region: str, enabled: bool) -> None:
        def run(tx: Tx) -> None:
            s = self._account(tx, account, region)
            store.put_account(tx, account, region, s.production, s.max_24_hour_send, s.max_send_rate, enabled)

        await self._write(run)

    async def grant_production(self, account: str, region: str, max_24: float | None, rate: float | None) -> None:
        """What AWS Support does when it lifts the sandbox: production access with a quota."""

        def run(tx: Tx) -> None:
            s = self._account(tx, account, region)
            store.put_account(
                tx, account, region, True,
                limits.PRODUCTION_MAX_24_HOUR_SEND if max_24 is None else max_24,
                limits.PRODUCTION_MAX_SEND_RATE if rate is None else rate,
                s.sending_enabled,
            )  # fmt: skip

        await self._write(run)

    async def send_statistics(self, account: str, region: str) -> list[dict[str, float | int]]:
        since = self.clock.now() - limits.STATISTICS_SPAN
        return statistics(await self.store.read(lambda tx: store.sent_rows(tx, account, region, since)))

    # --- templates --------------------------------------------------------------------------------------------

    async def create_template(self, account: str, region: str, name: str, parts: Parts) -> None:
        templates.check_template(*parts)
        now = self.clock.now()
        if not await self._write(lambda tx: store.insert_template(tx, account, region, name, parts, now)):
            raise AlreadyExists(f"Template {name} already exists.")

    async def update_template(self, account: str, region: str, name: str, parts: Parts) -> None:
        templates.check_template(*parts)
        if not await self._write(lambda tx: store.update_template(tx, account, region, name, parts)):
            raise TemplateDoesNotExist(f"Template {name} does not exist.")

    async def get_template(self, account: str, region: str, name: str) -> Parts:
        found = await self.store.read(lambda tx: store.get_template(tx, account, region, name))
        if found is None:
            raise TemplateDoesNotExist(f"Template {name} does not exist.")
        return found

    async def list_templates(self, account: str, region: str) -> list[tuple[str, float]]:
        return await self.store.read(lambda tx: store.list_templates(tx, account, region))

    async def delete_template(self, account: str, region: str, name: str, must_exist: bool) -> None:
        deleted = await self._write(lambda tx: store.delete_template(tx, account, region, name))
        if must_exist and not deleted:
            raise TemplateDoesNotExist(f"Template {name} does not exist.")

    async def render_template(self, account: str, region: str, name: str, data: str | None) -> str:
        """TestRenderTemplate: the rendered message as MIME text."""
        parts = await self.get_template(account, region, name)
        rendered = templates.render_parts(*parts, templates.template_data(data))
        now = self.clock.now()
        msg = mime.build("", [], [], [], rendered.subject, rendered.text, rendered.html, "x", now)
        for header in ("From", "Message-ID"):
            del msg[header]
        return mime.serialise(msg).decode("utf-8", "replace")

    # --- configuration sets -----------------------------------------------------------------------------------

    async def create_configuration_set(self, account: str, region: str, name: str) -> None:
        now = self.clock.now()
        if not await self._write(lambda tx: store.insert_configuration_set(tx, account, region, name, now)):
            raise ConfigurationSetAlreadyExists(f"Configuration set <{name}> already exists.")

    async def get_configuration_set(self, account: str, region: str, name: str) -> tuple[bool, float]:
        found = await self.store.read(lambda tx: store.get_configuration_set(tx, account, region, name))
        if found is None:
            raise ConfigurationSetDoesNotExist(f"Configuration set <{name}> does not exist.")
        return found

    async def configuration_set_details(self, account: str, region: str, name: str) -> dict[str, Any]:
        """{"sending_enabled", "created_at", "tracking", "suppression"} of a configuration set."""

        def run(tx: Tx) -> dict[str, Any]:
            found = store.get_configuration_set(tx, account, region, name)
            if found is None:
                raise ConfigurationSetDoesNotExist(f"Configuration set <{name}> does not exist.")
            scope = backend_extras.config_scope(name)
            return {
                "sending_enabled": found[0],
                "created_at": found[1],
                "tracking": store_extras.setting(tx, account, region, scope, "tracking"),
                "suppression": store_extras.setting(tx, account, region, scope, "suppression"),
            }

        return await self.store.read(run)

    async def list_configuration_sets(self, account: str, region: str) -> list[str]:
        return await self.store.read(lambda tx: store.list_configuration_sets(tx, account, region))

    async def delete_configuration_set(self, account: str, region: str, name: str) -> None:
        def run(tx: Tx) -> bool:
            store_extras.delete_scope(tx, account, region, backend_extras.config_scope(name))
            return store.delete_configuration_set(tx, account, region, name)

        if not await self._write(run):
            raise ConfigurationSetDoesNotExist(f"Configuration set <{name}> does not exist.")

    async def set_configuration_set_sending(self, account: str, region: str, name: str, enabled: bool) -> None:
        if not await self._write(lambda tx: store.set_configuration_set_sending(tx, account, region, name, enabled)):
            raise ConfigurationSetDoesNotExist(f"Configuration set <{name}> does not exist.")

    async def put_event_destination(
        self,
        account: str,
        region: str,
        configuration_set: str,
        name: str,
        enabled: bool,
        types: list[str],
        sns_topic: str | None,
        event_bus: str | None,
        create: bool,
    ) -> None:
        destination = {
            "enabled": enabled,
            "types": sorted({events.v2_type(t) for t in types}),
            "sns_topic": sns_topic,
            "event_bus": event_bus,
        }

        def run(tx: Tx) -> None:
            if store.get_configuration_set(tx, account, region, configuration_set) is None:
                raise ConfigurationSetDoesNotExist(f"Configuration set <{configuration_set}> does not exist.")
            if not store.put_event_destination(tx, account, region, configuration_set, name, destination, create):
                if create:
                    raise EventDestinationAlreadyExists(
                        f"Event destination {name} already exists in configuration set {configuration_set}."
                    )
                raise EventDestinationDoesNotExist(
                    f"No EventDestination found for {name} in the configuration set {configuration_set}."
                )

        await self._write(run)

    async def event_destinations(self, account: str, region: str, configuration_set: str) -> list[dict[str, Any]]:
        def run(tx: Tx) -> list[dict[str, Any]]:
            if store.get_configuration_set(tx, account, region, configuration_set) is None:
                raise ConfigurationSetDoesNotExist(f"Configuration set <{configuration_set}> does not exist.")
            return store.event_destinations(tx, account, region, configuration_set)

        return await self.store.read(run)

    async def configuration_set_view(
        self, account: str, region: str, name: str
    ) -> tuple[list[dict[str, Any]], dict[str, Any] | None]:
        """(event destinations, tracking options) of a configuration set."""

        def run(tx: Tx) -> tuple[list[dict[str, Any]], dict[str, Any] | None]:
            if store.get_configuration_set(tx, account, region, name) is None:
                raise ConfigurationSetDoesNotExist(f"Configuration set <{name}> does not exist.")
            scope = backend_extras.config_scope(name)
            return store.event_destinations(tx, account, region, name), store_extras.setting(
                tx, account, region, scope, "tracking"
            )

        return await self.store.read(run)

    async def delete_event_destination(self, account: str, region: str, configuration_set: str, name: str) -> None:
        def run(tx: Tx) -> None:
            if store.get_configuration_set(tx, account, region, configuration_set) is None:
                raise ConfigurationSetDoesNotExist(f"Configuration set <{configuration_set}> does not exist.")
            if not store.delete_event_destination(tx, account, region, configuration_set, name):
                raise EventDestinationDoesNotExist(
                    f"No EventDestination found for {name} in the configuration set {configuration_set}."
                )

        await self._write(run)

    # --- sending ----------------------------------------------------------------------------------------------

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
        if message.source_arn and not message.principal:
            message = replace(message, principal=await self.principal_arn(account, message.access_key))
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
        rendered = templates.render_parts(*parts, templates.template_data(data))
        filled = replace(message, subject=rendered.subject, text=rendered.text, html=rendered.html)
        return await self.send(account, region, filled, configuration_set, tags)

    async def send_bulk(
        self,
        account: str,
        region: str,
        source: str,
        reply_to: list[str],
        template: str,
        default_data: str | None,
        entries: list[BulkEntry],
        configuration_set: str | None,
        default_tags: dict[str, str],
    ) -> list[tuple[str, str | None, str | None]]:
        """SendBulkTemplatedEmail / SendBulkEmail: (status code, error message, message id) per destination, in
        order; errors of the whole call (unknown template or configuration set) raise."""
        if not entries or len(entries) > limits.MAX_BULK_DESTINATIONS:
            raise InvalidParameterValue(f"Destinations must contain between 1 and {limits.MAX_BULK_DESTINATIONS}.")
        parts = await self.get_template(account, region, template)
        defaults = templates.template_data(default_data)
        if configuration_set:
            await self.get_configuration_set(account, region, configuration_set)
        prepared: list[Outgoing | ServiceError] = []
        for entry in entries:
            try:
                data = {**defaults, **templates.template_data(entry.data)}
                rendered = templates.render_parts(*parts, data)
                prepared.append(
                    Outgoing(
                        source, entry.to, entry.cc, entry.bcc, reply_to, rendered.subject, rendered.text, rendered.html
                    )
                )
            except ServiceError as error:
                prepared.append(error)

        def run(tx: Tx) -> list[tuple[str, str | None, str | None]]:
            out: list[tuple[str, str | None, str | None]] = []
            for entry, message in zip(entries, prepared, strict=True):
                if isinstance(message, ServiceError):
                    out.append((message.code, message.message, None))
                    continue
                try:
                    tags = {**default_tags, **entry.tags}
                    ses_id = self._accept(tx, account, region, message, configuration_set, tags, "api", 0, bulk=True)
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
    ) -> str:
        """Check one message against the account and keep it, with its events (all or nothing: the checks come
        before the first write). ``prebuilt``: (message id, mail) made before the transaction."""
        now = self.clock.now()
        ses_id = prebuilt[0] if prebuilt else mime.message_id(int(now * 1000))
        state = self._account(tx, account, region)
        destinations: list[dict[str, Any]] = []
        if configuration_set:
            found = store.get_configuration_set(tx, account, region, configuration_set)
            if found is None:
                raise ConfigurationSetDoesNotExist(f"Configuration set <{configuration_set}> does not exist.")
            if not found[0]:
                raise ConfigurationSetSendingPaused(
                    f"Sending is paused for this configuration set: {configuration_set}"
                )
            destinations = [d for d in store.event_destinations(tx, account, region, configuration_set) if d["enabled"]]
        tracked = None if prebuilt else self._tracking(tx, account, region, configuration_set, destinations, message)
        if tracked is not None:
            message = replace(message, html=tracked.html)
        mail = prebuilt[1] if prebuilt else self._mail(message, ses_id, now, max_bytes)
        recipients = [mime.bare(r) for r in mail.recipients]
        if len(recipients) > limits.MAX_RECIPIENTS:
            raise InvalidParameterValue(f"Recipient count exceeds {limits.MAX_RECIPIENTS}.")
        source = mime.bare(mail.source)
        for address in recipients:
            check_address(address)
        names = list(dict.fromkeys(n for a in [source, *recipients] for n in candidates(a)))
        statuses = store.identity_statuses(tx, account, region, names)
        owner = (account, region, next((n for n in candidates(source) if statuses.get(n) == "Success"), source))
        if message.source_arn:
            owner = self._delegate(tx, account, region, message, source, recipients, mail)
            statuses = {**statuses, source: "Success"}
        check_identities(state, source, recipients, statuses, region)
        return_path = authorization.mail_from_check(store_extras.mail_from(tx, *owner))
        messages_last_second = 0 if bulk else store.messages_since(tx, account, region, now - limits.RATE_WINDOW)
        in_window = store.recipients_since(tx, account, region, now - self.quota_window, self.bucket_width)
        check_quota(state, messages_last_second, in_window, len(recipients))
        kept = self._listed(tx, account, region, message, recipients)
        outcome = events.fates(kept, self._suppressed(tx, account, region, configuration_set, kept))
        raw = mail.raw if return_path is None else f"Return-Path: <{ses_id}@{return_path}>\r\n".encode() + mail.raw
        store.add_sent(
            tx, account, region, now, len(recipients), len(outcome.bounced), len(outcome.complained),
            self.bucket_width,
        )  # fmt: skip
        store.add_message(tx, ses_id, account, region, source, kept, mail.subject, origin, raw, now)
        self._relay(tx, ses_id, f"{ses_id}@{return_path}" if return_path else source, outcome.delivered)
        if destinations:
            sent = events.Sent(
                account, region, ses_id, mail.source, authorization.identity_arn(owner[1], owner[0], owner[2]),
                kept, mail.headers, mail.subject, mail.to, mail.from_, configuration_set,
                {k: [v] for k, v in tags.items()}, now,
            )  # fmt: skip
            self._publish(tx, account, region, destinations, events.events_for(sent, outcome), now)
            for token, kind, link in tracked.tokens if tracked is not None else ():
                store_extras.add_tracking(
                    tx, token, account, region, configuration_set or "", kind, link,
                    {"mail": events.mail_object(sent)}, now,
                )  # fmt: skip
        return ses_id

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
        """A send naming an identity by ARN (sending authorization): the identity must cover the sender and be
        verified in its owner's account; another account's identity needs a policy allowing the caller. Its
        (account, region, name)."""
        assert message.source_arn is not None
        ref = authorization.parse_identity_arn(message.source_arn)
        if ref.name not in candidates(source):
            raise InvalidParameterValue(f"Source {source} does not match the identity of {message.source_arn}.")
        found = store.get_identity(tx, ref.account, ref.region, ref.name)
        if found is None or not found.verified:
            raise MessageRejected(
                "Email address is not verified. The following identities failed the check in region "
                f"{ref.region.upper()}: {message.source_arn}"
            )
        if (ref.account, ref.region) != (account, region):
            action = "ses:SendRawEmail" if message.raw is not None else "ses:SendEmail"
            display = email.utils.parseaddr(mail.source)[0]
            authorization.authorize(
                store_extras.policies(tx, ref.account, ref.region, ref.name),
                Principal(account, message.principal or f"arn:aws:iam::{account}:root"),
                action,
                message.source_arn,
                authorization.sending_context(source, recipients, display, "2" if message.api == "v2" else "1"),
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
    ) -> tracking.Tracked | None:
        """Open and click tracking of a built message's HTML when the configuration set's destinations take OPEN or
        CLICK events."""
        if not configuration_set or message.html is None or message.raw is not None or not message.base_url:
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
        return tracking.track(message.html, base, opens, clicks)

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
        if not message.recipients:
            raise InvalidParameterValue("Missing final '@domain'")
        built = mime.build(
            message.source, message.to, message.cc, message.reply_to, message.subject, message.text, message.html,
            ses_id, now,
        )  # fmt: skip
        raw = mime.serialise(built)
        if max_bytes and len(raw) > max_bytes:
            raise MessageRejected(f"Message length is more than {max_bytes} bytes long: '{len(raw)}'.")
        headers = [(k, str(v)) for k, v in built.items()]
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

    # --- the captured mailbox ---------------------------------------------------------------------------------

    async def captured(self, filters: dict[str, str], limit: int, with_raw: bool = False) -> list[dict[str, Any]]:
        return await self.store.read(lambda tx: store.messages(tx, filters, limit, with_raw))

    async def clear_captured(self, filters: dict[str, str]) -> int:
        return await self._write(lambda tx: store.delete_messages(tx, filters))
