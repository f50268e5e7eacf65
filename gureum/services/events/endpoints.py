"""The backend's global endpoints (stored and described; there is one Region here, so no failover happens), and
the partner event sources, which answer as they do for an account that is not a SaaS partner and has no partner
event sources."""

from __future__ import annotations

import secrets
import string
from typing import Any, NoReturn

from ...store.base import Tx
from . import limits, paging, store_connections
from .base import BackendBase
from .errors import ResourceAlreadyExistsException, no_endpoint, no_event_source, not_partner
from .lookups import seconds
from .names import resource_arn

_ALPHABET = string.ascii_lowercase + string.digits


def _endpoint_id() -> str:
    return (
        "".join(secrets.choice(_ALPHABET) for _ in range(8))
        + "."
        + "".join(secrets.choice(_ALPHABET) for _ in range(3))
    )


def _config(
    description: str | None,
    routing: dict[str, Any] | None,
    replication: dict[str, Any] | None,
    buses: list[dict[str, Any]] | None,
    role_arn: str | None,
) -> dict[str, Any]:
    """The members an endpoint's Create/Update gave (None: not given)."""
    given = {
        "Description": description,
        "RoutingConfig": routing,
        "ReplicationConfig": replication,
        "EventBuses": buses,
        "RoleArn": role_arn,
    }
    return {member: value for member, value in given.items() if value is not None}


class Endpoints(BackendBase):
    async def create_endpoint(
        self,
        account: str,
        region: str,
        name: str,
        description: str | None,
        routing: dict[str, Any] | None,
        replication: dict[str, Any] | None,
        buses: list[dict[str, Any]] | None,
        role_arn: str | None,
    ) -> dict[str, Any]:
        """The endpoint as DescribeEndpoint shows it."""
        now = self.now_ms()
        endpoint_id = _endpoint_id()
        body = {
            "Name": name,
            "Arn": resource_arn(region, account, "endpoint", name),
            "EndpointId": endpoint_id,
            "EndpointUrl": f"https://{endpoint_id}.endpoint.events.amazonaws.com",
            "State": "ACTIVE",
            "ReplicationConfig": {"State": "ENABLED"},
            **_config(description, routing, replication, buses, role_arn),
            "CreationTime": seconds(now),
            "LastModifiedTime": seconds(now),
        }

        def run(tx: Tx) -> None:
            if not store_connections.put_endpoint(tx, account, region, name, body, now, create=True):
                raise ResourceAlreadyExistsException(f"Endpoint {name} already exists.")

        await self.store.write(run)
        return body

    async def describe_endpoint(self, account: str, region: str, name: str) -> dict[str, Any]:
        found = await self.store.read(lambda tx: store_connections.get_endpoint(tx, account, region, name))
        if found is None:
            raise no_endpoint(name)
        return found

    async def update_endpoint(
        self,
        account: str,
        region: str,
        name: str,
        description: str | None,
        routing: dict[str, Any] | None,
        replication: dict[str, Any] | None,
        buses: list[dict[str, Any]] | None,
        role_arn: str | None,
    ) -> dict[str, Any]:
        """Members given (not None) replace the endpoint's; the endpoint as DescribeEndpoint shows it."""
        now = self.now_ms()

        def run(tx: Tx) -> dict[str, Any]:
            tx.lock("events endpoint", account, region, name)
            body = store_connections.get_endpoint(tx, account, region, name)
            if body is None:
                raise no_endpoint(name)
            body.update(_config(description, routing, replication, buses, role_arn))
            body["LastModifiedTime"] = seconds(now)
            store_connections.put_endpoint(tx, account, region, name, body, now, create=False)
            return body

        return await self.store.write(run)

    async def delete_endpoint(self, account: str, region: str, name: str) -> None:
        await self.describe_endpoint(account, region, name)
        await self.store.write(lambda tx: store_connections.delete_endpoint(tx, account, region, name))

    async def list_endpoints(
        self, account: str, region: str, prefix: str | None, next_token: str | None, limit: int | None
    ) -> tuple[list[dict[str, Any]], str | None]:
        after = paging.decode(next_token)
        found = await self.store.read(lambda tx: store_connections.list_endpoints(tx, account, region))
        found = [e for e in found if e["Name"].startswith(prefix or "") and e["Name"] > after]
        return paging.page(found, limit, limits.DEFAULT_PAGE, lambda e: e["Name"])

    # --- partner event sources -----------------------------------------------------------------------

    def event_source(self, name: str) -> NoReturn:
        """Describe/Activate/DeactivateEventSource and the partner's Describe/ListPartnerEventSourceAccounts:
        there are no partner event sources here."""
        raise no_event_source(name)

    def list_event_sources(self, account: str, region: str) -> list[dict[str, Any]]:
        """The partner event sources shared with the account: none."""
        return []

    def list_partner_event_sources(self, account: str, region: str) -> list[dict[str, Any]]:
        """The partner event sources the account (a partner) created: none."""
        return []

    def partner_only(self) -> NoReturn:
        """Create/DeletePartnerEventSource: only SaaS partners may call them."""
        raise not_partner()
