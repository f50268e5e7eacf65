"""OpenAPI 3 and Swagger 2 with API Gateway's extensions (x-amazon-apigateway-*) to and from an API document:
reading a definition (JSON or YAML), importing it into a document (new, overwritten or merged) and exporting a
stage's deployment. Pure conversions: no HTTP, no SQL."""

from __future__ import annotations

import json
import re
from typing import Any

from ... import safejson
from .apis import GATEWAY_RESPONSE_TYPES
from .errors import BadRequestException
from .model import new_id, refresh_paths

METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "x-amazon-apigateway-any-method")
_REF = re.compile(r"^#/(definitions|components/schemas)/(.+)$")
MODEL_URL = "https://apigateway.amazonaws.com/restapis/{api}/models/{name}"


def _model_name(ref: str | None) -> str | None:
    match = _REF.match(ref or "")
    return match.group(2) if match else None


def _rewrite_refs(schema: Any, api_id: str) -> Any:
    if isinstance(schema, dict):
        out = {}
        for key, value in schema.items():
            name = _model_name(value) if key == "$ref" and isinstance(value, str) else None
            out[key] = MODEL_URL.format(api=api_id, name=name) if name else _rewrite_refs(value, api_id)
        return out
    if isinstance(schema, list):
        return [_rewrite_refs(v, api_id) for v in schema]
    return schema


def _upper(value: Any) -> Any:
    return value.upper() if isinstance(value, str) else value


def _integration(ext: dict[str, Any], resource_id: str) -> dict[str, Any]:
    out: dict[str, Any] = {
        "type": _upper(ext.get("type", "MOCK")),
        "passthroughBehavior": _upper(ext.get("passthroughBehavior", "WHEN_NO_MATCH")),
        "timeoutInMillis": int(ext.get("timeoutInMillis", 29000)),
        "cacheNamespace": ext.get("cacheNamespace", resource_id),
        "cacheKeyParameters": ext.get("cacheKeyParameters", []),
    }
    if ext.get("httpMethod"):
        out["httpMethod"] = _upper(ext["httpMethod"])
    for key in (
        "uri",
        "credentials",
        "requestParameters",
        "requestTemplates",
        "contentHandling",
        "connectionType",
        "connectionId",
        "tlsConfig",
    ):
        if ext.get(key) is not None:
            out[key] = ext[key]
    if out["type"] != "MOCK":
        out.setdefault("connectionType", "INTERNET")
    responses = {}
    for pattern, response in (ext.get("responses") or {}).items():
        item: dict[str, Any] = {"statusCode": str(response.get("statusCode", "200"))}
        if pattern != "default":
            item["selectionPattern"] = pattern
        for key in ("responseParameters", "responseTemplates", "contentHandling"):
            if response.get(key) is not None:
                item[key] = response[key]
        responses[item["statusCode"]] = item
    if responses:
        out["integrationResponses"] = responses
    return out


