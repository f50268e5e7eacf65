"""The backend's API destinations: create, describe, update, delete, list, and their invocation (delivery kind
"events-http": address the API destination ARN, payload the rule target's HttpParameters and the body), which
http_invoke.HttpInvoker performs with the connection's authorization."""

from __future__ import annotations

import uuid

from ...delivery import DeliveryError
from ...store.base import Tx
from . import limits, paging, store_connections
from .base import BackendBase
from .errors import ResourceAlreadyExistsException, no_api_destination, no_connection
from .names import parse_arn
from .store_connections import ApiDestination, Connection


def _connection_of(tx: Tx, account: str, region: str, arn: str) -> Connection:
    """The connection an API destination names by ARN (or AWS's not-found error)."""
    parts = parse_arn(arn)
    name = parts[2].split("/")[1] if parts and parts[2].startswith("connection/") else arn
    found = store_connections.get_connection(tx, parts[1] if parts else account, parts[0] if parts else region, name)
    if found is None or found.arn != arn:
        raise no_connection(name)
    return found


def _require_destination(tx: Tx, account: str, region: str, name: str) -> ApiDestination:
    found = store_connections.get_destination(tx, account, region, name)
    if found is None:
        raise no_api_destination(name)
    return found


def _invocation_parts(tx: Tx, arn: str) -> tuple[ApiDestination | None, Connection | None]:
    """The API destination an "events-http" row names, and its connection (either None when gone)."""
    parts = parse_arn(arn)
    name = parts[2].split("/")[1] if parts and parts[2].startswith("api-destination/") else ""
    destination = store_connections.get_destination(tx, parts[1], parts[0], name) if parts else None
    if destination is None:
        return None, None
    connection_parts = parse_arn(destination.connection_arn)
    connection_name = connection_parts[2].split("/")[1] if connection_parts else ""
    return destination, store_connections.get_connection(tx, destination.account, destination.region, connection_name)


class ApiDestinations(BackendBase):
    async def create_api_destination(
        self,
        account: str,
        region: str,
        name: str,
        description: str | None,
        connection_arn: str,
        endpoint: str,
        method: str,
        rate_limit: int | None,
    ) -> ApiDestination:
        now = self.now_ms()
        d = ApiDestination(0, account, region, name, str(uuid.uuid4()), description, connection_arn, endpoint, method,
                           rate_limit or limits.HTTP_RATE_DEFAULT, now, now)  # fmt: skip

        def run(tx: Tx) -> None:
            _connection_of(tx, account, region, d.connection_arn)
            if not store_connections.insert_destination(tx, d):
                raise ResourceAlreadyExistsException(f"An api-destination '{d.name}' already exists.")

        await self.store.write(run)
        return d

    async def describe_api_destination(self, account: str, region: str, name: str) -> ApiDestination:
        return await self.store.read(lambda tx: _require_destination(tx, account, region, name))

    async def update_api_destination(
        self,
        account: str,
        region: str,
        name: str,
        description: str | None,
        connection_arn: str | None,
        endpoint: str | None,
        method: str | None,
        rate_limit: int | None,
    ) -> ApiDestination:
        """Members given (not None) replace the API destination's."""
        now = self.now_ms()

        def run(tx: Tx) -> ApiDestination:
            tx.lock("events api destination", account, region, name)
            d = _require_destination(tx, account, region, name)
            if description is not None:
                d.description = description
            if connection_arn is not None:
                d.connection_arn = connection_arn
            if endpoint is not None:
                d.endpoint = endpoint
            if method is not None:
                d.method = method
            if rate_limit is not None:
                d.rate_limit = rate_limit
            _connection_of(tx, account, region, d.connection_arn)
            d.modified_at = now
            store_connections.save_destination(tx, d)
            return d

        return await self.store.write(run)

    async def delete_api_destination(self, account: str, region: str, name: str) -> None:
        await self.store.write(
            lambda tx: store_connections.delete_destination(tx, _require_destination(tx, account, region, name))
        )

    async def list_api_destinations(
        self,
        account: str,
        region: str,
        prefix: str | None,
        connection_arn: str | None,
        next_token: str | None,
        limit: int | None,
    ) -> tuple[list[ApiDestination], str | None]:
        after = paging.decode(next_token)
        found = await self.store.read(lambda tx: store_connections.list_destinations(tx, account, region, after))
        found = [d for d in found if d.name.startswith(prefix or "") and connection_arn in (None, d.connection_arn)]
        return paging.page(found, limit, limits.DEFAULT_PAGE, lambda d: d.name)

    async def invoke_api_destination(
        self, arn: str, body: str, path: list[str], headers: dict[str, str], query: dict[str, str]
    ) -> None:
        """One delivery to an API destination; DeliveryError (retryable or final) when it does not succeed."""
        destination, connection = await self.store.read(lambda tx: _invocation_parts(tx, arn))
        if destination is None:
            raise DeliveryError(
                f"API destination {arn} does not exist.", code="ResourceNotFoundException", retryable=False
            )
        if connection is None or connection.state != "AUTHORIZED":
            raise DeliveryError(
                f"The connection of API destination {destination.name} is not authorized.",
                code="ConnectionNotAuthorized",
                retryable=False,
            )
        await self.http.call(destination, connection, body, path, headers, query)
