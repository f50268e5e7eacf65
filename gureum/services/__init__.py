"""The services layer: what a service is (Service: operations, lifespan hooks, delivery targets, edge routes,
WebSocket upgrades, admin routes) and the list of them gureum serves.

Each package under gureum.services exposes SERVICE. The protocol engine (gureum.aws) sees a service only through
gureum.aws.dispatch.ServiceApi; services never import each other (gureum.ports and gureum.delivery connect them).
"""

from __future__ import annotations

import importlib
import importlib.util
import logging
from collections.abc import Awaitable, Callable, Collection
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..aws.dispatch import Handler, Prepare
from ..aws.http import Request, Response
from ..aws.validate import Rules

if TYPE_CHECKING:
    from ..delivery import Target
    from ..runtime import Runtime

log = logging.getLogger("gureum")

Hook = Callable[["Runtime"], Awaitable[None]]
EdgeHandler = Callable[["Runtime", Request], Awaitable[Response]]


@dataclass(frozen=True, slots=True)
class EdgeRoute:
    """Traffic other than AWS API calls that a service serves on gureum's port (API Gateway stages, Lambda function
    URLs), matched once per request by gureum.edge before AWS dispatch. A route matches when every rule it sets
    holds:

    - ``host``: a label the Host header contains, dots included (".execute-api.").
    - ``path``: a path prefix of literal segments and ``{name}`` segments (one segment each, possibly empty), e.g.
      "/restapis/{api}/{stage}/_user_request_"; it matches that path and anything below it.
    - ``host_names``: the host (without port, lower case) is one of the names this callable returns now (custom
      domain names a service keeps in its state).
    - ``methods``: when set, a request that matches otherwise but uses another method is answered 405.
    - ``accepts``: when set, a request the other rules match is this route's only if it returns True (a registry
      path under /v2/ is told from an AWS REST call there by its shape).

    ``streams``: the route reads large bodies as they arrive (``request.stream``) instead of whole beforehand.
    """

    handle: EdgeHandler
    host: str | None = None
    path: str | None = None
    host_names: Callable[[Runtime], Collection[str]] | None = None
    methods: frozenset[str] | None = None
    accepts: Callable[[Request], bool] | None = None
    streams: bool = False


@dataclass
class Service:
    """A service: its botocore name, its operations, and what it adds to the server around them."""

    name: str
    validation: Rules = field(default_factory=Rules)  # style, model patterns, error code
    migrations: Path | None = None
    ops: dict[str, Handler] = field(default_factory=dict)
    starts: list[Hook] = field(default_factory=list)
    stops: list[Hook] = field(default_factory=list)
    resets: list[Hook] = field(default_factory=list)
    # delivery targets this service offers to others, e.g. "sqs"
    targets: list[Target] = field(default_factory=list)
    # non-AWS HTTP routes under /_gureum/<service>/…: {(method, path): handler(runtime, request) -> Response}
    admin_routes: dict[tuple[str, str], EdgeHandler] = field(default_factory=dict)
    # data-plane traffic served before AWS dispatch (see EdgeRoute)
    edge_routes: list[EdgeRoute] = field(default_factory=list)
    # operations AWS serves without a signature even in strict mode (besides those the model marks noAuth)
    anonymous_ops: frozenset[str] = frozenset()
    # WebSocket upgrades: upgrade(runtime, request, ws) → False when the URL is not this service's; else it accepted
    # or rejected ws (gureum.websocket.WebSocket) and served it to the end
    upgrade: Callable[[Runtime, Request, Any], Awaitable[bool]] | None = None
    # optional fix-up of parsed input before validation: prepare(request, protocol, operation, params)
    prepare: Prepare | None = None

    def op(self, name: str) -> Callable[[Handler], Handler]:
        """Register the handler of the AWS operation ``name`` (spelled as in the model, so a grep finds it)."""

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


