"""Lightsail's resources as records in the store: one JSON body per account, Region, kind and name, read, changed
in one transaction, or added once (instances, key pairs, static IPs, snapshots, container services and load
balancers are all kept so)."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from ...store.base import Store, Tx
from . import store
from .errors import InvalidInputException, not_found

Mutation = Callable[[dict[str, Any]], None]

NOUNS = {
    "KeyPair": "key pair",
    "StaticIp": "static IP",
    "InstanceSnapshot": "instance snapshot",
    "ContainerService": "container service",
    "LoadBalancer": "load balancer",
}  # the words AWS's "already exists" messages use


def existing(tx: Tx, account: str, region: str, kind: str, name: str) -> dict[str, Any]:
    """The record inside a transaction; NotFoundException as AWS words it when there is none."""
    body = store.get(tx, account, region, kind, name)
    if body is None:
        raise not_found(kind, name)
    return body


class Records:
    """The records of one store."""

    def __init__(self, store_: Store) -> None:
        self._store = store_

    async def get(self, account: str, region: str, kind: str, name: str) -> dict[str, Any]:
        return await self._store.read(functools.partial(existing, account=account, region=region, kind=kind, name=name))

    async def mutate(self, account: str, region: str, kind: str, name: str, change: Mutation) -> dict[str, Any]:
        """The record after ``change`` edited it in place, written in the transaction that read it."""

        def run(tx: Tx) -> dict[str, Any]:
            body = existing(tx, account, region, kind, name)
            change(body)
            store.update(tx, account, region, kind, name, body)
            return body

        return await self._store.write(run)

    async def add(self, account: str, region: str, kind: str, body: dict[str, Any]) -> None:
        """A new record (its name and createdAt from the body); InvalidInputException when the name is taken."""
        added = await self._store.write(
            functools.partial(
                store.insert,
                account=account,
                region=region,
                kind=kind,
                name=body["name"],
                created_at=body["createdAt"],
                body=body,
            )  # fmt: skip
        )
        if not added:
            raise InvalidInputException(f"The {NOUNS[kind]} {body['name']} already exists.")
