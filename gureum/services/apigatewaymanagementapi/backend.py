"""The Management API's backend object: the @connections calls over the WebSocketConnections port (which API
Gateway v2 provides; looked up on each call, so the order services start in does not matter). Kept with
runtime.keep at start; ``backend`` reaches it.

A connection belongs to its API's account and Region: another account's or Region's caller is refused as AWS refuses
a call at an API endpoint it may not manage (403), and under IAM enforcement (or learning) the caller needs
``execute-api:ManageConnections`` on ``arn:aws:execute-api:<region>:<account>:<api>/<stage>/<METHOD>/@connections/
<id>`` — the resource only this service can find, so it is checked here rather than by the dispatcher."""

from __future__ import annotations

from typing import Any

from ...aws.auth import Caller
from ...aws.authorize import authorizer, checks_deliveries
from ...aws.context import RequestContext
from ...policy.actions import Needed, Requirement
from ...ports import WebSocketConnections
from ...runtime import Runtime
from .errors import ForbiddenException, GoneException

_METHODS = {"PostToConnection": "POST", "GetConnection": "GET", "DeleteConnection": "DELETE"}


class ManagementBackend:
    def __init__(self, runtime: Runtime) -> None:
        self.runtime = runtime
        self.checks = checks_deliveries(runtime)  # IAM enforced, or its refusals recorded (learn mode)

    def _connections(self) -> WebSocketConnections:
        return self.runtime.port(WebSocketConnections)

    async def _authorise(self, ctx: RequestContext, connection_id: str) -> None:
        """The connection exists, is the caller's account's and Region's, and (when IAM is checked) the caller may
        manage it."""
        owner = await self._connections().owner(connection_id)
        if owner is None:
            raise _gone()
        account, region, api_id, stage = owner
        if (account, region) != (ctx.account, ctx.region):
            raise ForbiddenException("Forbidden")
        if self.checks:
            arn = f"arn:aws:execute-api:{region}:{account}:{api_id}/{stage}/{_METHODS[ctx.operation]}/@connections/"
            need = Needed("execute-api:ManageConnections", arn + connection_id)
            caller = Caller(ctx.access_key, ctx.account, ctx.region, "execute-api")
            requirement = Requirement((need,), code="ForbiddenException")
            await authorizer(self.runtime).authorise(
                ctx.request, ctx.protocol, caller, requirement, {}, f"apigatewaymanagementapi {ctx.operation}"
            )

    async def post_to_connection(self, ctx: RequestContext, connection_id: str, data: bytes | None) -> None:
        """Send ``data`` on the connection (the model limits it to 128 KB, the WebSocket message quota)."""
        await self._authorise(ctx, connection_id)
        if not await self._connections().post(connection_id, bytes(data or b"")):
            raise _gone()

    async def get_connection(self, ctx: RequestContext, connection_id: str) -> dict[str, Any]:
        """ConnectedAt, LastActiveAt and Identity of a live connection."""
        await self._authorise(ctx, connection_id)
        found = await self._connections().get(connection_id)
        if found is None:
            raise _gone()
        return dict(found)

    async def delete_connection(self, ctx: RequestContext, connection_id: str) -> None:
        await self._authorise(ctx, connection_id)
        if not await self._connections().delete(connection_id):
            raise _gone()


def backend(ctx: RequestContext) -> ManagementBackend:
    return ctx.runtime.state(ManagementBackend)


def _gone() -> Exception:
    return GoneException("")  # AWS answers 410 with an empty message