def import_spec(spec: Any, api_id: str, root_id: str, basepath: str = "ignore") -> dict[str, Any]:
    """{"api": fields, "resources", "models", "validators", "authorizers", "gatewayResponses", "warnings"} from a
    spec."""
    if not isinstance(spec, dict) or not (
        str(spec.get("swagger", "")).startswith("2") or str(spec.get("openapi", "")).startswith("3")
    ):
        raise BadRequestException("Invalid OpenAPI input.")
    v3 = "openapi" in spec
    info = spec.get("info") or {}
    if not info.get("title"):
        raise BadRequestException("Invalid OpenAPI input: info.title is required.")
    api: dict[str, Any] = {"name": info["title"]}
    for key, member in (("description", "description"), ("version", "version")):
        if info.get(key) is not None:
            api[member] = str(info[key])
    if spec.get("x-amazon-apigateway-binary-media-types"):
        api["binaryMediaTypes"] = list(spec["x-amazon-apigateway-binary-media-types"])
    if spec.get("x-amazon-apigateway-api-key-source"):
        api["apiKeySource"] = _upper(spec["x-amazon-apigateway-api-key-source"])
    if spec.get("x-amazon-apigateway-policy"):
        api["policy"] = json.dumps(spec["x-amazon-apigateway-policy"])
    schemas = (spec.get("components") or {}).get("schemas") if v3 else spec.get("definitions")
    models = {
        name: {
            "id": new_id(6),
            "name": name,
            "contentType": "application/json",
            "schema": json.dumps(_rewrite_refs(schema, api_id)),
        }
        for name, schema in (schemas or {}).items()
    }
    validators_by_name: dict[str, dict[str, Any]] = {}
    for vname, settings in (spec.get("x-amazon-apigateway-request-validators") or {}).items():
        validators_by_name[vname] = {
            "id": new_id(6),
            "name": vname,
            "validateRequestBody": bool(settings.get("validateRequestBody")),
            "validateRequestParameters": bool(settings.get("validateRequestParameters")),
        }
    default_validator = spec.get("x-amazon-apigateway-request-validator")
    schemes = (spec.get("components") or {}).get("securitySchemes") if v3 else spec.get("securityDefinitions")
    authorizers_by_name: dict[str, dict[str, Any]] = {}
    key_schemes: set[str] = set()
    for sname, scheme in (schemes or {}).items():
        ext = scheme.get("x-amazon-apigateway-authorizer")
        if ext is None:
            if scheme.get("type") == "apiKey" and str(scheme.get("name", "")).lower() == "x-api-key":
                key_schemes.add(sname)
            elif scheme.get("x-amazon-apigateway-authtype") == "awsSigv4":
                key_schemes.add("__iam__" + sname)
            continue
        kind = _upper(ext.get("type", "token"))
        authorizer: dict[str, Any] = {
            "id": new_id(6),
            "name": sname,
            "type": kind,
            "authType": scheme.get("x-amazon-apigateway-authtype", "custom"),
            "authorizerResultTtlInSeconds": int(ext.get("authorizerResultTtlInSeconds", 300)),
        }
        for key in ("authorizerUri", "authorizerCredentials", "identityValidationExpression", "providerARNs"):
            if ext.get(key) is not None:
                authorizer[key] = ext[key]
        source = ext.get("identitySource") or (
            f"method.request.header.{scheme.get('name')}" if kind in ("TOKEN", "COGNITO_USER_POOLS") else None
        )
        if source:
            authorizer["identitySource"] = source
        authorizers_by_name[sname] = authorizer
    base = ""
    if basepath == "prepend":
        base = (
            spec.get("basePath", "")
            if not v3
            else ((spec.get("servers") or [{}])[0].get("variables", {}).get("basePath", {}).get("default", ""))
        )
        base = "/" + base.strip("/") if base.strip("/") else ""
    resources: dict[str, dict[str, Any]] = {root_id: {"id": root_id, "path": "/"}}
    by_path = {"/": root_id}

    def resource_for(path: str) -> str:
        if path in by_path:
            return by_path[path]
        parent, _, part = path.rpartition("/")
        parent_id = resource_for(parent or "/")
        rid = new_id(6)
        resources[rid] = {"id": rid, "parentId": parent_id, "pathPart": part}
        by_path[path] = rid
        return rid

    global_security = spec.get("security")
    for raw_path, item in (spec.get("paths") or {}).items():
        path = (base + "/" + raw_path.strip("/")).rstrip("/") or "/"
        rid = resource_for(path)
        shared = item.get("parameters") or []
        for verb in METHODS:
            op = item.get(verb)
            if not isinstance(op, dict):
                continue
            http_method = "ANY" if verb.startswith("x-") else verb.upper()
            method: dict[str, Any] = {"httpMethod": http_method, "authorizationType": "NONE", "apiKeyRequired": False}
            if op.get("operationId"):
                method["operationName"] = op["operationId"]
            params: dict[str, bool] = {}
            request_models: dict[str, str] = {}
            for param in [*shared, *(op.get("parameters") or [])]:
                where = {"path": "path", "query": "querystring", "header": "header"}.get(param.get("in", ""))
                if where:
                    params[f"method.request.{where}.{param['name']}"] = bool(param.get("required"))
                elif param.get("in") == "body" and _model_name((param.get("schema") or {}).get("$ref")):
                    request_models["application/json"] = _model_name(param["schema"]["$ref"])  # type: ignore[assignment]
            for content_type, media in ((op.get("requestBody") or {}).get("content") or {}).items():
                name = _model_name((media.get("schema") or {}).get("$ref"))
                if name:
                    request_models[content_type] = name
            if params:
                method["requestParameters"] = params
            if request_models:
                method["requestModels"] = request_models
            validator = op.get("x-amazon-apigateway-request-validator", default_validator)
            if validator in validators_by_name:
                method["requestValidatorId"] = validators_by_name[validator]["id"]
            for requirement in op.get("security", global_security) or []:
                for sname in requirement:
                    if sname in authorizers_by_name:
                        auth = authorizers_by_name[sname]
                        method["authorizationType"] = (
                            "COGNITO_USER_POOLS" if auth["type"] == "COGNITO_USER_POOLS" else "CUSTOM"
                        )
                        method["authorizerId"] = auth["id"]
                        if requirement[sname]:
                            method["authorizationScopes"] = list(requirement[sname])
                    elif sname in key_schemes:
                        method["apiKeyRequired"] = True
                    elif "__iam__" + sname in key_schemes:
                        method["authorizationType"] = "AWS_IAM"
            if (op.get("x-amazon-apigateway-auth") or {}).get("type", "").upper() == "AWS_IAM":
                method["authorizationType"] = "AWS_IAM"
            responses = {}
            for code, response in (op.get("responses") or {}).items():
                if not re.fullmatch(r"[1-5]\d\d", str(code)):
                    continue
                entry: dict[str, Any] = {"statusCode": str(code)}
                headers = response.get("headers") or {}
                if headers:
                    entry["responseParameters"] = {f"method.response.header.{h}": False for h in headers}
                schema_refs = (
                    {"application/json": (response.get("schema") or {}).get("$ref")}
                    if not v3
                    else {ct: (m.get("schema") or {}).get("$ref") for ct, m in (response.get("content") or {}).items()}
                )
                response_models = {ct: _model_name(ref) for ct, ref in schema_refs.items() if _model_name(ref)}
                if response_models:
                    entry["responseModels"] = response_models
                responses[str(code)] = entry
            if responses:
                method["methodResponses"] = responses
            if isinstance(op.get("x-amazon-apigateway-integration"), dict):
                method["methodIntegration"] = _integration(op["x-amazon-apigateway-integration"], rid)
            resources[rid].setdefault("resourceMethods", {})[http_method] = method
    refresh_paths(resources)
    gateway_responses = {}
    for kind, response in (spec.get("x-amazon-apigateway-gateway-responses") or {}).items():
        if kind in GATEWAY_RESPONSE_TYPES:
            item = {
                "responseType": kind,
                "defaultResponse": False,
                "responseParameters": response.get("responseParameters") or {},
                "responseTemplates": response.get("responseTemplates") or {},
            }
            status = response.get("statusCode") or GATEWAY_RESPONSE_TYPES[kind]
            if status:
                item["statusCode"] = str(status)
            gateway_responses[kind] = item
    return {
        "api": api,
        "resources": resources,
        "models": models,
        "validators": {v["id"]: v for v in validators_by_name.values()},
        "authorizers": {a["id"]: a for a in authorizers_by_name.values()},
        "gatewayResponses": gateway_responses,
    }


