"""The SesMail port (gureum.ports) over SesBackend: what SES v2's operations call, in plain values."""

from __future__ import annotations

from typing import Any

from . import limits
from .backend import BulkEntry, Outgoing, SesBackend
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

    async def create_identity(self, account: str, region: str, name: str, base_url: str) -> dict[str, Any]:
        return identity_dict(await self.be.create_identity(account, region, name, base_url))

    async def get_identity(self, account: str, region: str, name: str) -> dict[str, Any]:
        return identity_dict(await self.be.get_identity(account, region, name))

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
        }

    async def set_sending_enabled(self, account: str, region: str, enabled: bool) -> None:
        await self.be.set_sending_enabled(account, region, enabled)

    async def create_template(
        self, account: str, region: str, name: str, subject: str | None, text: str | None, html: str | None
    ) -> None:
        await self.be.create_template(account, region, name, (subject, text, html))

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

    async def create_configuration_set(self, account: str, region: str, name: str) -> None:
        await self.be.create_configuration_set(account, region, name)

    async def get_configuration_set(self, account: str, region: str, name: str) -> dict[str, Any]:
        enabled, created = await self.be.get_configuration_set(account, region, name)
        return {"sending_enabled": enabled, "created_at": created}

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
    ) -> None:
        await self.be.put_event_destination(
            account, region, configuration_set, name, enabled, types, sns_topic, event_bus, create
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
    ) -> list[tuple[str, str | None, str | None]]:
        bulk = [
            BulkEntry(
                list(e.get("to") or []), list(e.get("cc") or []), list(e.get("bcc") or []), e.get("data"),
                dict(e.get("tags") or {}),
            )
            for e in entries
        ]  # fmt: skip
        return await self.be.send_bulk(
            account, region, source, reply_to, template, default_data, bulk, configuration_set, tags
        )
