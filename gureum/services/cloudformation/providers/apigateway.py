"""AWS::ApiGateway::RestApi, Resource, Method, Deployment, Stage, Account and AWS::ApiGatewayV2::Api, Stage, Route,
Integration, Deployment through API Gateway's operations (a Body or BodyS3Location is imported as the console
and CloudFormation do: ImportRestApi / PutRestApi, ImportApi / ReimportApi)."""

from __future__ import annotations

import json
from typing import Any

from .base import Context, Created, Provider, required, tag_changes, tags_map


async def _body(ctx: Context, props: dict[str, Any]) -> str | None:
    if props.get("Body") is not None:
        body = props["Body"]
        return body if isinstance(body, str) else json.dumps(body)
    where = props.get("BodyS3Location")
    if isinstance(where, dict):
        params: dict[str, Any] = {"Bucket": where["Bucket"], "Key": where["Key"]}
        if where.get("Version"):
            params["VersionId"] = where["Version"]
        data = (await ctx.aws("s3", "GetObject", params))["Body"]
        return data if isinstance(data, str) else bytes(data).decode()
    return None


def _patch(path: str, value: Any) -> dict[str, str]:
    return {"op": "replace", "path": path, "value": str(value)}


# --- REST APIs ----------------------------------------------------------------------------------------------------


class RestApi(Provider):
    type = "AWS::ApiGateway::RestApi"
    tags_in_place = True

    async def create(self, ctx: Context, props: dict[str, Any]) -> Created:
        body = await _body(ctx, props)
        if body is not None:
            params: dict[str, Any] = {"body": body.encode(), "failOnWarnings": bool(props.get("FailOnWarnings"))}
            if props.get("Parameters"):
                params["parameters"] = {k: str(v) for k, v in props["Parameters"].items()}
            api = await ctx.aws("apigateway", "ImportRestApi", params)
            if props.get("Name") and props["Name"] != api.get("name"):
                await ctx.aws(
                    "apigateway",
                    "UpdateRestApi",
                    {"restApiId": api["id"], "patchOperations": [_patch("/name", props["Name"])]},
                )
        else:
            params = {"name": required(props, "Name")}
            for key, name in (
                ("Description", "description"),
                ("BinaryMediaTypes", "binaryMediaTypes"),
                ("MinimumCompressionSize", "minimumCompressionSize"),
                ("ApiKeySourceType", "apiKeySource"),
                ("EndpointConfiguration", "endpointConfiguration"),
                ("DisableExecuteApiEndpoint", "disableExecuteApiEndpoint"),
            ):
                if props.get(key) is not None:
                    params[name] = props[key]
            if isinstance(params.get("endpointConfiguration"), dict):
                params["endpointConfiguration"] = {"types": params["endpointConfiguration"].get("Types") or []}
            tags = tags_map(props, ctx.tags)
            if tags:
                params["tags"] = tags
            api = await ctx.aws("apigateway", "CreateRestApi", params)
        resources = await ctx.aws("apigateway", "GetResources", {"restApiId": api["id"], "limit": 500})
        root = next(r["id"] for r in resources.get("items") or [] if r.get("path") == "/")
        return Created(api["id"], {"RootResourceId": root, "RestApiId": api["id"]})

    async def update(
        self, ctx: Context, physical_id: str, old: dict[str, Any], new: dict[str, Any], attributes: dict[str, Any]
    ) -> dict[str, Any]:
        body = await _body(ctx, new)
        if body is not None and body != await _body(ctx, old):
            await ctx.aws(
                "apigateway",
                "PutRestApi",
                {"restApiId": physical_id, "mode": str(new.get("Mode", "overwrite")), "body": body.encode()},
            )
        patches = []
        if new.get("Name") and new.get("Name") != old.get("Name"):
            patches.append(_patch("/name", new["Name"]))
        if new.get("Description") != old.get("Description"):
            patches.append(_patch("/description", new.get("Description", "")))
        if patches:
            await ctx.aws("apigateway", "UpdateRestApi", {"restApiId": physical_id, "patchOperations": patches})
        gone, changed = tag_changes(old, new, ctx.tags, ctx.previous_tags)
        arn = f"arn:aws:apigateway:{ctx.region}::/restapis/{physical_id}"
        if gone:
            await ctx.aws("apigateway", "UntagResource", {"resourceArn": arn, "tagKeys": gone})
        if changed:
            await ctx.aws("apigateway", "TagResource", {"resourceArn": arn, "tags": changed})
        return {}

    async def delete(self, ctx: Context, physical_id: str, props: dict[str, Any], attributes: dict[str, Any]) -> None:
        await ctx.aws("apigateway", "DeleteRestApi", {"restApiId": physical_id})


