"""The backend's part for VPC links, custom domain names and their API mappings (account-level objects kept in
apigwv2_entities), and this node's set of domain names the edge serves (reloaded whenever any node creates or
deletes one). Mixed into ApiGatewayV2Backend (backend.py)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ...clock import Clock
from ...store.base import Store, Tx
from . import apis, domains, store
from .errors import ConflictException, not_found
from .model import page, public
from .state import State


def _owned(tx: Tx, account: str, region: str, kind: str, entity_id: str) -> dict[str, Any]:
    found = store.get_entity(tx, kind, entity_id)
    if found is None or found[0] != account or found[1] != region:
        raise not_found(kind, entity_id)
    return found[2]


def _mapping(tx: Tx, account: str, region: str, domain_name: str, mapping_id: str) -> dict[str, Any]:
    domain = _owned(tx, account, region, "DomainName", domain_name.lower())
    found = store.get_entity(tx, "ApiMapping", mapping_id)
    if found is None or found[2].get("_domain") != domain["DomainName"]:
        raise not_found("ApiMapping", mapping_id)
    return found[2]


def _check_target(tx: Tx, account: str, region: str, mapping: dict[str, Any]) -> None:
    """The mapped API is the caller's and has the stage."""
    apis.load_api(tx, account, region, mapping["ApiId"])
    apis.load_stage(tx, mapping["ApiId"], mapping["Stage"])


