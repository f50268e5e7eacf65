"""The typed seams between services: what one service offers others in-process, without importing it.

A provider registers an object satisfying one of these protocols at start (``runtime.provide(LambdaInvoker, obj)``);
a consumer asks for it by type (``runtime.port(LambdaInvoker)``, or ``runtime.optional_port(...)`` when the
provider may be absent). Durable cross-service work goes through the delivery outbox instead (gureum.delivery);
ports are for calls whose caller waits for the answer. This module imports nothing of gureum but the HTTP types.
"""

from __future__ import annotations

from typing import Any, Protocol

from .aws.http import Request, Response


class LambdaInvoker(Protocol):
    """Lambda: a RequestResponse invocation for another service (API Gateway, function URLs, event source mappings)."""

    async def invoke(
        self,
        account: str,
        region: str,
        function: str,
        payload: bytes,
        *,
        qualifier: str | None = None,
        request_id: str | None = None,
        client_context: str | None = None,
    ) -> dict[str, Any]:
        """``function`` is a name, partial or full ARN. Returns Invoke's output (StatusCode, Payload, ExecutedVersion,
        FunctionError when the function failed) plus Log, the invocation's log text; raises the ServiceErrors
        Invoke answers with (ResourceNotFoundException, TooManyRequestsException, …)."""
        ...


class SqsConsumer(Protocol):
    """SQS: what an event source mapping needs to consume a queue (receive counts, redrive and FIFO group blocking
    stay SQS's own). Every method raises LookupError when the queue no longer exists."""

    async def queue(self, arn: str) -> dict[str, Any] | None:
        """{"QueueArn", "FifoQueue": bool, "VisibilityTimeout": int, "Attributes": {...}} or None."""
        ...

    async def receive(
        self, arn: str, count: int, *, wait: float, visibility: int | None = None
    ) -> list[dict[str, Any]]:
        """Up to ``count`` messages (as ReceiveMessage renders them, all attributes), long-polling ``wait`` seconds."""
        ...

    async def delete(self, arn: str, handles: list[str]) -> int:
        """Delete by receipt handle in one transaction; how many were deleted."""
        ...

    async def change_visibility(self, arn: str, handles: list[str], timeout: int) -> None:
        """Set the visibility timeout of received messages (0: visible again at once)."""
        ...


class WebSocketConnections(Protocol):
    """API Gateway WebSocket APIs: the @connections management API's view of live sockets on any node."""

    async def post(self, connection_id: str, data: bytes) -> bool:
        """Send a message; False when no node holds the connection."""
        ...

    async def get(self, connection_id: str) -> dict[str, Any] | None:
        """GetConnection's fields, or None."""
        ...

    async def delete(self, connection_id: str) -> bool:
        """Close the connection; False when no node holds it."""
        ...


class HttpApiEdge(Protocol):
    """API Gateway v2: an execute-api request for an HTTP API (the REST edge asks it first for ids it does not own)."""

    async def handle(self, api_id: str, path: str, request: Request) -> Response | None:
        """The answer, or None when ``api_id`` is not an HTTP API."""
        ...


class AwsDispatch(Protocol):
    """The protocol engine: an AWS API request made inside gureum, routed, authenticated, parsed and answered exactly
    as one from outside (API Gateway's AWS service integrations)."""

    async def __call__(self, request: Request) -> Response: ...


class KeyOwner(Protocol):
    """IAM: the user an access key belongs to (STS GetCallerIdentity names it)."""

    async def owner(self, account: str, access_key: str) -> dict[str, str] | None:
        """{"UserId", "Arn"} of the IAM user, or None when the key is no user's."""
        ...