class Resource(Provider):
    type = "AWS::ApiGateway::Resource"
    replace = frozenset({"RestApiId"})

    async def create(self, ctx: Context, props: dict[str, Any]) -> Created:
        out = await ctx.aws(
            "apigateway",
            "CreateResource",
            {
                "restApiId": required(props, "RestApiId"),
                "parentId": required(props, "ParentId"),
                "pathPart": required(props, "PathPart"),
            },
        )
        return Created(out["id"], {"ResourceId": out["id"]})

    async def update(
        self, ctx: Context, physical_id: str, old: dict[str, Any], new: dict[str, Any], attributes: dict[str, Any]
    ) -> dict[str, Any]:
        patches = []
        if old.get("PathPart") != new.get("PathPart"):
            patches.append(_patch("/pathPart", new["PathPart"]))
        if old.get("ParentId") != new.get("ParentId"):
            patches.append(_patch("/parentId", new["ParentId"]))
        await ctx.aws(
            "apigateway",
            "UpdateResource",
            {"restApiId": new["RestApiId"], "resourceId": physical_id, "patchOperations": patches},
        )
        return {}

    async def delete(self, ctx: Context, physical_id: str, props: dict[str, Any], attributes: dict[str, Any]) -> None:
        await ctx.aws("apigateway", "DeleteResource", {"restApiId": props["RestApiId"], "resourceId": physical_id})


_INTEGRATION = {
    "Type": "type",
    "IntegrationHttpMethod": "integrationHttpMethod",
    "Uri": "uri",
    "Credentials": "credentials",
    "RequestParameters": "requestParameters",
    "RequestTemplates": "requestTemplates",
    "PassthroughBehavior": "passthroughBehavior",
    "ContentHandling": "contentHandling",
    "TimeoutInMillis": "timeoutInMillis",
    "CacheKeyParameters": "cacheKeyParameters",
    "CacheNamespace": "cacheNamespace",
    "ConnectionType": "connectionType",
    "ConnectionId": "connectionId",
}


class Method(Provider):
    type = "AWS::ApiGateway::Method"
    replace = frozenset({"RestApiId", "ResourceId", "HttpMethod"})

    async def create(self, ctx: Context, props: dict[str, Any]) -> Created:
        api, resource, verb = (required(props, k) for k in ("RestApiId", "ResourceId", "HttpMethod"))
        base = {"restApiId": api, "resourceId": resource, "httpMethod": verb}
        params: dict[str, Any] = {**base, "authorizationType": props.get("AuthorizationType", "NONE")}
        for key, name in (
            ("AuthorizerId", "authorizerId"),
            ("ApiKeyRequired", "apiKeyRequired"),
            ("OperationName", "operationName"),
            ("RequestParameters", "requestParameters"),
            ("RequestModels", "requestModels"),
            ("AuthorizationScopes", "authorizationScopes"),
            ("RequestValidatorId", "requestValidatorId"),
        ):
            if props.get(key) is not None:
                params[name] = props[key]
        if "requestParameters" in params:
            params["requestParameters"] = {k: str(v).lower() == "true" for k, v in params["requestParameters"].items()}
        await ctx.aws("apigateway", "PutMethod", params)
        for response in props.get("MethodResponses") or []:
            entry: dict[str, Any] = {**base, "statusCode": str(response["StatusCode"])}
            if response.get("ResponseModels"):
                entry["responseModels"] = response["ResponseModels"]
            if response.get("ResponseParameters"):
                entry["responseParameters"] = {
                    k: str(v).lower() == "true" for k, v in response["ResponseParameters"].items()
                }
            await ctx.aws("apigateway", "PutMethodResponse", entry)
        integration = props.get("Integration")
        if isinstance(integration, dict):
            put: dict[str, Any] = {**base}
            for key, name in _INTEGRATION.items():
                if integration.get(key) is not None:
                    put[name] = int(integration[key]) if key == "TimeoutInMillis" else integration[key]
            await ctx.aws("apigateway", "PutIntegration", put)
            for response in integration.get("IntegrationResponses") or []:
                entry = {**base, "statusCode": str(response["StatusCode"])}
                for key, name in (
                    ("SelectionPattern", "selectionPattern"),
                    ("ResponseTemplates", "responseTemplates"),
                    ("ResponseParameters", "responseParameters"),
                    ("ContentHandling", "contentHandling"),
                ):
                    if response.get(key) is not None:
                        entry[name] = response[key]
                await ctx.aws("apigateway", "PutIntegrationResponse", entry)
        return Created(f"{api}|{resource}|{verb}", {})

    async def update(
        self, ctx: Context, physical_id: str, old: dict[str, Any], new: dict[str, Any], attributes: dict[str, Any]
    ) -> dict[str, Any]:
        await self.delete(ctx, physical_id, old, attributes)
        await self.create(ctx, new)
        return {}

    async def delete(self, ctx: Context, physical_id: str, props: dict[str, Any], attributes: dict[str, Any]) -> None:
        api, resource, verb = physical_id.split("|")
        await ctx.aws("apigateway", "DeleteMethod", {"restApiId": api, "resourceId": resource, "httpMethod": verb})


