"""API Gateway's backend object: one method per control-plane operation, taking plain arguments (account, region,
ids, values), assembled from its parts by resource (backend_*.py). Kept with runtime.keep by ``start``, with this
node's edge state (state.EdgeState); ``backend(ctx_or_runtime)`` reaches it."""

from __future__ import annotations

from ...accesslogs import AccessLogs
from ...aws.context import RequestContext
from ...ports import ApiGatewayAccount
from ...runtime import Runtime
from .backend_apis import RestApiPart
from .backend_certificates import CertificatePart
from .backend_domains import DomainPart
from .backend_keys import KeyPart
from .backend_methods import MethodPart
from .backend_stages import StagePart
from .backend_vpclinks import VpcLinkPart
from .state import CACHE_CHANNEL, DOMAINS_CHANNEL, EdgeState


class ApiGatewayBackend(RestApiPart, MethodPart, StagePart, KeyPart, DomainPart, VpcLinkPart, CertificatePart):
    """REST APIs and their definitions, deployments and stages, API keys and usage plans, custom domain names,
    VPC links, client certificates."""


def backend(ctx: RequestContext | Runtime) -> ApiGatewayBackend:
    runtime = ctx.runtime if isinstance(ctx, RequestContext) else ctx
    return runtime.state(ApiGatewayBackend)


class AccountPort:
    """The ApiGatewayAccount port: the account's CloudWatch role, for WebSocket stages that log (apigatewayv2)."""

    def __init__(self, be: ApiGatewayBackend) -> None:
        self.be = be

    async def cloudwatch_role(self, account: str, region: str) -> str | None:
        return (await self.be.get_account(account, region)).get("cloudwatchRoleArn") or None


async def start(runtime: Runtime) -> None:
    edge = runtime.keep(EdgeState(AccessLogs(runtime, "apigateway")))
    be = runtime.keep(ApiGatewayBackend(runtime, edge))
    runtime.provide(ApiGatewayAccount, AccountPort(be))
    await be.load_domains()

    def domains_changed(_payload: str) -> None:
        runtime.spawn(be.load_domains(), "apigateway-domains")

    def cache_flushed(payload: str) -> None:  # FlushStageCache on any node empties every node's cache of the stage
        api_id, _, stage = payload.partition("/")
        edge.flush_cache(api_id, stage)

    runtime.store.subscribe(DOMAINS_CHANNEL, domains_changed)
    runtime.store.subscribe(CACHE_CHANNEL, cache_flushed)


async def stop(runtime: Runtime) -> None:
    edge = runtime.state_or_none(EdgeState)
    if edge is not None:
        await edge.close()


async def reset(runtime: Runtime) -> None:
    runtime.state(EdgeState).clear()
