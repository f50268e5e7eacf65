"""The backend's part for custom domain names and their base path mappings, and this node's set of domain names
the edge serves (reloaded whenever any node creates or deletes one)."""

from __future__ import annotations

from typing import Any

from ...store.base import Tx
from . import domains, store
from .backend_base import BackendBase, require_api
from .domains import domain_view, mapping_view
from .errors import BadRequestException, ConflictException, NotFoundException
from .model import page
from .state import DOMAINS_CHANNEL


def _domain(tx: Tx, account: str, region: str, name: str) -> dict[str, Any]:
    found = store.get_entity(tx, account, region, "domain", name.lower())
    if found is None:
        raise NotFoundException("Invalid domain name identifier specified")
    return found


def _check_target(tx: Tx, account: str, region: str, mapping: dict[str, Any]) -> None:
    """A mapping's API and stage exist."""
    require_api(tx, account, region, mapping["restApiId"])
    if not mapping.get("stage") or store.get_stage(tx, mapping["restApiId"], mapping["stage"]) is None:
        raise BadRequestException("Invalid stage identifier specified")


class DomainPart(BackendBase):
    async def load_domains(self) -> None:
        """This node's set of every custom domain name (the edge's host check)."""
        names = await self.store.read(store.domain_names)
        self.edge.domains.clear()
        self.edge.domains.update(names)

    # --- DomainNames ------------------------------------------------------------------------------------------------

    async def create_domain_name(self, account: str, region: str, domain_name: str, **members: Any) -> dict[str, Any]:
        """A new custom domain name (members: domains.new_domain's); names are unique across accounts."""
        item = domains.new_domain(domain_name, region, self.now(), **members)

        def create(tx: Tx) -> dict[str, Any]:
            if store.find_domain(tx, item["id"]) is not None:
                raise ConflictException("The domain name you provided already exists.")
            store.insert_entity(tx, account, region, "domain", item, self.now())
            tx.notify(DOMAINS_CHANNEL, item["id"])
            return domain_view(item)

        view = await self.store.write(create)
        self.edge.domains.add(item["id"])  # this node at once; the others (and this one again) when notified
        return view

    async def get_domain_name(self, account: str, region: str, domain_name: str) -> dict[str, Any]:
        return domain_view(await self.store.read(lambda tx: _domain(tx, account, region, domain_name)))

    async def get_domain_names(
        self, account: str, region: str, limit: int | None, position: str | None
    ) -> dict[str, Any]:
        items = await self.store.read(lambda tx: store.list_entities(tx, account, region, "domain"))
        return page([domain_view(i) for i in items], limit, position)

    async def update_domain_name(
        self, account: str, region: str, domain_name: str, operations: list[dict[str, Any]]
    ) -> dict[str, Any]:
        def update(tx: Tx) -> dict[str, Any]:
            item = domains.update_domain(_domain(tx, account, region, domain_name), operations)
            store.save_entity(tx, account, region, "domain", item)
            return domain_view(item)

        return await self.store.write(update)

    async def delete_domain_name(self, account: str, region: str, domain_name: str) -> None:
        def delete(tx: Tx) -> str:
            item = _domain(tx, account, region, domain_name)
            store.delete_entity(tx, account, region, "domain", item["id"])
            tx.notify(DOMAINS_CHANNEL, item["id"])
            return str(item["id"])

        self.edge.domains.discard(await self.store.write(delete))

    # --- BasePathMappings -------------------------------------------------------------------------------------------

    async def create_base_path_mapping(
        self,
        account: str,
        region: str,
        domain_name: str,
        base_path: str | None,
        api_id: str,
        stage: str | None,
    ) -> dict[str, Any]:
        key = domains.base_path_key(base_path)

        def create(tx: Tx) -> dict[str, Any]:
            item = _domain(tx, account, region, domain_name)
            if key in item["_mappings"]:
                raise ConflictException("Base path already exists for this domain name")
            mapping = {"restApiId": api_id, "stage": stage}
            _check_target(tx, account, region, mapping)
            domains.add_mapping(item, key, mapping)
            store.save_entity(tx, account, region, "domain", item)
            return mapping_view(key, mapping)

        return await self.store.write(create)

    async def get_base_path_mapping(
        self, account: str, region: str, domain_name: str, base_path: str
    ) -> dict[str, Any]:
        item = await self.store.read(lambda tx: _domain(tx, account, region, domain_name))
        return mapping_view(base_path, domains.mapping(item, base_path))

    async def get_base_path_mappings(
        self, account: str, region: str, domain_name: str, limit: int | None, position: str | None
    ) -> dict[str, Any]:
        item = await self.store.read(lambda tx: _domain(tx, account, region, domain_name))
        return page([mapping_view(k, v) for k, v in item["_mappings"].items()], limit, position)

    async def update_base_path_mapping(
        self, account: str, region: str, domain_name: str, base_path: str, operations: list[dict[str, Any]]
    ) -> dict[str, Any]:
        def update(tx: Tx) -> dict[str, Any]:
            item = _domain(tx, account, region, domain_name)
            changed = domains.patched_mapping(item, base_path, operations)
            _check_target(tx, account, region, changed)
            view = domains.move_mapping(item, base_path, changed)
            store.save_entity(tx, account, region, "domain", item)
            return view

        return await self.store.write(update)

    async def delete_base_path_mapping(self, account: str, region: str, domain_name: str, base_path: str) -> None:
        def delete(tx: Tx) -> None:
            item = _domain(tx, account, region, domain_name)
            domains.delete_mapping(item, base_path)
            store.save_entity(tx, account, region, "domain", item)

        await self.store.write(delete)