class Deployment(Provider):
    type = "AWS::ApiGateway::Deployment"
    replace = frozenset({"RestApiId", "DeploymentCanarySettings"})

    async def create(self, ctx: Context, props: dict[str, Any]) -> Created:
        params: dict[str, Any] = {"restApiId": required(props, "RestApiId")}
        if props.get("StageName"):
            params["stageName"] = props["StageName"]
        if props.get("Description"):
            params["description"] = props["Description"]
        described = props.get("StageDescription") or {}
        for key, field in (
            ("Variables", "variables"),
            ("Description", "stageDescription"),
            ("CacheClusterEnabled", "cacheClusterEnabled"),
            ("CacheClusterSize", "cacheClusterSize"),
            ("TracingEnabled", "tracingEnabled"),
        ):
            if described.get(key) is not None:
                params[field] = described[key]
        canary = props.get("DeploymentCanarySettings")
        if canary:
            params["canarySettings"] = {
                k: canary[key]
                for key, k in (
                    ("PercentTraffic", "percentTraffic"),
                    ("StageVariableOverrides", "stageVariableOverrides"),
                    ("UseStageCache", "useStageCache"),
                )
                if canary.get(key) is not None
            }
        out = await ctx.aws("apigateway", "CreateDeployment", params)
        settings = _stage_description_patches(described) if props.get("StageName") and not canary else []
        if settings:  # the stage CreateDeployment made gets the rest of StageDescription as CloudFormation sets it
            await ctx.aws(
                "apigateway",
                "UpdateStage",
                {"restApiId": params["restApiId"], "stageName": props["StageName"], "patchOperations": settings},
            )
        return Created(out["id"], {"DeploymentId": out["id"]})

    async def update(
        self, ctx: Context, physical_id: str, old: dict[str, Any], new: dict[str, Any], attributes: dict[str, Any]
    ) -> dict[str, Any]:
        if new.get("StageName") and new.get("StageName") != old.get("StageName"):
            await ctx.aws(
                "apigateway",
                "CreateStage",
                {"restApiId": new["RestApiId"], "stageName": new["StageName"], "deploymentId": physical_id},
            )
        if new.get("Description") != old.get("Description"):
            await ctx.aws(
                "apigateway",
                "UpdateDeployment",
                {
                    "restApiId": new["RestApiId"],
                    "deploymentId": physical_id,
                    "patchOperations": [_patch("/description", new.get("Description", ""))],
                },
            )
        return {}

    async def delete(self, ctx: Context, physical_id: str, props: dict[str, Any], attributes: dict[str, Any]) -> None:
        if props.get("StageName"):
            try:
                await ctx.aws(
                    "apigateway", "DeleteStage", {"restApiId": props["RestApiId"], "stageName": props["StageName"]}
                )
            except Exception as error:
                if getattr(error, "code", "") != "NotFoundException":
                    raise
        await ctx.aws("apigateway", "DeleteDeployment", {"restApiId": props["RestApiId"], "deploymentId": physical_id})


class Stage(Provider):
    type = "AWS::ApiGateway::Stage"
    replace = frozenset({"RestApiId", "StageName"})

    async def create(self, ctx: Context, props: dict[str, Any]) -> Created:
        name = props.get("StageName") or ctx.name(64)
        params: dict[str, Any] = {
            "restApiId": required(props, "RestApiId"),
            "stageName": name,
            "deploymentId": required(props, "DeploymentId"),
        }
        for key, field in (
            ("Description", "description"),
            ("Variables", "variables"),
            ("TracingEnabled", "tracingEnabled"),
            ("CacheClusterEnabled", "cacheClusterEnabled"),
        ):
            if props.get(key) is not None:
                params[field] = props[key]
        if props.get("Tags"):
            params["tags"] = {t["Key"]: t["Value"] for t in props["Tags"]}
        if props.get("CanarySetting"):
            params["canarySettings"] = _canary(props["CanarySetting"])
        await ctx.aws("apigateway", "CreateStage", params)
        # CreateStage takes no access log or method settings: set as CloudFormation sets them, after
        settings = _access_log_patches(None, props.get("AccessLogSetting"))
        settings += _method_settings_patches([], props.get("MethodSettings") or [])
        if settings:
            await ctx.aws(
                "apigateway",
                "UpdateStage",
                {"restApiId": params["restApiId"], "stageName": name, "patchOperations": settings},
            )
        return Created(name, {})

    async def update(
        self, ctx: Context, physical_id: str, old: dict[str, Any], new: dict[str, Any], attributes: dict[str, Any]
    ) -> dict[str, Any]:
        patches = []
        if old.get("DeploymentId") != new.get("DeploymentId"):
            patches.append(_patch("/deploymentId", new["DeploymentId"]))
        if old.get("Description") != new.get("Description"):
            patches.append(_patch("/description", new.get("Description", "")))
        for key, value in (new.get("Variables") or {}).items():
            if (old.get("Variables") or {}).get(key) != value:
                patches.append(_patch(f"/variables/{key}", value))
        for key in old.get("Variables") or {}:
            if key not in (new.get("Variables") or {}):
                patches.append({"op": "remove", "path": f"/variables/{key}"})
        patches += _access_log_patches(old.get("AccessLogSetting"), new.get("AccessLogSetting"))
        patches += _method_settings_patches(old.get("MethodSettings") or [], new.get("MethodSettings") or [])
        if old.get("CanarySetting") != new.get("CanarySetting"):
            if not new.get("CanarySetting"):
                patches.append({"op": "remove", "path": "/canarySettings"})
            for key, value in _canary(new.get("CanarySetting") or {}).items():
                if key == "stageVariableOverrides":
                    patches += [_patch(f"/canarySettings/stageVariableOverrides/{k}", v) for k, v in value.items()]
                else:
                    patches.append(_patch(f"/canarySettings/{key}", value))
        if patches:
            await ctx.aws(
                "apigateway",
                "UpdateStage",
                {"restApiId": new["RestApiId"], "stageName": physical_id, "patchOperations": patches},
            )
        return {}

    async def delete(self, ctx: Context, physical_id: str, props: dict[str, Any], attributes: dict[str, Any]) -> None:
        await ctx.aws("apigateway", "DeleteStage", {"restApiId": props["RestApiId"], "stageName": physical_id})


