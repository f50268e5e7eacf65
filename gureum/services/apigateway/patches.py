"""Which PATCH operations each REST API resource accepts (paths and ops, as data per resource) and the one check
that answers AWS's BadRequestException for the others. model.apply_patch runs the check before applying anything.

A path pattern is a JSON pointer whose segments are literal, "*" (exactly one segment, "~1" escapes a "/") or a
final "**" (one or more segments). AWS answers in one of two styles, recorded per resource:
- "listed": "Invalid patch path  '/x' specified for op 'replace'. Must be one of: [/a, /b]" for an unknown path,
  "… specified for op 'add'. Please choose supported operations" for an op the resource never accepts;
- otherwise "Invalid patch path /x" for an unknown path and "Invalid patch operation specified. Must be one of:
  [replace]" for an op the path does not accept (some paths name their own message)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from .errors import BadRequestException

REPLACE = frozenset({"replace"})
ADD_REMOVE = frozenset({"add", "remove"})
ANY_OP = frozenset({"add", "remove", "replace"})
_OP_ORDER = ("add", "remove", "replace", "move", "copy", "test")


@dataclass(frozen=True)
class PatchRules:
    paths: Mapping[str, frozenset[str]]  # pattern → the ops AWS accepts on it, in AWS's listing order
    listed: bool = False
    # pattern → the message for an op the path does not accept, where AWS words it differently
    op_messages: Mapping[str, str] = field(default_factory=dict)
    # the op is refused with "Invalid patch path <path>" rather than "Invalid patch operation specified" (AWS does so
    # for gateway responses' /statusCode)
    path_error_for_op: bool = False
    # patterns whose values are booleans sent as "true"/"false" (a method's requestParameters and a method
    # response's responseParameters map names to whether they are required)
    booleans: frozenset[str] = frozenset()

    def pattern_for(self, path: str) -> str | None:
        parts = path.split("/")[1:] if path.startswith("/") else None
        if parts is None:
            return None
        for pattern in self.paths:
            if _matches(pattern.split("/")[1:], parts):
                return pattern
        return None

    def check(self, operations: list[dict[str, Any]]) -> None:
        """BadRequestException for the first operation AWS would refuse."""
        for operation in operations:
            op, path = operation.get("op"), operation.get("path")
            if path is None:
                raise BadRequestException("Invalid patch path null")
            pattern = self.pattern_for(str(path))
            allowed = self.paths.get(pattern or "", frozenset())
            if self.listed:
                self._check_listed(str(op), str(path), allowed)
            elif pattern is None:
                raise BadRequestException(f"Invalid patch path {path}")
            elif op not in allowed:
                if self.path_error_for_op:
                    raise BadRequestException(f"Invalid patch path {path}")
                message = self.op_messages.get(pattern) or (
                    f"Invalid patch operation specified. Must be one of: [{', '.join(_ordered(allowed))}]"
                )
                raise BadRequestException(message)

    def _check_listed(self, op: str, path: str, allowed: frozenset[str]) -> None:
        if op in allowed:
            return
        if not any(op in ops for ops in self.paths.values()):
            raise BadRequestException(
                f"Invalid patch path  '{path}' specified for op '{op}'. Please choose supported operations"
            )
        paths = ", ".join(p for p, ops in self.paths.items() if op in ops)
        raise BadRequestException(f"Invalid patch path  '{path}' specified for op '{op}'. Must be one of: [{paths}]")


def _ordered(ops: frozenset[str]) -> list[str]:
    return [op for op in _OP_ORDER if op in ops]


def _matches(pattern: list[str], parts: list[str]) -> bool:
    if pattern and pattern[-1] == "**":
        return len(parts) >= len(pattern) and all(p in ("*", s) for p, s in zip(pattern[:-1], parts, strict=False))
    return len(pattern) == len(parts) and all(p in ("*", s) for p, s in zip(pattern, parts, strict=True))


# --- what each resource accepts (the API reference's PATCH pages and AWS's recorded answers) ------------------------

REST_API = PatchRules(
    {
        "/name": REPLACE,
        "/description": frozenset({"add", "remove", "replace"}),
        "/version": frozenset({"add", "remove", "replace"}),
        "/policy": frozenset({"add", "remove", "replace"}),
        "/apiKeySource": REPLACE,
        "/minimumCompressionSize": REPLACE,
        "/disableExecuteApiEndpoint": REPLACE,
        "/binaryMediaTypes/*": ANY_OP,
        "/endpointConfiguration/types/*": REPLACE,
        "/endpointConfiguration/ipAddressType": REPLACE,
        "/endpointConfiguration/vpcEndpointIds": ADD_REMOVE,
        "/endpointConfiguration/vpcEndpointIds/*": ANY_OP,
    },
    op_messages={
        "/endpointConfiguration/types/*": "Invalid patch operation specified. Must be 'add'|'remove'|'replace'"
    },
)
RESOURCE = PatchRules({"/parentId": REPLACE, "/pathPart": REPLACE}, listed=True)
METHOD = PatchRules(
    {
        "/authorizationType": REPLACE,
        "/authorizerId": REPLACE,
        "/apiKeyRequired": REPLACE,
        "/operationName": REPLACE,
        "/requestValidatorId": REPLACE,
        "/requestParameters/*": ANY_OP,
        "/requestModels/*": ANY_OP,
        "/authorizationScopes": ANY_OP,
        "/authorizationScopes/*": ANY_OP,
    },
    booleans=frozenset({"/requestParameters/*"}),
)
METHOD_RESPONSE = PatchRules(
    {"/responseParameters/*": ANY_OP, "/responseModels/*": ANY_OP}, booleans=frozenset({"/responseParameters/*"})
)
INTEGRATION = PatchRules(
    {
        "/type": REPLACE,
        "/httpMethod": REPLACE,
        "/uri": REPLACE,
        "/connectionType": REPLACE,
        "/connectionId": REPLACE,
        "/credentials": REPLACE,
        "/passthroughBehavior": REPLACE,
        "/cacheNamespace": REPLACE,
        "/contentHandling": REPLACE,
        "/timeoutInMillis": REPLACE,
        "/requestParameters/*": ANY_OP,
        "/requestTemplates/*": ANY_OP,
        "/cacheKeyParameters": ADD_REMOVE,
        "/cacheKeyParameters/*": ANY_OP,
        "/tlsConfig/insecureSkipVerification": REPLACE,
    }
)
INTEGRATION_RESPONSE = PatchRules(
    {
        "/selectionPattern": REPLACE,
        "/contentHandling": REPLACE,
        "/responseParameters/*": ANY_OP,
        "/responseTemplates/*": ANY_OP,
    }
)
MODEL = PatchRules({"/description": REPLACE, "/schema": REPLACE}, listed=True)
REQUEST_VALIDATOR = PatchRules(
    {"/name": REPLACE, "/validateRequestParameters": REPLACE, "/validateRequestBody": REPLACE}, listed=True
)
AUTHORIZER = PatchRules(
    {
        "/name": REPLACE,
        "/type": REPLACE,
        "/authType": REPLACE,
        "/authorizerUri": REPLACE,
        "/authorizerCredentials": REPLACE,
        "/identitySource": REPLACE,
        "/identityValidationExpression": REPLACE,
        "/authorizerResultTtlInSeconds": REPLACE,
        "/providerARNs": ANY_OP,
        "/providerARNs/*": ANY_OP,
    }
)
GATEWAY_RESPONSE = PatchRules(
    {"/statusCode": REPLACE, "/responseParameters/*": ANY_OP, "/responseTemplates/*": ANY_OP},
    path_error_for_op=True,
)
DOCUMENTATION_PART = PatchRules({"/properties": REPLACE}, listed=True)
DOCUMENTATION_VERSION = PatchRules({"/description": REPLACE})
DEPLOYMENT = PatchRules({"/description": REPLACE, "/canarySettings/**": REPLACE})
STAGE = PatchRules(  # besides the method settings (/{resource path}/{method}/{category}/{setting}, stages.py)
    {
        "/deploymentId": REPLACE,
        "/description": REPLACE,
        "/cacheClusterEnabled": REPLACE,
        "/cacheClusterSize": REPLACE,
        "/tracingEnabled": REPLACE,
        "/clientCertificateId": REPLACE,
        "/documentationVersion": REPLACE,
        "/webAclArn": REPLACE,
        "/variables/*": ANY_OP,
        "/accessLogSettings": frozenset({"remove"}),
        "/accessLogSettings/*": REPLACE,
        "/canarySettings": frozenset({"remove"}),
        "/canarySettings/stageVariableOverrides/*": ANY_OP,
        "/canarySettings/*": REPLACE,
    }
)
API_KEY = PatchRules(
    {
        "/name": REPLACE,
        "/description": REPLACE,
        "/enabled": REPLACE,
        "/customerId": REPLACE,
        "/value": REPLACE,
        "/stages": ADD_REMOVE,
    }
)
USAGE_PLAN = PatchRules(  # besides /apiStages (keys.api_stage_patches)
    {
        "/name": REPLACE,
        "/description": REPLACE,
        "/productCode": REPLACE,
        "/throttle": frozenset({"remove"}),
        "/throttle/burstLimit": REPLACE,
        "/throttle/rateLimit": REPLACE,
        "/quota": frozenset({"remove"}),
        "/quota/limit": REPLACE,
        "/quota/offset": REPLACE,
        "/quota/period": REPLACE,
    }
)
USAGE = PatchRules({"/remaining": REPLACE})
ACCOUNT = PatchRules({"/cloudwatchRoleArn": REPLACE, "/features": ADD_REMOVE})
DOMAIN_NAME = PatchRules(
    {
        "/certificateName": REPLACE,
        "/certificateArn": REPLACE,
        "/regionalCertificateArn": REPLACE,
        "/regionalCertificateName": REPLACE,
        "/securityPolicy": REPLACE,
        "/endpointConfiguration/types/*": REPLACE,
        "/endpointConfiguration/ipAddressType": REPLACE,
        "/mutualTlsAuthentication/**": REPLACE,
    }
)
BASE_PATH_MAPPING = PatchRules({"/basePath": REPLACE, "/restApiId": REPLACE, "/stage": REPLACE})
VPC_LINK = PatchRules({"/name": REPLACE, "/description": REPLACE})
CLIENT_CERT = PatchRules({"/description": REPLACE})
