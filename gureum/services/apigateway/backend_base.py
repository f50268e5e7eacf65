"""What every part of API Gateway's backend object (backend.py) stands on: the store, the clock, this node's edge
state, and the transactions over one API document or stage. Must not import the backend parts."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from ...aws.errors import ServiceError
from ...runtime import Runtime
from ...store.base import Tx
from . import store
from .errors import api_not_found, not_found
from .state import EdgeState

T = TypeVar("T")


def require_api(tx: Tx, account: str, region: str, api_id: str, missing: ServiceError | None = None) -> dict[str, Any]:
    """The API's document; else ``missing`` (what AWS answers this operation for an unknown API: by default
    "Invalid API identifier specified <account>:<id>")."""
    doc = store.get_api(tx, account, region, api_id)
    if doc is None:
        raise missing if missing is not None else api_not_found(account, api_id)
    return doc


def require_stage(tx: Tx, api_id: str, name: str) -> dict[str, Any]:
    found = store.get_stage(tx, api_id, name)
    if found is None:
        raise not_found("stage")
    return found


def require_entity(tx: Tx, account: str, region: str, kind: str, entity_id: str) -> dict[str, Any]:
    """An API key ("apikey") or usage plan ("usageplan")."""
    found = store.get_entity(tx, account, region, kind, entity_id)
    if found is None:
        raise not_found(kind)
    return found


class BackendBase:
    def __init__(self, runtime: Runtime, edge: EdgeState) -> None:
        self.runtime = runtime
        self.store = runtime.store
        self.clock = runtime.clock
        self.edge = edge

    def now(self) -> int:
        """The time AWS stamps on what it creates (createdDate, lastUpdatedDate): whole seconds."""
        return int(self.clock.now())

    async def read_api(
        self,
        account: str,
        region: str,
        api_id: str,
        fn: Callable[[dict[str, Any]], T],
        missing: ServiceError | None = None,
    ) -> T:
        """fn's answer on the API's document (``missing``: the error for an unknown API, see require_api)."""
        return await self.store.read(lambda tx: fn(require_api(tx, account, region, api_id, missing)))

    async def change_api(
        self,
        account: str,
        region: str,
        api_id: str,
        fn: Callable[[dict[str, Any]], T],
        missing: ServiceError | None = None,
    ) -> T:
        """Run fn on the API's document and save it, in one transaction; fn's result is the answer."""

        def run(tx: Tx) -> T:
            doc = require_api(tx, account, region, api_id, missing)
            result = fn(doc)
            store.save_api(tx, doc)
            return result

        return await self.store.write(run)
