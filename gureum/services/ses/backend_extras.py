"""SesBackend, the identity and account extras: sending-authorization policies, MAIL FROM domains, notification
topics and feedback forwarding, the suppression list and its settings, contact lists and contacts (SES v2),
configuration-set tracking and suppression options, and the open/click tracking links of sent mail being fetched."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from ...clock import Clock
from ...store.base import Store, Tx
from . import authorization, events, notifications, store, store_extras
from .errors import (
    AlreadyExists,
    ConfigurationSetDoesNotExist,
    InvalidParameterValue,
    LimitExceeded,
    NotFound,
    TrackingOptionsAlreadyExists,
    TrackingOptionsDoesNotExist,
)
from .permissions import Permissions
from .tags import TAGS, check_tags

T = TypeVar("T")
ACCOUNT = "account"
REASONS = ("BOUNCE", "COMPLAINT")
SUBSCRIPTION = ("OPT_IN", "OPT_OUT")


def config_scope(name: str) -> str:
    return f"configuration-set:{name}"


def list_scope(name: str) -> str:
    return f"contact-list:{name}"


def template_scope(name: str) -> str:
    return f"template:{name}"


class ExtrasBackend:
    """Mixed into SesBackend (which sets these attributes)."""

    store: Store
    clock: Clock
    auto_verify: bool
    permissions: Permissions | None

    async def _write(self, fn: Callable[[Tx], T]) -> T:
        return await self.store.write(fn)

    @staticmethod
    def _identity_kind(tx: Tx, account: str, region: str, name: str, v1: bool = False) -> str:
        """The identity's kind; SES v2's NotFound (v1: InvalidParameterValue) when there is no such identity."""
        found = store.get_identity(tx, account, region, name)
        if found is None:
            if v1:
                raise InvalidParameterValue(f"Identity {name} is invalid. Must be a verified domain or address.")
            raise NotFound(f"Email identity {name} does not exist.")
        return found.kind

    # --- identity policies --------------------------------------------------------------------------------------

    async def put_policy(
        self, account: str, region: str, identity: str, name: str, policy: str, mode: str = "put"
    ) -> None:
        """PutIdentityPolicy (mode "put"), v2's CreateEmailIdentityPolicy ("create": AlreadyExists when the name is
        taken) and UpdateEmailIdentityPolicy ("update": NotFound when it is not)."""
        authorization.check_policy(policy)

        def run(tx: Tx) -> None:
            self._identity_kind(tx, account, region, identity, v1=mode == "put")
            existing = store_extras.policies(tx, account, region, identity)
            if mode == "create" and name in existing:
                raise AlreadyExists(f"Policy {name} already exists for identity {identity}.")
            if mode == "update" and name not in existing:
                raise NotFound(f"Policy {name} does not exist for identity {identity}.")
            if name not in existing and len(existing) >= authorization.MAX_POLICIES:
                raise LimitExceeded(f"An identity can have at most {authorization.MAX_POLICIES} policies.")
            store_extras.put_policy(tx, account, region, identity, name, policy)

        await self._write(run)

    async def policies(self, account: str, region: str, identity: str, must_exist: bool) -> dict[str, str]:
        def run(tx: Tx) -> dict[str, str]:
            if must_exist:
                self._identity_kind(tx, account, region, identity)
            return store_extras.policies(tx, account, region, identity)

        return await self.store.read(run)

    async def delete_policy(self, account: str, region: str, identity: str, name: str, must_exist: bool) -> None:
        def run(tx: Tx) -> None:
            if must_exist:
                self._identity_kind(tx, account, region, identity)
            if not store_extras.delete_policy(tx, account, region, identity, name) and must_exist:
                raise NotFound(f"Policy {name} does not exist for identity {identity}.")

        await self._write(run)

    # --- MAIL FROM ----------------------------------------------------------------------------------------------

    async def set_mail_from(
        self, account: str, region: str, identity: str, domain: str | None, behavior: str | None, must_exist: bool
    ) -> None:
        """SetIdentityMailFromDomain / PutEmailIdentityMailFromAttributes: a subdomain of the identity's domain,
        Pending until the MX record is found (the admin domain check, or auto-verify); no domain: SES's own."""
        behavior = behavior or "UseDefaultValue"

        def run(tx: Tx) -> None:
            found = store.get_identity(tx, account, region, identity)
            if found is None:
                if must_exist:
                    raise NotFound(f"Email identity {identity} does not exist.")
                raise InvalidParameterValue(f"Identity {identity} is invalid. Must be a verified domain or address.")
            if domain:
                authorization.check_mail_from(identity, found.kind, domain, behavior)
            status = "Success" if self.auto_verify else "Pending"
            store_extras.put_mail_from(tx, account, region, identity, domain, behavior, status)

        await self._write(run)

    async def mail_from(self, account: str, region: str, names: list[str]) -> dict[str, tuple[str, str, str]]:
        """identity → (MAIL FROM domain, behavior, status) for those of ``names`` that exist ("" for the domain and
        status of one using SES's own MAIL FROM)."""

        def run(tx: Tx) -> dict[str, tuple[str, str, str]]:
            out = {}
            for name in names:
                if store.get_identity(tx, account, region, name) is not None:
                    found = store_extras.mail_from(tx, account, region, name)
                    out[name] = found or ("", "UseDefaultValue", "")
            return out

        return await self.store.read(run)

    # --- notification topics and feedback forwarding -------------------------------------------------------------

    async def _edit_notifications(
        self, account: str, region: str, identity: str, edit: Callable[[notifications.Settings], None], v1: bool
    ) -> None:
        name = identity.rsplit("identity/", 1)[-1] if identity.startswith("arn:") else identity
        scope = notifications.identity_scope(name)

        def run(tx: Tx) -> None:
            self._identity_kind(tx, account, region, name, v1=v1)
            settings = notifications.Settings.of(
                store_extras.setting(tx, account, region, scope, notifications.SETTING)
            )
            edit(settings)
            store_extras.put_setting(tx, account, region, scope, notifications.SETTING, settings.doc())

        await self._write(run)

    async def set_notification_topic(
        self, account: str, region: str, identity: str, kind: str, topic: str | None
    ) -> None:
        """SetIdentityNotificationTopic: the topic must exist and take SES's publishing (another account's by its
        policy); none clears it."""
        if kind not in notifications.TYPES:
            raise InvalidParameterValue(f"Invalid notification type: {kind}")
        if topic and self.permissions is not None:
            source = f"arn:aws:ses:{region}:{account}:identity/{identity}"
            if not await self.permissions.may_publish(account, topic, source):
                raise InvalidParameterValue(f"Could not publish to SNS topic: {topic}")
        await self._edit_notifications(account, region, identity, lambda s: s.set_topic(kind, topic), v1=True)

    async def set_notification_headers(
        self, account: str, region: str, identity: str, kind: str, enabled: bool
    ) -> None:
        """SetIdentityHeadersInNotificationsEnabled: only for a type that has a topic."""
        if kind not in notifications.TYPES:
            raise InvalidParameterValue(f"Invalid notification type: {kind}")
        await self._edit_notifications(account, region, identity, lambda s: s.set_headers(kind, enabled), v1=True)

    async def set_feedback_forwarding(self, account: str, region: str, identity: str, enabled: bool, v1: bool) -> None:
        """SetIdentityFeedbackForwardingEnabled (v1: off only with both Bounce and Complaint topics) and SES v2's
        PutEmailIdentityFeedbackAttributes (off whenever asked: bounces and complaints reported nowhere else are
        still mailed)."""
        await self._edit_notifications(account, region, identity, lambda s: s.set_forwarding(enabled, strict=v1), v1=v1)

    async def notification_settings(
        self, account: str, region: str, names: list[str]
    ) -> dict[str, notifications.Settings]:
        """identity → its notification settings, for those of ``names`` that exist."""

        def run(tx: Tx) -> dict[str, notifications.Settings]:
            out = {}
            for identity in names:
                name = identity.rsplit("identity/", 1)[-1] if identity.startswith("arn:") else identity
                if store.get_identity(tx, account, region, name) is None:
                    continue
                scope = notifications.identity_scope(name)
                doc = store_extras.setting(tx, account, region, scope, notifications.SETTING)
                out[identity] = notifications.Settings.of(doc)
            return out

        return await self.store.read(run)

    # --- suppression list ---------------------------------------------------------------------------------------

    async def put_suppressed(self, account: str, region: str, address: str, reason: str) -> None:
        if reason not in REASONS:
            raise InvalidParameterValue(f"Invalid suppression reason: {reason}")
        now = self.clock.now()
        await self._write(lambda tx: store_extras.put_suppressed(tx, account, region, address, reason, None, now))

    async def get_suppressed(self, account: str, region: str, address: str) -> tuple[str, str | None, float]:
        found = await self.store.read(lambda tx: store_extras.get_suppressed(tx, account, region, address))
        if found is None:
            raise NotFound(f"Email address {address} does not exist on your suppression list.")
        return found

    async def list_suppressed(
        self, account: str, region: str, reasons: list[str], start: float | None, end: float | None
    ) -> list[tuple[str, str, float]]:
        found = await self.store.read(lambda tx: store_extras.list_suppressed(tx, account, region))
        return [
            (a, r, at)
            for a, r, at in found
            if (not reasons or r in reasons) and (start is None or at >= start) and (end is None or at <= end)
        ]

    async def delete_suppressed(self, account: str, region: str, address: str) -> None:
        if not await self._write(lambda tx: store_extras.delete_suppressed(tx, account, region, address)):
            raise NotFound(f"Email address {address} does not exist on your suppression list.")

    # --- settings (account and configuration set) ---------------------------------------------------------------

    async def put_setting(
        self, account: str, region: str, configuration_set: str | None, name: str, value: Any
    ) -> None:
        """An account option (``configuration_set`` None) or a configuration set's; None removes it."""

        def run(tx: Tx) -> None:
            scope = ACCOUNT
            if configuration_set is not None:
                if store.get_configuration_set(tx, account, region, configuration_set) is None:
                    raise ConfigurationSetDoesNotExist(f"Configuration set <{configuration_set}> does not exist.")
                scope = config_scope(configuration_set)
            store_extras.put_setting(tx, account, region, scope, name, value)

        await self._write(run)

    async def put_tracking(
        self, account: str, region: str, configuration_set: str, options: dict[str, Any] | None, mode: str
    ) -> None:
        """A configuration set's tracking options (CustomRedirectDomain, HttpsPolicy): mode "create" (v1: none yet),
        "update" / "delete" (v1: there are some), "put" (v2)."""

        def run(tx: Tx) -> None:
            if store.get_configuration_set(tx, account, region, configuration_set) is None:
                raise ConfigurationSetDoesNotExist(f"Configuration set <{configuration_set}> does not exist.")
            scope = config_scope(configuration_set)
            existing = store_extras.setting(tx, account, region, scope, "tracking")
            if mode == "create" and existing is not None:
                raise TrackingOptionsAlreadyExists(
                    f"Tracking options already exist for configuration set <{configuration_set}>."
                )
            if mode in ("update", "delete") and existing is None:
                raise TrackingOptionsDoesNotExist(
                    f"Tracking options do not exist for configuration set <{configuration_set}>."
                )
            store_extras.put_setting(tx, account, region, scope, "tracking", None if mode == "delete" else options)

        await self._write(run)

    async def setting(self, account: str, region: str, configuration_set: str | None, name: str) -> Any:
        scope = ACCOUNT if configuration_set is None else config_scope(configuration_set)
        return await self.store.read(lambda tx: store_extras.setting(tx, account, region, scope, name))

    # --- contact lists and contacts -----------------------------------------------------------------------------

    def _need_list(self, tx: Tx, account: str, region: str, name: str) -> dict[str, Any]:
        found = store_extras.contact_list(tx, account, region, name)
        if found is None:
            raise NotFound(f"List with name {name} does not exist.")
        return found

    async def create_contact_list(
        self,
        account: str,
        region: str,
        name: str,
        description: str | None,
        topics: list[dict[str, Any]],
        tags: dict[str, str] | None = None,
    ) -> None:
        _check_topics(topics)
        check_tags(tags or {})
        now = self.clock.now()

        def run(tx: Tx) -> None:
            if store_extras.contact_list(tx, account, region, name) is not None:
                raise AlreadyExists(f"List with name {name} already exists.")
            if store_extras.contact_lists(tx, account, region):  # SES allows one contact list per account
                raise LimitExceeded("Maximum number of contact lists (1) reached.")
            store_extras.put_contact_list(tx, account, region, name, description, topics, now)
            store_extras.put_setting(tx, account, region, list_scope(name), TAGS, tags or None)

        await self._write(run)

    async def update_contact_list(
        self, account: str, region: str, name: str, description: str | None, topics: list[dict[str, Any]]
    ) -> None:
        _check_topics(topics)
        now = self.clock.now()

        def run(tx: Tx) -> None:
            self._need_list(tx, account, region, name)
            store_extras.put_contact_list(tx, account, region, name, description, topics, now)

        await self._write(run)

    async def contact_list(self, account: str, region: str, name: str) -> dict[str, Any]:
        return await self.store.read(lambda tx: self._need_list(tx, account, region, name))

    async def contact_lists(self, account: str, region: str) -> list[tuple[str, float]]:
        return await self.store.read(lambda tx: store_extras.contact_lists(tx, account, region))

    async def delete_contact_list(self, account: str, region: str, name: str) -> None:
        def run(tx: Tx) -> bool:
            store_extras.delete_scope(tx, account, region, list_scope(name))
            return store_extras.delete_contact_list(tx, account, region, name)

        if not await self._write(run):
            raise NotFound(f"List with name {name} does not exist.")

    async def put_contact(
        self,
        account: str,
        region: str,
        list_name: str,
        address: str,
        preferences: list[dict[str, Any]],
        unsubscribe_all: bool,
        attributes: str | None,
        create: bool,
    ) -> None:
        now = self.clock.now()

        def run(tx: Tx) -> None:
            found = self._need_list(tx, account, region, list_name)
            names = {t["TopicName"] for t in found["topics"]}
            for preference in preferences:
                if preference["TopicName"] not in names:
                    raise InvalidParameterValue(f"Topic {preference['TopicName']} does not exist in {list_name}.")
                if preference["SubscriptionStatus"] not in SUBSCRIPTION:
                    raise InvalidParameterValue(f"Invalid subscription status {preference['SubscriptionStatus']}.")
            existing = store_extras.contact(tx, account, region, list_name, address)
            if create and existing is not None:
                raise AlreadyExists(f"Contact already exists in list {list_name}")
            if not create and existing is None:
                raise NotFound(f"Contact {address} does not exist in list {list_name}.")
            doc = {
                "address": address,
                "preferences": preferences,
                "unsubscribe_all": unsubscribe_all,
                "attributes": attributes,
                "created_at": existing["created_at"] if existing else now,
                "updated_at": now,
            }
            store_extras.put_contact(tx, account, region, list_name, doc)

        await self._write(run)

    async def contact(
        self, account: str, region: str, list_name: str, address: str
    ) -> tuple[dict[str, Any], dict[str, Any]]:
        """(the contact, its list)."""

        def run(tx: Tx) -> tuple[dict[str, Any], dict[str, Any]]:
            found_list = self._need_list(tx, account, region, list_name)
            found = store_extras.contact(tx, account, region, list_name, address)
            if found is None:
                raise NotFound(f"Contact {address} does not exist in list {list_name}.")
            return found, found_list

        return await self.store.read(run)

    async def contacts(self, account: str, region: str, list_name: str) -> tuple[list[dict[str, Any]], dict[str, Any]]:
        def run(tx: Tx) -> tuple[list[dict[str, Any]], dict[str, Any]]:
            found_list = self._need_list(tx, account, region, list_name)
            return store_extras.contacts(tx, account, region, list_name), found_list

        return await self.store.read(run)

    async def delete_contact(self, account: str, region: str, list_name: str, address: str) -> None:
        def run(tx: Tx) -> None:
            self._need_list(tx, account, region, list_name)
            if not store_extras.delete_contact(tx, account, region, list_name, address):
                raise NotFound(f"Contact {address} does not exist in list {list_name}.")

        await self._write(run)

    # --- tracking links fetched ---------------------------------------------------------------------------------

    async def tracked(self, token: str, ip: str, user_agent: str) -> dict[str, Any] | None:
        """A tracking pixel or link was fetched: its Open / Click event published to the configuration set's
        destinations that take it; the link's row (kind, link) or None for an unknown token."""
        now = self.clock.now()

        def run(tx: Tx) -> dict[str, Any] | None:
            found = store_extras.tracking(tx, token)
            if found is None or found["kind"] not in ("open", "click"):
                return None
            account, region, name = found["account"], found["region"], found["configuration_set"]
            kind = events.OPEN if found["kind"] == "open" else events.CLICK
            detail: dict[str, Any] = {"ipAddress": ip, "timestamp": events.iso(now), "userAgent": user_agent}
            if kind == events.CLICK:
                detail.update({"link": found["link"], "linkTags": {}})
            record = {"eventType": events.event_name(kind), "mail": found["sent"]["mail"], kind.lower(): detail}
            destinations = [d for d in store.event_destinations(tx, account, region, name) if d["enabled"]]
            self._publish(tx, account, region, destinations, [(kind, record)], now)
            return found

        return await self._write(run)

    async def unsubscribe(self, token: str) -> dict[str, Any] | None:
        """A List-Unsubscribe link was followed (or posted, one click): its recipient opts out of the topic, or of
        the whole contact list when the message named no topic (a contact made if it was none), and a
        Subscription event goes to the message's configuration-set destinations that take it. None: no such
        link, or its list is gone."""
        now = self.clock.now()

        def run(tx: Tx) -> dict[str, Any] | None:
            found = store_extras.tracking(tx, token)
            if found is None or found["kind"] != "unsubscribe":
                return None
            account, region, list_name = found["account"], found["region"], found["link"]
            address, topic = found["sent"]["address"], found["sent"].get("topic")
            listed = store_extras.contact_list(tx, account, region, list_name)
            if listed is None:
                return None
            before = store_extras.contact(tx, account, region, list_name, address)
            contact = dict(before) if before is not None else {
                "address": address, "preferences": [], "unsubscribe_all": False, "attributes": None,
                "created_at": now,
            }  # fmt: skip
            if topic:
                kept = [p for p in contact["preferences"] if p["TopicName"] != topic]
                contact["preferences"] = [*kept, {"TopicName": topic, "SubscriptionStatus": "OPT_OUT"}]
            else:
                contact["unsubscribe_all"] = True
            contact["updated_at"] = now
            store_extras.put_contact(tx, account, region, list_name, contact)
            name, mail = found["configuration_set"], found["sent"].get("mail")
            if name and mail is not None:
                record = events.subscription(
                    mail, list_name, now, events.topic_preferences(before, listed["topics"]),
                    events.topic_preferences(contact, listed["topics"]),
                )  # fmt: skip
                destinations = [d for d in store.event_destinations(tx, account, region, name) if d["enabled"]]
                self._publish(tx, account, region, destinations, [(events.SUBSCRIPTION, record)], now)
            return {"list": list_name, "topic": topic, "address": address}

        return await self._write(run)

    def _publish(
        self,
        tx: Tx,
        account: str,
        region: str,
        destinations: list[dict[str, Any]],
        records: list[tuple[str, dict[str, Any]]],
        now: float,
    ) -> None:
        raise NotImplementedError  # SesBackend's


def _check_topics(topics: list[dict[str, Any]]) -> None:
    for topic in topics:
        if topic.get("DefaultSubscriptionStatus") not in SUBSCRIPTION:
            raise InvalidParameterValue(f"Invalid DefaultSubscriptionStatus for topic {topic.get('TopicName')}.")