class DomainsPart:
    store: Store
    clock: Clock
    caches: State

    async def load_domains(self) -> None:
        """This node's set of every custom domain name (the edge's host check)."""
        names = await self.store.read(store.domain_names)
        self.caches.domains.clear()
        self.caches.domains.update(names)

    # --- VPC links ----------------------------------------------------------------------------------------------

    async def create_vpc_link(self, account: str, region: str, members: Mapping[str, Any]) -> dict[str, Any]:
        now = self.clock.now()
        doc = domains.new_vpc_link(members, now)
        await self.store.write(
            lambda tx: store.insert_entity(tx, account, region, "VpcLink", doc["VpcLinkId"], doc, now)
        )
        return domains.vpc_link_view(doc, created=True)

    async def get_vpc_link(self, account: str, region: str, link_id: str) -> dict[str, Any]:
        doc = await self.store.read(lambda tx: _owned(tx, account, region, "VpcLink", link_id))
        return domains.vpc_link_view(doc)

    async def get_vpc_links(
        self, account: str, region: str, next_token: str | None, max_results: str | None
    ) -> dict[str, Any]:
        docs = await self.store.read(lambda tx: store.list_entities(tx, account, region, "VpcLink"))
        return page([domains.vpc_link_view(d) for d in docs], next_token, max_results)

    async def update_vpc_link(self, account: str, region: str, link_id: str, name: str | None) -> dict[str, Any]:
        def write(tx: Tx) -> dict[str, Any]:
            doc = _owned(tx, account, region, "VpcLink", link_id)
            if name:
                doc["Name"] = name
            store.update_entity(tx, "VpcLink", link_id, doc)
            return doc

        return domains.vpc_link_view(await self.store.write(write))

    async def delete_vpc_link(self, account: str, region: str, link_id: str) -> None:
        def write(tx: Tx) -> None:
            _owned(tx, account, region, "VpcLink", link_id)
            store.delete_entity(tx, "VpcLink", link_id)

        await self.store.write(write)

    # --- custom domain names ------------------------------------------------------------------------------------

    async def create_domain_name(
        self, account: str, region: str, name: str, members: Mapping[str, Any]
    ) -> dict[str, Any]:
        now = self.clock.now()
        doc = domains.new_domain_name(name, region, members, now)

        def write(tx: Tx) -> None:
            if store.get_entity(tx, "DomainName", doc["DomainName"]) is not None:
                raise ConflictException("The domain name you provided already exists.")
            store.insert_entity(tx, account, region, "DomainName", doc["DomainName"], doc, now)
            tx.notify(store.DOMAINS_CHANNEL, doc["DomainName"])

        await self.store.write(write)
        self.caches.domains.add(doc["DomainName"])  # this node at once; the others (and this one again) when notified
        return doc

    async def get_domain_name(self, account: str, region: str, name: str) -> dict[str, Any]:
        return await self.store.read(lambda tx: _owned(tx, account, region, "DomainName", name.lower()))

    async def get_domain_names(
        self, account: str, region: str, next_token: str | None, max_results: str | None
    ) -> dict[str, Any]:
        docs = await self.store.read(lambda tx: store.list_entities(tx, account, region, "DomainName"))
        return page(docs, next_token, max_results)

    async def update_domain_name(
        self, account: str, region: str, name: str, members: Mapping[str, Any]
    ) -> dict[str, Any]:
        now = self.clock.now()

        def write(tx: Tx) -> dict[str, Any]:
            doc = _owned(tx, account, region, "DomainName", name.lower())
            domains.update_domain_name(doc, region, members, now)
            store.update_entity(tx, "DomainName", doc["DomainName"], doc)
            return doc

        return await self.store.write(write)

    async def delete_domain_name(self, account: str, region: str, name: str) -> None:
        def write(tx: Tx) -> str:
            doc = _owned(tx, account, region, "DomainName", name.lower())
            store.delete_entity(tx, "DomainName", doc["DomainName"])
            tx.notify(store.DOMAINS_CHANNEL, doc["DomainName"])
            return str(doc["DomainName"])

        self.caches.domains.discard(await self.store.write(write))

    # --- API mappings -------------------------------------------------------------------------------------------

    async def create_api_mapping(
        self, account: str, region: str, domain_name: str, members: Mapping[str, Any]
    ) -> dict[str, Any]:
        now = self.clock.now()
        doc = domains.new_mapping(members)

        def write(tx: Tx) -> None:
            domain = _owned(tx, account, region, "DomainName", domain_name.lower())
            _check_target(tx, account, region, doc)
            domains.check_key_free(store.children(tx, "ApiMapping", domain["DomainName"]), doc["ApiMappingKey"])
            doc["_domain"] = domain["DomainName"]
            store.insert_entity(
                tx, account, region, "ApiMapping", doc["ApiMappingId"], doc, now, parent_id=domain["DomainName"]
            )

        await self.store.write(write)
        return public(doc)

    async def get_api_mapping(self, account: str, region: str, domain_name: str, mapping_id: str) -> dict[str, Any]:
        return public(await self.store.read(lambda tx: _mapping(tx, account, region, domain_name, mapping_id)))

    async def get_api_mappings(
        self, account: str, region: str, domain_name: str, next_token: str | None, max_results: str | None
    ) -> dict[str, Any]:
        def read(tx: Tx) -> list[dict[str, Any]]:
            domain = _owned(tx, account, region, "DomainName", domain_name.lower())
            return store.children(tx, "ApiMapping", domain["DomainName"])

        return page([public(d) for d in await self.store.read(read)], next_token, max_results)

    async def update_api_mapping(
        self, account: str, region: str, domain_name: str, mapping_id: str, members: Mapping[str, Any]
    ) -> dict[str, Any]:
        def write(tx: Tx) -> dict[str, Any]:
            doc = _mapping(tx, account, region, domain_name, mapping_id)
            doc["ApiId"] = members["ApiId"]
            if members.get("Stage"):
                doc["Stage"] = members["Stage"]
            if "ApiMappingKey" in members:
                doc["ApiMappingKey"] = domains.check_mapping_key(members.get("ApiMappingKey") or "")
            _check_target(tx, account, region, doc)
            siblings = store.children(tx, "ApiMapping", doc["_domain"])
            domains.check_key_free(siblings, doc["ApiMappingKey"], mapping_id)
            store.update_entity(tx, "ApiMapping", mapping_id, doc)
            return doc

        return public(await self.store.write(write))

    async def delete_api_mapping(self, account: str, region: str, domain_name: str, mapping_id: str) -> None:
        def write(tx: Tx) -> None:
            _mapping(tx, account, region, domain_name, mapping_id)
            store.delete_entity(tx, "ApiMapping", mapping_id)

        await self.store.write(write)
