"""The Management API's backend object: the @connections calls over the WebSocketConnections port (which API
Gateway v2 provides; looked up on each call, so the order services start in does not matter). Kept with
runtime.keep at start; ``backend`` reaches it."""

from __future__ import annotations

from typing import Any

from ...aws.context import RequestContext
from ...ports import WebSocketConnections
from ...runtime import Runtime
from .errors import GoneException


class ManagementBackend:
    def __init__(self, runtime: Runtime) -> None:
        self.runtime = runtime

    def _connections(self) -> WebSocketConnections:
        return self.runtime.port(WebSocketConnections)

    async def post_to_connection(self, connection_id: str, data: bytes | None) -> None:
        """Send ``data`` on the connection (the model limits it to 128 KB, the WebSocket message quota)."""
        if not await self._connections().post(connection_id, bytes(data or b"")):
            raise _gone()

    async def get_connection(self, connection_id: str) -> dict[str, Any]:
        """ConnectedAt, LastActiveAt and Identity of a live connection."""
        found = await self._connections().get(connection_id)
        if found is None:
            raise _gone()
        return dict(found)

    async def delete_connection(self, connection_id: str) -> None:
        if not await self._connections().delete(connection_id):
            raise _gone()


def backend(ctx: RequestContext) -> ManagementBackend:
    return ctx.runtime.state(ManagementBackend)


def _gone() -> Exception:
    return GoneException("")  # AWS answers 410 with an empty message