# --- export -----------------------------------------------------------------------------------------------------------


def _export_integration(integration: dict[str, Any]) -> dict[str, Any]:
    out = {
        k: v
        for k, v in integration.items()
        if k not in ("integrationResponses", "cacheNamespace", "cacheKeyParameters") or v
    }
    out["type"] = integration["type"].lower()
    responses = {}
    for response in (integration.get("integrationResponses") or {}).values():
        entry = {
            k: v
            for k, v in response.items()
            if k in ("statusCode", "responseParameters", "responseTemplates", "contentHandling")
        }
        responses[response.get("selectionPattern") or "default"] = entry
    out.pop("integrationResponses", None)
    if responses:
        out["responses"] = responses
    return out


_MODEL_URL = re.compile(r"^https://apigateway\.amazonaws\.com/restapis/[^/]+/models/(.+)$")


def _export_ref(value: Any, ref_base: str) -> Any:
    found = _MODEL_URL.match(value) if isinstance(value, str) else None
    return ref_base + found.group(1) if found else _export_refs(value, ref_base)


def _export_refs(schema: Any, ref_base: str) -> Any:
    if isinstance(schema, dict):
        return {k: _export_ref(v, ref_base) if k == "$ref" else _export_refs(v, ref_base) for k, v in schema.items()}
    if isinstance(schema, list):
        return [_export_refs(v, ref_base) for v in schema]
    return schema