def _access_log_patches(old: dict[str, Any] | None, new: dict[str, Any] | None) -> list[dict[str, str]]:
    """UpdateStage's patches from the AccessLogSetting property's old value to its new one."""
    if not new:
        return [{"op": "remove", "path": "/accessLogSettings"}] if old else []
    return [
        _patch(f"/accessLogSettings/{field}", new[key])
        for key, field in (("DestinationArn", "destinationArn"), ("Format", "format"))
        if new.get(key) is not None and (old or {}).get(key) != new[key]
    ]


def _canary(setting: dict[str, Any]) -> dict[str, Any]:
    """A CanarySetting property as the API's canarySettings."""
    names = (
        ("DeploymentId", "deploymentId"),
        ("PercentTraffic", "percentTraffic"),
        ("StageVariableOverrides", "stageVariableOverrides"),
        ("UseStageCache", "useStageCache"),
    )
    return {field: setting[key] for key, field in names if setting.get(key) is not None}


def _stage_description_patches(described: dict[str, Any]) -> list[dict[str, str]]:
    """UpdateStage's patches for a Deployment's StageDescription: its access log setting, its settings for every
    method ("*/*": LoggingLevel, ThrottlingRateLimit, …) and its MethodSettings."""
    every = {key: described[key] for key, _ in _METHOD_SETTING_PATHS if described.get(key) is not None}
    listed = [{"ResourcePath": "/*", "HttpMethod": "*", **every}] if every else []
    return _access_log_patches(None, described.get("AccessLogSetting")) + _method_settings_patches(
        [], listed + list(described.get("MethodSettings") or [])
    )


_METHOD_SETTING_PATHS = (
    ("LoggingLevel", "logging/loglevel"),
    ("DataTraceEnabled", "logging/dataTrace"),
    ("MetricsEnabled", "metrics/enabled"),
    ("ThrottlingBurstLimit", "throttling/burstLimit"),
    ("ThrottlingRateLimit", "throttling/rateLimit"),
    ("CachingEnabled", "caching/enabled"),
    ("CacheTtlInSeconds", "caching/ttlInSeconds"),
    ("CacheDataEncrypted", "caching/dataEncrypted"),
)


def _method_settings_patches(old: list[dict[str, Any]], new: list[dict[str, Any]]) -> list[dict[str, str]]:
    """UpdateStage's patches from the MethodSettings property's old list to its new one: each method's settings
    under /{resource path, "/" as ~1}/{method}/…, "/*/*/…" for every method; a method no longer listed loses its own."""

    def method(setting: dict[str, Any]) -> str:
        path = str(setting.get("ResourcePath") or "/*")
        return f"{'/*' if path == '/*' else '/' + path.replace('/', '~1')}/{setting.get('HttpMethod') or '*'}"

    before = {method(s): s for s in old}
    after = {method(s): s for s in new}
    patches = [{"op": "remove", "path": key} for key in before if key not in after]
    for key, setting in after.items():
        for prop, path in _METHOD_SETTING_PATHS:
            value = setting.get(prop)
            if value is not None and before.get(key, {}).get(prop) != value:
                text = str(value).lower() if isinstance(value, bool) else str(value)
                patches.append({"op": "replace", "path": f"{key}/{path}", "value": text})
    return patches


