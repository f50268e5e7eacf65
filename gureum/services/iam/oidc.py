"""OpenID Connect identity providers (a part of IamBackend): the URL, its audiences (client ids), thumbprints, tags.

ARN: arn:aws:iam::{account}:oidc-provider/{url without https://}.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ...store.base import Tx
from . import store
from .errors import InvalidInput, LimitExceeded, NoSuchEntity
from .model import OIDC_CLIENT_IDS, OIDC_THUMBPRINTS, drop_tags, merge_tags, page
from .resources import Parts, create
from .store import Entity

_KIND = "oidc-provider"


def _host_path(url: str) -> str:
    if not url.startswith("https://") or len(url) <= len("https://"):
        raise InvalidInput("Invalid Url: must be an https:// URL.")
    return url[len("https://") :].rstrip("/")


def _check(thumbprints: list[str], client_ids: list[str]) -> None:
    if len(thumbprints) > OIDC_THUMBPRINTS:
        raise LimitExceeded(f"Cannot exceed quota for ThumbprintsPerOpenIdConnectProvider: {OIDC_THUMBPRINTS}")
    if len(client_ids) > OIDC_CLIENT_IDS:
        raise LimitExceeded(f"Cannot exceed quota for ClientIdsPerOpenIdConnectProvider: {OIDC_CLIENT_IDS}")
    for thumbprint in thumbprints:
        if len(thumbprint) != 40:
            raise InvalidInput(f"Thumbprint {thumbprint} is invalid: a thumbprint is 40 hexadecimal characters.")


def _thumbprints(given: list[str]) -> list[str]:
    """Thumbprints as IAM keeps them: lower case, each once, in the order given."""
    return list(dict.fromkeys(t.lower() for t in given))


def _not_found(arn: str) -> Exception:
    return NoSuchEntity(f"OpenIDConnect Provider not found for arn {arn}")


def _claim(tx: Tx, account: str, arn: str) -> Entity:
    provider = store.claim_arn(tx, account, _KIND, arn)
    if provider is None:
        raise _not_found(arn)
    return provider


class OidcProviders(Parts):
    async def create_oidc_provider(
        self, account: str, url: str, client_ids: list[str], thumbprints: list[str], tags: list[dict[str, str]]
    ) -> tuple[str, list[dict[str, str]]]:
        """The new provider's ARN and tags."""
        name = _host_path(url)
        client_ids = list(dict.fromkeys(client_ids))
        thumbprints = _thumbprints(thumbprints)
        _check(thumbprints, client_ids)
        kept_tags = merge_tags([], tags)
        data = {"ClientIDList": client_ids, "ThumbprintList": thumbprints, "Tags": kept_tags}
        now = self.clock.now()
        provider = await self.store.write(lambda tx: create(tx, account, _KIND, name, "/", data, now))
        return provider.arn, kept_tags

    async def get_oidc_provider(self, account: str, arn: str) -> dict[str, Any]:
        provider = await self._find(account, arn)
        data = provider.data
        return {
            "Url": provider.name,
            "ClientIDList": data["ClientIDList"],
            "ThumbprintList": data["ThumbprintList"],
            "CreateDate": provider.created_at,
            "Tags": data["Tags"] or None,
        }

    async def list_oidc_providers(self, account: str) -> list[str]:
        """The ARNs of the account's providers."""
        providers = await self.store.read(lambda tx: store.all_of(tx, account, _KIND))
        return [provider.arn for provider in providers]

    async def delete_oidc_provider(self, account: str, arn: str) -> None:
        await self.store.write(lambda tx: store.delete(tx, _claim(tx, account, arn)))

    async def add_oidc_client_id(self, account: str, arn: str, client_id: str) -> None:
        def change(data: dict[str, Any]) -> None:
            if client_id not in data["ClientIDList"]:
                data["ClientIDList"].append(client_id)
            _check(data["ThumbprintList"], data["ClientIDList"])

        await self._change(account, arn, change)

    async def remove_oidc_client_id(self, account: str, arn: str, client_id: str) -> None:
        def change(data: dict[str, Any]) -> None:
            data["ClientIDList"] = [c for c in data["ClientIDList"] if c != client_id]

        await self._change(account, arn, change)

    async def update_oidc_thumbprints(self, account: str, arn: str, thumbprints: list[str]) -> None:
        wanted = _thumbprints(thumbprints)

        def change(data: dict[str, Any]) -> None:
            _check(wanted, data["ClientIDList"])
            data["ThumbprintList"] = wanted

        await self._change(account, arn, change)

    async def tag_oidc_provider(self, account: str, arn: str, tags: list[dict[str, str]]) -> None:
        def change(data: dict[str, Any]) -> None:
            data["Tags"] = merge_tags(data["Tags"], tags)

        await self._change(account, arn, change)

    async def untag_oidc_provider(self, account: str, arn: str, keys: list[str]) -> None:
        def change(data: dict[str, Any]) -> None:
            data["Tags"] = drop_tags(data["Tags"], keys)

        await self._change(account, arn, change)

    async def list_oidc_provider_tags(
        self, account: str, arn: str, marker: str | None, max_items: int | None
    ) -> dict[str, Any]:
        provider = await self._find(account, arn)
        return page(provider.data["Tags"], "Tags", marker, max_items)

    async def _find(self, account: str, arn: str) -> Entity:
        provider = await self.store.read(lambda tx: store.by_arn(tx, account, _KIND, arn))
        if provider is None:
            raise _not_found(arn)
        return provider

    async def _change(self, account: str, arn: str, change: Callable[[dict[str, Any]], None]) -> None:
        def write(tx: Tx) -> None:
            provider = _claim(tx, account, arn)
            change(provider.data)
            store.save(tx, provider)

        await self.store.write(write)
