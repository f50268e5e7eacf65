"""Universal targets (``arn:aws:scheduler:::aws-sdk:<service>:<apiAction>``): each invocation calls that AWS API
action with the schedule's Input as its request (the action's members as the API names them), made in-process as
the target's execution role through the protocol engine (gureum.aws.caller), as Scheduler calls it with the role.

Checked at CreateSchedule as Scheduler checks them: the ARN's form, a service the AWS SDKs know, Input a JSON object,
and no read-only action (Scheduler refuses actions whose names begin get, describe, list, receive, query, …). The
action itself is looked up when the schedule fires: an action the service lacks, or parameters it refuses, fail the
invocation for good (its dead-letter queue gets the error); the service's 5xx and throttling errors are retried by
the schedule's retry policy. ``batch:submitJob`` keeps its own delivery (the Batch target)."""

from __future__ import annotations

import json
import re
from typing import Any

import botocore.exceptions
import botocore.session
from botocore.model import OperationNotFoundError

from ... import safejson
from ...aws.caller import AwsCallError, ParamsRejected, acting_as, call_aws, operation_model, own_host
from ...delivery import DeliveryError, Target
from ...runtime import Runtime
from .errors import ValidationException

KIND = "scheduler-universal"
PREFIX = "arn:aws:scheduler:::aws-sdk:"
_ARN = re.compile(r"^arn:aws:scheduler:::aws-sdk:([a-z0-9]{1,64}):([a-z][A-Za-z0-9]{0,127})$")
# the AWS SDKs' service names that botocore spells otherwise
_BOTOCORE_NAMES = {
    "cloudwatchlogs": "logs",
    "eventbridge": "events",
    "sfn": "stepfunctions",
    "cognitoidentityprovider": "cognito-idp",
    "cognitoidentity": "cognito-identity",
    "kinesisvideoarchivedmedia": "kinesis-video-archived-media",
    "kinesisvideomedia": "kinesis-video-media",
    "kinesisvideosignaling": "kinesis-video-signaling",
    "apigatewaymanagementapi": "apigatewaymanagementapi",
    "kinesisanalyticsv2": "kinesisanalyticsv2",
}
# Scheduler's documented refusal: read-only actions are not universal targets
_READ_ONLY = (
    "get", "describe", "list", "poll", "receive", "search", "scan", "query", "select", "read", "lookup", "discover",
    "validate", "batchGet", "batchDescribe", "batchRead", "transactGet", "adminGet", "adminList", "testMigration",
    "retrieve", "testConnection", "translateDocument", "isAuthorized", "invokeModel",
)  # fmt: skip
_RETRIED_CODES = {"ThrottlingException", "Throttling", "TooManyRequestsException", "RequestLimitExceeded"}
_known: set[str] | None = None


def _services() -> set[str]:
    global _known
    if _known is None:
        _known = set(botocore.session.get_session().get_available_services())
    return _known


def parse(arn: str) -> tuple[str, str] | None:
    """(botocore's service name, the operation's name) of a universal target ARN; None when it is not one."""
    match = _ARN.match(arn)
    if match is None:
        return None
    service, action = match.groups()
    return _BOTOCORE_NAMES.get(service, service), action[0].upper() + action[1:]


def check(arn: str, text: str | None) -> None:
    """A universal target as CreateSchedule and UpdateSchedule accept it."""
    match = _ARN.match(arn)
    found = parse(arn)
    if match is None or found is None or found[0] not in _services():
        raise ValidationException(
            f"Invalid universal target {arn}: expected arn:aws:scheduler:::aws-sdk:<service>:<apiAction> naming an "
            "AWS SDK service and one of its API actions (e.g. arn:aws:scheduler:::aws-sdk:sqs:sendMessage)."
        )
    action = match.group(2)
    if any(action.startswith(prefix) and action[len(prefix) : len(prefix) + 1].isupper() or action == prefix
           for prefix in _READ_ONLY):  # fmt: skip
        raise ValidationException(
            f"Universal target {arn} names a read-only API action; EventBridge Scheduler does not invoke read-only "
            "actions (those beginning get, describe, list, poll, receive, search, scan, query, …)."
        )
    try:
        request = safejson.loads(text) if text else None
    except ValueError:
        request = None
    if not isinstance(request, dict):  # the Input is the action's request: there is no default one
        raise ValidationException(f"Input for universal target {arn} must be a JSON object of the action's request.")


def payload(text: str, account: str, region: str, role_arn: str | None) -> dict[str, Any]:
    """The delivery of one invocation: the request, and whom it is made as."""
    return {"input": text, "account": account, "region": region, "role_arn": role_arn}


async def _call(runtime: Runtime, address: str, payload: dict[str, Any]) -> None:
    found = parse(address)
    if found is None:
        raise DeliveryError(f"{address} is not a universal target.", code="ValidationException", retryable=False)
    service, operation = found
    try:
        await operation_model(runtime, service, operation)
    except (OperationNotFoundError, botocore.exceptions.DataNotFoundError):
        raise DeliveryError(
            f"{service} has no API action {operation}.", code="ValidationException", retryable=False
        ) from None
    params = json.loads(payload.get("input") or "{}")
    credentials = acting_as(runtime, str(payload["account"]), payload.get("role_arn"), "AWSScheduler")
    try:
        await call_aws(runtime, credentials, own_host(runtime), payload["region"], service, operation, params)
    except ParamsRejected as error:
        raise DeliveryError(str(error), code="ValidationException", retryable=False) from None
    except AwsCallError as error:
        retried = error.status >= 500 or error.code in _RETRIED_CODES
        raise DeliveryError(error.detail or error.code, code=error.code, retryable=retried) from None


TARGET = Target(KIND, call=_call)