# --- HTTP and WebSocket APIs ------------------------------------------------------------------------------------

_API_FIELDS = (
    "Name",
    "ProtocolType",
    "RouteSelectionExpression",
    "ApiKeySelectionExpression",
    "Description",
    "DisableExecuteApiEndpoint",
    "DisableSchemaValidation",
    "Version",
    "CorsConfiguration",
    "Target",
    "RouteKey",
    "CredentialsArn",
    "IpAddressType",
)


class Api(Provider):
    type = "AWS::ApiGatewayV2::Api"
    tags_in_place = True

    async def create(self, ctx: Context, props: dict[str, Any]) -> Created:
        body = await _body(ctx, props)
        if body is not None:
            params: dict[str, Any] = {"Body": body}
            if props.get("FailOnWarnings") is not None:
                params["FailOnWarnings"] = bool(props["FailOnWarnings"])
            if props.get("BasePath"):
                params["Basepath"] = props["BasePath"]
            api = await ctx.aws("apigatewayv2", "ImportApi", params)
            update = {k: props[k] for k in ("Name", "Description", "CorsConfiguration") if props.get(k) is not None}
            if update:
                await ctx.aws("apigatewayv2", "UpdateApi", {"ApiId": api["ApiId"], **update})
        else:
            params = {k: props[k] for k in _API_FIELDS if props.get(k) is not None}
            tags = tags_map(props, ctx.tags)
            if tags:
                params["Tags"] = tags
            api = await ctx.aws("apigatewayv2", "CreateApi", params)
        return Created(api["ApiId"], {"ApiId": api["ApiId"], "ApiEndpoint": api.get("ApiEndpoint", "")})

    async def update(
        self, ctx: Context, physical_id: str, old: dict[str, Any], new: dict[str, Any], attributes: dict[str, Any]
    ) -> dict[str, Any]:
        body = await _body(ctx, new)
        if body is not None and body != await _body(ctx, old):
            await ctx.aws("apigatewayv2", "ReimportApi", {"ApiId": physical_id, "Body": body})
        update = {
            k: new[k]
            for k in _API_FIELDS
            if k
            in (
                "Name",
                "Description",
                "RouteSelectionExpression",
                "CorsConfiguration",
                "DisableExecuteApiEndpoint",
                "Version",
            )
            and new.get(k) is not None
            and new.get(k) != old.get(k)
        }
        if update:
            await ctx.aws("apigatewayv2", "UpdateApi", {"ApiId": physical_id, **update})
        gone, changed = tag_changes(old, new, ctx.tags, ctx.previous_tags)
        arn = f"arn:aws:apigateway:{ctx.region}::/apis/{physical_id}"
        if gone:
            await ctx.aws("apigatewayv2", "UntagResource", {"ResourceArn": arn, "TagKeys": gone})
        if changed:
            await ctx.aws("apigatewayv2", "TagResource", {"ResourceArn": arn, "Tags": changed})
        return {}

    async def delete(self, ctx: Context, physical_id: str, props: dict[str, Any], attributes: dict[str, Any]) -> None:
        await ctx.aws("apigatewayv2", "DeleteApi", {"ApiId": physical_id})


_STAGE_FIELDS = (
    "AutoDeploy",
    "DeploymentId",
    "Description",
    "StageVariables",
    "DefaultRouteSettings",
    "RouteSettings",
    "AccessLogSettings",
    "ClientCertificateId",
)


class ApiStage(Provider):
    type = "AWS::ApiGatewayV2::Stage"
    replace = frozenset({"ApiId", "StageName"})

    async def create(self, ctx: Context, props: dict[str, Any]) -> Created:
        name = str(required(props, "StageName"))
        params: dict[str, Any] = {"ApiId": required(props, "ApiId"), "StageName": name}
        params.update({k: props[k] for k in _STAGE_FIELDS if props.get(k) is not None})
        if "AutoDeploy" in params:
            params["AutoDeploy"] = str(params["AutoDeploy"]).lower() == "true"
        if props.get("Tags"):
            params["Tags"] = {str(k): str(v) for k, v in props["Tags"].items()}
        await ctx.aws("apigatewayv2", "CreateStage", params)
        return Created(name, {})

    async def update(
        self, ctx: Context, physical_id: str, old: dict[str, Any], new: dict[str, Any], attributes: dict[str, Any]
    ) -> dict[str, Any]:
        params: dict[str, Any] = {"ApiId": new["ApiId"], "StageName": physical_id}
        params.update({k: new[k] for k in _STAGE_FIELDS if new.get(k) is not None and new.get(k) != old.get(k)})
        if "AutoDeploy" in params:
            params["AutoDeploy"] = str(params["AutoDeploy"]).lower() == "true"
        await ctx.aws("apigatewayv2", "UpdateStage", params)
        return {}

    async def delete(self, ctx: Context, physical_id: str, props: dict[str, Any], attributes: dict[str, Any]) -> None:
        await ctx.aws("apigatewayv2", "DeleteStage", {"ApiId": props["ApiId"], "StageName": physical_id})


