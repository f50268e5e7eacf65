"""Calling Lambda for integrations and authorizers through the "lambda.invoke" port, with the integration timeout."""

from __future__ import annotations

import asyncio
import re
from typing import Any

from ...aws.authorize import invocation_refusal
from ...aws.errors import ServiceError
from ...ports import LambdaInvoker
from ...runtime import Runtime

_PATH_URI = re.compile(r"arn:aws[\w-]*:apigateway:[\w-]+:lambda:path/[^/]+/functions/(.+)/invocations$")
_STAGE_VAR = re.compile(r"\$\{stageVariables\.([A-Za-z0-9_]+)\}")


class IntegrationFailed(Exception):
    """The function failed, was not found or answered nothing usable."""


class IntegrationTimeout(Exception):
    pass


def with_stage_variables(text: str, variables: dict[str, str]) -> str:
    return _STAGE_VAR.sub(lambda m: variables.get(m.group(1), ""), text)


def function_of(uri: str) -> str:
    """A function ARN (or name) from an integration or authorizer URI, which may be the apigateway path form."""
    match = _PATH_URI.match(uri)
    return match.group(1) if match else uri


async def invoke(
    runtime: Runtime,
    account: str,
    region: str,
    uri: str,
    payload: bytes,
    timeout_ms: int,
    request_id: str,
    source_arn: str | None = None,
) -> bytes:
    """The function's answer; IntegrationTimeout / IntegrationFailed as API Gateway sees them. With ``source_arn``
    (the route's execute-api ARN), IAM enforcement checks that the function's policy lets API Gateway in."""
    port = runtime.port(LambdaInvoker).invoke
    function = function_of(uri)
    if source_arn is not None:
        arn = function if function.startswith("arn:") else f"arn:aws:lambda:{region}:{account}:function:{function}"
        refusal = await invocation_refusal(runtime, "apigateway.amazonaws.com", arn, source_arn)
        if refusal is not None:
            raise IntegrationFailed(f"Invalid permissions on Lambda function: {refusal}")
    try:
        out: dict[str, Any] = await asyncio.wait_for(
            port(account, region, function, payload, request_id=request_id), timeout_ms / 1000
        )
    except TimeoutError:
        raise IntegrationTimeout() from None
    except ServiceError as error:
        raise IntegrationFailed(f"{error.code}: {error.message}") from None
    if out.get("FunctionError"):
        raise IntegrationFailed(f"function error {out.get('FunctionError')}")
    body = out.get("Payload") or b""
    return body.read() if hasattr(body, "read") else bytes(body)