def export_spec(
    doc: dict[str, Any], api: dict[str, Any], stage: dict[str, Any], kind: str, extensions: set[str], host: str
) -> dict[str, Any]:
    v3 = kind == "oas30"
    with_integrations = bool(extensions & {"integrations", "apigateway"})
    with_authorizers = bool(extensions & {"authorizers", "apigateway"})
    info = {
        "title": api["name"],
        "version": api.get("version") or stage.get("lastUpdatedDate") and str(stage["lastUpdatedDate"]) or "1",
    }
    if api.get("description"):
        info["description"] = api["description"]
    out: dict[str, Any] = (
        {
            "openapi": "3.0.1",
            "info": info,
            "servers": [
                {"url": f"https://{host}/{{basePath}}", "variables": {"basePath": {"default": stage["stageName"]}}}
            ],
        }
        if v3
        else {"swagger": "2.0", "info": info, "host": host, "basePath": f"/{stage['stageName']}", "schemes": ["https"]}
    )
    ref_base = "#/components/schemas/" if v3 else "#/definitions/"
    auth_names = {a["id"]: a["name"] for a in doc.get("authorizers", {}).values()}
    uses_key = False
    paths: dict[str, Any] = {}
    for resource in sorted(doc["resources"].values(), key=lambda r: r["path"]):
        methods = resource.get("resourceMethods") or {}
        if not methods:
            continue
        item = paths.setdefault(resource["path"], {})
        for http_method, method in methods.items():
            op: dict[str, Any] = {}
            if method.get("operationName"):
                op["operationId"] = method["operationName"]
            parameters = []
            for name, required in (method.get("requestParameters") or {}).items():
                where, _, pname = name[len("method.request.") :].partition(".")
                location = {"path": "path", "querystring": "query", "header": "header"}.get(where)
                if location:
                    param = {"name": pname, "in": location, "required": bool(required) or location == "path"}
                    param.update({"schema": {"type": "string"}} if v3 else {"type": "string"})
                    parameters.append(param)
            models = method.get("requestModels") or {}
            if models and not v3:
                parameters.append(
                    {
                        "in": "body",
                        "name": next(iter(models.values())),
                        "required": True,
                        "schema": {"$ref": ref_base + next(iter(models.values()))},
                    }
                )
            if parameters:
                op["parameters"] = parameters
            if models and v3:
                op["requestBody"] = {
                    "content": {ct: {"schema": {"$ref": ref_base + m}} for ct, m in models.items()},
                    "required": True,
                }
            responses = {}
            for status, response in (method.get("methodResponses") or {}).items():
                entry: dict[str, Any] = {"description": f"{status} response"}
                if response.get("responseParameters"):
                    entry["headers"] = {
                        h[len("method.response.header.") :]: {"schema": {"type": "string"}}
                        if v3
                        else {"type": "string"}
                        for h in response["responseParameters"]
                    }
                for ct, model in (response.get("responseModels") or {}).items():
                    if v3:
                        entry.setdefault("content", {})[ct] = {"schema": {"$ref": ref_base + model}}
                    else:
                        entry["schema"] = {"$ref": ref_base + model}
                responses[status] = entry
            op["responses"] = responses or {"200": {"description": "200 response"}}
            security = []
            if (
                method.get("authorizationType") in ("CUSTOM", "COGNITO_USER_POOLS")
                and method.get("authorizerId") in auth_names
            ):
                security.append({auth_names[method["authorizerId"]]: method.get("authorizationScopes") or []})
            if method.get("apiKeyRequired"):
                uses_key = True
                security.append({"api_key": []})
            if security:
                op["security"] = security
            validator = doc.get("validators", {}).get(method.get("requestValidatorId") or "")
            if with_integrations and validator:
                op["x-amazon-apigateway-request-validator"] = validator["name"]
            if with_integrations and method.get("methodIntegration"):
                op["x-amazon-apigateway-integration"] = _export_integration(method["methodIntegration"])
            item["x-amazon-apigateway-any-method" if http_method == "ANY" else http_method.lower()] = op
    out["paths"] = paths
    schemas = {
        m["name"]: _export_refs(json.loads(m["schema"]), ref_base)
        for m in doc.get("models", {}).values()
        if m.get("schema")
    }
    schemes: dict[str, Any] = {}
    if uses_key:
        schemes["api_key"] = {"type": "apiKey", "name": "x-api-key", "in": "header"}
    for authorizer in doc.get("authorizers", {}).values():
        header = (
            (authorizer.get("identitySource") or "method.request.header.Authorization")
            .split(",")[0]
            .strip()
            .rsplit(".", 1)[-1]
        )
        scheme = {
            "type": "apiKey",
            "name": header,
            "in": "header",
            "x-amazon-apigateway-authtype": authorizer.get("authType", "custom"),
        }
        if with_authorizers:
            ext = {
                "type": authorizer["type"].lower(),
                "authorizerResultTtlInSeconds": authorizer.get("authorizerResultTtlInSeconds", 300),
            }
            for key in (
                "authorizerUri",
                "authorizerCredentials",
                "identitySource",
                "identityValidationExpression",
                "providerARNs",
            ):
                if authorizer.get(key) is not None:
                    ext[key] = authorizer[key]
            scheme["x-amazon-apigateway-authorizer"] = ext
        schemes[authorizer["name"]] = scheme
    if v3:
        components: dict[str, Any] = {}
        if schemas:
            components["schemas"] = schemas
        if schemes:
            components["securitySchemes"] = schemes
        if components:
            out["components"] = components
    else:
        if schemas:
            out["definitions"] = schemas
        if schemes:
            out["securityDefinitions"] = schemes
    if with_integrations:
        if api.get("binaryMediaTypes"):
            out["x-amazon-apigateway-binary-media-types"] = api["binaryMediaTypes"]
        if doc.get("validators"):
            out["x-amazon-apigateway-request-validators"] = {
                v["name"]: {
                    "validateRequestBody": v.get("validateRequestBody", False),
                    "validateRequestParameters": v.get("validateRequestParameters", False),
                }
                for v in doc["validators"].values()
            }
        if doc.get("gatewayResponses"):
            out["x-amazon-apigateway-gateway-responses"] = {
                k: {m: v for m, v in r.items() if m in ("statusCode", "responseParameters", "responseTemplates")}
                for k, r in doc["gatewayResponses"].items()
            }
    return out