_ROUTE_FIELDS = (
    "RouteKey",
    "Target",
    "AuthorizationType",
    "AuthorizerId",
    "ApiKeyRequired",
    "AuthorizationScopes",
    "OperationName",
    "RouteResponseSelectionExpression",
    "ModelSelectionExpression",
    "RequestModels",
    "RequestParameters",
)


class Route(Provider):
    type = "AWS::ApiGatewayV2::Route"
    replace = frozenset({"ApiId"})

    async def create(self, ctx: Context, props: dict[str, Any]) -> Created:
        params = {"ApiId": required(props, "ApiId"), **{k: props[k] for k in _ROUTE_FIELDS if props.get(k) is not None}}
        out = await ctx.aws("apigatewayv2", "CreateRoute", params)
        return Created(out["RouteId"], {"RouteId": out["RouteId"]})

    async def update(
        self, ctx: Context, physical_id: str, old: dict[str, Any], new: dict[str, Any], attributes: dict[str, Any]
    ) -> dict[str, Any]:
        params = {
            "ApiId": new["ApiId"],
            "RouteId": physical_id,
            **{k: new[k] for k in _ROUTE_FIELDS if new.get(k) is not None},
        }
        await ctx.aws("apigatewayv2", "UpdateRoute", params)
        return {}

    async def delete(self, ctx: Context, physical_id: str, props: dict[str, Any], attributes: dict[str, Any]) -> None:
        await ctx.aws("apigatewayv2", "DeleteRoute", {"ApiId": props["ApiId"], "RouteId": physical_id})


_INTEGRATION_FIELDS = (
    "IntegrationType",
    "IntegrationUri",
    "IntegrationMethod",
    "PayloadFormatVersion",
    "ConnectionType",
    "ConnectionId",
    "CredentialsArn",
    "Description",
    "IntegrationSubtype",
    "PassthroughBehavior",
    "RequestParameters",
    "RequestTemplates",
    "ResponseParameters",
    "TemplateSelectionExpression",
    "TimeoutInMillis",
    "ContentHandlingStrategy",
    "TlsConfig",
)


class Integration(Provider):
    type = "AWS::ApiGatewayV2::Integration"
    replace = frozenset({"ApiId"})

    def _params(self, props: dict[str, Any]) -> dict[str, Any]:
        params = {k: props[k] for k in _INTEGRATION_FIELDS if props.get(k) is not None}
        if "TimeoutInMillis" in params:
            params["TimeoutInMillis"] = int(params["TimeoutInMillis"])
        return params

    async def create(self, ctx: Context, props: dict[str, Any]) -> Created:
        out = await ctx.aws(
            "apigatewayv2", "CreateIntegration", {"ApiId": required(props, "ApiId"), **self._params(props)}
        )
        return Created(out["IntegrationId"], {"IntegrationId": out["IntegrationId"]})

    async def update(
        self, ctx: Context, physical_id: str, old: dict[str, Any], new: dict[str, Any], attributes: dict[str, Any]
    ) -> dict[str, Any]:
        await ctx.aws(
            "apigatewayv2",
            "UpdateIntegration",
            {"ApiId": new["ApiId"], "IntegrationId": physical_id, **self._params(new)},
        )
        return {}

    async def delete(self, ctx: Context, physical_id: str, props: dict[str, Any], attributes: dict[str, Any]) -> None:
        await ctx.aws("apigatewayv2", "DeleteIntegration", {"ApiId": props["ApiId"], "IntegrationId": physical_id})


class ApiDeployment(Provider):
    type = "AWS::ApiGatewayV2::Deployment"
    replace = frozenset({"ApiId"})

    async def create(self, ctx: Context, props: dict[str, Any]) -> Created:
        params: dict[str, Any] = {"ApiId": required(props, "ApiId")}
        for key in ("Description", "StageName"):
            if props.get(key):
                params[key] = props[key]
        out = await ctx.aws("apigatewayv2", "CreateDeployment", params)
        return Created(out["DeploymentId"], {"DeploymentId": out["DeploymentId"]})

    async def update(
        self, ctx: Context, physical_id: str, old: dict[str, Any], new: dict[str, Any], attributes: dict[str, Any]
    ) -> dict[str, Any]:
        await ctx.aws(
            "apigatewayv2",
            "UpdateDeployment",
            {"ApiId": new["ApiId"], "DeploymentId": physical_id, "Description": str(new.get("Description", ""))},
        )
        return {}

    async def delete(self, ctx: Context, physical_id: str, props: dict[str, Any], attributes: dict[str, Any]) -> None:
        await ctx.aws("apigatewayv2", "DeleteDeployment", {"ApiId": props["ApiId"], "DeploymentId": physical_id})