# botocore service name → package under gureum.services, in start-up order (a package not written yet is skipped)
PACKAGES = {
    "sqs": "sqs",
    "sts": "sts",
    "iam": "iam",
    "logs": "logs",
    "sns": "sns",
    "events": "events",
    "scheduler": "scheduler",
    "lambda": "lambda_",
    "apigateway": "apigateway",
    "apigatewayv2": "apigatewayv2",
    "apigatewaymanagementapi": "apigatewaymanagementapi",
    "kinesis": "kinesis",
    "dynamodb": "dynamodb",
    "dynamodbstreams": "dynamodbstreams",
    # sesv2 before ses: both sign as "ses", and the signing name's first service must be the REST one (ses's
    # query calls carry Action=, found by name)
    "sesv2": "sesv2",
    "ses": "ses",
    "ecr": "ecr",
    "ecs": "ecs",
    "lightsail": "lightsail",
    "batch": "batch",
    "s3": "s3",
    "firehose": "firehose",
    "glue": "glue",
    "kinesisanalytics": "kinesisanalytics",
    "kinesisanalyticsv2": "kinesisanalyticsv2",
    "xray": "xray",
    "cognito-idp": "cognitoidp",
    "cognito-identity": "cognitoidentity",
    "accessanalyzer": "accessanalyzer",
    "kinesisvideo": "kinesisvideo",
    "kinesis-video-media": "kinesisvideomedia",
    "kinesis-video-archived-media": "kinesisvideoarchivedmedia",
    "kinesis-video-signaling": "kinesisvideosignaling",
    "ssm": "ssm",
    "cloudformation": "cloudformation",
}


@dataclass(frozen=True, slots=True)
class Trigger:
    """A request a service's data plane may serve (a superset of its EdgeRoutes' rules, without importing it): a
    host label, a path template (as EdgeRoute.path) and a cheap test of the request."""

    host: str | None = None
    path: str | None = None
    accepts: Callable[[Request], bool] | None = None


@dataclass(frozen=True, slots=True)
class Wake:
    """What, besides an AWS call naming it, makes gureum load a service it has not loaded yet (gureum.loader):

    - ``kinds``: the delivery target kinds it offers (an outbox row addressed to one);
    - ``ports``: the names of the gureum.ports protocols it provides (a call through one);
    - ``edges``: requests its edge routes may serve; ``admin``: the path prefix of its admin routes;
    - ``listens``: Config fields naming TCP ports it listens on (gureum holds the socket; a connection loads it);
    - ``eager``: a Config flag under which it is loaded at start (X-Ray records every service's calls).

    tests/unit/test_service_wakes.py checks these against what each service registers."""

    kinds: tuple[str, ...] = ()
    ports: tuple[str, ...] = ()
    edges: tuple[Trigger, ...] = ()
    admin: str | None = None
    listens: tuple[str, ...] = ()
    eager: str | None = None


def _unsigned(request: Request) -> bool:
    """Not SigV4-signed (ECR's registry API under /v2/; AWS REST calls there are signed)."""
    return not request.headers.get("authorization", "").startswith("AWS4-") and "X-Amz-Signature=" not in (
        request.query_string
    )


def _pool_path(request: Request) -> bool:
    """/<pool id>/…: a first segment like a Cognito user pool id (a Region, an underscore)."""
    parts = request.path.strip("/").split("/", 2)
    return len(parts) >= 2 and "_" in parts[0] and parts[0].split("_", 1)[0].count("-") >= 2


def _form_post(request: Request) -> bool:
    """A form POSTed (S3's browser-based uploads: POST Object)."""
    return request.method == "POST" and request.content_type == "multipart/form-data"


