"""The backend's part for REST APIs and what their document holds besides methods: resources, models, request
validators, authorizers, gateway responses, documentation, and OpenAPI import and export."""

from __future__ import annotations

import json
from typing import Any

from ...store.base import Tx
from . import apis, documentation, openapi, patches, store
from .apis import api_view, given
from .backend_base import BackendBase, require_api, require_stage
from .errors import BadRequestException, NotFoundException, ServiceError, concurrent_modification, not_found
from .model import page
from .vtl import model_template


def _no_model(name: str) -> ServiceError:
    """What AWS answers for a model of an unknown API (recorded): the model's own NotFound."""
    return NotFoundException(f"Invalid model name specified: {name}")


_VALIDATOR_DEFAULTS = {"validateRequestBody": False, "validateRequestParameters": False}
_AUTHORIZER_DEFAULTS = {"authorizerResultTtlInSeconds": 300}


class RestApiPart(BackendBase):
    # --- RestApis ---------------------------------------------------------------------------------------------------

    async def create_rest_api(
        self, account: str, region: str, name: str, clone_from: str | None, **members: Any
    ) -> dict[str, Any]:
        """A new API (members: apis.new_api_doc's), or a copy of the definition of ``clone_from``."""
        doc = apis.new_api_doc(name, self.now(), **members)
        apis.add_default_models(doc)

        def create(tx: Tx) -> dict[str, Any]:
            if clone_from:
                apis.clone_into(doc, require_api(tx, account, region, clone_from))
            store.insert_api(tx, account, region, doc, self.now())
            return api_view(doc)

        return await self.store.write(create)

    async def get_rest_api(self, account: str, region: str, api_id: str) -> dict[str, Any]:
        return await self.read_api(account, region, api_id, api_view)

    async def get_rest_apis(self, account: str, region: str, limit: int | None, position: str | None) -> dict[str, Any]:
        docs = await self.store.read(lambda tx: store.list_apis(tx, account, region))
        return page([api_view(doc) for doc in docs], limit, position)

    async def update_rest_api(
        self, account: str, region: str, api_id: str, operations: list[dict[str, Any]]
    ) -> dict[str, Any]:
        return await self.change_api(account, region, api_id, lambda doc: apis.update_api(doc, operations))

    async def delete_rest_api(self, account: str, region: str, api_id: str) -> None:
        def delete(tx: Tx) -> None:
            require_api(tx, account, region, api_id)
            store.delete_api(tx, api_id)

        await self.store.write(delete)

    # --- OpenAPI ----------------------------------------------------------------------------------------------------

    async def import_rest_api(
        self, account: str, region: str, body: bytes | None, parameters: dict[str, str] | None
    ) -> dict[str, Any]:
        """A new API from an OpenAPI definition (parameters: endpointConfigurationTypes, basepath)."""
        spec = openapi.parse_definition(bytes(body or b""))
        parameters = parameters or {}
        types = parameters.get("endpointConfigurationTypes")
        doc = apis.new_api_doc(
            openapi.title(spec) or "imported",
            self.now(),
            endpoint_configuration={"types": [types.upper()]} if types else None,
        )
        imported = openapi.import_spec(
            spec, doc["api"]["id"], doc["rootResourceId"], parameters.get("basepath", "ignore")
        )
        openapi.merge(doc, imported, overwrite=True)

        def create(tx: Tx) -> dict[str, Any]:
            store.insert_api(tx, account, region, doc, self.now())
            return api_view(doc)

        return await self.store.write(create)

    async def put_rest_api(
        self,
        account: str,
        region: str,
        api_id: str,
        body: bytes | None,
        mode: str | None,
        parameters: dict[str, str] | None,
    ) -> dict[str, Any]:
        """An OpenAPI definition merged into the API, or replacing its definition ("overwrite")."""
        spec = openapi.parse_definition(bytes(body or b""))
        basepath = (parameters or {}).get("basepath", "ignore")
        mode = mode or "merge"
        if mode not in ("merge", "overwrite"):
            raise BadRequestException("Invalid mode: must be merge or overwrite")

        def put(doc: dict[str, Any]) -> dict[str, Any]:
            imported = openapi.import_spec(spec, doc["api"]["id"], doc["rootResourceId"], basepath)
            openapi.merge(doc, imported, overwrite=mode == "overwrite")
            return api_view(doc)

        return await self.change_api(account, region, api_id, put)

    async def get_export(
        self,
        account: str,
        region: str,
        api_id: str,
        stage_name: str,
        export_type: str,
        parameters: dict[str, str] | None,
        accepts: str | None,
    ) -> dict[str, Any]:
        """The stage's deployment as an OpenAPI 3 ("oas30") or Swagger 2 definition, in JSON or YAML."""
        if export_type not in ("oas30", "swagger"):
            raise BadRequestException(f"Invalid export type: {export_type}. Valid options are oas30, swagger")
        extensions = set(filter(None, ((parameters or {}).get("extensions") or "").split(",")))

        def read(tx: Tx) -> tuple[dict[str, Any], dict[str, Any], dict[str, Any]]:
            doc = require_api(tx, account, region, api_id)
            stage = require_stage(tx, api_id, stage_name)
            return doc, stage, store.get_snapshot(tx, api_id, stage["deploymentId"]) or doc

        doc, stage, snapshot = await self.store.read(read)
        host = f"{api_id}.execute-api.{region}.amazonaws.com"
        spec = openapi.export_spec(snapshot, doc["api"], stage, export_type, extensions, host)
        yaml = "yaml" in (accepts or "")
        return {
            "contentType": "application/yaml" if yaml else "application/json",
            "body": openapi.dump_yaml(spec) if yaml else json.dumps(spec, indent=2).encode(),
            "contentDisposition": (
                f'attachment; filename="{export_type}_{stage["stageName"]}.{"yaml" if yaml else "json"}"'
            ),
        }

    # --- Resources --------------------------------------------------------------------------------------------------

    async def create_resource(
        self, account: str, region: str, api_id: str, parent_id: str, path_part: str
    ) -> dict[str, Any]:
        return await self.change_api(
            account, region, api_id, lambda doc: apis.create_resource(doc, parent_id, path_part)
        )

    async def get_resource(
        self, account: str, region: str, api_id: str, resource_id: str, embed: list[str] | None
    ) -> dict[str, Any]:
        return await self.read_api(
            account,
            region,
            api_id,
            lambda doc: apis.resource_view(apis.resource(doc, resource_id), "methods" in (embed or [])),
            not_found("resource"),
        )

    async def get_resources(
        self, account: str, region: str, api_id: str, embed: list[str] | None, limit: int | None, position: str | None
    ) -> dict[str, Any]:
        items = await self.read_api(
            account, region, api_id, lambda doc: apis.resources(doc, "methods" in (embed or []))
        )
        return page(items, limit, position)

    async def update_resource(
        self, account: str, region: str, api_id: str, resource_id: str, operations: list[dict[str, Any]]
    ) -> dict[str, Any]:
        return await self.change_api(
            account,
            region,
            api_id,
            lambda doc: apis.update_resource(doc, resource_id, operations),
            not_found("resource"),
        )

    async def delete_resource(self, account: str, region: str, api_id: str, resource_id: str) -> None:
        await self.change_api(
            account, region, api_id, lambda doc: apis.delete_resource(doc, resource_id), not_found("resource")
        )

    # --- Models -----------------------------------------------------------------------------------------------------

    async def create_model(
        self,
        account: str,
        region: str,
        api_id: str,
        name: str,
        content_type: str,
        description: str | None,
        schema: str | None,
    ) -> dict[str, Any]:
        return await self.change_api(
            account, region, api_id, lambda doc: apis.create_model(doc, name, content_type, description, schema)
        )

    async def get_model(self, account: str, region: str, api_id: str, name: str) -> dict[str, Any]:
        return await self.read_api(account, region, api_id, lambda doc: apis.model(doc, name), _no_model(name))

    async def get_models(
        self, account: str, region: str, api_id: str, limit: int | None, position: str | None
    ) -> dict[str, Any]:
        items = await self.read_api(account, region, api_id, lambda doc: list(doc["models"].values()))
        return page(items, limit, position)

    async def update_model(
        self, account: str, region: str, api_id: str, name: str, operations: list[dict[str, Any]]
    ) -> dict[str, Any]:
        return await self.change_api(
            account, region, api_id, lambda doc: apis.update_model(doc, name, operations), _no_model(name)
        )

    async def delete_model(self, account: str, region: str, api_id: str, name: str) -> None:
        await self.change_api(account, region, api_id, lambda doc: apis.delete_model(doc, name), _no_model(name))

    async def get_model_template(self, account: str, region: str, api_id: str, name: str) -> dict[str, Any]:
        model = await self.read_api(account, region, api_id, lambda doc: apis.model(doc, name))
        return {"value": model_template(model.get("schema"))}

    # --- RequestValidators ------------------------------------------------------------------------------------------

    async def create_request_validator(
        self,
        account: str,
        region: str,
        api_id: str,
        name: str | None,
        validate_request_body: bool | None,
        validate_request_parameters: bool | None,
    ) -> dict[str, Any]:
        item = {
            **_VALIDATOR_DEFAULTS,
            **given(
                name=name,
                validateRequestBody=validate_request_body,
                validateRequestParameters=validate_request_parameters,
            ),
        }
        return await self.change_api(
            account,
            region,
            api_id,
            lambda doc: apis.add_item(doc, "validators", item, apis.check_validator),
            BadRequestException("Invalid REST API identifier specified"),  # a 400 here (recorded)
        )

    async def get_request_validator(self, account: str, region: str, api_id: str, validator_id: str) -> dict[str, Any]:
        return await self.read_api(
            account,
            region,
            api_id,
            lambda doc: apis.require(doc, "validators", validator_id, "validator"),
            not_found("validator"),
        )

    async def get_request_validators(
        self, account: str, region: str, api_id: str, limit: int | None, position: str | None
    ) -> dict[str, Any]:
        items = await self.read_api(account, region, api_id, lambda doc: list(doc.get("validators", {}).values()))
        return page(items, limit, position)

    async def update_request_validator(
        self, account: str, region: str, api_id: str, validator_id: str, operations: list[dict[str, Any]]
    ) -> dict[str, Any]:
        return await self.change_api(
            account,
            region,
            api_id,
            lambda doc: apis.update_item(
                doc,
                "validators",
                validator_id,
                "validator",
                operations,
                patches.REQUEST_VALIDATOR,
                apis.check_validator,
            ),
            not_found("validator"),
        )

    async def delete_request_validator(self, account: str, region: str, api_id: str, validator_id: str) -> None:
        await self.change_api(
            account,
            region,
            api_id,
            lambda doc: apis.delete_item(doc, "validators", validator_id, "validator"),
            not_found("validator"),
        )

    # --- Authorizers ------------------------------------------------------------------------------------------------

    async def create_authorizer(
        self,
        account: str,
        region: str,
        api_id: str,
        *,
        name: str,
        authorizer_type: str,
        provider_arns: list[str] | None = None,
        auth_type: str | None = None,
        authorizer_uri: str | None = None,
        authorizer_credentials: str | None = None,
        identity_source: str | None = None,
        identity_validation_expression: str | None = None,
        authorizer_result_ttl_in_seconds: int | None = None,
    ) -> dict[str, Any]:
        item = {
            **_AUTHORIZER_DEFAULTS,
            **given(
                name=name,
                type=authorizer_type,
                providerARNs=provider_arns,
                authType=auth_type,
                authorizerUri=authorizer_uri,
                authorizerCredentials=authorizer_credentials,
                identitySource=identity_source,
                identityValidationExpression=identity_validation_expression,
                authorizerResultTtlInSeconds=authorizer_result_ttl_in_seconds,
            ),
        }
        return await self.change_api(
            account,
            region,
            api_id,
            lambda doc: apis.add_item(doc, "authorizers", item, apis.check_authorizer),
            concurrent_modification(),  # AWS's answer for an unknown API here (recorded)
        )

    async def get_authorizer(self, account: str, region: str, api_id: str, authorizer_id: str) -> dict[str, Any]:
        return await self.read_api(
            account,
            region,
            api_id,
            lambda doc: apis.require(doc, "authorizers", authorizer_id, "authorizer"),
            not_found("authorizer"),
        )

    async def get_authorizers(
        self, account: str, region: str, api_id: str, limit: int | None, position: str | None
    ) -> dict[str, Any]:
        items = await self.read_api(account, region, api_id, lambda doc: list(doc.get("authorizers", {}).values()))
        return page(items, limit, position)

    async def update_authorizer(
        self, account: str, region: str, api_id: str, authorizer_id: str, operations: list[dict[str, Any]]
    ) -> dict[str, Any]:
        return await self.change_api(
            account,
            region,
            api_id,
            lambda doc: apis.update_item(
                doc,
                "authorizers",
                authorizer_id,
                "authorizer",
                operations,
                patches.AUTHORIZER,
                apis.check_authorizer,
            ),
            not_found("authorizer"),
        )

    async def delete_authorizer(self, account: str, region: str, api_id: str, authorizer_id: str) -> None:
        await self.change_api(
            account,
            region,
            api_id,
            lambda doc: apis.delete_item(doc, "authorizers", authorizer_id, "authorizer"),
            not_found("authorizer"),
        )

    # --- GatewayResponses -------------------------------------------------------------------------------------------

    async def put_gateway_response(
        self,
        account: str,
        region: str,
        api_id: str,
        response_type: str,
        status_code: str | None,
        response_parameters: dict[str, str] | None,
        response_templates: dict[str, str] | None,
    ) -> dict[str, Any]:
        return await self.change_api(
            account,
            region,
            api_id,
            lambda doc: apis.put_gateway_response(
                doc, response_type, status_code, response_parameters, response_templates
            ),
        )

    async def get_gateway_response(self, account: str, region: str, api_id: str, response_type: str) -> dict[str, Any]:
        return await self.read_api(
            account, region, api_id, lambda doc: apis.gateway_response(doc, apis.response_type(response_type))
        )

    async def get_gateway_responses(
        self, account: str, region: str, api_id: str, limit: int | None, position: str | None
    ) -> dict[str, Any]:
        items = await self.read_api(
            account,
            region,
            api_id,
            lambda doc: [apis.gateway_response(doc, kind) for kind in apis.GATEWAY_RESPONSE_TYPES],
        )
        return page(items, limit, position)

    async def update_gateway_response(
        self, account: str, region: str, api_id: str, response_type: str, operations: list[dict[str, Any]]
    ) -> dict[str, Any]:
        return await self.change_api(
            account, region, api_id, lambda doc: apis.update_gateway_response(doc, response_type, operations)
        )

    async def delete_gateway_response(self, account: str, region: str, api_id: str, response_type: str) -> None:
        await self.change_api(account, region, api_id, lambda doc: apis.delete_gateway_response(doc, response_type))

    # --- DocumentationParts -----------------------------------------------------------------------------------------

    async def create_documentation_part(
        self, account: str, region: str, api_id: str, location: dict[str, Any], properties: str
    ) -> dict[str, Any]:
        item = {"location": location, "properties": properties}
        return await self.change_api(
            account,
            region,
            api_id,
            lambda doc: apis.add_item(doc, documentation.SECTION, item, documentation.check_part),
        )

    async def get_documentation_part(self, account: str, region: str, api_id: str, part_id: str) -> dict[str, Any]:
        return await self.read_api(
            account,
            region,
            api_id,
            lambda doc: apis.require(doc, documentation.SECTION, part_id, "documentationpart"),
            not_found("documentationpart"),
        )

    async def get_documentation_parts(
        self, account: str, region: str, api_id: str, limit: int | None, position: str | None
    ) -> dict[str, Any]:
        items = await self.read_api(
            account, region, api_id, lambda doc: list(doc.get(documentation.SECTION, {}).values())
        )
        return page(items, limit, position)

    async def update_documentation_part(
        self, account: str, region: str, api_id: str, part_id: str, operations: list[dict[str, Any]]
    ) -> dict[str, Any]:
        return await self.change_api(
            account,
            region,
            api_id,
            lambda doc: apis.update_item(
                doc,
                documentation.SECTION,
                part_id,
                "documentationpart",
                operations,
                patches.DOCUMENTATION_PART,
                documentation.check_part,
            ),
            not_found("documentationpart"),
        )

    async def delete_documentation_part(self, account: str, region: str, api_id: str, part_id: str) -> None:
        await self.change_api(
            account,
            region,
            api_id,
            lambda doc: apis.delete_item(doc, documentation.SECTION, part_id, "documentationpart"),
        )

    async def import_documentation_parts(
        self, account: str, region: str, api_id: str, body: bytes | None, mode: str | None
    ) -> dict[str, Any]:
        parts = documentation.parse_parts(bytes(body or b""))
        return await self.change_api(
            account, region, api_id, lambda doc: documentation.import_parts(doc, parts, mode == "overwrite")
        )

    # --- DocumentationVersions --------------------------------------------------------------------------------------

    async def create_documentation_version(
        self,
        account: str,
        region: str,
        api_id: str,
        version: str,
        description: str | None,
        stage_name: str | None,
    ) -> dict[str, Any]:
        """Freeze the parts as they are (and have the stage, if named, show this version)."""

        def create(tx: Tx) -> dict[str, Any]:
            doc = require_api(tx, account, region, api_id)
            item = documentation.create_version(doc, version, self.now(), description)
            store.save_api(tx, doc)
            if stage_name:
                stage = require_stage(tx, api_id, stage_name)
                stage["documentationVersion"] = item["version"]
                store.save_stage(tx, api_id, stage)
            return documentation.version_view(item)

        return await self.store.write(create)

    async def get_documentation_version(self, account: str, region: str, api_id: str, version: str) -> dict[str, Any]:
        return await self.read_api(
            account, region, api_id, lambda doc: documentation.version_view(documentation.version(doc, version))
        )

    async def get_documentation_versions(
        self, account: str, region: str, api_id: str, limit: int | None, position: str | None
    ) -> dict[str, Any]:
        items = await self.read_api(
            account,
            region,
            api_id,
            lambda doc: [documentation.version_view(v) for v in doc.get("documentationVersions", {}).values()],
        )
        return page(items, limit, position)

    async def update_documentation_version(
        self, account: str, region: str, api_id: str, version: str, operations: list[dict[str, Any]]
    ) -> dict[str, Any]:
        return await self.change_api(
            account, region, api_id, lambda doc: documentation.update_version(doc, version, operations)
        )

    async def delete_documentation_version(self, account: str, region: str, api_id: str, version: str) -> None:
        await self.change_api(account, region, api_id, lambda doc: documentation.delete_version(doc, version))
