"""API Gateway v2's backend object: every control-plane operation with plain arguments, each in one store
transaction (the rules are in model.py, apis.py, items.py and openapi.py), and this node's data-plane pieces: the
caches (state.py), the WebSocket connections (websocket_api.py) and the HttpApiEdge port (edge.py).
Kept with runtime.keep at start; ``backend`` reaches it."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ... import accesslogs
from ...accesslogs import AccessLogs
from ...aws.context import RequestContext
from ...ports import ApiGatewayAccount
from ...runtime import Runtime
from ...store.base import Tx
from . import apis, items, openapi, store
from .backend_domains import DomainsPart
from .edge import HttpApiEdge
from .errors import ConflictException, bad_request, not_found
from .items import Kind
from .model import (
    API_UPDATE_MEMBERS,
    STAGE_MEMBERS,
    endpoint,
    imported_api,
    new_api,
    new_id,
    new_stage,
    page,
    public,
    quick_create,
    with_tags,
)
from .state import State
from .websocket_api import WebSocketApis

Members = Mapping[str, Any]  # an operation's input members as AWS names them (CreateRoute's RouteKey, Target, …)


class ApiGatewayV2Backend(DomainsPart):
    """Every API Gateway v2 operation; VPC links, custom domain names and API mappings come from DomainsPart."""

    def __init__(self, runtime: Runtime, node: str) -> None:
        self.runtime = runtime
        self.store = runtime.store
        self.clock = runtime.clock
        self.caches = State(runtime.clock, AccessLogs(runtime, "apigatewayv2"))
        self.websockets = WebSocketApis(runtime, node, self.caches)
        self.edge = HttpApiEdge(runtime, self.caches)

    async def start(self) -> None:
        """Sockets this node held before a restart are gone; listen for management calls other nodes relay."""
        node = self.websockets.node
        await self.store.write(lambda tx: store.delete_node_connections(tx, node))
        self.store.subscribe(store.RELAY_CHANNEL, self.websockets.relayed)
        await self.load_domains()

        def domains_changed(_payload: str) -> None:
            self.runtime.spawn(self.load_domains(), "apigatewayv2-domains")

        self.store.subscribe(store.DOMAINS_CHANNEL, domains_changed)

    def stop(self) -> None:
        self.websockets.close_all()

    def reset(self) -> None:
        self.caches.clear()

    def _api_output(self, host: str, doc: dict[str, Any]) -> dict[str, Any]:
        out = public(doc)
        out["ApiEndpoint"] = endpoint(host, self.runtime.config.port, doc["ApiId"], doc["ProtocolType"])
        return out

    # --- APIs ---------------------------------------------------------------------------------------------

    async def create_api(self, account: str, region: str, host: str, members: Members) -> dict[str, Any]:
        """CreateApi; with Target also the quick-create integration, route and auto-deployed $default stage."""
        now = self.clock.now()
        doc = new_api(new_id(), members, now)

        def write(tx: Tx) -> None:
            store.insert_api(tx, account, region, doc, now)
            if members.get("Target"):
                made = quick_create(members["Target"], members.get("RouteKey"), members.get("CredentialsArn"), now)
                integration, route, stage = made
                api_id = doc["ApiId"]
                store.insert_item(tx, api_id, "Integration", integration["IntegrationId"], integration, now)
                store.insert_item(tx, api_id, "Route", route["RouteId"], route, now)
                store.insert_item(tx, api_id, "Stage", "$default", stage, now)
                apis.changed(tx, api_id, now)

        await self.store.write(write)
        return self._api_output(host, doc)

    async def get_api(self, account: str, region: str, host: str, api_id: str) -> dict[str, Any]:
        doc = await self.store.read(lambda tx: apis.load_api(tx, account, region, api_id))
        return self._api_output(host, doc)

    async def get_apis(
        self, account: str, region: str, host: str, next_token: str | None, max_results: str | None
    ) -> dict[str, Any]:
        docs = await self.store.read(lambda tx: store.list_apis(tx, account, region))
        return page([self._api_output(host, d) for d in docs], next_token, max_results)

    async def update_api(self, account: str, region: str, host: str, api_id: str, members: Members) -> dict[str, Any]:
        now = self.clock.now()

        def write(tx: Tx) -> dict[str, Any]:
            doc = apis.load_api(tx, account, region, api_id)
            if doc["ProtocolType"] == "WEBSOCKET" and members.get("CorsConfiguration"):
                raise bad_request("CorsConfiguration is supported only for HTTP APIs.")
            doc.update({k: members[k] for k in API_UPDATE_MEMBERS if k in members})
            store.update_api(tx, doc)
            apis.changed(tx, api_id, now)
            return doc

        return self._api_output(host, await self.store.write(write))

    async def delete_api(self, account: str, region: str, api_id: str) -> None:
        def write(tx: Tx) -> None:
            apis.load_api(tx, account, region, api_id)
            store.delete_api(tx, api_id)

        await self.store.write(write)
        self.websockets.close_all(api_id)  # clients of a deleted API are disconnected

    async def delete_cors_configuration(self, account: str, region: str, api_id: str) -> None:
        now = self.clock.now()

        def write(tx: Tx) -> None:
            doc = apis.load_api(tx, account, region, api_id)
            doc.pop("CorsConfiguration", None)
            store.update_api(tx, doc)
            apis.changed(tx, api_id, now)

        await self.store.write(write)

    # --- OpenAPI import and export ------------------------------------------------------------------------

    async def import_api(
        self, account: str, region: str, host: str, body: str, fail_on_warnings: bool | None
    ) -> dict[str, Any]:
        spec = openapi.parse(body)
        now = self.clock.now()
        api = imported_api(new_id(), now)
        openapi.apply_info(api, spec)

        def write(tx: Tx) -> list[str]:
            store.insert_api(tx, account, region, api, now)
            return _load_definition(tx, api["ApiId"], spec, fail_on_warnings, now)

        warnings = await self.store.write(write)
        return {**self._api_output(host, api), **({"Warnings": warnings} if warnings else {})}

    async def reimport_api(
        self, account: str, region: str, host: str, api_id: str, body: str, fail_on_warnings: bool | None
    ) -> dict[str, Any]:
        spec = openapi.parse(body)
        now = self.clock.now()

        def write(tx: Tx) -> tuple[dict[str, Any], list[str]]:
            api = apis.load_api(tx, account, region, api_id)
            if api["ProtocolType"] != "HTTP":
                raise bad_request("Only HTTP APIs can be reimported.")
            for kind in ("Route", "Integration", "Authorizer"):
                store.delete_kind(tx, api_id, kind)
            api.pop("CorsConfiguration", None)
            openapi.apply_info(api, spec)
            store.update_api(tx, api)
            warnings = _load_definition(tx, api_id, spec, fail_on_warnings, now)
            apis.changed(tx, api_id, now)
            return api, warnings

        api, warnings = await self.store.write(write)
        return {**self._api_output(host, api), **({"Warnings": warnings} if warnings else {})}

    async def export_api(
        self,
        account: str,
        region: str,
        host: str,
        api_id: str,
        specification: str,
        output_type: str,
        stage_name: str | None,
        include_extensions: bool | None,
    ) -> bytes:
        """The OpenAPI definition of the API as it is now, or as a stage's deployment froze it."""
        if specification != "OAS30":
            raise bad_request("Only the OAS30 specification is supported.")

        def read(tx: Tx) -> dict[str, Any]:
            api = apis.load_api(tx, account, region, api_id)
            if api["ProtocolType"] != "HTTP":
                raise bad_request("Only HTTP APIs can be exported.")
            snapshot = apis.export_snapshot(tx, api, stage_name)
            if snapshot is None:
                raise bad_request(f"Stage {stage_name} has no deployment to export.")
            return snapshot

        snapshot = await self.store.read(read)
        url = self._api_output(host, snapshot["api"])["ApiEndpoint"]
        doc = openapi.export(snapshot, include_extensions is not False, endpoint=url)
        return openapi.render(doc, output_type)

    # --- tags (on APIs, stages, custom domain names and VPC links) ------------------------------------------

    async def get_tags(self, account: str, region: str, arn: str) -> dict[str, str]:
        doc, _ = await self.store.read(lambda tx: apis.tagged(tx, account, region, arn))
        return dict(doc.get("Tags") or {})

    async def tag_resource(self, account: str, region: str, arn: str, tags: Mapping[str, str] | None) -> None:
        def write(tx: Tx) -> None:
            tx.lock("apigatewayv2-tags", arn)  # the tags live in the resource's document: writers take turns
            doc, save = apis.tagged(tx, account, region, arn)
            with_tags(doc, tags or {})
            save(doc)

        await self.store.write(write)

    async def untag_resource(self, account: str, region: str, arn: str, keys: list[str] | None) -> None:
        def write(tx: Tx) -> None:
            tx.lock("apigatewayv2-tags", arn)
            doc, save = apis.tagged(tx, account, region, arn)
            doc["Tags"] = {k: v for k, v in (doc.get("Tags") or {}).items() if k not in set(keys or [])}
            save(doc)

        await self.store.write(write)

    # --- stages -------------------------------------------------------------------------------------------

    async def create_stage(self, account: str, region: str, api_id: str, name: str, members: Members) -> dict[str, Any]:
        now = self.clock.now()
        _check_access_log(members)
        doc = new_stage(name, members, now)
        role = await self._cloudwatch_role(account, region, members)

        def write(tx: Tx) -> dict[str, Any]:
            api = apis.load_api(tx, account, region, api_id)
            if api["ProtocolType"] == "WEBSOCKET" and name == "$default":
                raise bad_request("The $default stage is supported only for HTTP APIs.")
            _check_logging_role(api, role)
            if store.get_item(tx, api_id, "Stage", name) is not None:
                raise ConflictException(f"Stage already exist: {name}")
            apis.check_deployment(tx, api_id, doc.get("DeploymentId"))
            store.insert_item(tx, api_id, "Stage", name, doc, now)
            if doc.get("AutoDeploy"):
                apis.changed(tx, api_id, now)
            return store.get_item(tx, api_id, "Stage", name) or doc

        return public(await self.store.write(write))

    async def get_stage(self, account: str, region: str, api_id: str, name: str) -> dict[str, Any]:
        def read(tx: Tx) -> dict[str, Any]:
            apis.load_api(tx, account, region, api_id)
            return apis.load_stage(tx, api_id, name)

        return public(await self.store.read(read))

    async def get_stages(
        self, account: str, region: str, api_id: str, next_token: str | None, max_results: str | None
    ) -> dict[str, Any]:
        def read(tx: Tx) -> list[dict[str, Any]]:
            apis.load_api(tx, account, region, api_id)
            return store.list_items(tx, api_id, "Stage")

        return page([public(d) for d in await self.store.read(read)], next_token, max_results)

    async def update_stage(self, account: str, region: str, api_id: str, name: str, members: Members) -> dict[str, Any]:
        now = self.clock.now()
        _check_access_log(members)
        role = await self._cloudwatch_role(account, region, members)

        def write(tx: Tx) -> dict[str, Any]:
            _check_logging_role(apis.load_api(tx, account, region, api_id), role)
            doc = apis.load_stage(tx, api_id, name)
            apis.check_deployment(tx, api_id, members.get("DeploymentId"))
            doc.update({k: members[k] for k in STAGE_MEMBERS if k in members})
            doc["LastUpdatedDate"] = now
            store.update_item(tx, api_id, "Stage", doc["StageName"], doc)
            if members.get("AutoDeploy"):
                apis.changed(tx, api_id, now)
            return store.get_item(tx, api_id, "Stage", doc["StageName"]) or doc

        return public(await self.store.write(write))

    async def _cloudwatch_role(self, account: str, region: str, members: Members) -> str | None:
        """ "" (nothing to check) unless the stage's new settings log to CloudWatch; then the account's CloudWatch
        role (API Gateway's account settings, through its port), None while it is not set."""
        if not logs_to_cloudwatch(members):
            return ""
        port = self.runtime.optional_port(ApiGatewayAccount)
        return await port.cloudwatch_role(account, region) if port is not None else None

    async def delete_stage(self, account: str, region: str, api_id: str, name: str) -> None:
        def write(tx: Tx) -> None:
            apis.load_api(tx, account, region, api_id)
            apis.load_stage(tx, api_id, name)
            store.delete_item(tx, api_id, "Stage", name)

        await self.store.write(write)
        self.websockets.close_all(api_id, name)

    async def delete_access_log_settings(self, account: str, region: str, api_id: str, stage: str) -> None:
        await self._edit_stage(account, region, api_id, stage, lambda doc: doc.pop("AccessLogSettings", None))

    async def delete_route_settings(self, account: str, region: str, api_id: str, stage: str, route_key: str) -> None:
        def edit(doc: dict[str, Any]) -> None:
            if route_key not in (doc.get("RouteSettings") or {}):
                raise not_found("RouteSettings", route_key)
            del doc["RouteSettings"][route_key]

        await self._edit_stage(account, region, api_id, stage, edit)

    async def _edit_stage(self, account: str, region: str, api_id: str, name: str, edit: Any) -> None:
        now = self.clock.now()

        def write(tx: Tx) -> None:
            apis.load_api(tx, account, region, api_id)
            stage = apis.load_stage(tx, api_id, name)
            edit(stage)
            stage["LastUpdatedDate"] = now
            store.update_item(tx, api_id, "Stage", stage["StageName"], stage)

        await self.store.write(write)

    # --- deployments --------------------------------------------------------------------------------------

    async def create_deployment(
        self, account: str, region: str, api_id: str, stage_name: str | None, description: str | None
    ) -> dict[str, Any]:
        """Freeze the API as a deployment; with StageName the stage then serves it."""
        now = self.clock.now()

        def write(tx: Tx) -> dict[str, Any]:
            api = apis.load_api(tx, account, region, api_id)
            stage = apis.load_stage(tx, api_id, stage_name) if stage_name else None
            if stage is not None and stage.get("AutoDeploy"):
                raise bad_request("Cannot create a deployment for a stage with AutoDeploy enabled.")
            doc = apis.deploy(tx, api_id, api, description, False, now)
            if stage is not None:
                stage.update(DeploymentId=doc["DeploymentId"], LastUpdatedDate=now)
                store.update_item(tx, api_id, "Stage", stage["StageName"], stage)
            return doc

        return public(await self.store.write(write))

    async def get_deployment(self, account: str, region: str, api_id: str, deployment_id: str) -> dict[str, Any]:
        def read(tx: Tx) -> dict[str, Any]:
            apis.load_api(tx, account, region, api_id)
            return apis.load_deployment(tx, api_id, deployment_id)

        return public(await self.store.read(read))

    async def get_deployments(
        self, account: str, region: str, api_id: str, next_token: str | None, max_results: str | None
    ) -> dict[str, Any]:
        def read(tx: Tx) -> list[dict[str, Any]]:
            apis.load_api(tx, account, region, api_id)
            return store.list_items(tx, api_id, "Deployment")

        return page([public(d) for d in await self.store.read(read)], next_token, max_results)

    async def update_deployment(
        self, account: str, region: str, api_id: str, deployment_id: str, description: str | None
    ) -> dict[str, Any]:
        def write(tx: Tx) -> dict[str, Any]:
            apis.load_api(tx, account, region, api_id)
            doc = apis.load_deployment(tx, api_id, deployment_id)
            if description is not None:
                doc["Description"] = description
            store.update_item(tx, api_id, "Deployment", deployment_id, doc)
            return doc

        return public(await self.store.write(write))

    async def delete_deployment(self, account: str, region: str, api_id: str, deployment_id: str) -> None:
        def write(tx: Tx) -> None:
            apis.load_api(tx, account, region, api_id)
            apis.load_deployment(tx, api_id, deployment_id)
            if any(s.get("DeploymentId") == deployment_id for s in store.list_items(tx, api_id, "Stage")):
                raise bad_request("Active stages pointing to this deployment must be moved or deleted")
            store.delete_item(tx, api_id, "Deployment", deployment_id)

        await self.store.write(write)

    # --- routes, integrations, authorizers, models and their responses (items.py's kinds) ----------------

    async def create_item(
        self, account: str, region: str, kind: Kind, api_id: str, members: Members, parent_id: str = ""
    ) -> dict[str, Any]:
        """Create{Kind}: a new item of ``kind`` (under ``parent_id``, the route or integration of a response)."""
        now = self.clock.now()

        def write(tx: Tx) -> dict[str, Any]:
            api = apis.load_api(tx, account, region, api_id)
            doc = items.create(tx, api, kind, members, parent_id, now)
            apis.changed(tx, api_id, now)
            return doc

        return public(await self.store.write(write))

    async def get_item(
        self, account: str, region: str, kind: Kind, api_id: str, item_id: str, parent_id: str = ""
    ) -> dict[str, Any]:
        def read(tx: Tx) -> dict[str, Any]:
            apis.load_api(tx, account, region, api_id)
            items.check_parent(tx, kind, api_id, parent_id)
            return items.load(tx, kind, api_id, item_id)

        return public(await self.store.read(read))

    async def get_items(
        self,
        account: str,
        region: str,
        kind: Kind,
        api_id: str,
        next_token: str | None,
        max_results: str | None,
        parent_id: str = "",
    ) -> dict[str, Any]:
        def read(tx: Tx) -> list[dict[str, Any]]:
            apis.load_api(tx, account, region, api_id)
            return store.list_items(tx, api_id, kind.name, items.check_parent(tx, kind, api_id, parent_id))

        return page([public(d) for d in await self.store.read(read)], next_token, max_results)

    async def update_item(
        self, account: str, region: str, kind: Kind, api_id: str, item_id: str, members: Members, parent_id: str = ""
    ) -> dict[str, Any]:
        now = self.clock.now()

        def write(tx: Tx) -> dict[str, Any]:
            api = apis.load_api(tx, account, region, api_id)
            doc = items.update(tx, api, kind, item_id, members, parent_id)
            apis.changed(tx, api_id, now)
            return doc

        return public(await self.store.write(write))

    async def delete_item(
        self, account: str, region: str, kind: Kind, api_id: str, item_id: str, parent_id: str = ""
    ) -> None:
        now = self.clock.now()

        def write(tx: Tx) -> None:
            apis.load_api(tx, account, region, api_id)
            items.delete(tx, api_id, kind, item_id, parent_id)
            apis.changed(tx, api_id, now)

        await self.store.write(write)

    async def delete_route_request_parameter(
        self, account: str, region: str, api_id: str, route_id: str, key: str
    ) -> None:
        now = self.clock.now()

        def write(tx: Tx) -> None:
            apis.load_api(tx, account, region, api_id)
            items.delete_route_request_parameter(tx, api_id, route_id, key)
            apis.changed(tx, api_id, now)

        await self.store.write(write)

    async def reset_authorizers_cache(self, account: str, region: str, api_id: str) -> None:
        """This node's cached authorizer answers for the API are forgotten."""
        await self.store.read(lambda tx: apis.load_api(tx, account, region, api_id))
        self.caches.forget_authorizer_answers(api_id)


