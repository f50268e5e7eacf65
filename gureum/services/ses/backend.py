"""SesBackend: every SES behaviour over the store, one method per operation with plain arguments. SES v1's
operations (ops_*.py), SES v2's (through the SesMail port), the SMTP listener and the admin routes all call it.
This module holds identities, the account, templates and configuration sets; sending is backend_sending.py's,
receiving backend_receipt.py's, the identity and account extras backend_extras.py's.
"""

from __future__ import annotations

import functools
import secrets
from collections.abc import Awaitable, Callable
from dataclasses import replace
from typing import Any

from ...aws.context import RequestContext
from ...clock import Clock
from ...delivery import Delivery
from ...ports import LambdaInvoker, S3Objects
from ...runtime import Runtime
from ...store.base import Store, Tx
from . import backend_extras, dns_verify, events, limits, mime, notifications, relay, store, store_extras, templates
from .account import AccountState, statistics
from .backend_bounce import BounceBackend
from .backend_extras import ExtrasBackend
from .backend_options import DKIM, OptionsBackend
from .backend_pools import PoolsBackend
from .backend_receipt import ReceivingBackend
from .backend_sending import BulkEntry, Outgoing, Parts, SendingBackend
from .errors import (
    AlreadyExists,
    ConfigurationSetAlreadyExists,
    ConfigurationSetDoesNotExist,
    EventDestinationAlreadyExists,
    EventDestinationDoesNotExist,
    InvalidParameterValue,
    NotFound,
    TemplateDoesNotExist,
)
from .identities import DOMAIN, EMAIL, PENDING, SUCCESS, Identity, check_address, kind_of, new_identity
from .permissions import Permissions
from .tags import TAGS, check_tags

__all__ = ["VERIFY_PATH", "BulkEntry", "Outgoing", "SesBackend", "backend"]
VERIFY_PATH = "/_gureum/ses/verify"
NO_REPLY = "no-reply-aws@amazon.com"
DETAILS = "details"  # the account setting PutAccountDetails keeps
_DNS_BATCH = 500  # pending identities (and MAIL FROM domains) looked up a round


def backend(ctx_or_runtime: RequestContext | Runtime) -> SesBackend:
    runtime = ctx_or_runtime.runtime if isinstance(ctx_or_runtime, RequestContext) else ctx_or_runtime
    return runtime.state(SesBackend)


