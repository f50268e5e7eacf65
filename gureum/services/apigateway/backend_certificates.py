"""The backend's part for client certificates (account-level "clientcertificate" entities)."""

from __future__ import annotations

import asyncio
from typing import Any

from ...store.base import Tx
from . import patches, store
from .backend_base import BackendBase, require_entity
from .certificates import certificate_view, new_certificate
from .model import apply_patch, page

_KIND = "clientcertificate"


class CertificatePart(BackendBase):
    async def generate_client_certificate(
        self, account: str, region: str, description: str | None, tags: dict[str, str] | None
    ) -> dict[str, Any]:
        item = await asyncio.to_thread(new_certificate, self.now(), description, tags)
        await self.store.write(lambda tx: store.insert_entity(tx, account, region, _KIND, item, self.now()))
        return certificate_view(item)

    async def get_client_certificate(self, account: str, region: str, cert_id: str) -> dict[str, Any]:
        return certificate_view(await self.store.read(lambda tx: require_entity(tx, account, region, _KIND, cert_id)))

    async def get_client_certificates(
        self, account: str, region: str, limit: int | None, position: str | None
    ) -> dict[str, Any]:
        items = await self.store.read(lambda tx: store.list_entities(tx, account, region, _KIND))
        return page([certificate_view(i) for i in items], limit, position)

    async def update_client_certificate(
        self, account: str, region: str, cert_id: str, operations: list[dict[str, Any]]
    ) -> dict[str, Any]:
        def update(tx: Tx) -> dict[str, Any]:
            item = apply_patch(require_entity(tx, account, region, _KIND, cert_id), operations, patches.CLIENT_CERT)
            store.save_entity(tx, account, region, _KIND, item)
            return certificate_view(item)

        return await self.store.write(update)

    async def delete_client_certificate(self, account: str, region: str, cert_id: str) -> None:
        def delete(tx: Tx) -> None:
            require_entity(tx, account, region, _KIND, cert_id)
            store.delete_entity(tx, account, region, _KIND, cert_id)

        await self.store.write(delete)
