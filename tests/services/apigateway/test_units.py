"""Pure logic: PATCH operations, JSONPath, the JSON Schema subset, IAM policy evaluation, resource matching."""

from __future__ import annotations

import pytest

from gureum.services.apigateway.access import policy_allows
from gureum.services.apigateway.edge import Snapshot
from gureum.services.apigateway.errors import BadRequestException
from gureum.services.apigateway.jsonschema4 import errors
from gureum.services.apigateway.model import apply_patch
from gureum.services.apigateway.patches import METHOD, RESOURCE, PatchRules
from gureum.services.apigateway.vtl import json_path


def test_patch_operations() -> None:
    doc = {
        "name": "a",
        "binaryMediaTypes": ["image/png"],
        "endpointConfiguration": {"types": ["EDGE"]},
        "variables": {"x": "1"},
    }
    out = apply_patch(
        doc,
        [
            {"op": "add", "path": "/binaryMediaTypes/application~1octet-stream"},
            {"op": "remove", "path": "/binaryMediaTypes/image~1png"},
            {"op": "replace", "path": "/endpointConfiguration/types/EDGE", "value": "REGIONAL"},
            {"op": "remove", "path": "/variables/x"},
            {"op": "add", "path": "/variables/y", "value": "2"},
            {"op": "replace", "path": "/apiKeyRequired", "value": "true"},
            {"op": "replace", "path": "/throttle/rateLimit", "value": "2.5"},
            {"op": "copy", "from": "/name", "path": "/description"},
        ],
        PatchRules({"/**": frozenset({"add", "remove", "replace", "copy"})}),
    )
    assert out == {
        "name": "a",
        "description": "a",
        "binaryMediaTypes": ["application/octet-stream"],
        "endpointConfiguration": {"types": ["REGIONAL"]},
        "variables": {"y": "2"},
        "apiKeyRequired": True,
        "throttle": {"rateLimit": 2.5},
    }
    assert doc["variables"] == {"x": "1"}  # the input is not changed
    with pytest.raises(BadRequestException):
        apply_patch(
            doc, [{"op": "replace", "path": "/id", "value": "x"}], PatchRules({"/name": frozenset({"replace"})})
        )


@pytest.mark.parametrize(
    ("rules", "operation", "message"),
    [
        (RESOURCE, {"op": "replace", "path": "/invalid", "value": "x"},
         "Invalid patch path  '/invalid' specified for op 'replace'. Must be one of: [/parentId, /pathPart]"),
        (RESOURCE, {"op": "add", "path": "/pathPart", "value": "x"},
         "Invalid patch path  '/pathPart' specified for op 'add'. Please choose supported operations"),
        (METHOD, {"op": "add", "path": "/operationName", "value": "x"},
         "Invalid patch operation specified. Must be one of: [replace]"),
        (METHOD, {"op": "add", "path": "/httpMethod", "value": "PUT"}, "Invalid patch path /httpMethod"),
        (METHOD, {"op": "add", "path": "/requestModels/application/json", "value": "Empty"},
         "Invalid patch path /requestModels/application/json"),
    ],
)  # fmt: skip
def test_patch_rules(rules: PatchRules, operation: dict[str, str], message: str) -> None:
    """Each resource's accepted paths and ops are data (patches.py), checked in one place with AWS's words."""
    with pytest.raises(BadRequestException) as info:
        rules.check([operation])
    assert info.value.message == message


def test_json_path() -> None:
    doc = {"a": {"b": [{"c": 1}, {"c": 2}]}, "k-1": "v", "s p": 3}
    assert json_path(doc, "$") == doc
    assert json_path(doc, "$.a.b[1].c") == 2
    assert json_path(doc, "$.a.b[*].c") == [1, 2]
    assert json_path(doc, "$['s p']") == 3 and json_path(doc, "$.k-1") == "v"
    assert json_path(doc, "$.missing.x") is None


def test_json_schema_subset() -> None:
    schema = {
        "type": "object",
        "required": ["id"],
        "additionalProperties": False,
        "properties": {
            "id": {"type": "integer", "minimum": 1},
            "tags": {"type": "array", "items": {"$ref": "#/definitions/tag"}, "uniqueItems": True},
            "kind": {"oneOf": [{"type": "string", "pattern": "^[a-z]+$"}, {"type": "null"}]},
        },
        "definitions": {"tag": {"type": "string", "enum": ["a", "b"]}},
    }
    assert errors(schema, {"id": 1, "tags": ["a", "b"], "kind": "abc"}) == []
    assert errors(schema, {"id": 1, "kind": None}) == []
    for bad in (
        {},
        {"id": 0},
        {"id": 1.5},
        {"id": 1, "x": 1},
        {"id": 1, "tags": ["a", "a"]},
        {"id": 1, "tags": ["c"]},
        {"id": 1, "kind": "A1"},
        [],
    ):
        assert errors(schema, bad), bad
    models = {"Other": {"type": "string"}}
    assert errors(
        {"$ref": "https://apigateway.amazonaws.com/restapis/x/models/Other"},
        5,
        lambda ref: models[ref.rsplit("/", 1)[1]],
    )


def test_policy_evaluation() -> None:
    arn = "arn:aws:execute-api:us-east-1:000000000000:abc/dev/GET/pets/1"
    allow = {
        "Effect": "Allow",
        "Action": "execute-api:Invoke",
        "Resource": "arn:aws:execute-api:us-east-1:000000000000:abc/dev/GET/*",
    }
    deny = {"Effect": "Deny", "Action": ["execute-api:*"], "Resource": ["arn:aws:execute-api:*:*:abc/*/GET/pets/?"]}
    assert policy_allows({"Statement": [allow]}, arn)
    assert not policy_allows({"Statement": [allow, deny]}, arn)  # an explicit Deny wins
    assert not policy_allows(
        {"Statement": [{**allow, "Resource": "arn:aws:execute-api:us-east-1:000000000000:abc/dev/POST/*"}]}, arn
    )
    assert not policy_allows({"Statement": []}, arn)
    assert policy_allows({"Statement": allow}, arn)  # a single statement object


def test_resource_matching() -> None:
    resources = {
        "r": {"id": "r", "path": "/"},
        "p": {"id": "p", "parentId": "r", "pathPart": "pets", "path": "/pets"},
        "i": {"id": "i", "parentId": "p", "pathPart": "{id}", "path": "/pets/{id}"},
        "m": {"id": "m", "parentId": "p", "pathPart": "mine", "path": "/pets/mine"},
        "g": {"id": "g", "parentId": "r", "pathPart": "{proxy+}", "path": "/{proxy+}"},
    }
    snapshot = Snapshot({"resources": resources, "rootResourceId": "r"})
    assert snapshot.match("/")[0]["id"] == "r"  # type: ignore[index]
    assert snapshot.match("/pets/mine")[0]["id"] == "m"  # type: ignore[index]  (a literal beats a variable)
    assert snapshot.match("/pets/7") == (resources["i"], {"id": "7"})
    assert snapshot.match("/pets/7/toys") == (resources["g"], {"proxy": "pets/7/toys"})  # greedy fallback
    assert snapshot.match("/other") == (resources["g"], {"proxy": "other"})
