"""Request → (service, protocol, operation), or a RouteError that says in which protocol to answer.

Order of evidence: X-Amz-Target (json), the SigV4 credential scope's service, the Action parameter
(query), the path (SQS queue URLs, REST URI templates). A request that names a service gureum does not serve
(botocore's catalog of every service knows its target prefix, signing name or path) is told so by name.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from urllib.parse import quote, unquote

from botocore.model import OperationModel

from .errors import ServiceError
from .http import Request
from .specs import KnownService, ServiceSpec, catalog, legacy_routes, rest_prefixes

_REST = ("rest-json", "rest-xml")
# the domains a virtual-hosted S3 request's Host header ends in: LocalStack's names, AWS's own, bare localhost
_S3_DOMAINS = (".localhost.localstack.cloud", ".amazonaws.com", ".localhost")
# how AWS Region names are built (as sigv4._REGION): us-east-1, us-gov-west-1, eusc-de-east-1
_REGION_LABEL = re.compile(r"[a-z]{2,5}(?:-[a-z]+)+-\d{1,2}")


@dataclass(slots=True)
class Route:
    spec: ServiceSpec
    protocol: str
    operation: OperationModel | None
    name: str
    path_params: dict[str, str] = field(default_factory=dict)


class RouteError(ServiceError):
    """No served operation takes the request. ``protocol`` (and ``spec``, when a served service was named) shape
    the answer; ``unserved`` names a service botocore knows and gureum does not serve; ``body`` is a ready answer
    when AWS sends one that is no error document (SQS's ``<UnknownOperationException/>``)."""

    def __init__(
        self,
        message: str,
        *,
        protocol: str,
        spec: ServiceSpec | None = None,
        unserved: str | None = None,
        body: bytes | None = None,
        code: str | None = None,
        status: int | None = None,
        sender_fault: bool | None = None,
    ) -> None:
        super().__init__(message, code=code, status=status, sender_fault=sender_fault)
        self.protocol = protocol
        self.spec = spec
        self.unserved = unserved
        self.body = body


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
        if self.query_keys:
            query = request.query
            for key, value in self.query_keys:
                if key not in query or (value is not None and query[key] != value):
                    return False
        if not with_required:
            return True
        return all(key in request.query for key in self.required_query) and all(
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
    # a trailing slash or none: AWS takes both, and older models (and the SDKs built from them: aws-cli 2.9's
    # Lambda, Terraform's, the Java SDK's) wrote "/2015-03-31/functions/" where botocore now writes ".../functions"
    tail = path[pos:].rstrip("/") if len(path) > 1 else ""
    literal += len(tail)
    pattern.append(re.escape(tail) + "/?$")
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
        self._query_actions: dict[str, list[ServiceSpec]] | None = None  # Action → the query services that have it
        self.rest_services: list[ServiceSpec] = []
        self._rest: dict[str, list[_RestRule]] = {}  # filled on a service's first REST request
        self._rest_by_method: dict[str, dict[str, list[_RestRule]]] = {}
        for spec in specs:
            meta = spec.meta
            if meta.target_prefix:
                self.by_target[meta.target_prefix] = spec
            if "query" in meta.protocols:
                self.query_services.append(spec)
            if meta.primary in _REST:
                self.rest_services.append(spec)
            self.by_signing.setdefault(meta.signing_name, spec)
            self.sharing_signing.setdefault(meta.signing_name, []).append(spec)
            self.by_signing.setdefault(meta.endpoint_prefix, spec)

    def _rules(self, spec: ServiceSpec) -> list[_RestRule]:
        rules = self._rest.get(spec.name)
        if rules is None:
            rules = self._rest[spec.name] = self._rest_rules(spec, spec.primary)
        return rules

    def _rules_for(self, spec: ServiceSpec, method: str) -> list[_RestRule]:
        """The service's rules for one HTTP method, in model order (S3 has ~110 operations: a request is matched
        against its method's only)."""
        by_method = self._rest_by_method.get(spec.name)
        if by_method is None:
            by_method = {}
            for rule in self._rules(spec):
                by_method.setdefault(rule.method, []).append(rule)
            self._rest_by_method[spec.name] = by_method
        return by_method.get(method, [])

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
        for legacy in legacy_routes(spec.name):  # URIs older SDKs send for operations newer models moved
            if legacy["operation"] in model.operation_names:
                regex, keys, literal = _compile_uri(legacy["requestUri"])
                op = model.operation_model(legacy["operation"])
                rules.append(_RestRule(legacy["method"], regex, keys, literal, op))
        return rules

    def resolve(self, request: Request, signing_service: str | None) -> Route:
        target = request.headers.get("x-amz-target")
        if target:
            prefix, _, op_name = target.rpartition(".")
            spec = self.by_target.get(prefix)
            if spec is None:
                raise self._unknown_target(request, prefix, signing_service)
            protocol = "json" if "json" in spec.meta.protocols else spec.primary
            return Route(spec, protocol, spec.operation(protocol, op_name), op_name)

        spec = self.by_signing.get(signing_service) if signing_service else None
        action = request.form.get("Action") if self._may_be_query(request) else None
        if spec is None and signing_service:
            # signed for a service gureum does not serve: say so, rather than try other services' operations
            unserved = self._unserved(request, catalog().by_signing.get(signing_service, []), action)
            if unserved is not None:
                raise unserved
        if spec is None:  # unsigned: a service-named host such as sqs.us-east-1.localhost
            spec = self.by_signing.get(request.host.split(".", 1)[0].lower())
            if spec is None and "s3" in self.specs and s3_bucket_from_host(request.host, False) is not None:
                spec = self.specs["s3"]  # unsigned, virtual-hosted: bucket.s3.localhost
        if action:
            if spec is None or "query" not in spec.meta.protocols:
                spec = self._query_service_for(action, request) or spec or self._by_query_path(request)
            if spec is not None and "query" in spec.meta.protocols:
                self._check_query_path(spec, action, request)
                return Route(spec, "query", spec.operation("query", action), action)
        if spec is not None and spec.primary in _REST:
            return self._shared_rest_route(spec, request)
        if spec is None and not action:  # unsigned, at a path only one service has (a queue URL)
            spec = self._by_query_path(request)
        if spec is not None:
            raise self._no_operation(spec, request)
        for rest_spec in self.rest_services:
            try:
                return self._rest_route(rest_spec, request)
            except ServiceError:
                continue
        host_named = catalog().by_endpoint.get(request.host.split(".", 1)[0].lower(), [])
        unserved = self._unserved(request, host_named, action)
        if unserved is not None:
            raise unserved
        raise RouteError(
            "Unable to determine service/operation name to be authorized",
            protocol="json" if request.content_type.startswith("application/x-amz-json") else "query",
            code="InvalidAction",
            status=400,
        )

    # --- requests no served operation takes ----------------------------------------------------------------

    def _unknown_target(self, request: Request, prefix: str, signing_service: str | None) -> RouteError:
        known = catalog().by_target.get(prefix)
        if known is not None and known.name not in self.specs:
            return _not_served(known, "json")
        spec = self.by_signing.get(signing_service) if signing_service else None
        return RouteError(
            f"Unknown target prefix {prefix}",
            protocol="json",
            spec=spec if spec is not None and "json" in spec.meta.protocols else None,
            code="UnknownOperationException",
        )

    def _unserved(self, request: Request, candidates: list[KnownService], action: str | None) -> RouteError | None:
        """The error for a request meant for one of ``candidates`` (services sharing a signing name or endpoint
        prefix) that gureum does not serve; None when gureum serves them or none is meant."""
        candidates = [known for known in candidates if known.name not in self.specs]
        if not candidates:
            return None
        cbor = request.headers.get("smithy-protocol") == "rpc-v2-cbor"
        wire: tuple[str, ...]
        if action:
            wire = ("query", "ec2")
        elif cbor:
            wire = ("smithy-rpc-v2-cbor",)
        else:
            wire = _REST + ("json",)
        fitting = [known for known in candidates if any(p in wire for p in known.protocols)] or candidates
        known = fitting[0]
        if len(fitting) > 1 and not action and not cbor:
            known = _by_path_prefix(fitting, request.path) or known
        if action:
            protocol = "ec2" if "ec2" in known.protocols else "query"
        elif cbor:
            protocol = "smithy-rpc-v2-cbor"
        else:
            protocol = next((p for p in known.protocols if p in wire), known.primary)
        return _not_served(known, protocol)

    def _no_operation(self, spec: ServiceSpec, request: Request) -> RouteError:
        """A request for a served non-REST service with neither X-Amz-Target nor Action, answered as AWS does."""
        if spec.primary == "query":
            return RouteError(
                "The request must contain the parameter Action.",
                protocol="query",
                spec=spec,
                code="MissingAction",
            )
        if "query" in spec.meta.protocols:  # a JSON service that also speaks query (SQS) answers a bare 404
            return RouteError(
                "UnknownOperationException",
                protocol="query",
                spec=spec,
                code="UnknownOperationException",
                status=404,
                body=b"<UnknownOperationException/>",
            )
        return RouteError(
            "Could not find operation to call", protocol=spec.primary, spec=spec, code="UnknownOperationException"
        )

    def _check_query_path(self, spec: ServiceSpec, action: str, request: Request) -> None:
        meta = spec.meta
        if action in meta.refused_at_query_path and meta.query_path and meta.query_path.match(request.path):
            raise RouteError(
                meta.invalid_action.format(action=action), protocol="query", spec=spec, code="InvalidAction"
            )

    def _by_query_path(self, request: Request) -> ServiceSpec | None:
        path = request.path
        for spec in self.query_services:
            if spec.meta.query_path and spec.meta.query_path.match(path):
                return spec
        return None

    @staticmethod
    def _may_be_query(request: Request) -> bool:
        return "Action=" in request.query_string or (
            request.method == "POST" and request.content_type in ("application/x-www-form-urlencoded", "")
        )

    def _query_service_for(self, action: str, request: Request) -> ServiceSpec | None:
        if self._query_actions is None:  # built on the first query request that needs it (it loads every model)
            actions: dict[str, list[ServiceSpec]] = {}
            for spec in self.query_services:
                for operation in spec.models["query"].operation_names:
                    actions.setdefault(operation, []).append(spec)
            self._query_actions = actions
        candidates = self._query_actions.get(action, [])
        if len(candidates) > 1:
            path = request.path
            candidates = [s for s in candidates if s.meta.query_path and s.meta.query_path.match(path)] or candidates
        return candidates[0] if candidates else None

    def _shared_rest_route(self, spec: ServiceSpec, request: Request) -> Route:
        """REST services that share a signing name are told apart by their URIs (the first service's error wins)."""
        siblings = [s for s in self.sharing_signing.get(spec.signing_name, []) if s is not spec and s.primary in _REST]
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
        if spec.name == "s3":  # virtual-hosted style: the bucket is the host's first labels, the path the key
            bucket = s3_bucket_from_host(
                request.host,
                request.headers.get("authorization", "") != "" or "X-Amz-Credential" in request.query_string,
            )
            if bucket is not None:
                path = "/" + quote(bucket, safe="") + (path if path != "/" else "")
        best: tuple[tuple[int, bool, int, int], _RestRule, re.Match[str]] | None = None
        for rule in self._rules_for(spec, request.method):
            if not rule.accepts(request, with_required=False):  # fixed query keys: cheaper than the URI's regex
                continue
            match = rule.regex.match(path)
            if not match:
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
        if any(
            rule.method != request.method and rule.accepts(request, with_required=False) and rule.regex.match(path)
            for rule in self._rules(spec)
        ):  # the URI is another method's
            raise RouteError("Method Not Allowed", protocol=protocol, spec=spec, code="MethodNotAllowed", status=405)
        raise RouteError(
            f"No operation matches {request.method} {path}",
            protocol=protocol,
            spec=spec,
            code="UnknownOperationException",
            status=404,
        )


def s3_bucket_from_host(host: str, signed: bool) -> str | None:
    """The bucket a virtual-hosted S3 request names in its Host (``bucket.s3.localhost:4566``,
    ``bucket.s3.eu-west-1.localhost``, ``bucket.s3.amazonaws.com``, and, for a request signed for S3, LocalStack's
    ``bucket.localhost``); None for a path-style request (``s3.localhost``, ``127.0.0.1``, ``localhost``)."""
    name = host.rpartition(":")[0] if host.count(":") == 1 else host
    name = name.lower()
    for domain in _S3_DOMAINS:
        if name.endswith(domain):
            prefix = name[: -len(domain)]
            break
    else:
        return None
    labels = prefix.split(".")
    # drop the service labels: "s3", "s3.<region>", "s3-<region>", "s3-website…"
    for i, label in enumerate(labels):
        if label == "s3" or label.startswith("s3-"):
            tail = labels[i + 1 :]
            if all(_REGION_LABEL.fullmatch(part) or part == "dualstack" for part in tail):
                return ".".join(labels[:i]) or None
    if not signed or not prefix or _REGION_LABEL.fullmatch(labels[-1]):
        return None  # an unsigned "x.localhost" may be another service's host name (sqs.localhost)
    return prefix


def _not_served(known: KnownService, protocol: str) -> RouteError:
    return RouteError(
        f"gureum does not implement the {known.name} service yet — see README",
        protocol=protocol,
        unserved=known.name,
        code="NotImplemented",
        status=501,
        sender_fault=False,
    )


def _by_path_prefix(candidates: list[KnownService], path: str) -> KnownService | None:
    """The REST service whose request URIs begin most like ``path`` (sesv2's /v2/email/ over ses's /)."""
    best: tuple[int, KnownService] | None = None
    for known in candidates:
        if known.primary not in _REST:
            continue
        length = next((len(prefix) for prefix in rest_prefixes(known.name) if path.startswith(prefix)), -1)
        if length >= 0 and (best is None or length > best[0]):
            best = (length, known)
    return best[1] if best else None
