"""AwsCaller: resource providers act through the services' own AWS operations, made in-process through the
AwsDispatch port (gureum.ports) exactly as a client would send them — serialized by botocore, signed as the stack's
account and region (with the stack's service role when it has one, else the account's internal credentials), routed,
validated and authorized by the protocol engine — and parsed back. No service internals, no SQL."""

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

from ...aws.authorize import account_credentials, cached_role_credentials
from ...aws.http import Request
from ...ports import AwsDispatch
from ...runtime import Runtime
from .errors import ResourceFailure


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
    """botocore's SigV4 signer with the derived signing key kept (four HMACs per request fewer: a stack's calls all
    sign with one key per day, region and service)."""

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


class ServiceCallError(ResourceFailure):
    """An operation answered with an error: its code, message and status (the stack event shows them)."""

    def __init__(self, service: str, code: str, message: str, status: int) -> None:
        super().__init__(
            f'Resource handler returned message: "{message}" (Service: {service}, Status Code: {status}, '
            f"Error Code: {code})"
        )
        self.code, self.detail, self.status = code, message, status


def _plain(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items() if k != "ResponseMetadata"}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, dt.datetime):
        return value.isoformat()
    if hasattr(value, "read"):
        return value.read()
    return value


_NUMBERS = {"integer": int, "long": int, "double": float, "float": float}


def fit(value: Any, shape: Any, depth: int = 0) -> Any:
    """Template property values fitted to an operation's input shape as CloudFormation's resource schemas do: a
    member named in another case (the template's ``MaxvCpus`` for ECS's and Batch's ``maxvCpus``), numbers and
    booleans written as text, and text written as a number. Map keys are left as written; anything that does not
    fit is left for the serializer to refuse."""
    kind = shape.type_name
    if depth > 64:
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


class AwsCaller:
    """AWS operations made as one stack's account and region through gureum's protocol engine."""

    def __init__(self, runtime: Runtime, account: str, region: str, host: str, role_arn: str | None) -> None:
        self.runtime, self.account, self.region, self.host, self.role_arn = runtime, account, region, host, role_arn

    def _credentials(self) -> Credentials:
        own = (
            cached_role_credentials(self.runtime, self.role_arn, "AWSCloudFormation")
            if self.role_arn
            else account_credentials(self.runtime, self.account)
        )
        return Credentials(own.access_key, own.secret, own.token)

    async def __call__(self, service: str, operation: str, params: dict[str, Any]) -> dict[str, Any]:
        """The parsed answer of ``operation``; ServiceCallError with the service's error otherwise."""
        models = self.runtime.state_or_none(Models) or self.runtime.keep(Models())
        if not models.loaded(service):  # a model is megabytes of JSON: read off the event loop, once
            await asyncio.to_thread(models.model, service)
        service_model = models.model(service)
        op: OperationModel = service_model.operation_model(operation)
        protocol = service_model.metadata["protocol"]
        if op.input_shape is not None:
            params = fit(params, op.input_shape)
        try:
            request_dict = models.serializer(protocol).serialize_to_request(params, op)
        except Exception as error:  # botocore's ParamValidationError: the property values are not what AWS takes
            raise ResourceFailure(f"Properties validation failed: {error}") from None
        prepare_request_dict(request_dict, endpoint_url=f"http://{self.host}")
        aws = AWSRequest(
            method=request_dict["method"],
            url=request_dict["url"],
            data=request_dict["body"],
            headers=request_dict["headers"],
        )
        signing = service_model.metadata.get("signingName") or service_model.endpoint_prefix
        _CachedKeySigV4(self._credentials(), signing, self.region, models.signing_keys).add_auth(aws)
        prepared = aws.prepare()
        url = urlsplit(prepared.url)
        body = prepared.body if isinstance(prepared.body, bytes) else (prepared.body or "").encode()
        headers = {k.lower(): v.decode() if isinstance(v, bytes) else str(v) for k, v in prepared.headers.items()}
        headers["host"] = url.netloc
        answer = await self.runtime.port(AwsDispatch)(
            Request(prepared.method, url.path or "/", url.query, headers, body)
        )
        body_bytes = answer.body
        if answer.stream is not None:
            chunks = [bytes(c) async for c in answer.stream]
            body_bytes = b"".join(chunks)
        parsed = parsers.create_parser(protocol).parse(
            {"status_code": answer.status, "headers": HeadersDict(answer.headers), "body": body_bytes},
            op.output_shape if answer.status < 300 else None,
        )
        problem = parsed.get("Error") or {}
        if answer.status >= 300 or problem.get("Code"):
            raise ServiceCallError(
                str(service_model.service_id),
                str(problem.get("Code") or answer.status),
                str(problem.get("Message") or ""),
                answer.status,
            )
        return dict(_plain(parsed))
