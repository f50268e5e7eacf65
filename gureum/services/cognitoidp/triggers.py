"""A user pool's Lambda triggers (LambdaConfig) with AWS's event shapes, invoked synchronously through the
LambdaInvoker port: the function's answer is the event with its "response" filled in. A function that fails
answers the caller with UserLambdaValidationException "<Trigger> failed with error <message>." as AWS does."""

from __future__ import annotations

import json
from typing import Any

from ... import safejson
from ...aws.errors import ServiceError
from ...ports import LambdaInvoker
from ...runtime import Runtime
from .errors import InvalidLambdaResponseException, UnexpectedLambdaException, UserLambdaValidationException

# LambdaConfig member → the name AWS's error messages give the trigger
NAMES = {
    "PreSignUp": "PreSignUp",
    "PostConfirmation": "PostConfirmation",
    "PreAuthentication": "PreAuthentication",
    "PostAuthentication": "PostAuthentication",
    "PreTokenGeneration": "PreTokenGeneration",
    "CustomMessage": "CustomMessage",
    "DefineAuthChallenge": "DefineAuthChallenge",
    "CreateAuthChallenge": "CreateAuthChallenge",
    "VerifyAuthChallengeResponse": "VerifyAuthChallengeResponse",
    "UserMigration": "UserMigration",
}


def function_of(pool: dict[str, Any], trigger: str) -> str | None:
    config = pool.get("LambdaConfig") or {}
    if trigger == "PreTokenGeneration" and (config.get("PreTokenGenerationConfig") or {}).get("LambdaArn"):
        return str(config["PreTokenGenerationConfig"]["LambdaArn"])
    found = config.get(trigger)
    return str(found) if found else None


def event(
    pool: dict[str, Any],
    source: str,
    username: str,
    client_id: str | None,
    request: dict[str, Any],
    response: dict[str, Any] | None = None,
) -> dict[str, Any]:
    return {
        "version": "1",
        "region": pool["_region"],
        "userPoolId": pool["Id"],
        "userName": username,
        "callerContext": {
            "awsSdkVersion": "aws-sdk-unknown-unknown",
            "clientId": client_id or "CLIENT_ID_NOT_APPLICABLE",
        },
        "triggerSource": source,
        "request": request,
        "response": response if response is not None else {},
    }


async def invoke(runtime: Runtime, pool: dict[str, Any], trigger: str, doc: dict[str, Any]) -> dict[str, Any] | None:
    """The response the function filled in; None when the pool has no such trigger."""
    function = function_of(pool, trigger)
    if function is None:
        return None
    invoker = runtime.optional_port(LambdaInvoker)
    if invoker is None:
        raise UnexpectedLambdaException(f"{NAMES[trigger]} invocation failed: Lambda is not available.")
    try:
        out = await invoker.invoke(pool["_account"], pool["_region"], function, json.dumps(doc).encode())
    except ServiceError as error:
        raise UnexpectedLambdaException(f"{NAMES[trigger]} invocation failed due to error {error.code}.") from None
    payload = out.get("Payload") or b""
    if out.get("FunctionError"):
        try:
            failure = safejson.loads(payload)
            message = failure.get("errorMessage") if isinstance(failure, dict) else None
        except ValueError:
            message = None
        raise UserLambdaValidationException(f"{NAMES[trigger]} failed with error {message or 'Unhandled'}.")
    try:
        answer = safejson.loads(payload) if payload else None
    except ValueError:
        answer = None
    if not isinstance(answer, dict):
        raise InvalidLambdaResponseException("Unrecognizable lambda output")
    response = answer.get("response")
    return response if isinstance(response, dict) else {}