class SesBackend(SendingBackend, ReceivingBackend, BounceBackend, ExtrasBackend, OptionsBackend, PoolsBackend):
    def __init__(
        self,
        store_: Store,
        clock: Clock,
        delivery: Delivery,
        lambda_invoker: Callable[[], LambdaInvoker | None] = lambda: None,
        principal_arn: Callable[[str, str], Awaitable[str]] | None = None,
        smarthost: relay.Relay | None = None,
        s3_objects: Callable[[], S3Objects | None] = lambda: None,
        permissions: Permissions | None = None,
    ) -> None:
        self.store = store_
        self.clock = clock
        self.delivery = delivery
        self.lambda_invoker = lambda_invoker
        self._principal_arn = principal_arn
        self.smarthost = smarthost
        self.s3_objects = s3_objects
        self.permissions = permissions
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

    async def create_identity(
        self, account: str, region: str, name: str, base_url: str, options: dict[str, Any] | None = None
    ) -> Identity:
        """SES v2 CreateEmailIdentity: AlreadyExists when the identity is there. ``options``: "tags",
        "configuration_set" (the identity's default) and "dkim_signing" (SES v2's DkimSigningAttributes: a selector
        and private key make it BYODKIM, the selector its one token), kept in the same transaction."""
        kind = kind_of(name)
        options = dict(options or {})
        signing = options.pop("dkim_signing", None)
        now = self.clock.now()
        doc = None
        if signing is not None:
            if kind != DOMAIN:
                raise InvalidParameterValue(f"DKIM signing attributes apply to domain identities only: {name}")
            byo = bool(signing.get("DomainSigningSelector") or signing.get("DomainSigningPrivateKey"))
            doc = self.dkim_signing(signing, "EXTERNAL" if byo else "AWS_SES", now)

        def run(tx: Tx) -> Identity:
            identity = self._start_identity(tx, account, region, name, kind, base_url, True)
            if doc is not None and doc["origin"] == "EXTERNAL":
                identity = replace(identity, dkim_tokens=(doc["selector"],))
                store.put_identity(tx, identity)
            self._identity_options(tx, account, region, name, {**options, "dkim": doc})
            return identity

        return await self._write(run)

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
            store_extras.delete_scope(tx, account, region, notifications.identity_scope(name))
            return store.delete_identity(tx, account, region, name)

        deleted = await self._write(run)
        if must_exist and not deleted:
            raise NotFound(f"Email identity {name} does not exist.")

    # --- account ----------------------------------------------------------------------------------------------

    @staticmethod
    def _account(tx: Tx, account: str, region: str, cached: bool = False) -> AccountState:
        """The account's sending state (``cached``: from the store's cache, as a send reads it)."""
        row = store.get_account(tx, account, region, cached=cached)
        state = AccountState(*row) if row else AccountState()
        reasons = store_extras.setting(tx, account, region, backend_extras.ACCOUNT, "suppression", cached=cached)
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

    async def put_account_details(self, account: str, region: str, details: dict[str, Any]) -> None:
        """SES v2's PutAccountDetails: the account's details kept; asking for production access opens a review
        (ReviewDetails PENDING with a case id) that AWS Support — gureum's admin endpoint — grants. The account
        stays in the sandbox until then."""
        asked = bool(details.pop("ProductionAccessEnabled", False))

        def run(tx: Tx) -> None:
            old = store_extras.setting(tx, account, region, backend_extras.ACCOUNT, DETAILS) or {}
            review = old.get("ReviewDetails")
            if (
                asked
                and not self._account(tx, account, region).production
                and (review or {}).get("Status") != "PENDING"
            ):
                review = {"Status": "PENDING", "CaseId": str(secrets.randbelow(9 * 10**9) + 10**9)}
            doc = {**details, **({"ReviewDetails": review} if review else {})}
            store_extras.put_setting(tx, account, region, backend_extras.ACCOUNT, DETAILS, doc)

        await self._write(run)

    async def account_details(self, account: str, region: str) -> dict[str, Any] | None:
        """What PutAccountDetails kept (GetAccount's Details), or None."""
        found = await self.store.read(
            lambda tx: store_extras.setting(tx, account, region, backend_extras.ACCOUNT, DETAILS)
        )
        return None if found is None else dict(found)

    async def grant_production(self, account: str, region: str, max_24: float | None, rate: float | None) -> None:
        """What AWS Support does when it lifts the sandbox: production access with a quota (and a pending
        production-access review of PutAccountDetails GRANTED)."""

        def run(tx: Tx) -> None:
            details = store_extras.setting(tx, account, region, backend_extras.ACCOUNT, DETAILS)
            if details and details.get("ReviewDetails"):
                details["ReviewDetails"]["Status"] = "GRANTED"
                store_extras.put_setting(tx, account, region, backend_extras.ACCOUNT, DETAILS, details)
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
        return statistics(
            await self.store.read(lambda tx: store.sent_rows(tx, account, region, since, limits.STATISTICS_INTERVAL))
        )

    async def check_dns(self, lookup: dns_verify.Lookup) -> int:
        """Look pending domain identities' records (and custom MAIL FROM domains' MX) up in DNS, as SES does, and
        mark what was found (the lookups outside any transaction). How many were verified."""
        pending = await self.store.read(lambda tx: store.pending_domains(tx, _DNS_BATCH))
        found = 0
        for identity in pending:
            doc = await self.store.read(functools.partial(_dkim_setting, identity=identity))
            dkim = identity.dkim_status == PENDING and await dns_verify.dkim_found(identity, doc, lookup)
            if not dkim and (identity.verified or not await dns_verify.verification_found(identity, lookup)):
                continue  # nothing new found
            await self._write(functools.partial(_mark_found, seen=identity, dkim=dkim))
            found += not identity.verified
        for account, region, name, domain in await self.store.read(
            lambda tx: store_extras.pending_mail_from(tx, _DNS_BATCH)
        ):
            if await dns_verify.mail_from_found(domain, region, lookup):
                await self._write(functools.partial(store_extras.confirm_mail_from, account=account, region=region,
                                                    identity=name))  # fmt: skip
        return found

    async def prune_sent(self) -> int:
        """Forget what no answer needs any more: sends older than GetSendStatistics' two weeks (in transactions of
        PRUNE_BATCH rows, so the store's writer is never held long) and quota buckets older than the quota window.
        How many sends went."""
        now = self.clock.now()
        gone = 0
        while True:
            batch = await self._write(lambda tx: store.prune_sent(tx, now - limits.STATISTICS_SPAN, limits.PRUNE_BATCH))
            gone += batch
            if batch < limits.PRUNE_BATCH:
                break
        await self._write(lambda tx: store.prune_sent_buckets(tx, now - self.quota_window - self.bucket_width))
        return gone

    # --- templates --------------------------------------------------------------------------------------------

    async def create_template(
        self, account: str, region: str, name: str, parts: Parts, tags: dict[str, str] | None = None
    ) -> None:
        templates.check_template(*parts)
        check_tags(tags or {})
        now = self.clock.now()

        def run(tx: Tx) -> bool:
            if not store.insert_template(tx, account, region, name, parts, now):
                return False
            store_extras.put_setting(tx, account, region, backend_extras.template_scope(name), TAGS, tags or None)
            return True

        if not await self._write(run):
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
        def run(tx: Tx) -> bool:
            store_extras.delete_scope(tx, account, region, backend_extras.template_scope(name))
            return store.delete_template(tx, account, region, name)

        deleted = await self._write(run)
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

    async def create_configuration_set(
        self, account: str, region: str, name: str, options: dict[str, Any] | None = None
    ) -> None:
        """``options``: "sending_enabled" and settings to keep with it ("tracking", "suppression" and
        backend_options.CONFIG_OPTIONS), checked and written in the one transaction."""
        now = self.clock.now()
        options = dict(options or {})
        sending = options.pop("sending_enabled", True)

        def run(tx: Tx) -> bool:
            if not store.insert_configuration_set(tx, account, region, name, now):
                return False
            if not sending:
                store.set_configuration_set_sending(tx, account, region, name, False)
            self._put_options(tx, account, region, name, options)
            return True

        if not await self._write(run):
            raise ConfigurationSetAlreadyExists(f"Configuration set <{name}> already exists.")

    async def get_configuration_set(self, account: str, region: str, name: str) -> tuple[bool, float]:
        found = await self.store.read(lambda tx: store.get_configuration_set(tx, account, region, name))
        if found is None:
            raise ConfigurationSetDoesNotExist(f"Configuration set <{name}> does not exist.")
        return found

    async def configuration_set_details(self, account: str, region: str, name: str) -> dict[str, Any]:
        """{"sending_enabled", "created_at", "tracking", "suppression"} and backend_options.CONFIG_OPTIONS (None
        when not set), "fresh_start" (when sending was last enabled again) of a configuration set."""

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
                **self.configuration_set_options(tx, account, region, name),
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
        targets: dict[str, Any] | None = None,
    ) -> None:
        """``targets``: the destination's others — "firehose" ({"stream", "role"}), "cloudwatch" (dimension
        configurations [{"name", "source" (SES v2's spelling), "default"}]), "pinpoint" (an application ARN)."""
        destination = {
            "enabled": enabled,
            "types": sorted({events.v2_type(t) for t in types}),
            "sns_topic": sns_topic,
            "event_bus": event_bus,
            **(targets or {}),
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

    # --- the captured mailbox ---------------------------------------------------------------------------------

    async def captured(self, filters: dict[str, str], limit: int, with_raw: bool = False) -> list[dict[str, Any]]:
        return await self.store.read(lambda tx: store.messages(tx, filters, limit, with_raw))

    async def clear_captured(self, filters: dict[str, str]) -> int:
        return await self._write(lambda tx: store.delete_messages(tx, filters))


def _dkim_setting(tx: Tx, identity: Identity) -> dict[str, Any] | None:
    scope = notifications.identity_scope(identity.name)
    doc: dict[str, Any] | None = store_extras.setting(tx, identity.account, identity.region, scope, DKIM)
    return doc


def _mark_found(tx: Tx, seen: Identity, dkim: bool) -> None:
    """The identity verified (and its DKIM records found, ``dkim``) unless it changed since it was looked up."""
    current = store.get_identity(tx, seen.account, seen.region, seen.name)
    if current is None or current.token != seen.token or current.dkim_tokens != seen.dkim_tokens:
        return  # the next round looks again
    store.put_identity(tx, replace(current, status=SUCCESS, dkim_status=SUCCESS if dkim else current.dkim_status))
