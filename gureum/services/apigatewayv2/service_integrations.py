"""HTTP APIs' AWS service integrations (AWS_PROXY with an IntegrationSubtype, developer guide: "Integration subtype
reference"): the route calls an AWS action directly — SQS SendMessage, ReceiveMessage, DeleteMessage, PurgeQueue,
EventBridge PutEvents, Kinesis PutRecord — with the integration's RequestParameters (mapping expressions such as
``$request.body.message``, or static values) as the action's parameters, made in-process as the integration's
CredentialsArn role through the protocol engine (gureum.aws.caller). The client gets the service's answer as the
service gave it (status, content type and body). Subtypes of services gureum does not serve (Step Functions,
AppConfig) are refused when the integration is created."""

from __future__ import annotations

import json
from typing import Any

from ...aws.caller import ParamsRejected, acting_as, fit, operation_model, own_host, send_aws
from ...aws.http import Response
from ...runtime import Runtime
from . import mapping

# subtype → (service, operation, required parameters, the parameters it takes)
_SUBTYPES: dict[str, tuple[str, str, tuple[str, ...], tuple[str, ...]]] = {
    "SQS-SendMessage": (
        "sqs", "SendMessage", ("QueueUrl", "MessageBody"),
        ("QueueUrl", "MessageBody", "DelaySeconds", "MessageAttributes", "MessageDeduplicationId", "MessageGroupId",
         "MessageSystemAttributes", "Region"),
    ),
    "SQS-ReceiveMessage": (
        "sqs", "ReceiveMessage", ("QueueUrl",),
        ("QueueUrl", "AttributeNames", "MaxNumberOfMessages", "MessageAttributeNames", "ReceiveRequestAttemptId",
         "VisibilityTimeout", "WaitTimeSeconds", "Region"),
    ),
    "SQS-DeleteMessage": (
        "sqs", "DeleteMessage", ("QueueUrl", "ReceiptHandle"), ("QueueUrl", "ReceiptHandle", "Region"),
    ),
    "SQS-PurgeQueue": ("sqs", "PurgeQueue", ("QueueUrl",), ("QueueUrl", "Region")),
    "EventBridge-PutEvents": (
        "events", "PutEvents", ("Detail", "DetailType", "Source"),
        ("Detail", "DetailType", "Source", "Time", "EventBusName", "Resources", "Region", "TraceHeader"),
    ),
    "Kinesis-PutRecord": (
        "kinesis", "PutRecord", ("StreamName", "Data", "PartitionKey"),
        ("StreamName", "Data", "PartitionKey", "SequenceNumberForOrdering", "ExplicitHashKey", "Region"),
    ),
}  # fmt: skip
_NOT_SERVED = ("StepFunctions-", "AppConfig-")


def problem(doc: dict[str, Any]) -> str | None:
    """What is wrong with an HTTP API integration's subtype, as API Gateway words it; None when nothing is."""
    subtype = doc.get("IntegrationSubtype")
    if not subtype:
        return None
    if subtype.startswith(_NOT_SERVED):
        return f"IntegrationSubtype {subtype} is not served by gureum (it has no {subtype.split('-')[0]} service)."
    found = _SUBTYPES.get(subtype)
    if found is None:
        return f"Invalid IntegrationSubtype {subtype}. Valid subtypes are: {', '.join(sorted(_SUBTYPES))}."
    if doc.get("IntegrationType") != "AWS_PROXY":
        return "IntegrationSubtype is supported only for AWS_PROXY integrations."
    if doc.get("PayloadFormatVersion") != "1.0":
        return "Integrations with an IntegrationSubtype support only PayloadFormatVersion 1.0."
    parameters = doc.get("RequestParameters") or {}
    missing = [name for name in found[2] if name not in parameters]
    if missing:
        return f"Missing required parameters for integration subtype {subtype}: {', '.join(missing)}."
    unknown = [name for name in parameters if name not in found[3]]
    if unknown:
        return f"Invalid parameters for integration subtype {subtype}: {', '.join(unknown)}."
    return None


async def call(
    runtime: Runtime, account: str, region: str, integration: dict[str, Any], sources: dict[str, Any]
) -> Response:
    """The service's answer to the integration's action, its parameters evaluated for this request."""
    service, operation, _, _ = _SUBTYPES[integration["IntegrationSubtype"]]
    values: dict[str, Any] = {
        name: mapping.evaluate(template, sources)
        for name, template in (integration.get("RequestParameters") or {}).items()
        if name != "Region"  # one process is one Region
    }
    if service == "events":  # PutEvents' parameters are its one entry's
        values = {"Entries": [values]}
    op = await operation_model(runtime, service, operation)
    params = fit(values, op.input_shape) if op.input_shape is not None else values
    credentials = acting_as(runtime, account, integration.get("CredentialsArn"), "AmazonAPIGateway")
    try:
        return await send_aws(runtime, credentials, own_host(runtime), region, service, operation, params)
    except ParamsRejected as error:
        return Response(400, [("Content-Type", "application/json")], _message(f"Invalid request parameters: {error}"))


def _message(text: str) -> bytes:
    return json.dumps({"message": text}).encode()
