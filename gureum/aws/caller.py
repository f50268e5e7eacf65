"""In-process AWS calls: an operation made through the AwsDispatch port (gureum.ports) exactly as a client would
send it — serialized by botocore from the service's model, signed with SigV4 as the given credentials, then routed,
validated and authorized by the protocol engine — and its answer parsed back by botocore. For services that act as
an AWS client would: CloudFormation's resource providers, Scheduler's universal targets."""

from __future__ import annotations

import asyncio
import datetime as dt
from typing import Any
from urllib.parse import urlsplit

import botocore.session
from botocore import parsers, serialize
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest, HeadersDict, prepare_request_dict
from botocore.credentials import Credentials
from botocore.model import OperationModel, ServiceModel

from .. import safejson
from ..ports import AwsDispatch
from ..runtime import Runtime
from .authorize import account_credentials, cached_role_credentials
from .http import Request, Response

__all__ = [
    "AwsCallError",
    "Credentials",
    "ParamsRejected",
    "acting_as",
    "call_aws",
    "fit",
    "operation_model",
    "own_host",
    "send_aws",
]


class AwsCallError(Exception):
    """The operation answered with an error: the service's name, the error code, message and HTTP status."""

    def __init__(self, service: str, code: str, message: str, status: int) -> None:
        super().__init__(f"{service} answered {status} {code}: {message}")
        self.service, self.code, self.detail, self.status = service, code, message, status


class ParamsRejected(ValueError):
    """botocore refused the parameters before anything was sent (a missing member, a wrong type)."""


class Models:
    """botocore's service models and serializers, loaded once per process on first use (kept in the runtime)."""

    def __init__(self) -> None:
        self._loader = botocore.session.get_session().get_component("data_loader")
        self._models: dict[str, ServiceModel] = {}
        self._serializers: dict[str, Any] = {}
        self.signing_keys: dict[tuple[str, ...], bytes] = {}

    def loaded(self, service: str) -> bool:
        return service in self._models

    def model(self, service: str) -> ServiceModel:
        if service not in self._models:
            self._models[service] = ServiceModel(self._loader.load_service_model(service, "service-2"), service)
        return self._models[service]

    def serializer(self, protocol: str) -> Any:
        if protocol not in self._serializers:
            self._serializers[protocol] = serialize.create_serializer(protocol, include_validation=True)
        return self._serializers[protocol]


class _CachedKeySigV4(SigV4Auth):  # type: ignore[misc]
    """botocore's SigV4 signer with the derived signing key kept (four HMACs per request fewer: a caller's requests
    all sign with one key per day, region and service)."""

    def __init__(self, credentials: Credentials, service: str, region: str, keys: dict[tuple[str, ...], bytes]) -> None:
        super().__init__(credentials, service, region)
        self._keys = keys

    def signature(self, string_to_sign: str, request: Any) -> str:
        day = request.context["timestamp"][0:8]
        cache = (self.credentials.secret_key, day, self._region_name, self._service_name)
        key = self._keys.get(cache)
        if key is None:
            k_date = self._sign(f"AWS4{self.credentials.secret_key}".encode(), day)
            key = self._sign(self._sign(self._sign(k_date, self._region_name), self._service_name), "aws4_request")
            if len(self._keys) > 1000:
                self._keys.clear()
            self._keys[cache] = key
        return str(self._sign(key, string_to_sign, hex=True))


def acting_as(runtime: Runtime, account: str, role_arn: str | None, session_name: str) -> Credentials:
    """Whom an in-process call is made as: a session of ``role_arn`` (a stack's service role, a target's or an
    integration's role) when there is one, else ``account``'s own internal credentials."""
    own = (
        cached_role_credentials(runtime, role_arn, session_name) if role_arn else account_credentials(runtime, account)
    )
    return Credentials(own.access_key, own.secret, own.token)


def own_host(runtime: Runtime) -> str:
    """The Host header of a call that comes from no client request (it only routes)."""
    return f"127.0.0.1:{runtime.config.port}"


def _models(runtime: Runtime) -> Models:
    return runtime.state_or_none(Models) or runtime.keep(Models())


async def operation_model(runtime: Runtime, service: str, operation: str) -> OperationModel:
    """The operation's botocore model (KeyError-like botocore error when the service has no such operation)."""
    models = _models(runtime)
    if not models.loaded(service):  # a model is megabytes of JSON: read off the event loop, once
        await asyncio.to_thread(models.model, service)
    return models.model(service).operation_model(operation)