# botocore service name → what loads it before an AWS call names it (services with none of these are absent)
WAKES = {
    "sqs": Wake(kinds=("sqs",), ports=("SqsConsumer",)),
    "iam": Wake(ports=("IdentitySource", "KeyOwner"), admin="/_gureum/iam/"),
    "logs": Wake(kinds=("logs",)),
    "sns": Wake(kinds=("sns", "sns-http"), ports=("SnsTopics",), admin="/_gureum/sns/"),
    "events": Wake(kinds=("events", "events-dlq", "events-schedule", "events-replay", "events-http")),
    "scheduler": Wake(kinds=("scheduler-fire", "scheduler-dlq", "scheduler-universal")),
    "lambda": Wake(
        kinds=("lambda", "lambda-event", "lambda-async-failure"),
        ports=("LambdaInvoker",),
        edges=(Trigger(host=".lambda-url."), Trigger(path="/lambda-url")),
        admin="/_gureum/lambda/",
    ),
    "apigateway": Wake(
        ports=("ApiGatewayAccount",),
        edges=(Trigger(host=".execute-api."), Trigger(path="/restapis/{api}/{stage}/_user_request_")),
    ),
    "apigatewayv2": Wake(
        ports=("HttpApiEdge", "WebSocketConnections"),
        edges=(Trigger(path="/{stage}/@connections"), Trigger(path="/{stage}/%40connections")),
    ),
    "kinesis": Wake(kinds=("kinesis",), ports=("KinesisReader",)),
    "dynamodb": Wake(ports=("DynamoDbStreams",)),
    "ses": Wake(
        kinds=("ses-relay", "ses-s3-action"),
        ports=("SesMail",),
        admin="/_gureum/ses/",
        listens=("smtp_port", "smtp_inbound_port"),
    ),
    "ecr": Wake(ports=("ImageRegistry",), edges=(Trigger(host=".dkr.ecr."), Trigger(path="/v2", accepts=_unsigned))),
    "ecs": Wake(kinds=("ecs",), edges=(Trigger(path="/_ecs"),)),
    "batch": Wake(kinds=("batch",), edges=(Trigger(path="/_batch"),)),
    "s3": Wake(
        ports=("S3Objects",), edges=(Trigger(host=".s3-website"), Trigger(path="/{bucket}", accepts=_form_post))
    ),
    "firehose": Wake(kinds=("firehose",), ports=("FirehoseTap",)),
    "glue": Wake(ports=("GlueCatalog",)),
    "kinesisanalytics": Wake(ports=("AnalyticsApplications",), admin="/_gureum/analytics/"),
    "xray": Wake(admin="/_gureum/ui", eager="tracing"),
    "cognito-idp": Wake(
        ports=("CognitoTokens",),
        edges=(Trigger(host=".auth."), Trigger(path="/{pool}", accepts=_pool_path)),
        admin="/_gureum/cognito/",
    ),
    "kinesisvideo": Wake(
        ports=("KinesisVideoMedia",),
        edges=(Trigger(path="/putMedia"), Trigger(path="/hls/v1"), Trigger(path="/dash/v1")),
    ),
    "ssm": Wake(ports=("ParameterValues",)),
    "cloudformation": Wake(admin="/_gureum/cloudformation/"),
}


def available() -> dict[str, str]:
    """botocore name → module of every service package present, in start-up order (nothing imported)."""
    found = {}
    for name, package in PACKAGES.items():
        module_name = f"{__name__}.{package}"
        if importlib.util.find_spec(module_name) is not None:
            found[name] = module_name
    return found


def all_services(failed: dict[str, str] | None = None) -> list[Service]:
    """Import every service package present. One that fails to load is logged (and recorded in ``failed``,
    shown by /_gureum/health) instead of taking the other services down with it."""
    services = []
    for name, package in PACKAGES.items():
        module_name = f"{__name__}.{package}"
        if importlib.util.find_spec(module_name) is None:
            continue
        try:
            services.append(importlib.import_module(module_name).SERVICE)
        except Exception as exc:  # reported, never silent
            log.exception("service %s failed to load", name)
            if failed is not None:
                failed[name] = f"{type(exc).__name__}: {exc}"
    return services
