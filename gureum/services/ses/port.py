"""The SesMail port (gureum.ports) over SesBackend: what SES v2's operations call, in plain values."""

from __future__ import annotations

from typing import Any

from . import limits
from .backend import BulkEntry, Outgoing, SesBackend
from .backend_extras import list_scope
from .backend_options import CONFIG_OPTIONS
from .identities import Identity


def identity_dict(identity: Identity) -> dict[str, Any]:
    return {
        "name": identity.name,
        "kind": identity.kind,
        "status": identity.status,
        "token": identity.token,
        "dkim_tokens": list(identity.dkim_tokens),
        "dkim_status": identity.dkim_status,
    }


class SesMailPort:
    def __init__(self, be: SesBackend) -> None:
        self.be = be

    async def create_identity(
        self, account: str, region: str, name: str, base_url: str, options: dict[str, Any] | None = None
    ) -> dict[str, Any]:
        return identity_dict(await self.be.create_identity(account, region, name, base_url, options))

    async def get_identity(self, account: str, region: str, name: str) -> dict[str, Any]:
        identity, policies, mail_from = await self.be.identity_view(account, region, name)
        settings = (await self.be.notification_settings(account, region, [name])).get(name)
        forwarding = settings.forwarding if settings is not None else True
        options = await self.be.identity_settings(account, region, name)
        return {
            **identity_dict(identity),
            "policies": policies,
            "mail_from": mail_from,
            "forwarding": forwarding,
            "tags": options["tags"] or {},
            "configuration_set": options["configuration_set"],
            "dkim": options["dkim"],
        }

    async def put_identity_setting(self, account: str, region: str, identity: str, name: str, value: Any) -> None:
        if name == "dkim_enabled":
            await self.be.set_dkim_enabled(account, region, identity, bool(value), v1=False)
            return
        await self.be.put_identity_options(account, region, identity, {name: value})

    async def put_dkim_signing(
        self, account: str, region: str, identity: str, origin: str, attributes: dict[str, Any] | None
    ) -> tuple[str, list[str]]:
        return await self.be.put_dkim_signing(account, region, identity, origin, attributes)

    async def tags(self, account: str, region: str, arn: str) -> dict[str, str]:
        return await self.be.resource_tags(account, region, arn)

    async def create_dedicated_ip_pool(
        self, account: str, region: str, name: str, mode: str | None, tags: dict[str, str] | None
    ) -> None:
        await self.be.create_dedicated_ip_pool(account, region, name, mode, tags)

    async def dedicated_ip_pool(self, account: str, region: str, name: str) -> dict[str, Any]:
        return await self.be.dedicated_ip_pool(account, region, name)

    async def dedicated_ip_pools(self, account: str, region: str) -> list[str]:
        return await self.be.dedicated_ip_pools(account, region)

    async def put_dedicated_ip_pool_scaling(self, account: str, region: str, name: str, mode: str) -> None:
        await self.be.put_dedicated_ip_pool_scaling(account, region, name, mode)

    async def delete_dedicated_ip_pool(self, account: str, region: str, name: str) -> None:
        await self.be.delete_dedicated_ip_pool(account, region, name)

    async def dedicated_ips(self, account: str, region: str, pool: str | None) -> list[dict[str, Any]]:
        return await self.be.dedicated_ips(account, region, pool)

    async def tag_resource(
        self, account: str, region: str, arn: str, add: dict[str, str], remove: list[str] | None = None
    ) -> None:
        await self.be.tag_resource(account, region, arn, add, remove)

    async def list_identities(self, account: str, region: str) -> list[dict[str, Any]]:
        return [identity_dict(i) for i in await self.be.list_identities(account, region)]

    async def delete_identity(self, account: str, region: str, name: str) -> None:
        await self.be.delete_identity(account, region, name, must_exist=True)

    async def account(self, account: str, region: str) -> dict[str, Any]:
        state, sent = await self.be.account(account, region)
        return {
            "production": state.production,
            "max_24_hour_send": state.max_24_hour_send,
            "max_send_rate": state.max_send_rate,
            "sending_enabled": state.sending_enabled,
            "sent_last_24_hours": sent,
            "suppressed_reasons": state.suppressed_reasons,
            "details": await self.be.account_details(account, region),
            "vdm": await self.be.setting(account, region, None, "vdm"),
        }

    async def set_sending_enabled(self, account: str, region: str, enabled: bool) -> None:
        await self.be.set_sending_enabled(account, region, enabled)

    async def create_template(
        self,
        account: str,
        region: str,
        name: str,
        subject: str | None,
        text: str | None,
        html: str | None,
        tags: dict[str, str] | None = None,
    ) -> None:
        await self.be.create_template(account, region, name, (subject, text, html), tags)

    async def update_template(
        self, account: str, region: str, name: str, subject: str | None, text: str | None, html: str | None
    ) -> None:
        await self.be.update_template(account, region, name, (subject, text, html))

    async def get_template(self, account: str, region: str, name: str) -> tuple[str | None, str | None, str | None]:
        return await self.be.get_template(account, region, name)

    async def list_templates(self, account: str, region: str) -> list[tuple[str, float]]:
        return await self.be.list_templates(account, region)

    async def delete_template(self, account: str, region: str, name: str) -> None:
        await self.be.delete_template(account, region, name, must_exist=True)

    async def render_template(self, account: str, region: str, name: str, data: str | None) -> str:
        return await self.be.render_template(account, region, name, data)

    async def create_configuration_set(
        self, account: str, region: str, name: str, options: dict[str, Any] | None = None
    ) -> None:
        await self.be.create_configuration_set(account, region, name, options)

    async def get_configuration_set(self, account: str, region: str, name: str) -> dict[str, Any]:
        return await self.be.configuration_set_details(account, region, name)

    async def list_configuration_sets(self, account: str, region: str) -> list[str]:
        return await self.be.list_configuration_sets(account, region)

    async def delete_configuration_set(self, account: str, region: str, name: str) -> None:
        await self.be.delete_configuration_set(account, region, name)

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
        await self.be.put_event_destination(
            account, region, configuration_set, name, enabled, types, sns_topic, event_bus, create, targets
        )

    async def event_destinations(self, account: str, region: str, configuration_set: str) -> list[dict[str, Any]]:
        return await self.be.event_destinations(account, region, configuration_set)

    async def delete_event_destination(self, account: str, region: str, configuration_set: str, name: str) -> None:
        await self.be.delete_event_destination(account, region, configuration_set, name)

    async def send(
        self, account: str, region: str, message: dict[str, Any], configuration_set: str | None, tags: dict[str, str]
    ) -> str:
        outgoing = Outgoing(
            message.get("source") or "",
            list(message.get("to") or []),
            list(message.get("cc") or []),
            list(message.get("bcc") or []),
            list(message.get("reply_to") or []),
            message.get("subject") or "",
            message.get("text"),
            message.get("html"),
            message.get("raw"),
            source_arn=message.get("source_arn"),
            access_key=message.get("access_key") or "",
            base_url=message.get("base_url") or "",
            contact_list=message.get("contact_list"),
            topic=message.get("topic"),
            api="v2",
            return_path=message.get("return_path"),
            operation=message.get("operation") or _v2_operation(message),
            source_ip=message.get("source_ip") or "127.0.0.1",
        )
        if message.get("template"):
            return await self.be.send_templated(
                account, region, outgoing, message["template"], message.get("template_data"), configuration_set, tags
            )
        return await self.be.send(
            account, region, outgoing, configuration_set, tags, max_bytes=limits.MAX_MESSAGE_BYTES_V2
        )

    async def send_bulk(
        self,
        account: str,
        region: str,
        source: str,
        reply_to: list[str],
        template: str,
        default_data: str | None,
        entries: list[dict[str, Any]],
        configuration_set: str | None,
        tags: dict[str, str],
        sender: dict[str, Any] | None = None,
    ) -> list[tuple[str, str | None, str | None]]:
        bulk = [
            BulkEntry(
                list(e.get("to") or []), list(e.get("cc") or []), list(e.get("bcc") or []), e.get("data"),
                dict(e.get("tags") or {}),
            )
            for e in entries
        ]  # fmt: skip
        sender = sender or {}
        base = Outgoing(
            source, [], [], [], reply_to, source_arn=sender.get("source_arn"),
            access_key=sender.get("access_key") or "", base_url=sender.get("base_url") or "",
            return_path=sender.get("return_path"), api="v2", operation="SendBulkTemplatedEmail",
            source_ip=sender.get("source_ip") or "127.0.0.1",
        )  # fmt: skip
        return await self.be.send_bulk(account, region, base, template, default_data, bulk, configuration_set, tags)

    async def put_policy(self, account: str, region: str, identity: str, name: str, policy: str, mode: str) -> None:
        await self.be.put_policy(account, region, identity, name, policy, mode)

    async def policies(self, account: str, region: str, identity: str) -> dict[str, str]:
        return await self.be.policies(account, region, identity, must_exist=True)

    async def delete_policy(self, account: str, region: str, identity: str, name: str) -> None:
        await self.be.delete_policy(account, region, identity, name, must_exist=True)

    async def set_mail_from(
        self, account: str, region: str, identity: str, domain: str | None, behavior: str | None
    ) -> None:
        await self.be.set_mail_from(account, region, identity, domain, behavior, must_exist=True)

    async def set_feedback_forwarding(self, account: str, region: str, identity: str, enabled: bool) -> None:
        await self.be.set_feedback_forwarding(account, region, identity, enabled, v1=False)

    async def put_suppressed(self, account: str, region: str, address: str, reason: str) -> None:
        await self.be.put_suppressed(account, region, address, reason)

    async def get_suppressed(self, account: str, region: str, address: str) -> tuple[str, str | None, float]:
        return await self.be.get_suppressed(account, region, address)

    async def list_suppressed(
        self, account: str, region: str, reasons: list[str], start: float | None, end: float | None
    ) -> list[tuple[str, str, float]]:
        return await self.be.list_suppressed(account, region, reasons, start, end)

    async def delete_suppressed(self, account: str, region: str, address: str) -> None:
        await self.be.delete_suppressed(account, region, address)

    async def put_setting(
        self, account: str, region: str, configuration_set: str | None, name: str, value: Any
    ) -> None:
        if name == "sending" and configuration_set is not None:
            await self.be.set_configuration_set_sending(account, region, configuration_set, bool(value))
            return
        if name in CONFIG_OPTIONS and configuration_set is not None:
            await self.be.put_configuration_set_options(account, region, configuration_set, {name: value})
            return
        if name == "tracking" and configuration_set is not None:
            await self.be.put_tracking(account, region, configuration_set, value, "put")
            return
        if name == "details" and configuration_set is None:  # PutAccountDetails (a production-access review)
            await self.be.put_account_details(account, region, dict(value))
            return
        await self.be.put_setting(account, region, configuration_set, name, value)

    async def create_contact_list(
        self,
        account: str,
        region: str,
        name: str,
        description: str | None,
        topics: list[dict[str, Any]],
        tags: dict[str, str] | None = None,
    ) -> None:
        await self.be.create_contact_list(account, region, name, description, topics, tags)

    async def update_contact_list(
        self, account: str, region: str, name: str, description: str | None, topics: list[dict[str, Any]]
    ) -> None:
        await self.be.update_contact_list(account, region, name, description, topics)

    async def contact_list(self, account: str, region: str, name: str) -> dict[str, Any]:
        found = await self.be.contact_list(account, region, name)
        return {**found, "tags": await self.be.scope_tags(account, region, list_scope(name))}

    async def contact_lists(self, account: str, region: str) -> list[tuple[str, float]]:
        return await self.be.contact_lists(account, region)

    async def delete_contact_list(self, account: str, region: str, name: str) -> None:
        await self.be.delete_contact_list(account, region, name)

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
        await self.be.put_contact(account, region, list_name, address, preferences, unsubscribe_all, attributes, create)

    async def contacts(
        self, account: str, region: str, list_name: str, address: str | None
    ) -> tuple[list[dict[str, Any]], dict[str, Any]]:
        if address is None:
            return await self.be.contacts(account, region, list_name)
        found, found_list = await self.be.contact(account, region, list_name, address)
        return [found], found_list

    async def delete_contact(self, account: str, region: str, list_name: str, address: str) -> None:
        await self.be.delete_contact(account, region, list_name, address)


def _v2_operation(message: dict[str, Any]) -> str:
    """The ses:operation auto-tag of an SES v2 SendEmail: named for the SES operation its content amounts to
    (Simple: SendEmail, Raw: SendRawEmail, Template: SendTemplatedEmail)."""
    if message.get("template"):
        return "SendTemplatedEmail"
    return "SendRawEmail" if message.get("raw") is not None else "SendEmail"
