"""Request → (service, protocol, operation).

Order of evidence: X-Amz-Target (json), the SigV4 credential scope's service, the Action parameter
(query), the path (SQS queue URLs, REST URI templates).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from urllib.parse import unquote

from botocore.model import OperationModel

from .errors import ServiceError
from .http import Request
from .specs import ServiceSpec


@dataclass(slots=True)
class Route:
    spec: ServiceSpec
    protocol: str
    operation: OperationModel | None
    name: str
    path_params: dict[str, str] = field(default_factory=dict)


@dataclass(slots=True)
class _RestRule:
    method: str
    regex: re.Pattern[str]
    query_keys: tuple[tuple[str, str | None], ...]
    literal_len: int
    operation: OperationModel
    # required members bound to the query string or headers: S3 tells PutObject, CopyObject, UploadPart and
    # UploadPartCopy (all PUT /{Bucket}/{Key+}) apart only by these
    required_query: tuple[str, ...] = ()
    required_headers: tuple[str, ...] = ()

    def accepts(self, request: Request, with_required: bool) -> bool:
        query = request.query
        for key, value in self.query_keys:
            if key not in query or (value is not None and query[key] != value):
                return False
        if not with_required:
            return True
        return all(key in query for key in self.required_query) and all(
            h in request.headers for h in self.required_headers
        )


def _compile_uri(request_uri: str) -> tuple[re.Pattern[str], tuple[tuple[str, str | None], ...], int]:
    path, _, query = request_uri.partition("?")
    pattern = ["^"]
    literal = 0
    pos = 0
    for match in re.finditer(r"\{([^}]+)\}", path):
        text = path[pos : match.start()]
        pattern.append(re.escape(text))
        literal += len(text)
        name = match.group(1)
        if name.endswith("+"):
            pattern.append(f"(?P<{_group(name[:-1])}>.+)")
        else:
            pattern.append(f"(?P<{_group(name)}>[^/]+)")
        pos = match.end()
    tail = path[pos:]
    literal += len(tail)
    pattern.append(re.escape(tail) + "$")
    keys: list[tuple[str, str | None]] = []
    for item in filter(None, query.split("&")):
        key, eq, value = item.partition("=")
        keys.append((key, value if eq else None))
    return re.compile("".join(pattern)), tuple(keys), literal


def _group(name: str) -> str:
    return re.sub(r"\W", "_", name)


class Router:
    """Indexes built from each service's metadata alone; a model is loaded when a request first needs it."""

    def __init__(self, specs: list[ServiceSpec]) -> None:
        self.specs = {spec.name: spec for spec in specs}
        self.by_target: dict[str, ServiceSpec] = {}
        self.by_signing: dict[str, ServiceSpec] = {}
        self.sharing_signing: dict[str, list[ServiceSpec]] = {}  # apigateway and apigatewayv2 both sign as "apigateway"
        self.query_services: list[ServiceSpec] = []
        self.rest_services: list[ServiceSpec] = []
        self._rest: dict[str, list[_RestRule]] = {}  # filled on a service's first REST request
        for spec in specs:
            meta = spec.meta
            if meta.target_prefix:
                self.by_target[meta.target_prefix] = spec
            if "query" in meta.protocols:
                self.query_services.append(spec)
            if meta.primary in ("rest-json", "rest-xml"):
                self.rest_services.append(spec)
            self.by_signing.setdefault(meta.signing_name, spec)
            self.sharing_signing.setdefault(meta.signing_name, []).append(spec)
            self.by_signing.setdefault(meta.endpoint_prefix, spec)

    def _rules(self, spec: ServiceSpec) -> list[_RestRule]:
        rules = self._rest.get(spec.name)
        if rules is None:
            rules = self._rest[spec.name] = self._rest_rules(spec, spec.primary)
        return rules

    @staticmethod
    def _rest_rules(spec: ServiceSpec, protocol: str) -> list[_RestRule]:
        model = spec.models[protocol]
        rules = []
        for name in model.operation_names:
            op = model.operation_model(name)
            http = op.http
            regex, keys, literal = _compile_uri(http.get("requestUri", "/"))
            required_query: list[str] = []
            required_headers: list[str] = []
            shape = op.input_shape
            if shape is not None:
                for member_name in shape.required_members:
                    member = shape.members[member_name]
                    where = member.serialization.get("location")
                    wire = member.serialization.get("name", member_name)
                    if where == "querystring":
                        required_query.append(wire)
                    elif where == "header":
                        required_headers.append(wire.lower())
            rules.append(
                _RestRule(
                    http.get("method", "POST"), regex, keys, literal, op, tuple(required_query), tuple(required_headers)
                )
            )
        return rules

    def resolve(self, request: Request, signing_service: str | None) -> Route:
        target = request.headers.get("x-amz-target")
        if target:
            prefix, _, op_name = target.rpartition(".")
            spec = self.by_target.get(prefix)
            if spec is None:
                raise ServiceError(f"Unknown target prefix {prefix}", code="UnknownOperationException")
            protocol = "json" if "json" in spec.meta.protocols else spec.primary
            return Route(spec, protocol, spec.operation(protocol, op_name), op_name)

        spec = self.by_signing.get(signing_service) if signing_service else None
        if spec is None:  # unsigned: a service-named host such as sqs.us-east-1.localhost
            spec = self.by_signing.get(request.host.split(".", 1)[0].lower())
        action = request.form.get("Action") if self._may_be_query(request) else None
        if action:
            if spec is None or "query" not in spec.meta.protocols:
                spec = self._query_service_for(action, request) or spec
            if spec is not None and "query" in spec.meta.protocols:
                return Route(spec, "query", spec.operation("query", action), action)
        if spec is not None and spec.primary in ("rest-json", "rest-xml"):
            return self._shared_rest_route(spec, request)
        if spec is not None:
            protocol = spec.primary
            raise ServiceError(
                "Could not find operation to call",
                code="UnknownOperationException" if protocol == "json" else "InvalidAction",
            )
        for rest_spec in self.rest_services:
            try:
                return self._rest_route(rest_spec, request)
            except ServiceError:
                continue
        raise ServiceError(
            "Unable to determine service/operation name to be authorized", code="InvalidAction", status=400
        )

    @staticmethod
    def _may_be_query(request: Request) -> bool:
        return "Action=" in request.query_string or (
            request.method == "POST" and request.content_type in ("application/x-www-form-urlencoded", "")
        )

    def _query_service_for(self, action: str, request: Request) -> ServiceSpec | None:
        candidates = [s for s in self.query_services if action in s.models["query"].operation_names]
        if len(candidates) > 1:
            path = request.path
            candidates = [s for s in candidates if s.meta.query_path and s.meta.query_path.match(path)] or candidates
        return candidates[0] if candidates else None

    def _shared_rest_route(self, spec: ServiceSpec, request: Request) -> Route:
        """REST services that share a signing name are told apart by their URIs (the first service's error wins)."""
        siblings = [
            s
            for s in self.sharing_signing.get(spec.signing_name, [])
            if s is not spec and s.primary in ("rest-json", "rest-xml")
        ]
        try:
            return self._rest_route(spec, request)
        except ServiceError:
            for sibling in siblings:
                try:
                    return self._rest_route(sibling, request)
                except ServiceError:
                    continue
            raise

    def _rest_route(self, spec: ServiceSpec, request: Request) -> Route:
        protocol = spec.primary
        path = request.raw_path
        partial = False
        best: tuple[tuple[int, bool, int, int], _RestRule, re.Match[str]] | None = None
        for rule in self._rules(spec):
            match = rule.regex.match(path)
            if not match or not rule.accepts(request, with_required=False):
                continue
            if rule.method != request.method:
                partial = True
                continue
            # fixed query keys are the strongest evidence; then whether the required query/header members are
            # all there (S3's PutObject vs CopyObject vs UploadPart); then how much of the URI is literal
            satisfied = rule.accepts(request, with_required=True)
            rank = (
                len(rule.query_keys),
                satisfied,
                len(rule.required_query) + len(rule.required_headers),
                rule.literal_len,
            )
            if best is None or rank > best[0]:
                best = (rank, rule, match)
        if best is not None:
            _, rule, match = best
            params = {k: unquote(v) for k, v in match.groupdict().items()}
            return Route(spec, protocol, rule.operation, rule.operation.name, params)
        if partial:
            raise ServiceError("Method Not Allowed", code="MethodNotAllowed", status=405)
        raise ServiceError(
            f"No operation matches {request.method} {path}", code="UnknownOperationException", status=404
        )