PROVIDERS = [
    RestApi(),
    Resource(),
    Method(),
    Deployment(),
    Stage(),
    Api(),
    ApiStage(),
    Route(),
    Integration(),
    ApiDeployment(),
]


# --- authorizers, API keys and usage plans ----------------------------------------------------------------------

_V2_AUTHORIZER = (
    "AuthorizerType",
    "Name",
    "IdentitySource",
    "JwtConfiguration",
    "AuthorizerUri",
    "AuthorizerCredentialsArn",
    "AuthorizerPayloadFormatVersion",
    "AuthorizerResultTtlInSeconds",
    "EnableSimpleResponses",
    "IdentityValidationExpression",
)


class ApiAuthorizer(Provider):
    type = "AWS::ApiGatewayV2::Authorizer"
    replace = frozenset({"ApiId"})

    def _params(self, props: dict[str, Any]) -> dict[str, Any]:
        params = {k: props[k] for k in _V2_AUTHORIZER if props.get(k) is not None}
        if "AuthorizerResultTtlInSeconds" in params:
            params["AuthorizerResultTtlInSeconds"] = int(params["AuthorizerResultTtlInSeconds"])
        if isinstance(params.get("IdentitySource"), str):
            params["IdentitySource"] = [params["IdentitySource"]]
        return params

    async def create(self, ctx: Context, props: dict[str, Any]) -> Created:
        out = await ctx.aws(
            "apigatewayv2", "CreateAuthorizer", {"ApiId": required(props, "ApiId"), **self._params(props)}
        )
        return Created(out["AuthorizerId"], {"AuthorizerId": out["AuthorizerId"]})

    async def update(
        self, ctx: Context, physical_id: str, old: dict[str, Any], new: dict[str, Any], attributes: dict[str, Any]
    ) -> dict[str, Any]:
        await ctx.aws(
            "apigatewayv2",
            "UpdateAuthorizer",
            {"ApiId": new["ApiId"], "AuthorizerId": physical_id, **self._params(new)},
        )
        return {}

    async def delete(self, ctx: Context, physical_id: str, props: dict[str, Any], attributes: dict[str, Any]) -> None:
        await ctx.aws("apigatewayv2", "DeleteAuthorizer", {"ApiId": props["ApiId"], "AuthorizerId": physical_id})


_V1_AUTHORIZER = {
    "Name": "name",
    "Type": "type",
    "ProviderARNs": "providerARNs",
    "AuthType": "authType",
    "AuthorizerUri": "authorizerUri",
    "AuthorizerCredentials": "authorizerCredentials",
    "IdentitySource": "identitySource",
    "IdentityValidationExpression": "identityValidationExpression",
    "AuthorizerResultTtlInSeconds": "authorizerResultTtlInSeconds",
}


class Authorizer(Provider):
    type = "AWS::ApiGateway::Authorizer"
    replace = frozenset({"RestApiId"})

    async def create(self, ctx: Context, props: dict[str, Any]) -> Created:
        params: dict[str, Any] = {"restApiId": required(props, "RestApiId")}
        for key, name in _V1_AUTHORIZER.items():
            if props.get(key) is not None:
                params[name] = int(props[key]) if key == "AuthorizerResultTtlInSeconds" else props[key]
        out = await ctx.aws("apigateway", "CreateAuthorizer", params)
        return Created(out["id"], {"AuthorizerId": out["id"]})

    async def update(
        self, ctx: Context, physical_id: str, old: dict[str, Any], new: dict[str, Any], attributes: dict[str, Any]
    ) -> dict[str, Any]:
        patches = [
            _patch(f"/{name}", new.get(key, ""))
            for key, name in _V1_AUTHORIZER.items()
            if key not in ("Type", "ProviderARNs") and old.get(key) != new.get(key)
        ]
        if patches:
            await ctx.aws(
                "apigateway",
                "UpdateAuthorizer",
                {"restApiId": new["RestApiId"], "authorizerId": physical_id, "patchOperations": patches},
            )
        return {}

    async def delete(self, ctx: Context, physical_id: str, props: dict[str, Any], attributes: dict[str, Any]) -> None:
        await ctx.aws("apigateway", "DeleteAuthorizer", {"restApiId": props["RestApiId"], "authorizerId": physical_id})