# --- reading and merging definitions (ImportRestApi, PutRestApi, GetExport) ------------------------------------------


def parse_definition(body: bytes) -> Any:
    """An OpenAPI definition as sent: JSON, else YAML."""
    text = body.decode("utf-8", "replace").strip()
    if not text:
        raise BadRequestException("Invalid OpenAPI input.")
    try:
        return safejson.loads(text)
    except safejson.UnsafeJson:
        raise BadRequestException("Invalid OpenAPI input.") from None
    except ValueError:
        pass
    try:
        import yaml  # YAML definitions need PyYAML (JSON ones do not)
    except ImportError:
        raise BadRequestException("Invalid OpenAPI input: YAML definitions need PyYAML installed; send JSON.") from None
    try:
        return yaml.safe_load(text)
    except (yaml.YAMLError, RecursionError):  # block nesting deeper than Python's stack too
        raise BadRequestException("Invalid OpenAPI input.") from None


def dump_yaml(spec: dict[str, Any]) -> bytes:
    import yaml

    return yaml.safe_dump(spec, sort_keys=False).encode()


def title(spec: Any) -> str | None:
    """The definition's info.title (the name ImportRestApi gives the API)."""
    return (spec.get("info") or {}).get("title") if isinstance(spec, dict) else None


def merge(doc: dict[str, Any], imported: dict[str, Any], overwrite: bool) -> None:
    """Put an imported definition into an API document (keeping its id and root resource)."""
    root = doc["rootResourceId"]
    api = doc["api"]
    fields = imported["api"]
    if overwrite:
        for member in ("description", "version", "binaryMediaTypes", "policy"):
            api.pop(member, None)
        doc["resources"] = imported["resources"]
        for section in ("models", "validators", "authorizers", "gatewayResponses"):
            doc[section] = imported[section]
    else:
        by_path = {r["path"]: r for r in doc["resources"].values()}
        remap: dict[str, str] = {}
        for item in sorted(imported["resources"].values(), key=lambda r: r["path"]):
            existing = by_path.get(item["path"])
            if existing is None:
                parent = remap.get(item.get("parentId"), item.get("parentId"))
                existing = doc["resources"][item["id"]] = {**item, "parentId": parent}
            else:
                existing.setdefault("resourceMethods", {}).update(item.get("resourceMethods") or {})
            remap[item["id"]] = existing["id"]
        for section in ("models", "validators", "authorizers", "gatewayResponses"):
            doc[section].update(imported[section])
    for member, value in fields.items():
        if member != "name" or overwrite:
            api[member] = value
    assert root in doc["resources"]
