"""Request validators: required method request parameters and the body against its JSON-schema model (draft 4)."""

from __future__ import annotations

import json
from typing import Any

from ... import safejson
from . import jsonschema4
from .access import GatewayError
from .integrations import Call


def _model_resolver(doc: dict[str, Any]) -> Any:
    """$ref to another model of the API: ".../restapis/{id}/models/{name}" (as API Gateway writes them)."""

    def resolve(ref: str) -> Any:
        model = (doc.get("models") or {}).get(ref.rstrip("/").rsplit("/", 1)[-1])
        return json.loads(model["schema"]) if model and model.get("schema") else None

    return resolve


def validate_request(call: Call, doc: dict[str, Any]) -> None:
    validator_id = call.method.get("requestValidatorId")
    validator = (doc.get("validators") or {}).get(validator_id or "")
    if validator is None:
        return
    request = call.request
    if validator.get("validateRequestParameters"):
        missing = []
        headers = request.headers
        for name, required in (call.method.get("requestParameters") or {}).items():
            if not required:
                continue
            part, _, key = name[len("method.request.") :].partition(".")
            present = {
                "header": key.lower() in headers,
                "querystring": key in request.query,
                "path": bool(call.path_params.get(key)),
                "multivalueheader": key.lower() in headers,
                "multivaluequerystring": key in request.query,
            }.get(part, True)
            if not present:
                missing.append(key)
        if missing:
            raise GatewayError("BAD_REQUEST_PARAMETERS", f"Missing required request parameters: [{', '.join(missing)}]")
    if validator.get("validateRequestBody"):
        models = call.method.get("requestModels") or {}
        name = models.get(request.content_type or "application/json") or models.get("$default")
        model = (doc.get("models") or {}).get(name or "")
        if model is None or not model.get("schema"):
            return
        try:
            body = safejson.loads(request.body or b"null")
            schema = safejson.loads(model["schema"])
        except ValueError:
            raise GatewayError("BAD_REQUEST_BODY", "Invalid request body") from None
        if jsonschema4.errors(schema, body, _model_resolver(doc)):
            raise GatewayError("BAD_REQUEST_BODY", "Invalid request body")