class ApiKey(Provider):
    type = "AWS::ApiGateway::ApiKey"
    replace = frozenset({"Name", "Value", "GenerateDistinctId"})

    async def create(self, ctx: Context, props: dict[str, Any]) -> Created:
        params: dict[str, Any] = {
            "name": props.get("Name") or ctx.name(128),
            "enabled": str(props.get("Enabled", "false")).lower() == "true",
        }
        for key, name in (("Value", "value"), ("Description", "description"), ("CustomerId", "customerId")):
            if props.get(key) is not None:
                params[name] = props[key]
        if props.get("StageKeys"):
            params["stageKeys"] = [
                {"restApiId": k.get("RestApiId"), "stageName": k.get("StageName")} for k in props["StageKeys"]
            ]
        out = await ctx.aws("apigateway", "CreateApiKey", params)
        return Created(out["id"], {"APIKeyId": out["id"]})

    async def update(
        self, ctx: Context, physical_id: str, old: dict[str, Any], new: dict[str, Any], attributes: dict[str, Any]
    ) -> dict[str, Any]:
        patches = []
        if old.get("Enabled") != new.get("Enabled"):
            patches.append(_patch("/enabled", str(str(new.get("Enabled", "false")).lower() == "true").lower()))
        if old.get("Description") != new.get("Description"):
            patches.append(_patch("/description", new.get("Description", "")))
        if patches:
            await ctx.aws("apigateway", "UpdateApiKey", {"apiKey": physical_id, "patchOperations": patches})
        return {}

    async def delete(self, ctx: Context, physical_id: str, props: dict[str, Any], attributes: dict[str, Any]) -> None:
        await ctx.aws("apigateway", "DeleteApiKey", {"apiKey": physical_id})


def _plan_params(props: dict[str, Any]) -> dict[str, Any]:
    params: dict[str, Any] = {}
    if props.get("Description") is not None:
        params["description"] = props["Description"]
    if props.get("ApiStages"):
        params["apiStages"] = [{"apiId": s["ApiId"], "stage": s["Stage"]} for s in props["ApiStages"]]
    throttle = props.get("Throttle")
    if isinstance(throttle, dict):
        params["throttle"] = {
            "burstLimit": int(throttle.get("BurstLimit", 0)),
            "rateLimit": float(throttle.get("RateLimit", 0)),
        }
    quota = props.get("Quota")
    if isinstance(quota, dict):
        params["quota"] = {
            "limit": int(quota.get("Limit", 0)),
            "offset": int(quota.get("Offset", 0)),
            "period": quota.get("Period", "DAY"),
        }
    return params


class UsagePlan(Provider):
    type = "AWS::ApiGateway::UsagePlan"
    updatable = False

    async def create(self, ctx: Context, props: dict[str, Any]) -> Created:
        out = await ctx.aws(
            "apigateway",
            "CreateUsagePlan",
            {"name": props.get("UsagePlanName") or ctx.name(128), **_plan_params(props)},
        )
        return Created(out["id"], {"Id": out["id"]})

    async def delete(self, ctx: Context, physical_id: str, props: dict[str, Any], attributes: dict[str, Any]) -> None:
        await ctx.aws("apigateway", "DeleteUsagePlan", {"usagePlanId": physical_id})


class UsagePlanKey(Provider):
    type = "AWS::ApiGateway::UsagePlanKey"
    updatable = False

    async def create(self, ctx: Context, props: dict[str, Any]) -> Created:
        out = await ctx.aws(
            "apigateway",
            "CreateUsagePlanKey",
            {
                "usagePlanId": required(props, "UsagePlanId"),
                "keyId": required(props, "KeyId"),
                "keyType": props.get("KeyType", "API_KEY"),
            },
        )
        return Created(f"{props['UsagePlanId']}|{out['id']}", {"Id": out["id"]})

    async def delete(self, ctx: Context, physical_id: str, props: dict[str, Any], attributes: dict[str, Any]) -> None:
        plan, _, key = physical_id.partition("|")
        await ctx.aws("apigateway", "DeleteUsagePlanKey", {"usagePlanId": plan, "keyId": key})


class Account(Provider):
    """The account's CloudWatch role (UpdateAccount). Deleting the resource leaves the role set, as on AWS."""

    type = "AWS::ApiGateway::Account"

    async def create(self, ctx: Context, props: dict[str, Any]) -> Created:
        await self._set(ctx, props.get("CloudWatchRoleArn"))
        physical_id = ctx.name(40)
        return Created(physical_id, {"Id": physical_id})

    async def update(
        self, ctx: Context, physical_id: str, old: dict[str, Any], new: dict[str, Any], attributes: dict[str, Any]
    ) -> dict[str, Any]:
        if old.get("CloudWatchRoleArn") != new.get("CloudWatchRoleArn"):
            await self._set(ctx, new.get("CloudWatchRoleArn"))
        return attributes

    async def delete(self, ctx: Context, physical_id: str, props: dict[str, Any], attributes: dict[str, Any]) -> None:
        return None

    async def _set(self, ctx: Context, role: str | None) -> None:
        if role:
            await ctx.aws("apigateway", "UpdateAccount", {"patchOperations": [_patch("/cloudwatchRoleArn", role)]})


PROVIDERS += [ApiAuthorizer(), Authorizer(), ApiKey(), UsagePlan(), UsagePlanKey(), Account()]
