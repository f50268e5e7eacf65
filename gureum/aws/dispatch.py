"""The one bridge from HTTP to a service: route → authenticate → parse → validate → call → serialise.

A service (gureum.services.Service, seen here only as ServiceApi) registers plain async functions by AWS operation
name; adding one never touches the engine. The engine imports no service.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, Protocol

from .. import tracing
from ..ids import unique_id
from . import sigv4
from .auth import identify
from .authorize import authorizer
from .context import RequestContext
from .errors import ServiceError, foreign_error
from .http import Request, Response
from .protocols import get_protocol
from .protocols.base import nested_too_deep
from .routing import Route, RouteError, Router
from .specs import ServiceSpec, load_spec
from .validate import Rules, validate

if TYPE_CHECKING:
    from ..runtime import Runtime

log = logging.getLogger("gureum.dispatch")
# one line per AWS request (service, operation, status, error code, latency); on when this logger takes INFO
# (`gureum start --access-log`, or --log-level debug)
access_log = logging.getLogger("gureum.access")

Handler = Callable[[RequestContext, dict[str, Any]], Awaitable[dict[str, Any] | None]]
# optional fix-up of parsed input before validation: prepare(request, protocol, operation, params)
Prepare = Callable[[Request, str, str, dict[str, Any]], None]


class ServiceApi(Protocol):
    """What the engine needs of a service (gureum.services.Service): its botocore name and operation handlers."""

    @property
    def name(self) -> str: ...

    @property
    def validation(self) -> Rules:
        """How the service validates input (style, model patterns, its error code)."""
        ...

    @property
    def ops(self) -> Mapping[str, Handler]: ...

    @property
    def anonymous_ops(self) -> frozenset[str]:
        """Operations AWS serves without a signature even in strict mode (besides those the model marks noAuth)."""
        ...

    @property
    def prepare(self) -> Prepare | None: ...


# X-Ray's names of the services' own segments (the rest: the botocore name upper-cased)
_SEGMENT_NAMES = {"sqs": "SQS", "sns": "SNS", "lambda": "Lambda", "events": "EventBridge", "logs": "CloudWatch Logs"}


def check_operations(service: ServiceApi) -> None:
    """Every registered name must be an operation of the service's model."""
    names = set(load_spec(service.name).model.operation_names)
    unknown = sorted(set(service.ops) - names)
    if unknown:
        raise RuntimeError(f"{service.name}: not operations of the model: {unknown}")


def new_request_id() -> str:
    return unique_id()