async def send_aws(
    runtime: Runtime,
    credentials: Credentials,
    host: str,
    region: str,
    service: str,
    operation: str,
    params: dict[str, Any],
) -> Response:
    """The service's own answer to ``operation`` (``service`` as botocore names it, its body read whole), made as
    ``credentials`` in ``region`` with ``host`` as the Host header; ParamsRejected for parameters botocore will not
    serialize."""
    models = _models(runtime)
    op = await operation_model(runtime, service, operation)
    service_model = models.model(service)
    protocol = service_model.metadata["protocol"]
    try:
        request_dict = models.serializer(protocol).serialize_to_request(params, op)
    except Exception as error:  # botocore's ParamValidationError
        raise ParamsRejected(str(error)) from None
    prepare_request_dict(request_dict, endpoint_url=f"http://{host}")
    aws = AWSRequest(
        method=request_dict["method"],
        url=request_dict["url"],
        data=request_dict["body"],
        headers=request_dict["headers"],
    )
    signing = service_model.metadata.get("signingName") or service_model.endpoint_prefix
    _CachedKeySigV4(credentials, signing, region, models.signing_keys).add_auth(aws)
    prepared = aws.prepare()
    url = urlsplit(prepared.url)
    body = prepared.body if isinstance(prepared.body, bytes) else (prepared.body or "").encode()
    headers = {k.lower(): v.decode() if isinstance(v, bytes) else str(v) for k, v in prepared.headers.items()}
    headers["host"] = url.netloc
    answer = await runtime.port(AwsDispatch)(Request(prepared.method, url.path or "/", url.query, headers, body))
    if answer.stream is not None:
        chunks = [bytes(c) async for c in answer.stream]
        answer = Response(answer.status, answer.headers, b"".join(chunks))
    return answer


async def call_aws(
    runtime: Runtime,
    credentials: Credentials,
    host: str,
    region: str,
    service: str,
    operation: str,
    params: dict[str, Any],
) -> dict[str, Any]:
    """The parsed answer of ``operation`` (see send_aws); AwsCallError with the service's error."""
    answer = await send_aws(runtime, credentials, host, region, service, operation, params)
    service_model = _models(runtime).model(service)
    op = service_model.operation_model(operation)
    parsed = parsers.create_parser(service_model.metadata["protocol"]).parse(
        {"status_code": answer.status, "headers": HeadersDict(answer.headers), "body": answer.body},
        op.output_shape if answer.status < 300 else None,
    )
    problem = parsed.get("Error") or {}
    if answer.status >= 300 or problem.get("Code"):
        raise AwsCallError(
            str(service_model.service_id),
            str(problem.get("Code") or answer.status),
            str(problem.get("Message") or ""),
            answer.status,
        )
    return dict(plain(parsed))


def plain(value: Any) -> Any:
    """A parsed answer as JSON-like data: no ResponseMetadata, datetimes as ISO 8601 text, streams read."""
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items() if k != "ResponseMetadata"}
    if isinstance(value, list):
        return [plain(v) for v in value]
    if isinstance(value, dt.datetime):
        return value.isoformat()
    if hasattr(value, "read"):
        return value.read()
    return value


_NUMBERS = {"integer": int, "long": int, "double": float, "float": float}


def fit(value: Any, shape: Any, depth: int = 0) -> Any:
    """Values written loosely (a template's properties, a mapping's text) fitted to an operation's input shape as
    CloudFormation's resource schemas fit them: a member named in another case (``MaxvCpus`` for ``maxvCpus``),
    numbers and booleans written as text, text written as a number, and a structure, list or map written as JSON
    text. Map keys are left as written; anything that does not fit is left for the serializer to refuse."""
    kind = shape.type_name
    if depth > 64:
        return value
    if kind in ("structure", "list", "map") and isinstance(value, str) and value[:1] in "[{":
        try:
            value = safejson.loads(value)
        except ValueError:
            return value
    if kind == "structure" and isinstance(value, dict):
        members = shape.members
        lower = {m.lower(): m for m in members}
        out = {}
        for key, item in value.items():
            name = key if key in members else lower.get(str(key).lower(), key)
            out[name] = fit(item, members[name], depth + 1) if name in members else item
        return out
    if kind == "list" and isinstance(value, list):
        return [fit(v, shape.member, depth + 1) for v in value]
    if kind == "map" and isinstance(value, dict):
        return {k: fit(v, shape.value, depth + 1) for k, v in value.items()}
    if kind in _NUMBERS and isinstance(value, str):
        try:
            return _NUMBERS[kind](value)
        except ValueError:
            return value
    if kind == "boolean" and isinstance(value, str) and value.lower() in ("true", "false"):
        return value.lower() == "true"
    if kind == "string" and isinstance(value, bool):
        return "true" if value else "false"
    if kind == "string" and isinstance(value, int | float):
        return str(value)
    return value