def backend(ctx: RequestContext | Runtime) -> ApiGatewayV2Backend:
    runtime = ctx.runtime if isinstance(ctx, RequestContext) else ctx
    return runtime.state(ApiGatewayV2Backend)


def _load_definition(tx: Tx, api_id: str, spec: dict[str, Any], fail_on_warnings: bool | None, now: float) -> list[str]:
    """Write an OpenAPI definition's authorizers, integrations and routes into the API; its warnings."""
    found, warnings = openapi.items_of(spec)
    for kind, item_id, doc in found:
        store.insert_item(tx, api_id, kind, item_id, doc, now)
    openapi.check_warnings(warnings, fail_on_warnings)
    return warnings


def logs_to_cloudwatch(members: Members) -> bool:
    """Whether a stage's settings turn CloudWatch logging on: access logs, or a route's execution logs (ERROR or
    INFO) or data trace, by default or for one route."""
    if (members.get("AccessLogSettings") or {}).get("DestinationArn"):
        return True
    routes = [members.get("DefaultRouteSettings") or {}, *(members.get("RouteSettings") or {}).values()]
    return any(
        str(r.get("LoggingLevel") or "").upper() in ("ERROR", "INFO") or r.get("DataTraceEnabled") is True
        for r in routes
        if isinstance(r, dict)
    )


def _check_logging_role(api: dict[str, Any], role: str | None) -> None:
    """A WebSocket API's stage logs to CloudWatch only once the account's CloudWatch role is set, as API Gateway
    requires (HTTP APIs log access through a service-linked role: no such check)."""
    if role is None and api["ProtocolType"] == "WEBSOCKET":
        raise bad_request("CloudWatch Logs role ARN must be set in account settings to enable logging")


def _check_access_log(members: Members) -> None:
    settings = members.get("AccessLogSettings")
    if settings:
        problem = accesslogs.settings_problem(settings.get("DestinationArn"), settings.get("Format"))
        if problem is not None:
            raise bad_request(problem)
