"""Operation registry and the one bridge from HTTP to a service: route → parse → validate → call → serialise.

A service registers plain async functions by AWS operation name; adding one never touches the engine.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..ids import unique_id
from . import sigv4
from .auth import identify
from .context import RequestContext
from .errors import ServiceError
from .http import Request, Response
from .protocols import get_protocol
from .routing import Route, Router
from .specs import ServiceSpec, load_spec
from .validate import validate

if TYPE_CHECKING:
    from ..runtime import Runtime

log = logging.getLogger("gureum.dispatch")

Handler = Callable[[RequestContext, dict[str, Any]], Awaitable[dict[str, Any] | None]]
Hook = Callable[["Runtime"], Awaitable[None]]


@dataclass(frozen=True, slots=True)
class Front:
    """Non-AWS-API HTTP traffic a service serves on gureum's port (API Gateway stages, Lambda function URLs):
    ``claims`` is a cheap synchronous test run on every request before AWS dispatch; ``handle`` answers it."""

    claims: Callable[[Request], bool]
    handle: Callable[[Runtime, Request], Awaitable[Response]]


@dataclass
class Service:
    """A service: its botocore name, its operations and its lifespan hooks."""

    name: str
    validation: str = "coral"  # or "params" (MissingParameter / InvalidParameterValue)
    migrations: Path | None = None
    ops: dict[str, Handler] = field(default_factory=dict)
    starts: list[Hook] = field(default_factory=list)
    stops: list[Hook] = field(default_factory=list)
    resets: list[Hook] = field(default_factory=list)
    # delivery targets this service offers to others (gureum.delivery.Target), e.g. "sqs"
    targets: list[Any] = field(default_factory=list)
    # non-AWS HTTP routes under /_gureum/<service>/…: {(method, path): handler(runtime, request) -> Response}
    admin_routes: dict[tuple[str, str], Callable[..., Awaitable[Response]]] = field(default_factory=dict)
    # data-plane traffic checked before AWS dispatch (see Front)
    fronts: list[Front] = field(default_factory=list)
    # operations AWS serves without a signature even in strict mode (besides those the model marks noAuth)
    anonymous_ops: frozenset[str] = frozenset()
    # WebSocket upgrades (they never reach the Fronts): upgrade(runtime, request, ws) → False when the URL is not
    # this service's; else it accepted or rejected ws (gureum.websocket.WebSocket) and served it to the end
    upgrade: Callable[[Runtime, Request, Any], Awaitable[bool]] | None = None
    # optional fix-up of parsed input before validation: prepare(request, protocol, operation, params)
    prepare: Callable[[Request, str, str, dict[str, Any]], None] | None = None

    def op(self, name: str) -> Callable[[Handler], Handler]:
        def register(fn: Handler) -> Handler:
            self.ops[name] = fn
            return fn

        return register

    def on_start(self, fn: Hook) -> Hook:
        self.starts.append(fn)
        return fn

    def on_stop(self, fn: Hook) -> Hook:
        self.stops.append(fn)
        return fn

    def on_reset(self, fn: Hook) -> Hook:
        """Called after every table was emptied (POST /_gureum/reset): drop in-memory caches."""
        self.resets.append(fn)
        return fn

    def spec(self) -> ServiceSpec:
        return load_spec(self.name)

    def check(self) -> None:
        """Every registered name must be an operation of the model."""
        names = set(self.spec().model.operation_names)
        unknown = sorted(set(self.ops) - names)
        if unknown:
            raise RuntimeError(f"{self.name}: not operations of the model: {unknown}")


def new_request_id() -> str:
    return unique_id()


_SIGNATURE_MISMATCH = (
    "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. "
    "Consult the service documentation for details."
)
# (json-family code, query code, rest-xml code, message) per problem, as AWS answers them
_AUTH_ERRORS = {
    "missing": (
        "MissingAuthenticationTokenException",
        "MissingAuthenticationToken",
        "AccessDenied",
        "Request is missing Authentication Token",
    ),
    "unknown": (
        "UnrecognizedClientException",
        "InvalidClientTokenId",
        "InvalidAccessKeyId",
        "The security token included in the request is invalid.",
    ),
    "mismatch": ("InvalidSignatureException", "SignatureDoesNotMatch", "SignatureDoesNotMatch", _SIGNATURE_MISMATCH),
    "expired": ("InvalidSignatureException", "SignatureDoesNotMatch", "AccessDenied", "Request has expired"),
    "skewed": ("InvalidSignatureException", "SignatureDoesNotMatch", "RequestTimeTooSkewed", "Signature expired"),
}


def auth_error(protocol: str, kind: str, detail: str = "") -> ServiceError:
    json_code, query_code, xml_code, message = _AUTH_ERRORS[kind]
    code = query_code if protocol == "query" else xml_code if protocol == "rest-xml" else json_code
    return ServiceError(detail or message, code=code, status=403, type_name=json_code)


def _unknown_operation(route: Route) -> ServiceError:
    if route.protocol == "query":
        return ServiceError(f"The action {route.name} is not valid for this web service.", code="InvalidAction")
    return ServiceError(f"Operation {route.name} is not supported.", code="UnknownOperationException")


class Dispatcher:
    def __init__(self, services: list[Service], runtime: Runtime) -> None:
        self.services = {service.name: service for service in services}
        self.router = Router([service.spec() for service in services])
        self._checked: set[str] = set()  # services whose registry was checked against their (lazily loaded) model
        self.runtime = runtime

    async def handle(self, request: Request) -> Response:
        request_id = new_request_id()
        caller = identify(request)
        route: Route | None = None
        try:
            route = self.router.resolve(request, caller.service)
            service = self.services[route.spec.name]
            if service.name not in self._checked:
                service.check()
                self._checked.add(service.name)
            if self.runtime.config.strict_auth and not self._anonymous(service, route):
                self._authenticate(request, route)
            if route.operation is None:
                raise _unknown_operation(route)
            handler = service.ops.get(route.name)
            protocol = get_protocol(route.protocol)
            params = protocol.parse(request, route.operation, route.path_params)
            if service.prepare is not None:
                service.prepare(request, route.protocol, route.name, params)
            validate(route.operation.input_shape, params, style=service.validation, protocol=route.protocol)
            if handler is None:
                raise ServiceError(
                    f"The operation {route.name} of {route.spec.name} is not implemented by gureum yet.",
                    code="NotImplemented",
                    status=501,
                    sender_fault=False,
                )
            ctx = RequestContext(
                request,
                self.runtime,
                route.spec.name,
                route.name,
                route.protocol,
                caller.account,
                caller.region,
                caller.access_key,
                request_id,
            )
            result = await handler(ctx, params)
            return protocol.serialize(route.operation, result, request_id)
        except ServiceError as error:
            return self._error(error, route, request, request_id)
        except Exception:
            log.exception("internal error in %s", route.name if route else request.path)
            return self._error(
                ServiceError(
                    "We encountered an internal error. Please try again.",
                    code="InternalFailure",
                    status=500,
                    sender_fault=False,
                ),
                route,
                request,
                request_id,
            )

    @staticmethod
    def _anonymous(service: Service, route: Route) -> bool:
        return route.name in service.anonymous_ops or (
            route.operation is not None and route.operation.auth_type == "none"
        )

    def _authenticate(self, request: Request, route: Route) -> None:
        """Strict mode: the request must be signed (SigV4) with a key we know the secret of."""
        try:
            signed = sigv4.read_signature(request)
        except sigv4.SignatureProblem as problem:
            raise auth_error(route.protocol, "missing", problem.detail) from None
        secret = self.runtime.secret_for(signed.access_key)
        if secret is None:
            raise auth_error(route.protocol, "unknown")
        try:
            sigv4.verify(request, signed, secret, dt.datetime.now(dt.UTC))
        except sigv4.SignatureProblem as problem:
            raise auth_error(route.protocol, problem.kind, problem.detail) from None

    @staticmethod
    def _error(error: ServiceError, route: Route | None, request: Request, request_id: str) -> Response:
        if route is not None:
            return get_protocol(route.protocol).serialize_error(
                error, request_id, spec=route.spec, operation=route.operation
            )
        protocol = "json" if request.headers.get("x-amz-target") else "query"
        return get_protocol(protocol).serialize_error(error, request_id)