_SIGNATURE_MISMATCH = (
    "The request signature we calculated does not match the signature you provided. "
    "Check your AWS Secret Access Key and signing method. "
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


def auth_error(protocol: str, kind: str, detail: str = "", fields: dict[str, object] | None = None) -> ServiceError:
    json_code, query_code, xml_code, message = _AUTH_ERRORS[kind]
    code = query_code if protocol == "query" else xml_code if protocol == "rest-xml" else json_code
    # S3 (rest-xml) shows what it computed of a mismatched signature; the other protocols only say so
    shown = fields if protocol == "rest-xml" else None
    return ServiceError(detail or message, code=code, status=403, type_name=json_code, fields=shown)


def _unknown_operation(route: Route) -> ServiceError:
    if route.protocol == "query":
        return ServiceError(route.spec.meta.invalid_action.format(action=route.name), code="InvalidAction")
    return ServiceError(f"Operation {route.name} is not supported.", code="UnknownOperationException")


class _Note:
    """What the access log says of one request, filled in while it is answered."""

    __slots__ = ("service", "operation", "code")

    def __init__(self) -> None:
        self.service = "-"
        self.operation = "-"
        self.code = "-"


class Dispatcher:
    def __init__(
        self,
        services: Sequence[ServiceApi],
        runtime: Runtime,
        names: Sequence[str] = (),
        load: Callable[[str], Awaitable[ServiceApi]] | None = None,
    ) -> None:
        """``services`` are served now; ``names`` too, each once ``load`` (name) has made it (on its first
        request; ``load`` adds it to ``self.services``)."""
        self.services: dict[str, ServiceApi] = {service.name: service for service in services}
        self._load = load
        served = [*self.services, *(name for name in names if name not in self.services)] if load else self.services
        self.router = Router([load_spec(name) for name in served])
        self._checked: set[str] = set()  # services whose registry was checked against their (lazily loaded) model
        self._warned: set[str] = set()  # services gureum does not serve that the log has named
        self.runtime = runtime
        # IAM enforcement (--enforce-iam) or its learn mode: every signed request authorised after its signature
        self.authorizer = authorizer(runtime) if runtime.config.enforce_iam or runtime.config.learn_iam else None
        # decided once, here: with the access log off, requests go straight to handle and it costs them nothing
        self.access_log = access_log.isEnabledFor(logging.INFO)
        if self.access_log:
            self.handle = self._handle_logged  # type: ignore[method-assign,assignment]

    async def _handle_logged(self, request: Request) -> Response:
        note = _Note()
        clock = self.runtime.clock
        start = clock.monotonic()
        response = await Dispatcher.handle(self, request, note)
        elapsed = (clock.monotonic() - start) * 1000
        access_log.info(
            "%s %s %d %s %.1fms %s %s",
            note.service,
            note.operation,
            response.status,
            note.code,
            elapsed,
            request.method,
            request.raw_path,
        )
        return response

    async def handle(self, request: Request, note: _Note | None = None) -> Response:
        """Answer one AWS API request (``note``, when given, collects what the access log says of it)."""
        request_id = new_request_id()
        caller = identify(request)
        route: Route | None = None
        try:
            route = self._resolve(request, caller.service)
            if note is not None:
                note.service, note.operation = route.spec.name, route.name
            service = self.services.get(route.spec.name) or await self._start(route.spec.name)
            if service.name not in self._checked:
                check_operations(service)
                self._checked.add(service.name)
            if self.runtime.config.strict_auth and not self._anonymous(service, route):
                self._authenticate(request, route)
            if route.operation is None:
                raise _unknown_operation(route)
            handler = service.ops.get(route.name)
            protocol = get_protocol(route.protocol, request)
            params = protocol.parse(request, route.operation, route.path_params)
            if service.prepare is not None:
                service.prepare(request, route.protocol, route.name, params)
            validate(
                route.operation.input_shape,
                params,
                rules=service.validation,
                protocol=route.protocol,
                operation=route.name,
            )
            if self.authorizer is not None and not self._anonymous(service, route):
                await self.authorizer.check(request, route, params, caller)
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
            try:
                result = await self._traced(handler, ctx, params)
            except RecursionError:  # a service decoding nested input of its own: AWS's 400, never a 500
                raise nested_too_deep(service.validation.style, service.validation.code) from None
            return protocol.serialize(route.operation, result, request_id)
        except ServiceError as error:
            if note is not None:
                note.code = error.code
                if isinstance(error, RouteError) and route is None:
                    note.service = error.unserved or (error.spec.name if error.spec is not None else "-")
            if error.status >= 500 or isinstance(error, RouteError):
                self._log_error(error, route, request)
            return self._error(error, route, request, request_id)
        except Exception:
            log.exception("internal error in %s", route.name if route else request.path)
            if note is not None:
                note.code = "InternalFailure"
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

    async def _start(self, name: str) -> ServiceApi:
        """A service routed to but not loaded yet: loaded now (its first request)."""
        assert self._load is not None, f"{name} is routed to but not served"
        return await self._load(name)

    async def _traced(self, handler: Handler, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any] | None:
        """Call the handler under the request's trace (X-Amzn-Trace-Id, or a new one), recording its segment."""
        rec = tracing.recorder(self.runtime) if ctx.service != "xray" else None
        span = None
        caller = tracing.parse(ctx.request.headers.get("x-amzn-trace-id")) if rec is not None else None
        # a call that brings no sampling decision is sampled by X-Ray's Default rule (1 a second, then 5 %): a
        # developer's calls are all seen, a load test's cost little
        undecided = caller is None or caller.sampled not in ("0", "1")
        if rec is not None and (not undecided or rec.sample_new()):
            name = _SEGMENT_NAMES.get(ctx.service) or ctx.service.upper()
            span = rec.begin(
                caller,
                name=name,
                origin=f"AWS::{name.replace(' ', '')}",
                operation=ctx.operation,
                account=ctx.account,
                region=ctx.region,
            )
        if span is None:
            if caller is None or not tracing.lineage(caller):
                return await handler(ctx, params)
            # unsampled, yet in a chain of events Lambda counts (its Lineage): the hops carry the chain on
            lineage_token = tracing.use(caller)
            try:
                return await handler(ctx, params)
            finally:
                tracing.restore(lineage_token)
        # the call's hops continue the caller's trace; without a header its segment is a trace of its own and, as on
        # AWS, nothing downstream (an SQS message's AWSTraceHeader, an SNS delivery) is marked with it
        token = tracing.use(span.header if span.parent_id else None)
        try:
            result = await handler(ctx, params)
        except ServiceError as error:
            span.end(status=error.status, error=error.status < 500, fault=error.status >= 500, cause=error.code)
            raise
        except BaseException:
            span.end(status=500, fault=True)
            raise
        finally:
            tracing.restore(token)
        span.end(status=200)
        return result

    def _resolve(self, request: Request, signing_service: str | None) -> Route:
        """The operation the request names. In strict mode, a REST request signed for a service none of whose
        operations it matches is the operation its URI names elsewhere (Lambda's path signed as ``sqs``), so that
        the signature check refuses its scope (403) as AWS does at that service's endpoint, not a 404 here."""
        try:
            return self.router.resolve(request, signing_service)
        except RouteError:
            if not (self.runtime.config.strict_auth and signing_service):
                raise
            try:
                intended = self.router.resolve(request, None)
            except ServiceError:
                intended = None
            if intended is None or intended.operation is None or intended.spec.signing_name == signing_service:
                raise
            return intended

    def takes_stream(self, request: Request) -> bool:
        """Whether the request is an operation whose input payload is a streaming blob (S3's PutObject, UploadPart):
        its handler reads the body as it arrives. Any other request is read whole before it is answered."""
        try:
            route = self.router.resolve(request, identify(request).service)
        except ServiceError:
            return False
        operation = route.operation
        if operation is None or operation.input_shape is None or route.spec.name not in self.router.specs:
            return False
        payload = operation.input_shape.serialization.get("payload")
        if payload is None:
            return False
        member = operation.input_shape.members[payload]
        return member.type_name == "blob" and bool(member.serialization.get("streaming"))

    @staticmethod
    def _anonymous(service: ServiceApi, route: Route) -> bool:
        return route.name in service.anonymous_ops or (
            route.operation is not None and route.operation.auth_type == "none"
        )

    def _authenticate(self, request: Request, route: Route) -> None:
        """Strict mode: the request must be signed (SigV4) with a key we know the secret of, for the operation's
        service and a valid Region ("Credential should be scoped to correct service: 'events'. ")."""
        spec = route.spec
        if route.operation is None:
            # no operation of the service the scope names: a query action of another service, signed for this
            # one (SQS's ListQueues signed as sns) is refused as AWS refuses it at the other service's endpoint
            spec = self._intended_service(request) or spec
        try:
            sigv4.authenticate(
                request,
                self.runtime.secret_for,
                self.runtime.clock.utcnow(),
                service=spec.signing_name,
                region=sigv4.host_region(request.host, spec.meta.endpoint_prefix),
            )
        except sigv4.SignatureProblem as problem:
            raise auth_error(route.protocol, problem.kind, problem.detail, problem.fields) from None

    def _log_error(self, error: ServiceError, route: Route | None, request: Request) -> None:
        """Always logged: a service gureum does not serve (a warning the first time) and every 5xx answer."""
        if isinstance(error, RouteError) and error.unserved is not None:
            status = self.runtime.service_status.get(error.unserved, "")
            if status.startswith("failed"):
                error.message = f"the {error.unserved} service {status}; see gureum's log"
                error.args = (error.message,)
            level = logging.INFO if error.unserved in self._warned else logging.WARNING
            self._warned.add(error.unserved)
            log.log(level, "%s %s: %s", request.method, request.path, error.message)
        elif error.status >= 500:
            where = f"{route.spec.name} {route.name}" if route is not None else f"{request.method} {request.path}"
            log.warning("%s answered %d %s: %s", where, error.status, error.code, error.message)
        elif not self.access_log:  # no operation takes it: an SDK whose URIs gureum does not know, a stray request
            log.info("%s %s answered %d %s: %s", request.method, request.path, error.status, error.code, error.message)

    def _intended_service(self, request: Request) -> ServiceSpec | None:
        """The service whose operation the request names when its signature is not consulted (the action or
        path alone), if that finds an operation."""
        try:
            route = self.router.resolve(request, None)
        except ServiceError:
            return None
        return route.spec if route.operation is not None else None

    @staticmethod
    def _error(error: ServiceError, route: Route | None, request: Request, request_id: str) -> Response:
        if route is not None:
            return get_protocol(route.protocol, request).serialize_error(
                error, request_id, spec=route.spec, operation=route.operation
            )
        if isinstance(error, RouteError):  # in the protocol the request named, or the one its service speaks
            if error.body is not None:
                return Response(
                    error.status, [("Content-Type", "text/xml"), ("x-amzn-RequestId", request_id)], error.body
                )
            foreign = foreign_error(error, error.protocol, request_id)
            if foreign is not None:
                return foreign
            return get_protocol(error.protocol).serialize_error(error, request_id, spec=error.spec)
        protocol = "json" if request.headers.get("x-amz-target") else "query"
        return get_protocol(protocol).serialize_error(error, request_id)
