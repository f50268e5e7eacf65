"""The backend's part for VPC links (account-level "vpclink" entities)."""

from __future__ import annotations

from typing import Any

from ...store.base import Tx
from . import patches, store, vpclinks
from .backend_base import BackendBase, require_entity
from .model import apply_patch, page


class VpcLinkPart(BackendBase):
    async def create_vpc_link(
        self,
        account: str,
        region: str,
        name: str,
        target_arns: list[str],
        description: str | None,
        tags: dict[str, str] | None,
    ) -> dict[str, Any]:
        item = vpclinks.new_vpc_link(name, target_arns, description, tags)
        await self.store.write(lambda tx: store.insert_entity(tx, account, region, "vpclink", item, self.now()))
        return vpclinks.created_view(item)

    async def get_vpc_link(self, account: str, region: str, link_id: str) -> dict[str, Any]:
        item = await self.store.read(lambda tx: require_entity(tx, account, region, "vpclink", link_id))
        return vpclinks.link_view(item)

    async def get_vpc_links(self, account: str, region: str, limit: int | None, position: str | None) -> dict[str, Any]:
        items = await self.store.read(lambda tx: store.list_entities(tx, account, region, "vpclink"))
        return page([vpclinks.link_view(i, with_tags=False) for i in items], limit, position)

    async def update_vpc_link(
        self, account: str, region: str, link_id: str, operations: list[dict[str, Any]]
    ) -> dict[str, Any]:
        def update(tx: Tx) -> dict[str, Any]:
            item = apply_patch(require_entity(tx, account, region, "vpclink", link_id), operations, patches.VPC_LINK)
            store.save_entity(tx, account, region, "vpclink", item)
            return vpclinks.link_view(item)

        return await self.store.write(update)

    async def delete_vpc_link(self, account: str, region: str, link_id: str) -> None:
        def delete(tx: Tx) -> None:
            require_entity(tx, account, region, "vpclink", link_id)
            store.delete_entity(tx, account, region, "vpclink", link_id)

        await self.store.write(delete)
