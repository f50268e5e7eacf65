"""SAML 2.0 identity providers (a part of IamBackend): the IdP's metadata document, its expiry (the document's
validUntil), the assertion encryption mode, tags. ARN: arn:aws:iam::{account}:saml-provider/{name}.
"""

from __future__ import annotations

import datetime as dt
import re
import secrets
from collections.abc import Callable
from typing import Any
from xml.etree import ElementTree

from ...aws.errors import ServiceError
from ...aws.protocols.xml import parse_document
from ...store.base import Tx
from . import store
from .errors import EntityAlreadyExists, InvalidInput, LimitExceeded, NoSuchEntity
from .model import drop_tags, merge_tags, page
from .resources import Parts, create
from .store import Entity

_KIND = "saml-provider"
SAML_PROVIDERS = 100  # "SAML providers in an AWS account: 100"
_NAME = re.compile(r"^[\w._-]{1,128}$")
_METADATA = "urn:oasis:names:tc:SAML:2.0:metadata"
_UUID_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"


def _valid_until(document: str) -> float | None:
    """The metadata's expiry (its EntityDescriptor's validUntil), or None; InvalidInput for what is not SAML
    metadata."""
    try:
        root = parse_document(document.encode())
    except ServiceError:
        raise InvalidInput("Could not parse metadata") from None
    if root.tag not in (f"{{{_METADATA}}}EntityDescriptor", f"{{{_METADATA}}}EntitiesDescriptor"):
        raise InvalidInput("Could not parse metadata: the document is not a SAML 2.0 metadata document")
    descriptor = root if root.tag.endswith("}EntityDescriptor") else root.find(f"{{{_METADATA}}}EntityDescriptor")
    if not isinstance(descriptor, ElementTree.Element) or descriptor.find(f"{{{_METADATA}}}IDPSSODescriptor") is None:
        raise InvalidInput("Could not parse metadata: no IDPSSODescriptor")
    stamp = descriptor.get("validUntil") or root.get("validUntil")
    if not stamp:
        return None
    try:
        when = dt.datetime.fromisoformat(stamp.replace("Z", "+00:00"))
    except ValueError:
        raise InvalidInput(f"Could not parse metadata: validUntil {stamp} is not a date") from None
    return (when if when.tzinfo else when.replace(tzinfo=dt.UTC)).timestamp()


def _not_found(arn: str) -> Exception:
    return NoSuchEntity(f"Manifest not found for arn {arn}")


def _claim(tx: Tx, account: str, arn: str) -> Entity:
    provider = store.claim_arn(tx, account, _KIND, arn)
    if provider is None:
        raise _not_found(arn)
    return provider


def _entry(provider: Entity) -> dict[str, Any]:
    entry: dict[str, Any] = {"Arn": provider.arn, "CreateDate": provider.created_at}
    if provider.data.get("ValidUntil") is not None:
        entry["ValidUntil"] = provider.data["ValidUntil"]
    return entry


def _no_private_keys(add_key: str | None) -> None:
    if add_key:
        raise InvalidInput("gureum does not keep SAML private keys: encrypted assertions are not supported.")


class SamlProviders(Parts):
    async def create_saml_provider(
        self, account: str, name: str, document: str, tags: list[dict[str, str]], mode: str | None,
        add_key: str | None,
    ) -> tuple[str, list[dict[str, str]]]:  # fmt: skip
        """The new provider's ARN and tags."""
        if not _NAME.match(name):
            raise InvalidInput(f"Invalid SAML provider name {name}.")
        _no_private_keys(add_key)
        valid_until = _valid_until(document)
        kept_tags = merge_tags([], tags)
        uuid = "".join(secrets.choice(_UUID_ALPHABET) for _ in range(26))
        data = {"SAMLMetadataDocument": document, "ValidUntil": valid_until, "Tags": kept_tags,
                "SAMLProviderUUID": uuid, "AssertionEncryptionMode": mode}  # fmt: skip
        now = self.clock.now()

        def write(tx: Tx) -> Entity:
            if len(store.all_of(tx, account, _KIND)) >= SAML_PROVIDERS:
                raise LimitExceeded(f"Cannot exceed quota for SamlProvidersPerAccount: {SAML_PROVIDERS}")
            if store.get(tx, account, _KIND, name) is not None:
                raise EntityAlreadyExists(f"SAMLProvider {name} already exists")
            return create(tx, account, _KIND, name, "/", data, now)

        provider = await self.store.write(write)
        return provider.arn, kept_tags

    async def get_saml_provider(self, account: str, arn: str) -> dict[str, Any]:
        provider = await self._find_saml(account, arn)
        data = provider.data
        out: dict[str, Any] = {
            "SAMLProviderUUID": data["SAMLProviderUUID"],
            "SAMLMetadataDocument": data["SAMLMetadataDocument"],
            "CreateDate": provider.created_at,
            "Tags": data["Tags"] or None,
            "AssertionEncryptionMode": data.get("AssertionEncryptionMode"),
        }
        if data.get("ValidUntil") is not None:
            out["ValidUntil"] = data["ValidUntil"]
        return out

    async def list_saml_providers(self, account: str) -> list[dict[str, Any]]:
        providers = await self.store.read(lambda tx: store.all_of(tx, account, _KIND))
        return [_entry(p) for p in providers]

    async def update_saml_provider(
        self, account: str, arn: str, document: str | None, mode: str | None, add_key: str | None,
        remove_key: str | None,
    ) -> str:  # fmt: skip
        _no_private_keys(add_key)
        if remove_key:
            raise NoSuchEntity(f"The private key {remove_key} cannot be found.")
        valid_until = _valid_until(document) if document is not None else None

        def change(data: dict[str, Any]) -> None:
            if document is not None:
                data["SAMLMetadataDocument"], data["ValidUntil"] = document, valid_until
            if mode is not None:
                data["AssertionEncryptionMode"] = mode

        await self._change_saml(account, arn, change)
        return arn

    async def delete_saml_provider(self, account: str, arn: str) -> None:
        await self.store.write(lambda tx: store.delete(tx, _claim(tx, account, arn)))

    async def tag_saml_provider(self, account: str, arn: str, tags: list[dict[str, str]]) -> None:
        def change(data: dict[str, Any]) -> None:
            data["Tags"] = merge_tags(data["Tags"], tags)

        await self._change_saml(account, arn, change)

    async def untag_saml_provider(self, account: str, arn: str, keys: list[str]) -> None:
        def change(data: dict[str, Any]) -> None:
            data["Tags"] = drop_tags(data["Tags"], keys)

        await self._change_saml(account, arn, change)

    async def list_saml_provider_tags(
        self, account: str, arn: str, marker: str | None, max_items: int | None
    ) -> dict[str, Any]:
        provider = await self._find_saml(account, arn)
        return page(provider.data["Tags"], "Tags", marker, max_items)

    async def _find_saml(self, account: str, arn: str) -> Entity:
        provider = await self.store.read(lambda tx: store.by_arn(tx, account, _KIND, arn))
        if provider is None:
            raise _not_found(arn)
        return provider

    async def _change_saml(self, account: str, arn: str, change: Callable[[dict[str, Any]], None]) -> None:
        def write(tx: Tx) -> None:
            provider = _claim(tx, account, arn)
            change(provider.data)
            store.save(tx, provider)

        await self.store.write(write)
